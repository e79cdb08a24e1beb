"""What the duplicate review shows: the groups of one view, where they are decided, and the reasons it writes."""

from __future__ import annotations

from dataclasses import dataclass, field

DUP_REASON = "duplicate (review): another image of its group was kept"
LPIPS_STEP, HASH_STEP = "FilterSimilarAction", "HashDedupAction"
DEDUP_ACTIONS = (LPIPS_STEP, HASH_STEP)
FINAL = "final"
SCOPES = ("session", "step")
END_LABEL = "the end of the pipeline"
REVIEW_DROP = "the duplicate review"


def duplicate_reason(keeper_name: str) -> str:
    """The drop reason of a duplicate the review removed, naming the file kept."""
    return f"duplicate of {keeper_name} (kept by review)"


@dataclass
class DuplicateGroup:
    ids: list[str]  # best keeper first
    keeper: str  # the person's choice, else the first
    exact: bool  # all members have the same pixels
    kept: str | None = None  # the member the deciding step keeps (None: no member reaches it)
    why: str = ""  # why the keeper is the keeper

    @property
    def keeper_reaches(self) -> bool:
        return self.kept == self.keeper


@dataclass
class DuplicateView:
    """Groups at ``threshold`` by ``method`` over ``pool`` (the images compared, ``scope``), decided at step ``uid``
    (``"final"``: the end of the pipeline; ``step_label`` names it). ``reaching``: the pool's images that reach that
    step; ``standing``: where each pool image stands now; ``removed``: what applying the view drops there (id ->
    kept id); ``apart``: images set apart by hand. ``applied``: the dataset holds this view's choice."""

    uid: str
    method: str  # "lpips" or "phash"
    threshold: float
    scope: str = "session"
    hasher: str = "phash"
    step_label: str = END_LABEL
    groups: list[DuplicateGroup] = field(default_factory=list)
    exact_groups: list[DuplicateGroup] = field(default_factory=list)
    pool: list[str] = field(default_factory=list)
    reaching: list[str] = field(default_factory=list)
    standing: dict[str, str] = field(default_factory=dict)
    removed: dict[str, str] = field(default_factory=dict)
    apart: list[str] = field(default_factory=list)
    applied: bool = False
    note: str = ""

    @property
    def dropped_earlier(self) -> int:
        return len(self.pool) - len(self.reaching)

    def group_of(self, item_id: str) -> DuplicateGroup | None:
        return next((g for g in self.groups if item_id in g.ids), None)
