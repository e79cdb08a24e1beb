"""Items as small records that travel between machines, and running actions over them in stream order.

An :class:`ItemRef` holds an item's meta and pixel hash and *where* its pixels are, never the pixels: the input file
while no step has changed the pixels, else a pickled PIL image in the run's shared work folder, named by its pixel
hash (writing it twice writes the same file, so a retried task neither loses nor duplicates anything). Whether the
item still *is* its file (``ImageItem.source_file``: the export may copy the original bytes) is kept apart, exactly
as the action left it.

:func:`run_actions` feeds items through fresh copies of action templates as one stream and tells which input each
output and each drop came from (the session runner's way: ``meta['item_id']`` marks the input while the actions
run, and is put back afterwards).
"""

from __future__ import annotations

import copy
import os
import pickle
import tempfile
import uuid
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from PIL import Image

from ..action.base import BaseAction
from ..analysis.hashing import content_hash
from ..core.image_io import DEFAULT_MAX_PIXELS, open_image_file
from ..core.item import ImageItem, ItemMeta
from ..core.report import DropRecord, SkippedFile, collect_report
from .inputs import InputFile, read_input

_MARK = "\x00batch:"
_NO_ID = object()


@dataclass
class ItemRef:
    """One item between stages: ``meta``, pixel ``hash``; pixels in the input file ``path`` or in ``blob`` (a
    pickled image), with the ``format`` the image had; ``source_file``: the item's own claim to be that input file
    (see :class:`~waifuc_ui.core.item.ImageItem`); ``entry`` for an input not read yet."""

    meta: dict[str, Any] = field(default_factory=dict)
    hash: str | None = None
    path: str | None = None
    source_file: str | None = None
    blob: str | None = None
    format: str | None = None
    entry: InputFile | None = None


def load_image(ref: ItemRef) -> Image.Image:
    if ref.blob is None:
        return open_image_file(str(ref.path), max_pixels=DEFAULT_MAX_PIXELS)
    with open(ref.blob, "rb") as fh:
        image = pickle.load(fh)
    image.format = ref.format
    return image


class _Loader:
    def __init__(self, ref: ItemRef):
        self.ref = ref

    def __call__(self) -> Image.Image:
        return load_image(self.ref)


def to_item(ref: ItemRef, lazy: bool) -> ImageItem:
    """The item of ``ref``: pixels loaded now, or on first use (``lazy``: a step that needs only hashes and cached
    analyses never decodes them)."""
    meta = copy.deepcopy(ref.meta)
    if lazy:
        return ImageItem(meta=meta, loader=_Loader(ref), content_hash=ref.hash,
                         source_file=ref.source_file)
    return ImageItem(load_image(ref), meta, content_hash=ref.hash,
                     source_file=ref.source_file)


def _write_blob(image: Image.Image, digest: str, store_dir: str) -> str:
    folder = os.path.join(store_dir, digest[:2])
    path = os.path.join(folder, f"{digest}.pkl")
    if not os.path.exists(path):
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(image, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    return path


def _same_image(out: ImageItem, fed: ImageItem | None) -> bool:
    """True when ``out`` holds the very image of its input (passed on, or never loaded: nothing changed it)."""
    if fed is None:
        return False
    if out is fed or not out.is_loaded:
        return True
    return fed.is_loaded and out.image is fed.image


def ref_of(out: ImageItem, parent: ItemRef | None, fed: ImageItem | None, store_dir: str, hashed: bool) -> ItemRef:
    """The record of an output item: where the parent's pixels are when it holds the parent's image (or, ``hashed``,
    equal pixels in the same format), else a new blob. ``hashed``: give every record its pixel hash (a later step
    needs it: cached analyses, review keys); else only the hashes the actions computed are kept."""
    meta = dict(out.meta)
    digest = content_hash(out) if hashed else out.content_hash
    if parent is not None and (_same_image(out, fed) or (
            digest is not None and digest == parent.hash and out.image.format == parent.format)):
        return ItemRef(meta, digest or parent.hash, parent.path, out.source_file, parent.blob, parent.format)
    name = digest or uuid.uuid4().hex  # a retried task may leave an unused file: the work folder goes at the end
    return ItemRef(meta, digest, None, out.source_file, _write_blob(out.image, name, store_dir), out.image.format)


@dataclass
class Outcome:
    """What :func:`run_actions` made: ``outputs`` (input index or None, ref) in stream order, ``drops`` (input
    index or None, record), ``skipped`` inputs, ``counts[i]`` items out of action ``i``."""

    outputs: list[tuple[int | None, ItemRef]] = field(default_factory=list)
    drops: list[tuple[int | None, DropRecord]] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    export_failed: list[SkippedFile] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)


