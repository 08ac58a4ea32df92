"""Attachments: files kept inside the workspace and linked to any record.

A training certificate, an audit evidence photo, the signed scan of a procedure, a supplier's
certificate: the file's bytes are stored in the ``.qms`` itself (so the workspace still travels as
one file), once per distinct content (SHA-256), and linked to its owning record as
(entity, record id) — the same for every module.

* :func:`add` takes a path or bytes (a per-file cap, 25 MB unless told otherwise, with a clear
  message past it); :func:`remove` takes a link away and, with its last link, the content.
  Both are one unit of work each and return a :class:`~storage.changes.Change` (``result``: the
  new attachment's id for :func:`add`), so the one undo command undoes and redoes them exactly.
* :func:`list_for`, :func:`read_bytes`, :func:`save_to` and :func:`open_copy` read: the bytes
  are checked against their SHA-256 on every read, so damaged content is never handed out.
* The links have no foreign key to their owner (it can be any kind of record); the audit layer
  deletes them with their owner all the same (``__owner_columns__`` on the model), so undo of
  the delete brings them back. Content whose last link went that way stays until
  :func:`remove_unused_content`; :func:`orphans` finds links whose owner went outside the app.

The audit trail records a blob as its hash and size (see ``storage.models.BlobContent``), and
``qms verify`` re-hashes the stored bytes, so content altered outside the application is found.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import hashlib
import mimetypes
import os
import shutil
import stat
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from sqlalchemy import func, select

from ..storage.changes import Change
from ..storage.models import Attachment, AttachmentBlob, BlobContent, model_for_table
from ..storage.workspace import Workspace, WorkspaceError
from .filewrite import why_not_written

#: the largest file one attachment may hold, unless a caller says otherwise
DEFAULT_MAX_BYTES = 25 * 1024 * 1024
#: kinds of record that cannot own attachments (the attachment tables and the trail)
_NOT_OWNERS = frozenset({"attachment", "attachment_blob", "audit_event"})
#: longest stored file name (the column's length)
_NAME_CHARS = 255
#: longest file name written to disk, in UTF-8 bytes (room below the usual 255-byte limit)
_DISK_NAME_BYTES = 200
_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{p}{n}" for p in ("COM", "LPT") for n in list("123456789") + ["¹", "²", "³"]])
_UNSAFE_ON_DISK = set('<>:"/\\|?*')
_SNIFF = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"PK\x03\x04", "application/zip"),
)


class AttachmentError(WorkspaceError):
    """A problem with an attachment the user can act on; the text is a full sentence."""


@dataclass(frozen=True)
class AttachmentRow:
    id: int
    entity: str
    record_id: int
    file_name: str
    media_type: str
    size: int
    sha256: str
    #: when it was added (UTC, naive)
    added_at: dt.datetime
    added_by: str


# --------------------------------------------------------------------------- names and sizes

def format_size(n: int) -> str:
    """``n`` bytes for people: "812 bytes", "14.2 KB", "25 MB" (1 KB = 1024 bytes)."""
    if n < 1024:
        return "1 byte" if n == 1 else f"{n:,} bytes"
    for unit, scale in (("KB", 1024), ("MB", 1024 ** 2), ("GB", 1024 ** 3)):
        if n < scale * 1024 or unit == "GB":
            text = f"{n / scale:.1f}".removesuffix(".0")
            return f"{text} {unit}"
    raise AssertionError("unreachable")


def _drop_controls(text: str) -> str:
    # Cc: control characters (newlines, NUL, escape); Cf: invisible format characters, among
    # them the right-to-left override that makes "invoice‮fdp.exe" read as "invoiceexe.pdf"
    return "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf"))


def _split_ext(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > 16 or not ext.strip():
        return name, ""
    return stem, "." + ext


def clean_name(name: str, fallback: str = "attachment") -> str:
    """The name an attachment is listed under: the last part of ``name`` (a path from another
    system or a hostile ``../../x`` keeps only ``x``), without control or invisible format
    characters, trimmed, at most 255 characters with its extension kept."""
    name = unicodedata.normalize("NFC", str(name))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _drop_controls(name).strip()
    if name in ("", ".", ".."):
        return fallback
    if len(name) > _NAME_CHARS:
        stem, ext = _split_ext(name)
        name = stem[:_NAME_CHARS - len(ext)].rstrip() + ext
    return name


def disk_name(name: str, fallback: str = "attachment") -> str:
    """A file name safe to create on Windows, macOS and Linux from an attachment's name: no
    folder parts, no characters those systems refuse, no leading dot (hidden) or trailing dot
    or space, no device name (``CON``, ``LPT1``…), at most 200 bytes with the extension kept."""
    name = clean_name(name, fallback)
    name = "".join("_" if ch in _UNSAFE_ON_DISK else ch for ch in name)
    name = name.strip(" .")
    if not name:
        name = fallback
    stem, ext = _split_ext(name)
    if stem.split(".")[0].rstrip(" ").upper() in _RESERVED:
        stem = "_" + stem
    while len((stem + ext).encode("utf-8")) > _DISK_NAME_BYTES:
        stem = stem[:-1]
    stem = stem.rstrip(" .")
    return (stem or fallback) + ext


def guess_media_type(name: str, head: bytes = b"") -> str:
    """The media type from the file name's extension, else from the first bytes."""
    guessed, _enc = mimetypes.guess_type(name, strict=False)
    if guessed:
        return guessed[:120]
    for magic, kind in _SNIFF:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


