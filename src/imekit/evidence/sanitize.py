"""Keep secrets and obvious PHI out of evidence.

Entries hold statuses, counts, names and timestamps, never secret values. Recording still
scrubs what callers hand over, because a finding message or a summary field can quote a
value: string values that look like credentials or identifiers of a person are replaced by
the graph's SECRET_MARKER, and string values under secret-sounding keys are replaced
whatever they look like. Opaque attachments cannot be scrubbed, so one that contains a
credential-shaped string is refused.
"""

from __future__ import annotations

import re
from typing import Any

from imekit.errors import ImekitError
from imekit.graph.model import SECRET_MARKER

_VALUE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b")),
    (
        "AWS secret access key",
        re.compile(r"(?i)aws.{0,20}secret.{0,20}[=:\"' ]+[A-Za-z0-9/+]{40}\b"),
    ),
    ("JSON web token", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+")),
    ("GitHub token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b")),
    ("Slack token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("bearer credential", re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/-]{20,}=*")),
    # Bounded repeats keep every pattern linear in the text's length: an unbounded scheme
    # made a 100 kB string take half a minute.
    (
        "password in a URL",
        re.compile(r"\b[a-z][a-z0-9+.-]{0,31}://[^/\s:@]{1,256}:[^/\s@]{1,256}@"),
    ),
    # A US social security number is the commonest PHI identifier to leak into text: written
    # 123-45-6789 or 123 45 6789, or as nine digits right after a label saying what it is.
    ("social security number", re.compile(r"\b\d{3}[- ]\d{2}[- ]\d{4}\b")),
    (
        "social security number",
        re.compile(r"(?i)\b(?:ssn|social\s+security(?:\s+(?:number|no))?)\W{0,4}\d{9}\b"),
    ),
)

_SECRET_KEY = re.compile(
    r"(?i)^(.*[_-])?(password|passwd|passphrase|secret|secret[_-]?access[_-]?key|"
    r"private[_-]?key|api[_-]?key|access[_-]?token|auth[_-]?token|session[_-]?token|"
    r"client[_-]?secret|credentials?)$"
)


def find_secret(text: str) -> str | None:
    """The kind of secret `text` contains, or None."""
    for kind, pattern in _VALUE_PATTERNS:
        if pattern.search(text):
            return kind
    return None


def scrub(value: Any, *, _key: str | None = None) -> Any:
    """A copy of a JSON value with secret-looking strings replaced by SECRET_MARKER."""
    if isinstance(value, dict):
        return {str(k): scrub(v, _key=str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v, _key=_key) for v in value]
    if isinstance(value, str):
        if value == SECRET_MARKER:
            return value
        if _key is not None and _SECRET_KEY.match(_key) and value:
            return SECRET_MARKER
        if find_secret(value):
            return SECRET_MARKER
    return value


def check_attachment(name: str, data: bytes) -> None:
    """Refuse an attachment that carries a credential-shaped string."""
    text = data.decode("utf-8", errors="ignore")
    kind = find_secret(text)
    if kind:
        raise ImekitError(
            f"attachment {name!r} contains what looks like {_article(kind)} {kind}; evidence "
            "never holds secrets or PHI",
            hint="remove or redact it and record again",
        )


def check_attachment_name(name: str) -> None:
    """Refuse an attachment whose file name carries a credential or a person's identifier:
    names are recorded in the entry as they are."""
    kind = find_secret(name)
    if kind:
        raise ImekitError(
            f"the file name {name!r} contains what looks like {_article(kind)} {kind}; "
            "evidence never holds secrets or PHI",
            hint="rename the file (e.g. after the document's title) and add it again",
        )


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"
