"""Decisions made by hand, as data a script carries: review choices, restores, hand drops, tag edits, names.

Items are named by a key both the app and a script compute from the item itself: ``'<file name>@<pixel hash>'``
(the first 12 hex digits of :func:`waifuc_ui.analysis.content_hash`), with ``'#2'``, ``'#3'`` ... appended to
the second, third ... item with the same name and pixels at that point of the stream. A crop or any other item a
step made gets the key of its own pixels, so a decision about it survives into a script.

* :class:`Reviewed` wraps a step: ``select`` or ``reject`` replaces the step's choice (exactly these input items
  pass, or all but these; the step is not run: CCIP clusters chosen, duplicate keepers), ``keep`` passes input
  items the step dropped (restores), ``drop`` removes output items the step kept (hand drops). Items leave in
  input order, each input's outputs together, as the app shows them (so the step hands on its items once the
  stream has ended).
* :class:`SetTagsAction` sets the tags of given items (in the given order); ``trigger_word`` puts a tag first.
* :class:`RenameAction` sets file names of given items and an optional folder for all (e.g. kohya's ``5_name``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from ..analysis.hashing import content_hash
from ..core.errors import InvalidOptionError
from ..core.item import ImageItem
from ..core.report import DropRecord, RunReport, collect_report, current_report, report_drop
from .base import BaseAction, ProcessAction

HASH_DIGITS = 12
HAND_DROP_REASON = "dropped by hand"
SELECT_REASON = "not chosen in the review"
_MARK = "\x00reviewed:"


def base_key(filename: str | None, pixel_hash: str) -> str:
    """``'a.png@0123456789ab'`` from a file name and a content hash."""
    return f"{filename or ''}@{pixel_hash[:HASH_DIGITS]}"


def stream_keys(pairs: Iterable[tuple[str | None, str]]) -> list[str]:
    """Keys of (file name, content hash) pairs in stream order: repeats get ``#2``, ``#3`` ..."""
    seen: Counter = Counter()
    out = []
    for filename, h in pairs:
        key = base_key(filename, h)
        seen[key] += 1
        out.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
    return out


class _Keyer:
    """Keys of the items of one stream, as they come."""

    def __init__(self) -> None:
        self._seen: Counter = Counter()

    def __call__(self, item: ImageItem) -> str:
        key = base_key(item.meta.get("filename"), content_hash(item))
        self._seen[key] += 1
        n = self._seen[key]
        return key if n == 1 else f"{key}#{n}"


def _key_set(keys: Iterable[str] | None) -> set[str] | None:
    if keys is None:
        return None
    if isinstance(keys, str):
        return {keys}
    return set(keys)


