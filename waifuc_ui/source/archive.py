"""Safe extraction of zip archives that strangers send.

:func:`extract_zip` writes only inside ``dest_dir``; every entry it does not write is returned
with its reason. Refused: paths that are absolute or climb out with ``..``, symbolic links,
encrypted entries, nested archives (by name or by content), entries that hold more data than
their header declares or that unpack beyond the limits of :class:`ArchiveLimits` (total size,
entry count, compression ratio: zip bombs). Before anything is written the whole archive is
checked: entry count, declared total, the ratio of the declared total to the archive's real
size on disk, and that no two entries share or overlap their data (the "500 entries, one
compressed body" bomb). Sizes are then counted again while streaming, never taken from the
headers alone; an entry whose stream holds more than its header declares is refused. Names are
decoded as UTF-8 when flag 0x800 is set, else as UTF-8 when they are valid UTF-8 (many tools omit
the flag), else as cp437 as the zip spec says.
"""

from __future__ import annotations

import os
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from ..core.errors import error_text
from ..core.report import SkippedFile

_CHUNK = 1 << 16
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
#: Archive types recognised by name (never opened when nested).
ARCHIVE_EXTENSIONS = (".zip", ".cbz")
#: Folders and files that zip tools add and nobody means as data; skipped without a record.
_TOOL_CLUTTER_DIRS = ("__MACOSX",)
_TOOL_CLUTTER_FILES = (".ds_store", "thumbs.db", "desktop.ini")


def is_macos_metadata(parts: list[str]) -> bool:
    """A ``__MACOSX/`` entry or an AppleDouble ``._name`` file: resource forks macOS adds, never images."""
    return bool(parts) and (parts[0] == "__MACOSX" or parts[-1].startswith("._"))


def macos_skip_record(where: str, count: int, source: str) -> SkippedFile:
    """The one line listing ``count`` macOS metadata files skipped in ``where`` (an archive, or the uploads)."""
    return SkippedFile(where, f"{count} macOS metadata file(s) (__MACOSX/, ._*) skipped: not images", source)


@dataclass(frozen=True)
class ArchiveLimits:
    """Per-archive limits. ``max_ratio`` applies to an entry (and the whole archive, measured
    against its size on disk) once it has unpacked more than ``ratio_floor_bytes``, so small,
    very compressible text files pass. ``budget_bytes``: what the session may still write to
    disk (None: no session quota); the archive is held to the smaller of the two totals."""

    max_total_bytes: int = 2 * 1024 ** 3
    max_entries: int = 20_000
    max_ratio: float = 200.0
    ratio_floor_bytes: int = 1024 * 1024
    budget_bytes: int | None = None

    def total_limit(self) -> tuple[int, str]:
        """The byte limit this archive is held to and how to name it in a reason."""
        if self.budget_bytes is not None and self.budget_bytes < self.max_total_bytes:
            return max(0, self.budget_bytes), "bytes left of this session's disk quota"
        return self.max_total_bytes, "bytes allowed per archive"


@dataclass
class ExtractResult:
    """``files``: paths written (inside ``dest_dir``); ``refused``: entries not written, with reasons.
    A refused entry's ``path`` is ``'{archive name}/{entry name}'``."""

    files: list[str] = field(default_factory=list)
    refused: list[SkippedFile] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)  # macOS metadata: one line per archive


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


def safe_parts(name: str) -> tuple[list[str] | None, str | None]:
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


def is_tool_clutter(parts: list[str]) -> bool:
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
                label: str | None = None) -> ExtractResult:
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
        whole = (_whole_archive_problem(infos, limits) or _layout_problem(archive, infos)
                 or _real_ratio_problem(infos, limits, os.path.getsize(archive_path)))
        if whole:
            refuse("", whole)
            return result
        root = os.path.realpath(dest_dir)
        os.makedirs(root, exist_ok=True)
        written_total = 0
        total_limit, total_name = limits.total_limit()
        archive_size = max(1, os.path.getsize(archive_path))
        macos = 0
        for info in infos:
            name = entry_name(info)
            if name.endswith("/") or info.is_dir():
                continue
            parts, problem = safe_parts(name)
            if parts is not None and is_macos_metadata(parts):
                macos += 1
                continue
            if parts is not None and is_tool_clutter(parts):
                continue
            problem = problem or _entry_problem(info, name)
            if not problem and written_total >= total_limit and info.file_size > 0:
                problem = f"not extracted: the archive reached the limit of {total_limit} {total_name}"
            if problem or parts is None:
                refuse(name, problem or "unusable entry name")
                continue
            target = unique_path(os.path.join(root, *parts))
            if os.path.commonpath([root, os.path.realpath(os.path.dirname(target))]) != root:
                refuse(name, "path leaves the extraction folder")
                continue
            try:
                written_total += _stream_entry(archive, info, target, limits, written_total, archive_size)
            except _EntryRefused as err:
                refuse(name, str(err))
            except Exception as err:  # CRC, zlib, unsupported method, disk: this entry only
                if _stream_exceeds_header(archive_path, info):
                    refuse(name, f"entry holds more data than the {info.file_size} bytes its header declares "
                                 "(zip bomb?)")
                else:
                    refuse(name, f"cannot extract: {error_text(err)}")
            else:
                result.files.append(target)
        if macos:
            result.skipped.append(macos_skip_record(label, macos, "zip"))
    return result