# --------------------------------------------------------------------------- reading input

def _too_big(name: str, size: int, cap: int) -> AttachmentError:
    shown, limit = format_size(size), format_size(cap)
    if shown == limit:  # just past the cap: the rounded figures would look equal
        shown, limit = f"{size:,} bytes", f"{cap:,} bytes"
    return AttachmentError(
        f"“{name}” is {shown}, more than the {limit} an attachment may hold; nothing was "
        "attached.")


def _read_source(source: str | os.PathLike | bytes | bytearray | memoryview, name: str | None,
                 cap: int) -> tuple[str, bytes]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        shown = clean_name(name or "attachment")
        if not data:
            raise AttachmentError(f"“{shown}” is empty; there is nothing to attach.")
        if len(data) > cap:
            raise _too_big(shown, len(data), cap)
        return shown, data
    path = Path(source)
    shown = clean_name(name or path.name)
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise AttachmentError(f"“{path}” is a folder; choose a file to attach.")
        if not stat.S_ISREG(st.st_mode):
            raise AttachmentError(f"“{path}” is not an ordinary file; nothing was attached.")
        if st.st_size > cap:
            raise _too_big(shown, st.st_size, cap)
        with open(path, "rb") as f:
            data = f.read(cap + 1)
    except FileNotFoundError:
        raise AttachmentError(f"“{path}” does not exist; nothing was attached.") from None
    except PermissionError:
        raise AttachmentError(
            f"“{path}” cannot be read: you do not have permission; nothing was attached.") from None
    except OSError as e:
        raise AttachmentError(
            f"“{path}” cannot be read ({e.strerror or e}); nothing was attached.") from None
    if not data:
        raise AttachmentError(f"“{shown}” is empty; there is nothing to attach.")
    if len(data) > cap:  # it grew while we looked
        raise _too_big(shown, len(data), cap)
    return shown, data


def _owner_model(entity: str):
    if entity in _NOT_OWNERS:
        raise AttachmentError(f"Files cannot be attached to {entity.replace('_', ' ')} records.")
    try:
        return model_for_table(entity)
    except KeyError:
        raise AttachmentError(f"There is no kind of record called “{entity}”.") from None


def _require_writable(ws: Workspace) -> None:
    if ws.read_only:
        raise WorkspaceError("The workspace is open read-only; nothing was changed.")


# --------------------------------------------------------------------------- writing

