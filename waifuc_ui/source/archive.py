"""Safe extraction of zip archives that strangers send.

:func:`extract_zip` writes only inside ``dest_dir``; every entry it does not write is returned
with its reason. Refused: paths that are absolute or climb out with ``..``, symbolic links,
encrypted entries, nested archives (by name or by content), entries that hold more data than
their header declares or that unpack beyond the limits of :class:`ArchiveLimits` (total size,
entry count, compression ratio: zip bombs). Sizes are counted while streaming, never taken
from the headers alone. Names are decoded as UTF-8 when flag 0x800 is set, else as UTF-8 when
they are valid UTF-8 (many tools omit the flag), else as cp437 as the zip spec says.
"""

from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from ..report import SkippedFile

_CHUNK = 1 << 16
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
#: Archive types recognised by name (never opened when nested).
ARCHIVE_EXTENSIONS = (".zip", ".cbz")
#: Folders and files that zip tools add and nobody means as data; skipped without a record.
_TOOL_CLUTTER_DIRS = ("__MACOSX",)
_TOOL_CLUTTER_FILES = (".ds_store", "thumbs.db", "desktop.ini")


@dataclass(frozen=True)
class ArchiveLimits:
    """Per-archive limits. ``max_ratio`` applies to an entry (and the whole archive) once it has
    unpacked more than ``ratio_floor_bytes``, so small, very compressible text files pass."""

    max_total_bytes: int = 2 * 1024 ** 3
    max_entries: int = 20_000
    max_ratio: float = 200.0
    ratio_floor_bytes: int = 1024 * 1024


@dataclass
class ExtractResult:
    """``files``: paths written (inside ``dest_dir``); ``refused``: entries not written, with reasons.
    A refused entry's ``path`` is ``'{archive name}/{entry name}'``."""

    files: List[str] = field(default_factory=list)
    refused: List[SkippedFile] = field(default_factory=list)


class _EntryRefused(Exception):
    pass


def entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's name as its author meant it (see the module doc for the encoding rules)."""
    if info.flag_bits & 0x800:
        return info.orig_filename
    raw = info.orig_filename.encode("cp437")  # zipfile decoded it as cp437; this is the stored bytes
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return info.orig_filename


def safe_parts(name: str) -> Tuple[Optional[List[str]], Optional[str]]:
    """Split an entry name into folder parts that stay inside the destination, or give the reason why not."""
    if "\x00" in name:
        return None, "name contains a NUL character"
    if any(ord(ch) < 32 for ch in name):
        return None, "name contains control characters"
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) >= 2 and unified[1] == ":" and unified[0].isalpha()):
        return None, "absolute path (would be written outside the extraction folder)"
    parts = [p for p in unified.split("/") if p not in ("", ".")]
    if ".." in parts:
        return None, "path with '..' (would be written outside the extraction folder)"
    if not parts:
        return None, "empty name"
    return parts, None


def is_tool_clutter(parts: List[str]) -> bool:
    return parts[0] in _TOOL_CLUTTER_DIRS or parts[-1].lower() in _TOOL_CLUTTER_FILES


def unique_path(path: str) -> str:
    """``path``, or ``body_1.ext``, ``body_2.ext``... when it is taken."""
    if not os.path.lexists(path):
        return path
    body, ext = os.path.splitext(path)
    n = 1
    while os.path.lexists(f"{body}_{n}{ext}"):
        n += 1
    return f"{body}_{n}{ext}"