class Reviewed(BaseAction):
    """``inner`` with decisions made by hand; keys as in this module's doc.

    ``select``: exactly the input items with these keys (and ``keep``'s) pass; ``inner`` is not run; the others are
    dropped with ``reason``. ``reject``: the same, naming the items that do not pass. ``keep``: input items
    ``inner`` dropped pass unchanged. ``drop``: output items are removed ("dropped by hand"). ``inner=None`` passes
    every item (only ``drop`` applies). With no decisions the step's items still leave in input order.
    """

    def __init__(self, inner: BaseAction | None = None, *, select: Iterable[str] | None = None,
                 reject: Iterable[str] | None = None, keep: Iterable[str] = (), drop: Iterable[str] = (),
                 reason: str = SELECT_REASON):
        if select is not None and reject is not None:
            raise InvalidOptionError("reject", "with select", fix="give the items that pass (select) or those "
                                     "that do not (reject), not both")
        self.inner = inner
        self.select = _key_set(select)
        self.reject = _key_set(reject)
        self.keep = _key_set(keep) or set()
        self.drop_keys = _key_set(drop) or set()
        self.reason = reason

    def reset(self) -> None:
        if self.inner is not None:
            self.inner.reset()

    @property
    def name(self) -> str:
        if self.step_name:
            return self.step_name
        return type(self.inner).__name__ if self.inner is not None else type(self).__name__

    def iter(self, item: ImageItem) -> Iterator[ImageItem]:
        yield from self.iter_from([item])

    def iter_from(self, iter_: Iterable[ImageItem]) -> Iterator[ImageItem]:
        if self.select is not None or self.reject is not None or self.inner is None:
            passed = self._selected(iter_)
        else:
            passed = self._run_inner(self.inner, iter_)
        keyer = _Keyer()
        for item in passed:
            if keyer(item) in self.drop_keys:
                self.drop(item, HAND_DROP_REASON)
            else:
                yield item

    def _selected(self, items: Iterable[ImageItem]) -> Iterator[ImageItem]:
        chosen = None if self.select is None else self.select | self.keep
        rejected = (self.reject or set()) - self.keep
        keyer = _Keyer()
        for item in items:
            key = keyer(item) if chosen is not None or rejected else ""
            if (chosen is None or key in chosen) and key not in rejected:
                yield item
            else:
                self.drop(item, self.reason)

    def _run_inner(self, inner: BaseAction, items: Iterable[ImageItem]) -> Iterator[ImageItem]:
        """Run ``inner`` (``self.inner``); outputs grouped by input in input order, restores applied. An inner step
        that takes one item at a time (waifuc's ``iter_from``) streams: an input is done when the step asks for the
        next one. Any other (batches, held items) hands its items on when the stream has ended."""
        streaming = type(inner).iter_from is BaseAction.iter_from
        inputs: list[tuple[ImageItem, Any, str | None] | None] = []  # item, own item_id, key (restores)
        outputs: dict[int, list[ImageItem]] = {}
        drops: dict[int, DropRecord] = {}
        outer = current_report()
        local = RunReport()
        mark = f"{_MARK}{id(self)}:"
        in_keyer = _Keyer()
        upstream = iter(items)
        state = {"done": -1, "emitted": 0}  # inputs [0, done] are finished; [0, emitted) were handed on
        names: dict[int, str | None] = {}  # file names of inputs let go before their turn

        def take(item: ImageItem) -> ImageItem:
            key = in_keyer(item) if self.keep else None  # before the step: it may change the item
            inputs.append((item, item.meta.get("item_id", _MARK), key))
            item.meta["item_id"] = f"{mark}{len(inputs) - 1}"
            return item

        def release(n: int) -> None:
            """Input ``n`` is finished without output and not restored: let its pixels go now."""
            entry = inputs[n]
            if entry is not None and entry[0] is not None and not outputs.get(n) and entry[2] not in self.keep:
                inputs[n] = (None, entry[1], None)  # type: ignore[assignment]
                _restore_id(entry[0], entry[1])
                names[n] = entry[0].meta.get("filename")

        def feed() -> Iterator[ImageItem]:
            for item in upstream:
                yield take(item)
                if streaming:
                    state["done"] = len(inputs) - 1  # asked for the next: this one is finished
                    release(state["done"])

        def flush(upto: int) -> Iterator[ImageItem]:
            while state["emitted"] <= upto:
                n = state["emitted"]
                item, previous, key = inputs[n]  # type: ignore[misc]
                inputs[n] = None  # let the pixels go
                state["emitted"] += 1
                outs = outputs.pop(n, [])
                record = drops.pop(n, None)
                if item is not None:
                    _restore_id(item, previous)
                for out in outs:
                    _restore_id(out, previous)
                if outs:
                    yield from outs
                elif item is not None and key in self.keep:
                    yield item
                else:
                    filename = item.meta.get("filename") if item is not None else names.pop(n, None)
                    record = record or DropRecord(self.name, filename, f"no output from {self.name}")
                    _emit(outer, replace(record, item_id=None if previous == _MARK else previous))

        stream = inner.iter_from(feed())
        while True:
            with collect_report(local):
                try:
                    out = next(stream)
                except StopIteration:
                    out = None
            self._forward(local, outer, mark, drops)
            if out is None:
                break
            parent = _index(out.meta.get("item_id"), mark)
            if parent is None:
                parent = len(inputs) - 1
            outputs.setdefault(parent, []).append(out)
            yield from flush(min(state["done"], parent - 1))
        yield from flush(len(inputs) - 1)
        while True:  # a step that stopped the stream (first n) saw no more; they leave here, or are restored
            with collect_report(local):
                item = next(upstream, None)
            self._forward(local, outer, mark, drops)
            if item is None:
                break
            take(item)
            release(len(inputs) - 1)
            yield from flush(len(inputs) - 1)

    @staticmethod
    def _forward(local: RunReport, outer: RunReport | None, mark: str, drops: dict[int, DropRecord]) -> None:
        """Records of the inner step are held back (a restore may cancel them); others go on at once."""
        for record in local.dropped:
            n = _index(record.item_id, mark)
            if n is None:
                _emit(outer, record)
            else:
                drops.setdefault(n, record)
        if outer is not None:
            outer.skipped.extend(local.skipped)
            outer.export_failed.extend(local.export_failed)
        local.dropped.clear()
        local.skipped.clear()
        local.export_failed.clear()

    def __repr__(self) -> str:
        parts = [repr(self.inner)] if self.inner is not None else []
        for name, value in (("select", self.select), ("reject", self.reject), ("keep", self.keep),
                            ("drop", self.drop_keys)):
            if value:
                parts.append(f"{name}={sorted(value)!r}")
        return f"Reviewed({', '.join(parts)})"