def add(ws: Workspace, entity: str, record_id: int,
        source: str | os.PathLike | bytes | bytearray | memoryview, *,
        name: str | None = None, media_type: str | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES) -> Change:
    """Attach a file (a path) or ``bytes`` (then give ``name``) to record ``record_id`` of kind
    ``entity``. Content already in the workspace is stored once. The same content cannot be
    attached twice to one record. Returns the Change; ``result`` is the new attachment's id."""
    _require_writable(ws)
    _owner_model(entity)
    shown, data = _read_source(source, name, max_bytes)
    with ws.session() as s:
        _check_unlocked(s, entity, record_id, "attached")
        new_id = add_in(s, ws, entity, record_id, shown, data, media_type=media_type)
    return Change.of(s, result=new_id)


def _check_unlocked(s, entity: str, record_id: int, verb: str) -> None:
    """A controlled document's revision keeps its files once it left draft: they are part of
    what its signatures are bound to."""
    if entity != "revision":
        return
    from ..storage.models import Revision

    rev = s.get(Revision, record_id)
    if rev is not None and rev.status != "draft":
        raise AttachmentError(
            f"Revision {rev.number} is {rev.status.replace('_', ' ')}; its files are part of "
            f"what was signed, so nothing can be {verb} (start a new revision).")


def add_in(s, ws: Workspace, entity: str, record_id: int, shown: str, data: bytes, *,
           media_type: str | None = None) -> int:
    """:func:`add` inside the caller's unit of work ``s`` (a service that attaches files as
    part of a larger change, all or nothing); returns the attachment's id."""
    model = _owner_model(entity)
    digest = hashlib.sha256(data).hexdigest()
    kind = (media_type or guess_media_type(shown, data[:16]))[:120]
    s.flush()
    if s.get(model, record_id) is None:
        raise AttachmentError(
            f"{entity.replace('_', ' ').capitalize()} {record_id} no longer exists; "
            f"“{shown}” was not attached.")
    twin = s.scalars(select(Attachment.file_name).where(
        Attachment.entity == entity, Attachment.record_id == record_id,
        Attachment.sha256 == digest).limit(1)).first()
    if twin is not None:
        same = "" if twin == shown else f" (as “{twin}”)"
        raise AttachmentError(f"“{shown}” is already attached here{same}; it was not added "
                              "again.")
    blob_id = s.scalars(select(AttachmentBlob.id).where(AttachmentBlob.sha256 == digest)).first()
    if blob_id is None:
        content = BlobContent(data)
        content._sha256 = digest  # hashed once above
        blob = AttachmentBlob(sha256=digest, size=len(data), data=content)
        s.add(blob)
        s.flush()
        blob_id = blob.id
    link = Attachment(entity=entity, record_id=record_id, blob_id=blob_id, file_name=shown,
                      media_type=kind, size=len(data), sha256=digest,
                      added_at=dt.datetime.now(dt.timezone.utc).replace(tzinfo=None),
                      added_by=ws.user)
    s.add(link)
    s.flush()
    return link.id


def _drop_unused_blobs(s, blob_ids: Iterable[int]) -> None:
    blob_ids = set(blob_ids)
    if not blob_ids:
        return
    s.flush()
    used = set(s.scalars(select(Attachment.blob_id).where(Attachment.blob_id.in_(blob_ids))))
    for bid in sorted(blob_ids - used):
        blob = s.get(AttachmentBlob, bid)
        if blob is not None:
            s.delete(blob)


def remove(ws: Workspace, attachment_id: int) -> Change:
    """Take an attachment away; its content goes too when nothing else links to it."""
    return remove_many(ws, [attachment_id])


def remove_many(ws: Workspace, attachment_ids: Iterable[int]) -> Change:
    """Take several attachments away in one unit of work (all or none)."""
    _require_writable(ws)
    with ws.session() as s:
        blob_ids = set()
        for aid in dict.fromkeys(attachment_ids):
            link = s.get(Attachment, aid)
            if link is None:
                raise AttachmentError("That attachment no longer exists; nothing was removed.")
            _check_unlocked(s, link.entity, link.record_id, "removed")
            blob_ids.add(link.blob_id)
            s.delete(link)
        _drop_unused_blobs(s, blob_ids)
    return Change.of(s)


