"""Tag editing actions: drop given tags, turn underscores into spaces."""

from __future__ import annotations

from collections.abc import Iterable

from ..core.item import ImageItem
from ..core.tags import add_underline, normalise_tags, remove_underline
from .base import ProcessAction


class TagDropAction(ProcessAction):
    """Remove the given tags from ``meta['tags']``; other tags keep their order and scores.

    A tag matches whether written with ``_`` or spaces (``long hair`` drops ``long_hair``), so
    the action works before or after :class:`TagRemoveUnderlineAction`. Items without tags
    pass unchanged (no empty ``tags`` is added).
    """

    per_item = True

    def __init__(self, tags_to_drop: Iterable[str]):
        if isinstance(tags_to_drop, str):
            tags_to_drop = [tags_to_drop]
        self.tags_to_drop = list(tags_to_drop)
        self._keys = {add_underline(t) for t in self.tags_to_drop}

    def process(self, item: ImageItem) -> ImageItem:
        tags = item.meta.get("tags")
        if not tags:
            return item
        return item.with_meta(tags={t: s for t, s in normalise_tags(tags).items()
                                    if add_underline(t) not in self._keys})

    def __repr__(self) -> str:
        return f"TagDropAction({self.tags_to_drop!r})"


class TagRemoveUnderlineAction(ProcessAction):
    """``long_hair`` -> ``long hair`` in ``meta['tags']``, except kaomoji such as ``^_^``.

    When two tags become the same text, the higher score is kept. Tags stored as a list or a
    caption string are read as :func:`waifuc_ui.core.tags.normalise_tags` does.
    """

    per_item = True

    def process(self, item: ImageItem) -> ImageItem:
        tags = item.meta.get("tags")
        if not tags:
            return item
        result: dict[str, float] = {}
        for tag, score in normalise_tags(tags).items():
            text = remove_underline(tag)
            result[text] = max(score, result[text]) if text in result else score
        return item.with_meta(tags=result)
