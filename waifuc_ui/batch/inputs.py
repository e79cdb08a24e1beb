"""The inputs of a batch run as a list of files, read the way the app reads a folder (``LocalDatasetSource``:
waifuc sidecars and ``.txt`` captions), so a file is listed on one machine and decoded on another.

``--input`` takes folders (read recursively, in sorted order), zip archives (unpacked safely into the run's work
folder, then read as a folder) and glob patterns (``'raw/**/*.png'``, files in sorted order).
"""

from __future__ import annotations

import glob
import hashlib
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ..core.errors import InvalidOptionError
from ..core.image_io import DEFAULT_MAX_PIXELS, BadImageError, open_image_file
from ..core.item import ImageItem
from ..core.report import SkippedFile, report_skip
from ..source.archive import extract_zip
from ..source.base import BaseDataSource
from ..source.local import dataset_meta, group_name, is_passed_over, list_folder


@dataclass(frozen=True)
class InputFile:
    """One candidate image: its absolute ``path`` (workers may run elsewhere), waifuc ``group`` id (from the folder
    as the user named it, as waifuc's LocalSource makes it) and the ``source`` label skip records name."""

    path: str
    group: str
    source: str


@dataclass
class InputSet:
    files: list[InputFile] = field(default_factory=list)
    refused: list[SkippedFile] = field(default_factory=list)  # zip entries refused while unpacking

    def source(self) -> EntrySource:
        return EntrySource(self.files)


def read_input(entry: InputFile, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> ImageItem | None:
    """The item of one file as ``LocalDatasetSource`` makes it; None (and a skip record) when it is unreadable."""
    try:
        image = open_image_file(entry.path, max_pixels=max_pixels)
    except BadImageError as err:
        report_skip(entry.path, err.reason, entry.source)
        return None
    meta = dataset_meta(entry.path, entry.group, entry.source, read_captions=True)
    return ImageItem(image, meta, source_file=os.path.abspath(entry.path))


class EntrySource(BaseDataSource):
    """The listed files as a waifuc_ui source, in list order."""

    def __init__(self, files: Sequence[InputFile]):
        self.files = list(files)

    def _iter(self) -> Iterator[ImageItem]:
        for entry in self.files:
            item = read_input(entry)
            if item is not None:
                yield item

    def __repr__(self) -> str:
        return f"EntrySource({len(self.files)} files)"


def _is_glob(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def resolve_inputs(paths: Sequence[str], work_dir: str) -> InputSet:
    """Files of every ``--input`` in the order given. A path that is neither a folder, a zip nor a glob that
    matches files raises InvalidOptionError (the command line's exit code 2)."""
    if not paths:
        raise InvalidOptionError("--input", "", fix="give at least one folder, zip or glob of images")
    out = InputSet()
    for raw in paths:
        path = os.path.expanduser(raw)
        if os.path.isdir(path):
            label = f"LocalDatasetSource({raw!r})"
            out.files += [InputFile(os.path.abspath(p), g, label) for p, g in list_folder(path)]
        elif os.path.isfile(path) and path.lower().endswith(".zip"):
            with open(path, "rb") as fh:
                digest = hashlib.blake2b(fh.read(1 << 20), digest_size=6).hexdigest()
            stem = os.path.splitext(os.path.basename(path))[0]
            target = os.path.join(work_dir, "unzipped", f"{stem}-{digest}")
            if not os.path.isdir(target):
                result = extract_zip(path, target)
                if not result.files and result.refused:
                    raise InvalidOptionError("--input", raw, fix=f"the zip gave no file: {result.refused[0].reason}")
                out.refused += list(result.refused)
            out.files += [InputFile(p, g, f"zip {raw!r}") for p, g in list_folder(target)]
        elif os.path.isfile(path):
            out.files.append(InputFile(os.path.abspath(path), group_name(os.path.dirname(path)), f"file {raw!r}"))
        elif _is_glob(path):
            found = sorted(p for p in glob.glob(path, recursive=True)
                           if os.path.isfile(p) and not is_passed_over(os.path.basename(p)))
            if not found:
                raise InvalidOptionError("--input", raw, fix="the pattern matches no file; check the path and quote "
                                         "it so the shell does not expand it")
            out.files += [InputFile(os.path.abspath(p), group_name(os.path.dirname(p)), f"glob {raw!r}") for p in found]
        else:
            raise InvalidOptionError("--input", raw, fix="give an existing folder, a .zip file or a glob pattern")
    return out