def _index(item_id: Any, mark: str) -> int | None:
    if isinstance(item_id, str) and item_id.startswith(mark):
        return int(item_id[len(mark):])
    return None


def _restore_id(item: ImageItem, previous: Any) -> None:
    if isinstance(item.meta.get("item_id"), str) and item.meta["item_id"].startswith(_MARK):
        if previous == _MARK:
            item.meta.pop("item_id", None)
        else:
            item.meta["item_id"] = previous


def _emit(outer: RunReport | None, record: DropRecord) -> None:
    if outer is not None:
        with collect_report(outer):
            report_drop(record)
    else:
        report_drop(record)


TagsGiven = Sequence[str] | Mapping[str, float]


def _tag_dict(tags: TagsGiven) -> dict[str, float]:
    if isinstance(tags, Mapping):
        return {str(t): float(s) for t, s in tags.items()}
    if isinstance(tags, str):
        tags = [tags]
    return {str(t): 1.0 for t in tags}


class SetTagsAction(ProcessAction):
    """Set the tags of the items whose key is in ``tags`` (a list of names, score 1.0 each, or a dict of
    name -> score; the order is kept). ``trigger_word``: put this tag first in every item's tags (score 1.0)."""

    def __init__(self, tags: Mapping[str, TagsGiven] | None = None, trigger_word: str | None = None):
        self.tags = {k: _tag_dict(v) for k, v in (tags or {}).items()}
        self.trigger_word = (trigger_word or "").strip() or None
        self._keyer = _Keyer()

    def reset(self) -> None:
        self._keyer = _Keyer()

    def process(self, item: ImageItem) -> ImageItem:
        key = self._keyer(item)
        tags = dict(self.tags[key]) if key in self.tags else dict(item.meta.get("tags") or {})
        if self.trigger_word:
            tags = {self.trigger_word: 1.0, **{t: s for t, s in tags.items() if t != self.trigger_word}}
        if key not in self.tags and not self.trigger_word:
            return item
        return item.with_meta(tags=tags)

    def __repr__(self) -> str:
        return f"SetTagsAction({len(self.tags)} items, trigger_word={self.trigger_word!r})"


class RenameAction(ProcessAction):
    """Give the items whose key is in ``names`` that file name; with ``folder``, every file goes into it
    (``'5_aoi'`` -> ``'5_aoi/<name>'``)."""

    def __init__(self, names: Mapping[str, str] | None = None, folder: str = ""):
        self.names = dict(names or {})
        self.folder = folder.strip("/")
        self._keyer = _Keyer()

    def reset(self) -> None:
        self._keyer = _Keyer()

    def process(self, item: ImageItem) -> ImageItem:
        key = self._keyer(item)
        name = self.names.get(key, item.meta.get("filename"))
        if self.folder:
            name = f"{self.folder}/{name or ''}"
        if name == item.meta.get("filename"):
            return item
        return item.with_meta(filename=name)

    def __repr__(self) -> str:
        return f"RenameAction({len(self.names)} names, folder={self.folder!r})"
