"""CCIPAction: keep the main character of a stream, with waifuc's state machine.

States (waifuc/action/ccip.py; shared/reference/waifuc-semantics.md §2):
INIT stores items and yields nothing until ``min_val_count``, then clusters (OPTICS on the CCIP
difference matrix); APPROACH keeps storing and re-clusters every ``step`` items; a cluster
holding >= ``ratio_threshold`` of the clustered points whose members match each other
(>= ``min_clu_dump_ratio`` of them match >= ``cmp_threshold`` of the cluster) wins, everything
else is discarded, and matching cluster members are released; INFER yields a new item when
it matches >= ``cmp_threshold`` of all accepted features (which then grow), and re-checks
unreleased members every ``step`` acceptances; INIT_WITH_SOURCE yields the anchors of
``init_source`` first and goes to INFER.

Features are cached analyses (batched per window); the differences of a window with every
stored feature come from one metric-model call (see :mod:`waifuc_ui.analysis.pairwise`).
Items still held when the stream ends are recorded as dropped, with the reason.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterator, Sequence
from enum import IntEnum
from typing import Any

import numpy as np

from .. import inference as models
from ..analysis.ccip_features import ccip_feature_files, ccip_feature_key, ccip_features
from ..analysis.pairwise import DifferenceFn, DifferenceTable
from ..core.errors import InternalError
from ..core.item import ImageItem
from ..inference.clustering import cluster_differences
from ..inference.specs import CCIP
from .analyzed import AnalysisFailed, AnalyzedAction

DEFAULT_CCIP_MODEL = CCIP.default_model
__all__ = ["CCIPAction", "CCIPStatus", "DEFAULT_CCIP_MODEL", "ccip_feature_files", "ccip_feature_key", "ccip_features"]


class CCIPStatus(IntEnum):
    INIT = 0x1
    INIT_WITH_SOURCE = 0x2
    APPROACH = 0x3
    INFER = 0x4


class _RunCCIP:
    """Mutable per-run state."""

    def __init__(self, table: DifferenceTable, status: CCIPStatus):
        self.table = table
        self.status = status
        self.held: list[tuple[ImageItem, int]] = []  # waifuc's self.items
        self.released: list[bool] = []
        self.pending: deque[int] = deque()  # ids of the window's analysed items, in decision order
        self.anchors: list[ImageItem] = []
        self.anchors_loaded = False
        self.next_id = 0


class CCIPAction(AnalyzedAction):
    """waifuc's CCIPAction (same parameters and defaults).

    ``differences`` (attribute, default None = the model's metric) may be set to a function
    mapping a list of features to their difference matrix, e.g. to test the state machine.
    """

    per_item = False  # clusters the stream and compares each item with those kept before

    _run_attrs = ("_run", "_ccip")

    def __init__(self, init_source=None, *, min_val_count: int = 15, step: int = 5,
                 ratio_threshold: float = 0.6, min_clu_dump_ratio: float = 0.3, cmp_threshold: float = 0.5,
                 eps: float | None = None, min_samples: int | None = None,
                 model: str = DEFAULT_CCIP_MODEL, threshold: float | None = None):
        self.init_source = init_source
        self.min_val_count, self.step = min_val_count, step
        self.ratio_threshold, self.min_clu_dump_ratio = ratio_threshold, min_clu_dump_ratio
        self.cmp_threshold = cmp_threshold
        self.eps, self.min_samples = eps, min_samples
        self.model, self.threshold = model, threshold
        self.differences: DifferenceFn | None = None
        self._ccip: _RunCCIP | None = None

    def __repr__(self) -> str:
        return f"CCIPAction(min_val_count={self.min_val_count}, step={self.step}, model={self.model!r})"

    # -- analysis ----------------------------------------------------------------------------
    def required_files(self) -> list[Any]:
        files = list(models.required_files("ccip_batch_extract_features", model=self.model))
        if self.differences is None:
            files += models.required_files("ccip_batch_differences", model=self.model)
            files += models.required_files("ccip_default_threshold", model=self.model)
        unique = []
        for f in files:
            if f not in unique:
                unique.append(f)
        return unique

    def analysis_key(self) -> dict[str, Any]:
        return ccip_feature_key(self.model)

    def analyze(self, images) -> list[np.ndarray]:
        return ccip_features(images, self.model, self._batch_kwargs())

    def needs_analysis(self, item: ImageItem) -> bool:
        return "ccip_feature" not in item.meta

    def prepare(self) -> None:
        # waifuc: ``threshold or default``, ``eps or default`` (an explicit 0 means the default)
        self._threshold = self.threshold or models.ccip_default_threshold(self.model)
        if self.eps and self.min_samples:
            self._eps, self._min_samples = self.eps, self.min_samples
        else:
            default_eps, default_min = models.ccip_default_clustering_params(self.model, "optics")
            self._eps = self.eps or default_eps
            self._min_samples = self.min_samples or default_min
        fn = self.differences or (lambda feats: models.ccip_batch_differences(feats, model=self.model))
        status = CCIPStatus.INIT_WITH_SOURCE if self.init_source is not None else CCIPStatus.INIT
        self._ccip = _RunCCIP(DifferenceTable(fn), status)

    def reset(self) -> None:
        super().reset()
        self._ccip = None

    @property
    def _state(self) -> _RunCCIP:
        """The run's state; only valid between :meth:`prepare` and :meth:`reset`."""
        if self._ccip is None:
            raise InternalError("CCIPAction used before prepare(): run it through iter_from or iter")
        return self._ccip

    # -- windows -----------------------------------------------------------------------------
    def _feature(self, item: ImageItem, analysis: Any) -> np.ndarray:
        if analysis is None:
            return np.asarray(item.meta["ccip_feature"], dtype=np.float32)
        return analysis

    def _stage(self, items: Sequence[ImageItem], analyses: Sequence[Any]) -> list[int | None]:
        st = self._state
        ids: list[int | None] = []
        new = []
        for item, analysis in zip(items, analyses):
            if isinstance(analysis, AnalysisFailed):
                ids.append(None)
                continue
            ids.append(st.next_id)
            new.append((st.next_id, self._feature(item, analysis)))
            st.next_id += 1
        st.table.stage(new)
        return ids

    def begin_window(self, items: Sequence[ImageItem], analyses: Sequence[Any]) -> None:
        st = self._state
        if st.status == CCIPStatus.INIT_WITH_SOURCE and not st.anchors_loaded:
            anchors = list(self.init_source)
            anchor_analyses = self.analyses_for(anchors)
            for anchor, anchor_id in zip(anchors, self._stage(anchors, anchor_analyses)):
                if anchor_id is None:
                    self.drop(anchor, "anchor image could not be analysed")
                    continue
                st.table.store(anchor_id)
                st.anchors.append(anchor)
            st.anchors_loaded = True
        # failed analyses get no id: they are dropped without reaching decide()
        st.pending = deque(i for i in self._stage(items, analyses) if i is not None)

    def end_window(self) -> None:
        self._state.table.forget_unstored()

    # -- the state machine -------------------------------------------------------------------
    def _match(self, a: Hashable, base: Sequence[Hashable]) -> tuple[bool, float]:
        if not base:
            return False, float("nan")  # waifuc: the mean of no matches is nan, never >= cmp_threshold
        row = self._state.table.row(a, base)
        fraction = float((row <= self._threshold).astype(float).mean())
        return fraction >= self.cmp_threshold, fraction

    def _try_cluster(self) -> bool:
        st = self._state
        labels = cluster_differences(st.table.matrix(), "optics", self._eps, self._min_samples)
        counts: dict[int, int] = {}
        for label in labels:
            if label != -1:
                counts[label] = counts.get(label, 0) + 1
        total = sum(counts.values())
        chosen = next((label for label, c in counts.items() if c >= total * self.ratio_threshold), None)
        if chosen is None:
            return False
        members = [i for i, label in zip(st.table.ids, labels) if label == chosen]
        cohesion = np.array([self._match(m, members)[0] for m in members]).astype(float).mean()
        if cohesion < self.min_clu_dump_ratio:
            return False
        keep = set(members)
        for item, item_id in st.held:
            if item_id not in keep:
                self.drop(item, f"not in the main character's cluster ({len(members)} of {len(labels)} images)")
        st.held = [(item, i) for item, i in st.held if i in keep]
        st.released = [False] * len(st.held)
        st.table.restrict(members)
        return True

    def _dump_items(self) -> Iterator[ImageItem]:
        st = self._state
        for k, (item, item_id) in enumerate(st.held):
            if not st.released[k] and self._match(item_id, st.table.ids)[0]:
                st.released[k] = True
                yield item

    def _eval(self, item: ImageItem, item_id: int) -> Iterator[ImageItem]:
        st = self._state
        ok, fraction = self._match(item_id, st.table.ids)
        if not ok:
            self.drop(item, "a different character (matches too few accepted images)", score=fraction,
                      threshold=self.cmp_threshold)
            return
        st.table.store(item_id)
        yield item
        if (len(st.table.ids) - len(st.held)) % self.step == 0:
            yield from self._dump_items()

    def _hold(self, item: ImageItem, item_id: int) -> None:
        st = self._state
        st.held.append((item, item_id))
        st.table.store(item_id)

    def decide(self, item: ImageItem, analysis: Any) -> Iterator[ImageItem]:
        st = self._state
        item_id = st.pending.popleft()
        if st.status == CCIPStatus.INIT_WITH_SOURCE:
            yield from st.anchors
            st.status = CCIPStatus.INFER
            yield from self._eval(item, item_id)
        elif st.status == CCIPStatus.INIT:
            self._hold(item, item_id)
            if len(st.held) >= self.min_val_count:
                if self._try_cluster():
                    st.status = CCIPStatus.INFER
                    yield from self._dump_items()
                else:
                    st.status = CCIPStatus.APPROACH
        elif st.status == CCIPStatus.APPROACH:
            self._hold(item, item_id)
            if (len(st.held) - self.min_val_count) % self.step == 0 and self._try_cluster():
                st.status = CCIPStatus.INFER
                yield from self._dump_items()
        else:
            yield from self._eval(item, item_id)

    def finish(self) -> Iterator[ImageItem]:
        st = self._ccip
        if st is None:
            return
        if st.status in (CCIPStatus.INIT, CCIPStatus.APPROACH):
            for item, _ in st.held:
                self.drop(item, f"the stream ended before CCIP found a main character ({len(st.held)} images "
                                f"held; it needs >= {self.min_val_count} and one cluster with >= "
                                f"{self.ratio_threshold:.0%} of them)", score=float(len(st.held)),
                          threshold=float(self.min_val_count))
        else:
            for (item, _), released in zip(st.held, st.released):
                if not released:
                    self.drop(item, "in the main cluster but never matched enough accepted images",
                              threshold=self.cmp_threshold)
        return
        yield  # pragma: no cover (makes this a generator)
