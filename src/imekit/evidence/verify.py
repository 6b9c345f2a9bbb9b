"""`imekit evidence verify`: is this bundle exactly what was exported and signed?

Checks, in order, and names the first thing that fails:
  1. the signature over manifest.json (against the pinned public key when given);
  2. every file against the manifest's SHA-256 (altered, missing or added files);
  3. the hash chain: every entry links to the one before, the segment starts where the
     manifest says, nothing is dropped, reordered or duplicated;
  4. the signed head: entry count and last hash match the chain's end;
  5. every attachment an entry names is present and matches its hash.
Exit codes at the CLI: 0 verified, 1 tampered, 2 unreadable.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imekit.errors import ImekitError
from imekit.evidence.canonical import sha256_hex
from imekit.evidence.chain import check_head, check_links
from imekit.evidence.entry import HEAD_SCHEMA, Entry
from imekit.evidence.export.bundle import BUNDLE_SCHEMA, MANIFEST, SIGNATURE, SIGNATURE_SCHEMA
from imekit.evidence.signing import key_id, verify_signature

_HINT_UNREADABLE = "pass a bundle written by `imekit evidence export`"


@dataclass
class Verification:
    bundle: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    key_id: str | None = None
    pinned: bool = False
    first_seq: int | None = None
    last_seq: int | None = None
    files: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "bundle": self.bundle,
            "verified": self.ok,
            "problems": self.problems,
            "notes": self.notes,
            "key_id": self.key_id,
            "signer_pinned": self.pinned,
            "entries": [self.first_seq, self.last_seq],
            "files": self.files,
        }


def verify_bundle(path: Path | str, *, public_key: bytes | None = None) -> Verification:
    """Verify a bundle; problems name what was altered. Raises ImekitError when the file is
    not a readable bundle at all."""
    path = Path(path)
    result = Verification(str(path), pinned=public_key is not None)
    members = _read_members(path, result)
    if MANIFEST not in members and SIGNATURE not in members:
        raise ImekitError(f"{path} is not an imekit evidence bundle", hint=_HINT_UNREADABLE)

    manifest_bytes = members.pop(MANIFEST, None)
    signature_bytes = members.pop(SIGNATURE, None)
    signer_raw = _check_signature(manifest_bytes, signature_bytes, public_key, result)
    manifest = _parse_manifest(manifest_bytes, result)
    if manifest is None:
        return result
    _check_files(manifest, members, result)
    entries = _check_chain(manifest, members, result)
    _check_heads(manifest, members, entries, public_key or signer_raw, result)
    _check_attachments(entries, members, result)
    if not result.pinned and result.ok:
        result.notes.append(
            "the signer was not pinned: the signature was checked against the key inside the "
            "bundle; pass --public-key to prove who signed it"
        )
    return result


def _read_members(path: Path, result: Verification) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError as exc:
        raise ImekitError(f"{path} does not exist", hint=_HINT_UNREADABLE) from exc
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImekitError(
            f"{path} is not a readable zip file: {exc}", hint=_HINT_UNREADABLE
        ) from exc
    members: dict[str, bytes] = {}
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            unsafe = _unsafe_name(info.filename)
            if unsafe:
                # Never read, whatever the manifest says: unzipping it could write elsewhere.
                result.problems.append(
                    f"{info.filename!r} {unsafe}: an exported bundle never holds such a path"
                )
                continue
            if info.filename in members:
                result.problems.append(f"{info.filename} appears twice in the bundle")
                continue
            try:
                members[info.filename] = archive.read(info)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error) as exc:
                result.problems.append(f"{info.filename} is corrupt in the zip: {exc}")
            except NotImplementedError as exc:
                raise ImekitError(f"{path}: {exc}", hint=_HINT_UNREADABLE) from exc
    return members


def _unsafe_name(name: str) -> str | None:
    """Why a member name is not a plain relative path inside the bundle, or None."""
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "is an absolute path"
    parts = name.replace("\\", "/").split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "leaves or re-enters the bundle's folders (../, ./ or //)"
    if any(ord(c) < 32 for c in name):
        return "holds control characters"
    return None


def _check_signature(
    manifest: bytes | None,
    signature_bytes: bytes | None,
    pinned: bytes | None,
    result: Verification,
) -> bytes | None:
    """Check the signature; return the signer's raw public key when it verified."""
    if signature_bytes is None:
        result.problems.append(f"{SIGNATURE} is missing: the bundle is unsigned")
        return None
    if manifest is None:
        result.problems.append(f"{MANIFEST} is missing")
        return None
    try:
        signature = json.loads(signature_bytes)
    except (UnicodeDecodeError, json.JSONDecodeError):
        result.problems.append(f"{SIGNATURE} is not valid JSON: it was altered")
        return None
    expected_keys = {"schema", "signed_file", "algorithm", "key_id", "public_key", "value"}
    if (
        not isinstance(signature, dict)
        or set(signature) != expected_keys
        or signature.get("schema") != SIGNATURE_SCHEMA
        or signature.get("signed_file") != MANIFEST
    ):
        # Every byte of signature.json means something: nothing in it may change unnoticed.
        result.problems.append(f"{SIGNATURE} is not an imekit signature of {MANIFEST}: altered")
        return None
    result.key_id = str(signature.get("key_id"))
    reason = verify_signature(signature, manifest, pinned=pinned)
    if reason:
        result.problems.append(
            f"{SIGNATURE}: {reason}"
            + (f" ({MANIFEST} or {SIGNATURE} was altered)" if "does not match" in reason else "")
        )
        return None
    import base64

    raw = base64.b64decode(signature["public_key"])
    result.key_id = key_id(raw)
    return raw


