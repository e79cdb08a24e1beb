"""Files a browser sent: images and zip archives, unpacked safely into a private folder.

``UploadSource(paths, extract_dir)`` copies loose files into ``<folder>/files/`` and extracts
each archive into ``<folder>/zip_<archive name>/`` (see :mod:`waifuc_ui.source.archive`), where
``<folder>`` is a new folder inside ``extract_dir``. This happens once, on first use; every run
then reads that folder like :class:`~waifuc_ui.source.LocalSource` (sidecars included) and
records every refused file or entry with ``report_skip`` under the name the user knows
(``pack.zip/sub/a.png``, ``photo.jpg``). Tags follow the caption precedence of
:func:`waifuc_ui.source.local.dataset_meta` (the sidecar's tags, else the ``{body}.txt`` caption),
for archives and loose files alike (``a.png`` + ``a.txt`` uploaded together). A ``path`` a sidecar
names is inert text: never opened; the first such entry is reported once per run so the visitor sees it.

``inspect_upload`` / ``UploadSource.inspect()`` answer "N images came in, these files were
refused, why" without running a pipeline.

Quotas: an :class:`UploadAllowance` (what this request and the session may still use: uploaded bytes,
bytes written to disk, images) is checked file by file and records what was used; ``decode_slots``
(:class:`~waifuc_ui.core.image_io.DecodeSlots`) holds a slot from decoding a large image until the consumer
asks for the next one, so the copies it makes of the pixels are bounded too.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field

from ..core.image_io import (
    DEFAULT_MAX_FRAMES,
    DEFAULT_MAX_PIXELS,
    BadImageError,
    DecodeSlots,
    header_size,
    open_image_file,
)
from ..core.item import ImageItem
from ..core.report import RunReport, SkippedFile, collect_report, report_skip
from .allowance import UploadAllowance
from .allowance import mb as _mb
from .archive import (
    ARCHIVE_EXTENSIONS,
    ArchiveLimits,
    extract_zip,
    is_macos_metadata,
    macos_skip_record,
    unique_path,
)
from .base import NamedDataSource
from .local import dataset_meta, group_name, list_folder
from .sidecar import sidecar_path
from .video import VideoLimits, is_video_name
from .video_upload import VideoOptions, upload_video_frames

LOOSE_FILES_FOLDER = "files"


@dataclass
class UploadInspection:
    """What an upload holds: ``images`` (names of the readable images, in run order) and
    ``refused`` (files, archive entries and unusable metadata, each with its reason)."""

    folder: str
    received: int
    images: list[str] = field(default_factory=list)
    refused: list[SkippedFile] = field(default_factory=list)

    def summary(self) -> str:
        files = "file" if self.received == 1 else "files"
        return f"{len(self.images)} images came in from {self.received} uploaded {files}; {len(self.refused)} refused"


@dataclass
class UnpackedUpload:
    """Where an upload was unpacked, what was refused while unpacking, and how folders map to uploads."""

    folder: str
    refused: list[SkippedFile]
    tops: list[str]  # top folders in upload order
    labels: dict[str, str]  # top folder -> the archive's name ('' for the loose files' folder)
    macos_files: int = 0  # loose ._name files skipped (listed once, like an archive's __MACOSX/)


class UploadSource(NamedDataSource):
    """Images and ``.zip``/``.cbz`` archives uploaded by a browser (see the module doc).

    Items come in upload order (loose files together, where the first one was), each folder
    in sorted order. ``limits`` bound each archive; a loose file larger than
    ``limits.max_total_bytes`` is refused. ``read_captions`` takes tags from ``{body}.txt``
    for images whose sidecar gives none (or that have no sidecar). ``max_pixels`` / ``max_frames`` bound each image;
    videos become frames as ``video`` says, within ``video_limits`` (:mod:`.video_upload`); with
    ``reduce_large`` a JPEG over ``max_pixels`` comes in reduced (1/2, 1/4, 1/8) instead of refused, its
    private copy rewritten at that size. ``allowance`` and ``decode_slots``: see the module doc.
    Not meant for two threads iterating it for the first time at once.
    """

    def __init__(self, paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
                 extract_dir: str, *, limits: ArchiveLimits = ArchiveLimits(),
                 max_pixels: int | None = DEFAULT_MAX_PIXELS, read_captions: bool = True,
                 max_frames: int = DEFAULT_MAX_FRAMES, reduce_large: bool = False,
                 allowance: UploadAllowance | None = None, decode_slots: DecodeSlots | None = None,
                 video: VideoOptions | None = None, video_limits: VideoLimits | None = None):
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        self.paths = [os.fspath(p) for p in paths]
        self.extract_dir = os.fspath(extract_dir)
        self.limits = limits
        self.max_pixels = max_pixels
        self.read_captions = read_captions
        self.max_frames = max_frames
        self.reduce_large = reduce_large
        self.allowance = allowance or UploadAllowance()
        self.decode_slots = decode_slots
        self.video, self.video_limits = video or VideoOptions(), video_limits or VideoLimits()  # see .video_upload
        self._request_total = 0
        self._unpacked: UnpackedUpload | None = None

    def _args_repr(self) -> str:
        names = [os.path.basename(p) for p in self.paths]
        shown = ", ".join(map(repr, names[:3])) + (f", ... ({len(names)} files)" if len(names) > 3 else "")
        return f"[{shown}]"

    @property
    def folder(self) -> str:
        """The private folder the upload was unpacked into (unpacks on first access)."""
        return self.unpack().folder

    def unpack(self) -> UnpackedUpload:
        """Copy and extract the uploads once; later calls return the same result."""
        if self._unpacked is None:
            os.makedirs(self.extract_dir, exist_ok=True)
            unpacked = UnpackedUpload(tempfile.mkdtemp(prefix="upload_", dir=self.extract_dir), [], [], {})
            for path in self.paths:
                self._unpack_one(path, unpacked)
            if unpacked.macos_files:
                unpacked.refused.append(macos_skip_record("uploaded ._* files", unpacked.macos_files, "upload"))
            self._unpacked = unpacked
        return self._unpacked

    def _unpack_one(self, path: str, unpacked: UnpackedUpload) -> None:
        name = os.path.basename(path)
        if not os.path.isfile(path):
            unpacked.refused.append(SkippedFile(name, "uploaded file is missing or not a regular file", "upload"))
            return
        if is_macos_metadata([name]):
            unpacked.macos_files += 1
            return
        allowance = self.allowance
        size = os.path.getsize(path)
        over = allowance.refuse_upload(size, self._request_total)
        if over:
            unpacked.refused.append(SkippedFile(name, over, "upload"))
            return
        self._request_total += size
        allowance.used_upload += size
        if name.lower().endswith(ARCHIVE_EXTENSIONS):
            # archives go to 'zip_<name>', so they never meet the loose files' folder
            target = unique_path(os.path.join(unpacked.folder, f"zip_{os.path.splitext(name)[0]}"))
            top = os.path.basename(target)
            unpacked.tops.append(top)
            unpacked.labels[top] = name
            limits = dataclasses.replace(self.limits, budget_bytes=allowance.disk_left())
            extracted = extract_zip(path, target, limits, label=name)
            allowance.used_disk += sum(_size(f) for f in extracted.files)
            unpacked.refused.extend(extracted.refused + extracted.skipped)
            return
        disk_left = allowance.disk_left()
        if disk_left is not None and size > disk_left:
            unpacked.refused.append(SkippedFile(
                name, f"not read: this session has {_mb(disk_left)} left of its disk quota; reload the page for a "
                      "new session", "upload"))
            return
        if size > self.limits.max_total_bytes:
            unpacked.refused.append(SkippedFile(
                name, f"file of {size} bytes exceeds the limit of {self.limits.max_total_bytes} bytes", "upload"))
            return
        if LOOSE_FILES_FOLDER not in unpacked.labels:
            unpacked.tops.append(LOOSE_FILES_FOLDER)
            unpacked.labels[LOOSE_FILES_FOLDER] = ""
            os.makedirs(os.path.join(unpacked.folder, LOOSE_FILES_FOLDER))
        try:
            shutil.copyfile(path, unique_path(os.path.join(unpacked.folder, LOOSE_FILES_FOLDER, name)))
            allowance.used_disk += size
        except OSError as err:
            unpacked.refused.append(SkippedFile(name, f"cannot copy the upload: {err.strerror or err}", "upload"))

    def display_name(self, path: str) -> str:
        """``pack.zip/sub/a.png`` or ``a.png``: the name of an unpacked file as the user knows it."""
        unpacked = self.unpack()
        rel = os.path.relpath(path, unpacked.folder).replace(os.sep, "/")
        top, _, rest = rel.partition("/")
        label = unpacked.labels.get(top)
        if label is None:
            return rel
        return f"{label}/{rest}" if label else rest

    def _iter(self) -> Iterator[ImageItem]:
        for _, item in self._iter_with_names():
            yield item

    def _iter_with_names(self) -> Iterator[tuple[str, ImageItem]]:
        unpacked = self.unpack()
        for skipped in unpacked.refused:
            report_skip(skipped.path, skipped.reason, repr(self))
        noted = [False]
        allowance, counted = self.allowance, 0
        for top in unpacked.tops:
            top_path = os.path.join(unpacked.folder, top)
            if not os.path.isdir(top_path):
                continue  # an archive with nothing extracted
            for path, _ in list_folder(top_path, recursive=True):
                left = allowance.images_left(counted)
                if left is not None and left <= 0:
                    report_skip(self.display_name(path), f"not read: this session reached its limit of "
                                f"{allowance.images_total or allowance.images} images; reload the page for a new "
                                "session", repr(self))
                    continue
                if is_video_name(path):  # a video: its frames (see .video_upload)
                    video = self.display_name(path)
                    for frame in upload_video_frames(path, video, self.video, self.video_limits, allowance, counted,
                                                     repr(self)):
                        counted += 1
                        allowance.used_images = max(allowance.used_images, counted)
                        yield f"{video}/{frame.meta['filename']}", frame
                    continue
                with self._decode_slot(path):
                    item = self._read(path, noted)
                    if item is not None:
                        counted += 1
                        allowance.used_images = max(allowance.used_images, counted)
                        yield self.display_name(path), item  # the slot is held until the consumer is done

    def _decode_slot(self, path: str):
        if self.decode_slots is None:
            return nullcontext()
        width, height = header_size(path) or (0, 0)
        pixels = width * height
        return self.decode_slots.hold(min(pixels, self.max_pixels) if self.max_pixels else pixels)

    def _read(self, path: str, noted: list[bool]) -> ImageItem | None:
        name = self.display_name(path)
        try:
            image = open_image_file(path, max_pixels=self.max_pixels, max_frames=self.max_frames,
                                    reduce=self.reduce_large)
            if "reduced_from" in image.info:
                image = _keep_reduced(image, path, self.max_pixels, self.max_frames)
        except BadImageError as err:
            report_skip(name, err.reason, repr(self))
            return None
        meta = dataset_meta(path, group_name(os.path.dirname(name)) or "upload", repr(self),
                            shown=self.display_name, read_captions=self.read_captions)
        if not noted[0] and _names_another_file(meta.get("path"), path):
            noted[0] = True
            report_skip(self.display_name(sidecar_path(path)), _foreign_path_note(meta["path"]), repr(self))
        return ImageItem(image, meta, source_file=path)

    def inspect(self) -> UploadInspection:
        """Unpack (once) and open every file: which images will come out, what was refused and why.
        Records go into the returned inspection, not into any active run report."""
        unpacked = self.unpack()
        with collect_report(RunReport()) as report:
            images = [name for name, _ in self._iter_with_names()]
        return UploadInspection(unpacked.folder, len(self.paths), images, list(report.skipped))

    def cleanup(self) -> None:
        """Delete the unpacked folder (the uploaded originals are left alone)."""
        if self._unpacked is not None:
            shutil.rmtree(self._unpacked.folder, ignore_errors=True)
            self._unpacked = None


def _names_another_file(value: object, image_path: str) -> bool:
    """True when a meta ``path`` is not the image's own path (compared as text, nothing is opened)."""
    own = isinstance(value, str) and os.path.abspath(value) == os.path.abspath(image_path)
    return value is not None and not own


def _foreign_path_note(value: object) -> str:
    shown = repr(value)
    shown = shown if len(shown) <= 200 else shown[:200] + "…"
    return (f"entry 'path' {shown} is kept as text only: images are read from their own files, never from a "
            f"path a sidecar names (said once per upload)")


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _keep_reduced(image, path: str, max_pixels: int | None, max_frames: int):
    """Rewrite the private copy at ``path`` (made by this upload) with the reduced pixels, and read it back, so
    the session's file and the item's pixels are the same."""
    try:
        image.save(path, format="JPEG", quality=95)
    except OSError as err:
        raise BadImageError(os.path.basename(path), f"cannot store the reduced image: {err}") from err
    finally:
        image.close()
    return open_image_file(path, max_pixels=max_pixels, max_frames=max_frames)


def inspect_upload(paths: str | Iterable[str], extract_dir: str, **options) -> UploadInspection:
    """``UploadSource(paths, extract_dir, **options).inspect()``."""
    return UploadSource(paths, extract_dir, **options).inspect()
