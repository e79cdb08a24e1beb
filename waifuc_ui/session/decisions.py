"""Hand decisions that override what steps decided; they persist across re-runs.

Keyed by step uid (so they survive parameter changes and reordering) and item id:

* ``force_keep(uid, id)``: an item the step dropped passes through it unchanged;
* ``force_drop(uid, id)``: an item the step kept leaves the stream there ("dropped by hand");
* ``set_selection(uid, ids, reason)``: a review result replaces the step's own choice: exactly the step's input
  items in ``ids`` pass (CCIP clusters chosen), the others are dropped with ``reason``; with ``reject=True`` the
  items in ``ids`` are dropped and every other passes (duplicates removed by a review: new images pass).
  Single keep/drop decisions still apply on top.
* ``characters[uid]``: the person's character choice at a CCIP step, by image *key* (``'<file name>@<pixel
  hash>'``, as scripts key images), so it survives re-runs, threshold changes and added images. The characters
  service turns it into the step's selection (undecided images get their cluster's suggestion).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Selection:
    """Exactly ``ids`` pass the step (``reject``: exactly ``ids`` are dropped); the dropped get ``reasons[id]`` or
    ``reason`` (and ``duplicate_of[id]`` when known)."""

    ids: set[str]
    reason: str
    duplicate_of: dict[str, str] = field(default_factory=dict)
    reject: bool = False
    reasons: dict[str, str] = field(default_factory=dict)

    def passes(self, item_id: str) -> bool:
        return (item_id not in self.ids) if self.reject else (item_id in self.ids)

    def reason_for(self, item_id: str) -> str:
        return self.reasons.get(item_id, self.reason)


@dataclass
class CharacterChoice:
    """Images a person put into (``inside``) or out of (``outside``) the target character, by image key, and the
    clustering they looked at (``threshold`` None: waifuc's own; ``min_samples`` None: the default)."""

    inside: set[str] = field(default_factory=set)
    outside: set[str] = field(default_factory=set)
    threshold: float | None = None
    min_samples: int | None = None

    def decide(self, keys: Iterable[str], into: bool) -> None:
        keys = set(keys)
        (self.inside if into else self.outside).update(keys)
        (self.outside if into else self.inside).difference_update(keys)

    def decided(self, key: str) -> bool | None:
        """True/False when the person put the image in/out, None when they never decided about it."""
        return True if key in self.inside else False if key in self.outside else None

    def to_dict(self) -> dict[str, Any]:
        return {"inside": sorted(self.inside), "outside": sorted(self.outside), "threshold": self.threshold,
                "min_samples": self.min_samples}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CharacterChoice:
        thr, ms = data.get("threshold"), data.get("min_samples")
        return cls(set(data.get("inside", ())), set(data.get("outside", ())),
                   None if thr is None else float(thr), None if ms is None else int(ms))


@dataclass
class Decisions:
    keep: dict[str, set[str]] = field(default_factory=dict)
    drop: dict[str, set[str]] = field(default_factory=dict)
    selections: dict[str, Selection] = field(default_factory=dict)
    characters: dict[str, CharacterChoice] = field(default_factory=dict)

    def force_keep(self, uid: str, item_id: str) -> None:
        self.drop.get(uid, set()).discard(item_id)
        self.keep.setdefault(uid, set()).add(item_id)

    def force_drop(self, uid: str, item_id: str) -> None:
        self.keep.get(uid, set()).discard(item_id)
        self.drop.setdefault(uid, set()).add(item_id)

    def clear(self, uid: str, item_id: str | None = None) -> None:
        """Forget the hand decisions of a step (one item, or all of them and its selection)."""
        if item_id is None:
            self.keep.pop(uid, None)
            self.drop.pop(uid, None)
            self.selections.pop(uid, None)
            self.characters.pop(uid, None)
        else:
            self.keep.get(uid, set()).discard(item_id)
            self.drop.get(uid, set()).discard(item_id)

    def set_selection(self, uid: str, ids: Iterable[str], reason: str, duplicate_of: dict[str, str] | None = None,
                      *, reject: bool = False, reasons: dict[str, str] | None = None) -> None:
        self.selections[uid] = Selection(set(ids), reason, dict(duplicate_of or {}), reject, dict(reasons or {}))

    def clear_selection(self, uid: str) -> None:
        self.selections.pop(uid, None)

    def for_step(self, uid: str) -> tuple[set[str], set[str], Selection | None]:
        return set(self.keep.get(uid, ())), set(self.drop.get(uid, ())), self.selections.get(uid)

    def touches(self, uid: str) -> bool:
        return bool(self.keep.get(uid) or self.drop.get(uid) or uid in self.selections)

    # -- persistence (session.json, project files) ------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """JSON form: ids sorted, so equal decisions give equal text."""
        return {"keep": {u: sorted(v) for u, v in self.keep.items() if v},
                "drop": {u: sorted(v) for u, v in self.drop.items() if v},
                "selections": {u: {"ids": sorted(s.ids), "reason": s.reason, "duplicate_of": dict(s.duplicate_of),
                                   **({"reject": True} if s.reject else {}),
                                   **({"reasons": dict(sorted(s.reasons.items()))} if s.reasons else {})}
                               for u, s in self.selections.items()},
                "characters": {u: c.to_dict() for u, c in self.characters.items()}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decisions:
        return cls({u: set(v) for u, v in data.get("keep", {}).items()},
                   {u: set(v) for u, v in data.get("drop", {}).items()},
                   {u: Selection(set(s["ids"]), str(s["reason"]), dict(s.get("duplicate_of") or {}),
                                 bool(s.get("reject")), dict(s.get("reasons") or {}))
                    for u, s in data.get("selections", {}).items()},
                   {u: CharacterChoice.from_dict(c) for u, c in (data.get("characters") or {}).items()})
