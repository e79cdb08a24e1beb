"""Tag edits as session state: an ordered log of operations replayed over the run's tags (non-destructive).

Operations (``ids`` None = every item of the dataset): add, remove, replace, set (one item's whole tag dict),
drop_character (remove the tagger's character tags). The trigger word is kept apart and goes first at export.
Re-running the pipeline keeps the log: edits are replayed on the new tags.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..core.errors import InvalidArgumentError, ModelUnavailableError
from ..core.tags import normalise_tags
from ..inference.specs import WD14

Tags = dict[str, float]


@dataclass(frozen=True)
class TagOp:
    op: str  # add | remove | replace | set | drop_tags
    ids: frozenset[str] | None = None
    tag: str = ""
    new: str = ""
    tags: tuple[tuple[str, float], ...] = ()


def _clean(tag: str) -> str:
    tag = str(tag).strip()
    if not tag:
        raise InvalidArgumentError("empty tag", "type a tag name")
    return tag


@dataclass
class TagEdits:
    ops: list[TagOp] = field(default_factory=list)
    trigger_word: str = ""

    def add(self, tag: str, ids: Iterable[str] | None = None, score: float = 1.0) -> None:
        self.ops.append(TagOp("add", _ids(ids), _clean(tag), tags=((tag.strip(), float(score)),)))

    def remove(self, tag: str, ids: Iterable[str] | None = None) -> None:
        self.ops.append(TagOp("remove", _ids(ids), _clean(tag)))

    def replace(self, old: str, new: str, ids: Iterable[str] | None = None) -> None:
        self.ops.append(TagOp("replace", _ids(ids), _clean(old), _clean(new)))

    def set_tags(self, item_id: str, tags: Mapping[str, float]) -> None:
        self.ops.append(TagOp("set", frozenset([item_id]), tags=tuple((_clean(t), float(s)) for t, s in tags.items())))

    def drop_tags(self, tags: Iterable[str], ids: Iterable[str] | None = None) -> None:
        """Remove every tag in ``tags`` (e.g. the character tags) from the items."""
        self.ops.append(TagOp("drop_tags", _ids(ids), tags=tuple((t, 0.0) for t in tags)))

    def undo(self) -> TagOp | None:
        return self.ops.pop() if self.ops else None

    def apply(self, item_id: str, tags: Mapping[str, float]) -> Tags:
        """The tags of ``item_id`` after every edit, in order (``tags`` is the run's tags; not modified).

        Order: the run's tags by descending score, ties in their own order (a caption file's order, a site's
        order); then each edit keeps it: ``add`` appends, ``replace`` takes the old tag's place, ``set`` is the
        user's order. Captions are written in this order (``score_descend=False``)."""
        return replay(item_id, dict(sorted(normalise_tags(tags).items(), key=lambda kv: -kv[1])), self.ops)

    # -- persistence (session.json, project files) ------------------------------------------------------------------
    def to_dict(self) -> dict:
        """JSON form: the log in order (ids sorted, tag pairs as lists) and the trigger word."""
        return {"ops": [op_to_dict(op) for op in self.ops], "trigger_word": self.trigger_word}

    @classmethod
    def from_dict(cls, data: dict) -> TagEdits:
        return cls([op_from_dict(d) for d in data.get("ops", [])], str(data.get("trigger_word", "")))


def replay(item_id: str, tags: Tags, ops: Iterable[TagOp]) -> Tags:
    """``tags`` (already in caption order) after ``ops``, those that concern ``item_id``; a new dict."""
    out = dict(tags)
    for op in ops:
        if op.ids is not None and item_id not in op.ids:
            continue
        if op.op == "add":
            out.setdefault(op.tag, op.tags[0][1] if op.tags else 1.0)
        elif op.op == "remove":
            out.pop(op.tag, None)
        elif op.op == "replace":
            if op.tag in out:
                score = max(out[op.tag], out.get(op.new, 0.0))
                out = {(op.new if t == op.tag else t): (score if t == op.tag else s)
                       for t, s in out.items() if t != op.new}
        elif op.op == "set":
            out = dict(op.tags)
        elif op.op == "drop_tags":
            for t, _ in op.tags:
                out.pop(t, None)
    return out


def op_to_dict(op: TagOp) -> dict:
    """One edit as JSON (every field of TagOp, so fields added later are kept too)."""
    from dataclasses import fields

    out: dict = {}
    for f in fields(op):
        value = getattr(op, f.name)
        if f.name == "ids":
            value = None if value is None else sorted(value)
        elif f.name == "tags":
            value = [list(pair) for pair in value]
        out[f.name] = value
    return out


def op_from_dict(data: dict) -> TagOp:
    from dataclasses import fields

    known = {f.name for f in fields(TagOp)}
    values = {k: v for k, v in data.items() if k in known}
    if values.get("ids") is not None:
        values["ids"] = frozenset(values["ids"])
    if "tags" in values:
        values["tags"] = tuple((str(t), float(s)) for t, s in values["tags"])
    return TagOp(**values)


def _ids(ids: Iterable[str] | None) -> frozenset[str] | None:
    return None if ids is None else frozenset(ids)


def tag_frequencies(tag_dicts: Iterable[Mapping[str, float]]) -> list[tuple[str, int]]:
    """(tag, number of items having it), most frequent first, ties by name."""
    counts: Counter = Counter()
    for tags in tag_dicts:
        counts.update(tags.keys())
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def character_tag_names(model_name: str = WD14.default_model) -> frozenset[str]:
    """The tagger's character tags (category 4 of the WD14 ``selected_tags.csv``), read from the model files.

    Raises ModelUnavailableError (with the fix) when the label file is not on this machine: there is no silent
    guess. The tags are returned both with underscores and with spaces, to match either spelling.
    """
    from ..inference import ensure_available, required_files, resolve_file

    files = [f for f in required_files("get_wd14_tags", model_name=model_name) if f.filename.endswith(".csv")]
    labels = [f for f in files if os.path.basename(f.filename) == "selected_tags.csv"] or files
    ensure_available(labels)
    path = resolve_file(labels[0])
    if path is None:  # ensure_available raised already; keeps the type honest
        raise ModelUnavailableError(f"{labels[0]} is not on this machine", "run the tagger once to download it",
                                    files=labels)
    names: set[str] = set()
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if str(row.get("category", "")).strip() == "4":
                name = row["name"]
                names.update((name, name.replace("_", " ")))
    return frozenset(names)
