"""The hash chain and its head, checked the same way in a store and in a bundle.

Like CloudTrail's digest files: every entry names its predecessor's hash, and a head names
the number of entries and the last entry's hash, signed with Ed25519. A dropped,
reordered, altered or truncated entry breaks a link or disagrees with the head.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from imekit.errors import ImekitError
from imekit.evidence.canonical import ZERO_HASH, canonical_bytes, utc_timestamp
from imekit.evidence.entry import HEAD_SCHEMA, Entry
from imekit.evidence.signing import Signer, verify_signature

_ENTRY_NAME = re.compile(r"^(\d{9})\.json$")


def entry_name(seq: int) -> str:
    return f"{seq:09d}.json"


def seq_from_name(name: str) -> int | None:
    match = _ENTRY_NAME.match(name.rsplit("/", 1)[-1])
    return int(match.group(1)) if match else None


def make_head(count: int, last_hash: str, signer: Signer | None = None) -> dict[str, Any]:
    head: dict[str, Any] = {
        "schema": HEAD_SCHEMA,
        "count": count,
        "last_hash": last_hash,
        "created": utc_timestamp(),
    }
    head["signature"] = signer.sign(head_payload(head)) if signer else None
    return head


def head_payload(head: dict[str, Any]) -> bytes:
    """The bytes a head's signature covers: the head without its signature."""
    return canonical_bytes({k: v for k, v in head.items() if k != "signature"})


def check_head(
    head: Any,
    last: Entry | None,
    *,
    pinned: bytes | None = None,
    pinned_name: str = "the pinned key",
    require_signature: bool,
) -> list[str]:
    """What is wrong with `head` as the head of a chain ending at `last`."""
    if not isinstance(head, dict) or head.get("schema") != HEAD_SCHEMA:
        return ["the head is not an imekit evidence head"]
    problems = []
    count = last.seq if last else 0
    last_hash = last.hash if last else ZERO_HASH
    if head.get("count") != count:
        problems.append(
            f"the head says the chain has {head.get('count')} entries but it ends at entry "
            f"{count}: entries were truncated or appended after signing"
        )
    elif head.get("last_hash") != last_hash:
        problems.append(f"the head's hash does not match entry {count}: entry {count} was altered")
    signature = head.get("signature")
    if signature is None:
        if require_signature:
            problems.append("the head is not signed")
    else:
        reason = verify_signature(
            signature, head_payload(head), pinned=pinned, pinned_name=pinned_name
        )
        if reason:
            problems.append(f"head signature: {reason}")
    return problems


def parse_entries(items: Iterable[tuple[str, bytes]]) -> tuple[list[Entry], list[str]]:
    """Parse (where, bytes) pairs; unparseable ones become problems."""
    entries, problems = [], []
    for where, data in items:
        try:
            entries.append(Entry.from_bytes(data, where=where))
        except ImekitError as exc:
            problems.append(exc.message)
    return entries, problems


def check_links(named: list[tuple[str, Entry]], *, first_prev: str | None = None) -> list[str]:
    """Problems in a run of entries that should be consecutive links of one chain.

    `named` pairs each entry with where it was found (its file name). `first_prev` is
    the hash the first entry must name when the run does not start at entry 1.
    """
    problems: list[str] = []
    previous: Entry | None = None
    for where, entry in named:
        file_seq = seq_from_name(where)
        if file_seq is not None and file_seq != entry.seq:
            problems.append(f"{where} holds entry {entry.seq}: entries were reordered or renamed")
        if previous is None:
            if entry.seq == 1 and entry.prev != ZERO_HASH:
                problems.append(f"{where}: entry 1 does not start a chain")
            elif entry.seq > 1 and first_prev is not None and entry.prev != first_prev:
                problems.append(
                    f"{where}: entry {entry.seq} does not link to the recorded start of the "
                    "segment: it was altered or replaced"
                )
        else:
            if entry.seq > previous.seq + 1:
                missing = (
                    f"entry {previous.seq + 1}"
                    if entry.seq == previous.seq + 2
                    else f"entries {previous.seq + 1}-{entry.seq - 1}"
                )
                problems.append(f"{missing} missing: {where} follows entry {previous.seq}")
            elif entry.seq <= previous.seq:
                problems.append(
                    f"{where}: entry {entry.seq} comes after entry {previous.seq}: "
                    "entries were reordered or duplicated"
                )
            elif entry.prev != previous.hash:
                problems.append(
                    f"{where}: entry {entry.seq} does not link to entry {previous.seq} "
                    f"(prev hash mismatch): entry {previous.seq} was altered or replaced"
                )
        previous = entry
    return problems