def _parse_manifest(data: bytes | None, result: Verification) -> dict[str, Any] | None:
    if data is None:
        return None
    try:
        manifest = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        result.problems.append(f"{MANIFEST} is not valid JSON: it was altered")
        return None
    if not isinstance(manifest, dict) or manifest.get("schema") != BUNDLE_SCHEMA:
        if result.problems:  # a broken signature already explains it
            result.problems.append(f"{MANIFEST} is not an imekit bundle manifest: it was altered")
            return None
        schema = manifest.get("schema") if isinstance(manifest, dict) else None
        raise ImekitError(
            f"{MANIFEST} has schema {schema!r}, not {BUNDLE_SCHEMA}",
            hint="this imekit cannot read that bundle version; upgrade imekit",
        )
    if not isinstance(manifest.get("files"), dict) or not isinstance(manifest.get("chain"), dict):
        result.problems.append(f"{MANIFEST} lacks its file list or chain: it was altered")
        return None
    return manifest


def _check_files(manifest: dict[str, Any], members: dict[str, bytes], result: Verification) -> None:
    listed: dict[str, Any] = manifest["files"]
    result.files = len(members)
    for name in sorted(listed):
        expected = listed[name]
        if name not in members:
            result.problems.append(f"{name} is missing from the bundle (listed in {MANIFEST})")
            continue
        digest = expected.get("sha256") if isinstance(expected, dict) else None
        if sha256_hex(members[name]) != digest:
            result.problems.append(f"{name} was altered: its SHA-256 does not match {MANIFEST}")
    for name in sorted(set(members) - set(listed)):
        result.problems.append(f"{name} was added: it is not listed in {MANIFEST}")


def _check_chain(
    manifest: dict[str, Any], members: dict[str, bytes], result: Verification
) -> list[Entry]:
    chain = manifest["chain"]
    names = sorted(n for n in members if n.startswith("chain/entries/"))
    named: list[tuple[str, Entry]] = []
    for name in names:
        try:
            named.append((name, Entry.from_bytes(members[name], where=name)))
        except ImekitError as exc:
            result.problems.append(f"{exc.message}: it was altered")
    entries = [entry for _, entry in named]
    result.problems += check_links(named, first_prev=chain.get("first_prev"))
    if entries:
        result.first_seq, result.last_seq = entries[0].seq, entries[-1].seq
        if entries[0].seq != chain.get("first_seq"):
            result.problems.append(
                f"the chain starts at entry {entries[0].seq}, but {MANIFEST} says "
                f"{chain.get('first_seq')}: entries at the start were dropped"
            )
        if entries[-1].seq != chain.get("last_seq"):
            result.problems.append(
                f"the chain ends at entry {entries[-1].seq}, but {MANIFEST} says "
                f"{chain.get('last_seq')}: entries at the end were truncated"
            )
        elif entries[-1].hash != chain.get("last_hash"):
            result.problems.append(
                f"entry {entries[-1].seq} does not match the last hash in {MANIFEST}: "
                "it was altered"
            )
    else:
        result.problems.append("the bundle holds no evidence entries")
    return entries


def _check_heads(
    manifest: dict[str, Any],
    members: dict[str, bytes],
    entries: list[Entry],
    signer: bytes | None,
    result: Verification,
) -> None:
    data = members.get("chain/head.json")
    if data is None:
        result.problems.append("chain/head.json is missing: the chain has no signed head")
    else:
        head = _json(data)
        for problem in check_head(
            head,
            entries[-1] if entries else None,
            pinned=signer,
            pinned_name="the pinned key" if result.pinned else "the bundle's signer",
            require_signature=True,
        ):
            result.problems.append(f"chain/head.json: {problem}")
    store_head = members.get("chain/store-head.json")
    if store_head is None:
        return
    head = _json(store_head)
    if not isinstance(head, dict) or head.get("schema") != HEAD_SCHEMA:
        result.problems.append("chain/store-head.json is not an evidence head")
        return
    by_seq = {e.seq: e for e in entries}
    count = head.get("count")
    if head.get("signature") is not None:
        reason = verify_signature(head["signature"], _head_payload(head))
        if reason:
            result.problems.append(f"chain/store-head.json: {reason}")
            return
    period = manifest.get("period") if isinstance(manifest.get("period"), dict) else {}
    last = entries[-1].seq if entries else 0
    if isinstance(count, int) and count > last and period.get("to") is None:
        # Exported without --to, the bundle must reach the head read before the entries.
        result.problems.append(
            f"chain/store-head.json says the record had {count} entries but the bundle ends "
            f"at entry {last}: entries were truncated"
        )
    if isinstance(count, int) and count in by_seq:
        if by_seq[count].hash != head.get("last_hash"):
            result.problems.append(
                f"chain/store-head.json: the store's head does not match entry {count}"
            )
        elif head.get("signature") is not None:
            signer_id = str(head["signature"].get("key_id", ""))[:16]
            result.notes.append(
                f"the store's own head, signed when recorded by key {signer_id}, matches "
                f"entry {count}"
            )


def _check_attachments(
    entries: list[Entry], members: dict[str, bytes], result: Verification
) -> None:
    for entry in entries:
        for attachment in entry.doc["attachments"]:
            name = f"attachments/sha256/{attachment['sha256']}"
            data = members.get(name)
            if data is None:
                result.problems.append(
                    f"{name} (attachment {attachment['name']!r} of entry {entry.seq}) is missing"
                )
            elif sha256_hex(data) != attachment["sha256"]:
                result.problems.append(
                    f"{name} (attachment {attachment['name']!r} of entry {entry.seq}) was "
                    "altered: it does not match its hash"
                )


def _head_payload(head: dict[str, Any]) -> bytes:
    from imekit.evidence.chain import head_payload

    return head_payload(head)


def _json(data: bytes) -> Any:
    try:
        return json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