def _held(item: ImageItem) -> Callable[[], ImageItem | None]:
    return lambda: item


def _index(item_id: Any) -> int | None:
    if isinstance(item_id, str) and item_id.startswith(_MARK):
        return int(item_id[len(_MARK):])
    return None


def _restore(meta: ItemMeta, previous: Any) -> None:
    if previous is _NO_ID:
        meta.pop("item_id", None)
    else:
        meta["item_id"] = previous


def run_actions(templates: Sequence[BaseAction], refs: Sequence[ItemRef], store_dir: str, *,
                lazy: bool, hashed: bool = True) -> Outcome:
    """Run fresh copies of ``templates`` as one stream over ``refs`` (in order); see :class:`Outcome`. ``lazy``:
    items load their pixels on first use; ``hashed``: every record gets its pixel hash (see :func:`ref_of`)."""
    outcome = Outcome(counts=[0] * len(templates))
    previous: list[Any] = []
    # the items fed, to tell an output that holds its input's image: weakly when lazy (the driver: an item a step let
    # go must not keep its pixels in memory), else for the batch
    fed: dict[int, Callable[[], ImageItem | None]] = {}
    last = {"fed": -1}

    def feed() -> Iterator[ImageItem]:
        for n, ref in enumerate(refs):
            item = read_input(ref.entry) if ref.entry is not None else to_item(ref, lazy)
            if item is None:
                previous.append(_NO_ID)
                continue
            if ref.entry is not None:
                refs_hashed[n] = ItemRef(dict(item.meta), content_hash(item) if hashed else None, ref.entry.path,
                                         item.source_file, format=item.image.format)
            fed[n] = weakref.ref(item) if lazy else _held(item)
            previous.append(item.meta.get("item_id", _NO_ID))
            item.meta["item_id"] = f"{_MARK}{n}"
            last["fed"] = n
            yield item

    def counted(i: int, items: Iterator[ImageItem]) -> Iterator[ImageItem]:
        for item in items:
            outcome.counts[i] += 1
            yield item

    refs_hashed: dict[int, ItemRef] = {}
    with collect_report() as report:
        stream: Iterator[ImageItem] = feed()
        for i, template in enumerate(templates):
            action = copy.deepcopy(template)
            action.reset()
            stream = counted(i, action.iter_from(stream))
        for out in stream:
            parent = _index(out.meta.get("item_id"))
            if parent is None:
                parent = last["fed"] if last["fed"] >= 0 else None
            if parent is not None:
                _restore(out.meta, previous[parent])
            source = refs_hashed.get(parent, refs[parent]) if parent is not None else None
            fed_item = fed[parent]() if parent is not None and parent in fed else None
            outcome.outputs.append((parent, ref_of(out, source, fed_item, store_dir, hashed)))
    for record in report.dropped:
        n = _index(record.item_id)
        restored = None if n is None or previous[n] is _NO_ID else previous[n]
        outcome.drops.append((n, replace(record, item_id=restored) if n is not None else record))
    outcome.skipped = list(report.skipped)
    outcome.export_failed = list(report.export_failed)
    return outcome
