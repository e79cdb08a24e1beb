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
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from typing import Dict, Iterable, Iterator, List, Optional, Tuple, Union

from ..image_io import DEFAULT_MAX_PIXELS, BadImageError, open_image_file
from ..model import ImageItem
from ..report import RunReport, SkippedFile, collect_report, report_skip
from .archive import ARCHIVE_EXTENSIONS, ArchiveLimits, extract_zip, unique_path
from .base import NamedDataSource
from .local import dataset_meta, group_name, list_folder
from .sidecar import sidecar_path

LOOSE_FILES_FOLDER = "files"


@dataclass
class UploadInspection:
    """What an upload holds: ``images`` (names of the readable images, in run order) and
    ``refused`` (files, archive entries and unusable metadata, each with its reason)."""

    folder: str
    received: int
    images: List[str] = field(default_factory=list)
    refused: List[SkippedFile] = field(default_factory=list)

    def summary(self) -> str:
        files = "file" if self.received == 1 else "files"
        return f"{len(self.images)} images came in from {self.received} uploaded {files}; {len(self.refused)} refused"


@dataclass
class UnpackedUpload:
    """Where an upload was unpacked, what was refused while unpacking, and how folders map to uploads."""

    folder: str
    refused: List[SkippedFile]
    tops: List[str]  # top folders in upload order
    labels: Dict[str, str]  # top folder -> the archive's name ('' for the loose files' folder)


class UploadSource(NamedDataSource):
    """Images and ``.zip``/``.cbz`` archives uploaded by a browser (see the module doc).

    Items come in upload order (loose files together, where the first one was), each folder
    in sorted order. ``limits`` bound each archive; a loose file larger than
    ``limits.max_total_bytes`` is refused. ``read_captions`` takes tags from ``{body}.txt``
    for images whose sidecar gives none (or that have no sidecar). Not meant for two threads
    iterating it for the first time at once.
    """

    def __init__(self, paths: Union[str, "os.PathLike[str]", Iterable[Union[str, "os.PathLike[str]"]]],
                 extract_dir: str, *, limits: ArchiveLimits = ArchiveLimits(),
                 max_pixels: Optional[int] = DEFAULT_MAX_PIXELS, read_captions: bool = True):
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        self.paths = [os.fspath(p) for p in paths]
        self.extract_dir = os.fspath(extract_dir)
        self.limits = limits
        self.max_pixels = max_pixels
        self.read_captions = read_captions
        self._unpacked: Optional[UnpackedUpload] = None

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
            self._unpacked = unpacked
        return self._unpacked

    def _unpack_one(self, path: str, unpacked: UnpackedUpload) -> None:
        name = os.path.basename(path)
        if not os.path.isfile(path):
            unpacked.refused.append(SkippedFile(name, "uploaded file is missing or not a regular file", "upload"))
            return
        if name.lower().endswith(ARCHIVE_EXTENSIONS):
            # archives go to 'zip_<name>', so they never meet the loose files' folder
            target = unique_path(os.path.join(unpacked.folder, f"zip_{os.path.splitext(name)[0]}"))
            top = os.path.basename(target)
            unpacked.tops.append(top)
            unpacked.labels[top] = name
            unpacked.refused.extend(extract_zip(path, target, self.limits, label=name).refused)
            return
        size = os.path.getsize(path)
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

    def _iter_with_names(self) -> Iterator[Tuple[str, ImageItem]]:
        unpacked = self.unpack()
        for skipped in unpacked.refused:
            report_skip(skipped.path, skipped.reason, repr(self))
        noted = [False]
        for top in unpacked.tops:
            top_path = os.path.join(unpacked.folder, top)
            if not os.path.isdir(top_path):
                continue  # an archive with nothing extracted
            for path, _ in list_folder(top_path, recursive=True):
                item = self._read(path, noted)
                if item is not None:
                    yield self.display_name(path), item

    def _read(self, path: str, noted: List[bool]) -> Optional[ImageItem]:
        name = self.display_name(path)
        try:
            image = open_image_file(path, max_pixels=self.max_pixels)
        except BadImageError as err:
            report_skip(name, err.reason, repr(self))
            return None
        meta = dataset_meta(path, group_name(os.path.dirname(name)) or "upload", repr(self),
                            shown=self.display_name, read_captions=self.read_captions)
        if not noted[0] and _names_another_file(meta.get("path"), path):
            noted[0] = True
            report_skip(self.display_name(sidecar_path(path)), _foreign_path_note(meta["path"]), repr(self))
        return ImageItem(image, meta, source_file=path)  # type: ignore[arg-type]

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


def inspect_upload(paths: Union[str, Iterable[str]], extract_dir: str, **options) -> UploadInspection:
    """``UploadSource(paths, extract_dir, **options).inspect()``."""
    return UploadSource(paths, extract_dir, **options).inspect()