def _whole_archive_problem(infos: list[zipfile.ZipInfo], limits: ArchiveLimits) -> str | None:
    if len(infos) > limits.max_entries:
        return f"archive holds {len(infos)} entries, more than the limit of {limits.max_entries}"
    declared = sum(i.file_size for i in infos)
    total_limit, total_name = limits.total_limit()
    if declared > total_limit:
        if total_name.startswith("bytes allowed"):  # keep the historical wording for the per-archive limit
            return f"archive would unpack to {declared} bytes, more than the limit of {total_limit} bytes"
        return f"archive would unpack to {declared} bytes, more than the {total_limit} {total_name}"
    packed = max(1, sum(i.compress_size for i in infos))
    if declared > limits.ratio_floor_bytes and declared / packed > limits.max_ratio:
        return (f"archive compression ratio {declared / packed:.0f}:1 exceeds the limit of "
                f"{limits.max_ratio:.0f}:1 (zip bomb?)")
    return None


def _real_ratio_problem(infos: list[zipfile.ZipInfo], limits: ArchiveLimits, archive_size: int) -> str | None:
    """The declared total against the archive's size on disk (entries that share data look harmless one by one)."""
    declared = sum(i.file_size for i in infos)
    if declared > limits.ratio_floor_bytes and declared / max(1, archive_size) > limits.max_ratio:
        return (f"archive would unpack to {declared} bytes, {declared / max(1, archive_size):.0f} times its "
                f"{archive_size} bytes, over the limit of {limits.max_ratio:.0f}:1 (zip bomb?)")
    return None


_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile's structFileHeader (30 bytes)


def _layout_problem(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> str | None:
    """Entries whose data ranges overlap (several names for one compressed body, or one entry's data holding
    another's header), or that run past the central directory: refused as a whole, before anything is written."""
    fp = archive.fp
    if fp is None:
        return "archive is closed"
    end_of_data = getattr(archive, "start_dir", None)
    ranges = []
    for info in infos:
        fp.seek(info.header_offset)
        raw = fp.read(_LOCAL_HEADER.size)
        if len(raw) != _LOCAL_HEADER.size or raw[:4] != b"PK\x03\x04":
            return f"entry {entry_name(info)!r} has no local header where the directory says (damaged or crafted zip)"
        fields = _LOCAL_HEADER.unpack(raw)
        start = info.header_offset
        end = start + _LOCAL_HEADER.size + fields[10] + fields[11] + info.compress_size
        ranges.append((start, end, info))
    ranges.sort(key=lambda r: (r[0], r[1]))
    for (_, prev_end, prev), (start, _, info) in zip(ranges, ranges[1:]):
        if start < prev_end:
            return (f"entries {entry_name(prev)!r} and {entry_name(info)!r} overlap in the archive (one compressed "
                    "body unpacked many times: zip bomb?)")
    if ranges and end_of_data is not None and ranges[-1][1] > end_of_data:
        return f"entry {entry_name(ranges[-1][2])!r} runs into the archive's directory (damaged or crafted zip)"
    return None


def _entry_problem(info: zipfile.ZipInfo, name: str) -> str | None:
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "symbolic link (links are never extracted)"
    if info.flag_bits & 0x1:
        return "encrypted entry (password-protected files are not supported)"
    if name.lower().endswith(ARCHIVE_EXTENSIONS):
        return "nested archive (archives inside archives are not opened)"
    if info.compress_type == zipfile.ZIP_STORED and info.compress_size > info.file_size:
        return f"entry holds more data than the {info.file_size} bytes its header declares (zip bomb?)"
    return None


def _stream_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: str,
                  limits: ArchiveLimits, written_before: int, archive_size: int) -> int:
    """Copy one entry, counting bytes; on any failure the partial file is removed and the error raised
    (_EntryRefused for a limit)."""
    os.makedirs(os.path.dirname(target), exist_ok=True)
    written = 0
    packed = max(1, info.compress_size)
    total_limit, total_name = limits.total_limit()
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
                total = written_before + written
                if total > total_limit:
                    if total_name.startswith("bytes allowed"):
                        raise _EntryRefused(f"archive exceeds its limit of {total_limit} bytes unpacked")
                    raise _EntryRefused(f"archive exceeds the {total_limit} {total_name}")
                if written > limits.ratio_floor_bytes and written / packed > limits.max_ratio:
                    raise _EntryRefused(f"compression ratio over {limits.max_ratio:.0f}:1 (zip bomb?)")
                if total > limits.ratio_floor_bytes and total / archive_size > limits.max_ratio:
                    raise _EntryRefused(f"archive unpacks to over {limits.max_ratio:.0f} times its size (zip bomb?)")
                dst.write(chunk)
    except BaseException:
        _remove(target)
        raise
    return written


def _stream_exceeds_header(archive_path: str, info: zipfile.ZipInfo) -> bool:
    """True when the entry's stream holds more than its declared size (a lying header): zipfile stops at the
    declared size and reports a CRC error; this reads at most ``file_size + 1`` bytes of output to tell."""
    try:
        with open(archive_path, "rb") as fp:
            fp.seek(info.header_offset)
            fields = _LOCAL_HEADER.unpack(fp.read(_LOCAL_HEADER.size))
            fp.seek(info.header_offset + _LOCAL_HEADER.size + fields[10] + fields[11])
            left = info.compress_size
            if info.compress_type == zipfile.ZIP_STORED:
                return left > info.file_size
            if info.compress_type != zipfile.ZIP_DEFLATED:
                return False
            inflate, produced, want = zlib.decompressobj(-15), 0, info.file_size + 1
            while left > 0 and produced < want:
                chunk = fp.read(min(_CHUNK, left))
                if not chunk:
                    break
                left -= len(chunk)
                produced += len(inflate.decompress(chunk, want - produced))
                while inflate.unconsumed_tail and produced < want:
                    produced += len(inflate.decompress(inflate.unconsumed_tail, want - produced))
            return produced > info.file_size
    except (OSError, struct.error, zlib.error):
        return False


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