def extract_zip(archive_path: str, dest_dir: str, limits: ArchiveLimits = ArchiveLimits(),
                label: Optional[str] = None) -> ExtractResult:
    """Extract what is safe from ``archive_path`` into ``dest_dir`` (created); never raises for bad input.

    ``label`` names the archive in the records (default: its file name).
    """
    label = label or os.path.basename(archive_path)
    result = ExtractResult()

    def refuse(name: str, reason: str) -> None:
        result.refused.append(SkippedFile(f"{label}/{name}" if name else label, reason, "zip"))

    try:
        archive = zipfile.ZipFile(archive_path)
    except Exception as err:  # BadZipFile, OSError, a flagged name that is not UTF-8, ...
        refuse("", f"not a readable zip archive: {err}")
        return result
    with archive:
        infos = archive.infolist()
        whole = _whole_archive_problem(infos, limits)
        if whole:
            refuse("", whole)
            return result
        root = os.path.realpath(dest_dir)
        os.makedirs(root, exist_ok=True)
        written_total = 0
        for info in infos:
            name = entry_name(info)
            if name.endswith("/") or info.is_dir():
                continue
            parts, problem = safe_parts(name)
            if parts is not None and is_tool_clutter(parts):
                continue
            problem = problem or _entry_problem(info, name)
            if not problem and written_total >= limits.max_total_bytes:
                problem = f"not extracted: the archive reached its limit of {limits.max_total_bytes} bytes"
            if problem:
                refuse(name, problem)
                continue
            target = unique_path(os.path.join(root, *parts))
            if os.path.commonpath([root, os.path.realpath(os.path.dirname(target))]) != root:
                refuse(name, "path leaves the extraction folder")
                continue
            try:
                written_total += _stream_entry(archive, info, target, limits, written_total)
            except _EntryRefused as err:
                refuse(name, str(err))
            except Exception as err:  # CRC, zlib, unsupported method, disk: this entry only
                refuse(name, f"cannot extract: {err}")
            else:
                result.files.append(target)
    return result


def _whole_archive_problem(infos: List[zipfile.ZipInfo], limits: ArchiveLimits) -> Optional[str]:
    if len(infos) > limits.max_entries:
        return f"archive holds {len(infos)} entries, more than the limit of {limits.max_entries}"
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_total_bytes:
        return f"archive would unpack to {declared} bytes, more than the limit of {limits.max_total_bytes} bytes"
    packed = max(1, sum(i.compress_size for i in infos))
    if declared > limits.ratio_floor_bytes and declared / packed > limits.max_ratio:
        return (f"archive compression ratio {declared / packed:.0f}:1 exceeds the limit of "
                f"{limits.max_ratio:.0f}:1 (zip bomb?)")
    return None


def _entry_problem(info: zipfile.ZipInfo, name: str) -> Optional[str]:
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "symbolic link (links are never extracted)"
    if info.flag_bits & 0x1:
        return "encrypted entry (password-protected files are not supported)"
    if name.lower().endswith(ARCHIVE_EXTENSIONS):
        return "nested archive (archives inside archives are not opened)"
    return None


def _stream_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: str,
                  limits: ArchiveLimits, written_before: int) -> int:
    """Copy one entry, counting bytes; on any failure the partial file is removed and the error raised
    (_EntryRefused for a limit)."""
    os.makedirs(os.path.dirname(target), exist_ok=True)
    written = 0
    packed = max(1, info.compress_size)
    dst = open(target, "xb")  # exclusive: never replaces a file, never follows a link
    try:
        with dst, archive.open(info) as src:
            while True:
                chunk = src.read(_CHUNK)
                if not chunk:
                    break
                if written == 0 and chunk.startswith(_ZIP_MAGIC):
                    raise _EntryRefused("nested archive (archives inside archives are not opened)")
                written += len(chunk)
                if written > info.file_size:
                    raise _EntryRefused(f"entry holds more data than the {info.file_size} bytes its header declares")
                if written_before + written > limits.max_total_bytes:
                    raise _EntryRefused(f"archive exceeds its limit of {limits.max_total_bytes} bytes unpacked")
                if written > limits.ratio_floor_bytes and written / packed > limits.max_ratio:
                    raise _EntryRefused(f"compression ratio over {limits.max_ratio:.0f}:1 (zip bomb?)")
                dst.write(chunk)
    except BaseException:
        _remove(target)
        raise
    return written


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
