"""Tag methods of the session: frequency table, batch edits, trigger word, character tags, per-image tags.

The tags of an item are the run's tags (``meta['tags']`` after the last step) with the session's
:class:`~waifuc_ui.session.tagedit.TagEdits` replayed on top; originals are never changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Union

from .tagedit import character_tag_names, tag_frequencies

TagsInput = Union[Mapping[str, float], Iterable[str], str]


def parse_tags(tags: TagsInput) -> dict[str, float]:
    """A dict as is; a list of names or comma-separated text -> score 1.0 each."""
    if isinstance(tags, Mapping):
        return {str(k).strip(): float(v) for k, v in tags.items() if str(k).strip()}
    if isinstance(tags, str):
        tags = tags.split(",")
    return {t.strip(): 1.0 for t in tags if t.strip()}


class TagMixin:
    def _scope(self, ids: Iterable[str] | None) -> list[str]:
        final = self.final_ids()  # type: ignore[attr-defined]
        if ids is None:
            return final
        wanted = set(ids)
        return [i for i in final if i in wanted]

    def item_tags(self, item_id: str) -> dict[str, float]:
        """One item's tags after edits, in caption order (the trigger word is not included: it is added at
        export)."""
        meta = self.final_metas().get(item_id) or self.store.get(item_id).meta  # type: ignore[attr-defined]
        return self.tag_edits.apply(item_id, meta.get("tags") or {})  # type: ignore[attr-defined]

    def all_tags(self, ids: Iterable[str] | None = None) -> dict[str, dict[str, float]]:
        metas = self.final_metas()  # type: ignore[attr-defined]
        return {i: self.tag_edits.apply(i, (metas.get(i) or {}).get("tags") or {})  # type: ignore[attr-defined]
                for i in self._scope(ids)}

    def tag_table(self, ids: Iterable[str] | None = None) -> list[tuple[str, int]]:
        """(tag, count) over the dataset or the selected ``ids``, most frequent first."""
        return tag_frequencies(self.all_tags(ids).values())

    def ids_with_tags(self, include: Iterable[str] = (), exclude: Iterable[str] = ()) -> list[str]:
        """Dataset ids having every tag of ``include`` and none of ``exclude`` (to select images by tag)."""
        inc, exc = set(include), set(exclude)
        return [i for i, tags in self.all_tags().items() if inc <= tags.keys() and not exc & tags.keys()]

    def add_tag(self, tag: str, ids: Iterable[str] | None = None) -> None:
        self.tag_edits.add(tag, None if ids is None else self._scope(ids))  # type: ignore[attr-defined]

    def remove_tag(self, tag: str, ids: Iterable[str] | None = None) -> None:
        self.tag_edits.remove(tag, None if ids is None else self._scope(ids))  # type: ignore[attr-defined]

    def replace_tag(self, old: str, new: str, ids: Iterable[str] | None = None) -> None:
        self.tag_edits.replace(old, new, None if ids is None else self._scope(ids))  # type: ignore[attr-defined]

    def set_item_tags(self, item_id: str, tags: TagsInput) -> None:
        """Replace one item's tags, in the order given (kept in captions). Tags given as names keep the score
        they had (a tagger's confidence), new ones get 1.0."""
        parsed = parse_tags(tags)
        if not isinstance(tags, Mapping):
            current = self.item_tags(item_id)
            parsed = {t: current.get(t, s) for t, s in parsed.items()}
        self.tag_edits.set_tags(item_id, parsed)  # type: ignore[attr-defined]

    def set_trigger_word(self, word: str) -> None:
        """The word written first in every caption at export ('' for none)."""
        self.tag_edits.trigger_word = word.strip()  # type: ignore[attr-defined]

    def undo_tag_edit(self) -> bool:
        return self.tag_edits.undo() is not None  # type: ignore[attr-defined]

    def drop_character_tags(self, ids: Iterable[str] | None = None, model_name: str = "SwinV2_v3",
                            names: Iterable[str] | None = None) -> list[str]:
        """Remove the tagger's character tags (read from the WD14 label file; ModelUnavailableError with the fix
        when it is missing: no silent guess). ``names`` overrides the list. Returns the tags removed (sorted)."""
        character = frozenset(names) if names is not None else character_tag_names(model_name)
        scope = self._scope(ids)
        present = sorted({t for tags in self.all_tags(scope).values() for t in tags if t in character})
        if present:
            self.tag_edits.drop_tags(present, None if ids is None else scope)  # type: ignore[attr-defined]
        return present