def remove_links(s, entity: str, record_ids: Iterable[int]) -> int:
    """Inside a unit of work that deletes records of kind ``entity``: remove their attachments
    (and content nothing else links to) in the same transaction. Returns how many went."""
    ids = sorted(set(record_ids))
    gone = 0
    blob_ids: set[int] = set()
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        for link in s.scalars(select(Attachment).where(Attachment.entity == entity,
                                                       Attachment.record_id.in_(part))):
            blob_ids.add(link.blob_id)
            s.delete(link)
            gone += 1
    _drop_unused_blobs(s, blob_ids)
    return gone


def remove_all_for(ws: Workspace, entity: str, record_ids: Iterable[int]) -> Change:
    """Remove every attachment of the given records in one unit of work."""
    _require_writable(ws)
    with ws.session() as s:
        remove_links(s, entity, record_ids)
    return Change.of(s)


def remove_unused_content(ws: Workspace) -> Change:
    """Remove stored content no attachment links to any more (left when links went without
    :func:`remove`, e.g. by a delete rule); one unit of work, undoable like any other."""
    _require_writable(ws)
    with ws.session() as s:
        unused = s.scalars(select(AttachmentBlob.id).where(
            ~AttachmentBlob.id.in_(select(Attachment.blob_id)))).all()
        _drop_unused_blobs(s, unused)
    return Change.of(s)


def orphans(ws: Workspace) -> list[AttachmentRow]:
    """Attachments whose owning record no longer exists (left by a delete that did not call
    :func:`remove_links`); :func:`remove` or :func:`remove_all_for` clears them."""
    out = []
    with ws.connect() as c:
        t = Attachment.__table__
        for entity in c.execute(select(t.c.entity).distinct()).scalars().all():
            try:
                owner = model_for_table(entity).__table__
            except KeyError:
                owner = None
            q = select(t).where(t.c.entity == entity)
            if owner is not None:
                q = q.where(~t.c.record_id.in_(select(owner.c.id)))
            out.extend(_row(r) for r in c.execute(q.order_by(t.c.id)).mappings())
    return out


# --------------------------------------------------------------------------- reading

def _row(r) -> AttachmentRow:
    return AttachmentRow(r["id"], r["entity"], r["record_id"], r["file_name"], r["media_type"],
                         r["size"], r["sha256"], r["added_at"], r["added_by"])


def list_for(ws: Workspace, entity: str, record_id: int,
             ids: Iterable[int] | None = None) -> list[AttachmentRow]:
    """The attachments of one record, oldest first (only those of ``ids`` when given)."""
    t = Attachment.__table__
    q = select(t).where(t.c.entity == entity, t.c.record_id == record_id)
    if ids is not None:
        q = q.where(t.c.id.in_(sorted(set(ids))))
    with ws.connect() as c:
        rows = c.execute(q.order_by(t.c.added_at, t.c.id)).mappings().all()
    return [_row(r) for r in rows]


def count_for(ws: Workspace, entity: str, record_ids: Iterable[int]) -> dict[int, int]:
    """How many attachments each of the given records has (records without any are left out)."""
    t = Attachment.__table__
    ids = sorted(set(record_ids))
    out: dict[int, int] = {}
    with ws.connect() as c:
        for start in range(0, len(ids), 500):
            q = (select(t.c.record_id, func.count()).where(
                t.c.entity == entity, t.c.record_id.in_(ids[start:start + 500]))
                .group_by(t.c.record_id))
            out.update({rid: n for rid, n in c.execute(q)})
    return out


def get(ws: Workspace, attachment_id: int) -> AttachmentRow:
    t = Attachment.__table__
    with ws.connect() as c:
        r = c.execute(select(t).where(t.c.id == attachment_id)).mappings().first()
    if r is None:
        raise AttachmentError("That attachment no longer exists.")
    return _row(r)


