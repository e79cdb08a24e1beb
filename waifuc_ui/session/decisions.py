"""Hand decisions that override what steps decided; they persist across re-runs.

Keyed by step uid (so they survive parameter changes and reordering) and item id:

* ``force_keep(uid, id)``: an item the step dropped passes through it unchanged;
* ``force_drop(uid, id)``: an item the step kept leaves the stream there ("dropped by hand");
* ``set_selection(uid, ids, reason)``: a review result replaces the step's own choice: exactly the step's input
  items in ``ids`` pass (CCIP clusters chosen, duplicate keepers), the others are dropped with ``reason``.
  Single keep/drop decisions still apply on top.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Selection:
    """Exactly ``ids`` pass the step; others are dropped with ``reason`` (and ``duplicate_of[id]`` when known)."""

    ids: set[str]
    reason: str
    duplicate_of: dict[str, str] = field(default_factory=dict)


@dataclass
class Decisions:
    keep: dict[str, set[str]] = field(default_factory=dict)
    drop: dict[str, set[str]] = field(default_factory=dict)
    selections: dict[str, Selection] = field(default_factory=dict)

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
        else:
            self.keep.get(uid, set()).discard(item_id)
            self.drop.get(uid, set()).discard(item_id)

    def set_selection(self, uid: str, ids: Iterable[str], reason: str,
                      duplicate_of: dict[str, str] | None = None) -> None:
        self.selections[uid] = Selection(set(ids), reason, dict(duplicate_of or {}))

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
                "selections": {u: {"ids": sorted(s.ids), "reason": s.reason, "duplicate_of": dict(s.duplicate_of)}
                               for u, s in self.selections.items()}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Decisions:
        return cls({u: set(v) for u, v in data.get("keep", {}).items()},
                   {u: set(v) for u, v in data.get("drop", {}).items()},
                   {u: Selection(set(s["ids"]), str(s["reason"]), dict(s.get("duplicate_of") or {}))
                    for u, s in data.get("selections", {}).items()})
