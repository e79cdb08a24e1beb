"""Which dataset images a tag filter matches (all of / any of / none of / untagged), and how many images an edit
really changed. Pure functions over ``{item_id: {tag: score}}`` (the session's ``all_tags()``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

TagMap = Mapping[str, Mapping[str, float]]
Tags = str | Iterable[str] | None


def split_tags(text: Tags) -> tuple[str, ...]:
    """``"a, b ,c"`` -> ``("a", "b", "c")`` (blanks dropped, order kept, duplicates removed)."""
    parts = (text or "").split(",") if isinstance(text, str) or text is None else list(text)
    return tuple(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


@dataclass(frozen=True)
class TagQuery:
    """An image matches when it has every tag of ``all_of``, at least one of ``any_of`` (when given), none of
    ``none_of``, and, with ``untagged``, no tag at all."""

    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()
    none_of: tuple[str, ...] = ()
    untagged: bool = False

    @classmethod
    def parse(cls, all_of: Tags = "", any_of: Tags = "", none_of: Tags = "", untagged: bool = False) -> TagQuery:
        """From comma-separated text or lists of tags (the Tags tab's fields)."""
        return cls(split_tags(all_of), split_tags(any_of), split_tags(none_of), bool(untagged))

    @property
    def empty(self) -> bool:
        return not (self.all_of or self.any_of or self.none_of or self.untagged)

    def matches(self, tags: Mapping[str, float]) -> bool:
        if self.untagged and tags:
            return False
        if any(t not in tags for t in self.all_of) or any(t in tags for t in self.none_of):
            return False
        return not self.any_of or any(t in tags for t in self.any_of)

    def describe(self) -> str:
        """e.g. ``all of solo · none of 1boy``; '' when empty."""
        parts = [f"{label} {', '.join(tags)}" for label, tags in
                 (("all of", self.all_of), ("any of", self.any_of), ("none of", self.none_of)) if tags]
        return " · ".join(parts + (["untagged"] if self.untagged else []))


def filter_ids(tags_by_id: TagMap, query: TagQuery) -> list[str]:
    """The ids (in dataset order) whose tags match ``query``; every id when the query is empty."""
    return [i for i, tags in tags_by_id.items() if query.matches(tags)]


def changed_ids(before: TagMap, after: TagMap) -> list[str]:
    """The ids whose tags (names, order or scores) differ between two snapshots."""
    return [i for i in after if list((before.get(i) or {}).items()) != list(after[i].items())]