def _content(ws: Workspace, attachment_id: int) -> tuple[AttachmentRow, bytes]:
    a, b = Attachment.__table__, AttachmentBlob.__table__
    with ws.connect() as c:
        r = c.execute(select(a, b.c.data.label("blob_data"))
                      .join(b, b.c.id == a.c.blob_id)
                      .where(a.c.id == attachment_id)).mappings().first()
    if r is None:
        raise AttachmentError("That attachment no longer exists.")
    row = _row(r)
    content: BlobContent = r["blob_data"]
    if content is None or content.sha256 != row.sha256 or len(content) != row.size:
        raise AttachmentError(
            f"“{row.file_name}” is damaged in the workspace (its content no longer matches its "
            "SHA-256 fingerprint); restore the workspace from a backup.")
    return row, content.data


def read_bytes(ws: Workspace, attachment_id: int) -> bytes:
    """The attached file's bytes, checked against their SHA-256."""
    return _content(ws, attachment_id)[1]


def _write_atomically(dest: Path, data: bytes) -> None:
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def save_to(ws: Workspace, attachment_id: int, dest: str | os.PathLike) -> Path:
    """Write the attached file to ``dest`` (a file name, or a folder: then the attachment's own
    name is used) atomically: a failure leaves no half-written file and an existing file intact.
    Returns the path written."""
    row, data = _content(ws, attachment_id)
    dest = Path(dest)
    if dest.is_dir():
        dest = dest / disk_name(row.file_name)
    try:
        _write_atomically(dest, data)
    except OSError as e:
        raise AttachmentError(
            f"“{row.file_name}” could not be saved as “{dest.name}”: "
            f"{why_not_written(dest, e)}.") from e
    return dest


# --------------------------------------------------------------------------- temporary copies

_temp_root: Path | None = None
_cleanup_registered = False


def _temp_dir() -> Path:
    global _temp_root, _cleanup_registered
    if _temp_root is None or not _temp_root.is_dir():
        _temp_root = Path(tempfile.mkdtemp(prefix="qms-attachments-"))  # private: mode 0700
        if not _cleanup_registered:
            atexit.register(remove_temp_copies)
            _cleanup_registered = True
    return _temp_root


def _matches(path: Path, sha256: str) -> bool:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return False
    return h.hexdigest() == sha256


def open_copy(ws: Workspace, attachment_id: int) -> Path:
    """A read-only temporary copy of the attached file, for the system's viewer: in a private
    folder removed when the application ends, named with the attachment's own (sanitised)
    name. Opening the same content again reuses its copy."""
    row = get(ws, attachment_id)
    folder = _temp_dir() / row.sha256[:20]
    path = folder / disk_name(row.file_name)
    if path.is_file() and _matches(path, row.sha256):
        return path
    row, data = _content(ws, attachment_id)
    try:
        folder.mkdir(exist_ok=True)
        if path.exists():  # changed by a viewer: start again
            os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        _write_atomically(path, data)
        os.chmod(path, stat.S_IRUSR)  # a viewer must not suggest editing a throwaway copy
    except OSError as e:
        raise AttachmentError(
            f"“{row.file_name}” could not be copied for viewing: {why_not_written(path, e)}.") \
            from e
    return path


def remove_temp_copies() -> None:
    """Delete every temporary copy made so far (also done when the application ends)."""
    global _temp_root
    if _temp_root is not None:
        root, _temp_root = _temp_root, None
        for p in root.rglob("*"):
            with contextlib.suppress(OSError):
                os.chmod(p, stat.S_IRWXU)
        shutil.rmtree(root, ignore_errors=True)


__all__ = [
    "DEFAULT_MAX_BYTES", "AttachmentError", "AttachmentRow", "add", "clean_name", "count_for",
    "disk_name", "format_size", "get", "guess_media_type", "list_for", "open_copy", "orphans",
    "read_bytes", "remove", "remove_all_for", "remove_many",
    "remove_unused_content", "remove_links", "remove_temp_copies", "save_to",
]
