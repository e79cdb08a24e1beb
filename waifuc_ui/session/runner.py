"""Running a recipe over a session's items, step by step, memoised, with decisions applied.

For each enabled step the runner feeds the step's input items (lazy ImageItems with known pixel hashes) through a
fresh copy of the action (``iter_from``, so model-backed actions batch), attributes every output to its input by
``meta['item_id']``, gives derived items deterministic new ids (files + thumbnails), and collects the drop records.

Memoisation: a step whose action class declares ``per_item = True`` (filters, converters, splitters, taggers)
stores, per (step config, input id, input meta), the outputs and the drop; any other step (CCIP, dedup, first-n,
random names, numbering; a user's subclass that does not declare itself) stores per (step config, the whole input
list), so it always sees the same stream a script would. A re-run after a slider change therefore recomputes only
the changed step and the items whose inputs changed downstream; everything else is a dictionary lookup and no image
is decoded.

Bad items: a model-backed step (an :class:`~waifuc_ui.action.AnalyzedAction`) gets its items in one stream, so it
batches; its analysis engine already isolates an image the model refuses (and drops it with the reason), so an error
that still escapes is the step's own and fails the run. Any other per-item step handles items one by one anyway: the
runner gives each item its own stream, and an error becomes that item's drop. One place isolates bad items per
kind of step; nothing is retried.
"""

from __future__ import annotations

import copy
import hashlib
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ..action import AnalyzedAction
from ..action.base import is_per_item
from ..core.errors import ModelUnavailableError
from ..core.hashing import image_hash
from ..core.item import ImageItem
from ..core.report import DropRecord, collect_report
from ..pipeline.catalog import ActionSpec, ModelStatus, get_action_spec, model_status
from ..pipeline.recipe import PipelineRecipe, PipelineStep, build_action
from .decisions import Decisions
from .store import ItemStore, meta_key

Meta = dict[str, Any]


class StepStatus(StrEnum):
    """How a step (or a whole run: DONE, CANCELLED, FAILED) ended. String-valued: equal to, and saved as, its
    value (``"unavailable"``: its models are missing, it passed its items through unchanged)."""

    DONE = "done"
    UNAVAILABLE = "unavailable"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class RunProgress:
    """Reported to the progress callback: step ``step_index`` (0-based among enabled steps) of ``step_count``,
    ``done`` of ``total`` input items handled in this step."""

    step_index: int
    step_count: int
    step_name: str
    done: int
    total: int


@dataclass
class StepResult:
    """What one step did. ``status``: DONE, UNAVAILABLE (models missing: the step passed items through),
    FAILED (``message`` says why; the run stopped) or CANCELLED. ``dropped`` maps input id -> DropRecord;
    ``metas`` maps output id -> the item's meta after the step. ``computed`` counts inputs not found in the memo."""

    uid: str
    action: str
    label: str
    status: StepStatus = StepStatus.DONE
    message: str = ""
    input_ids: list[str] = field(default_factory=list)
    output_ids: list[str] = field(default_factory=list)
    dropped: dict[str, DropRecord] = field(default_factory=dict)
    metas: dict[str, Meta] = field(default_factory=dict)
    forced_keep: list[str] = field(default_factory=list)
    forced_drop: list[str] = field(default_factory=list)
    computed: int = 0

    @property
    def kept_count(self) -> int:
        return len(self.output_ids)

    @property
    def dropped_count(self) -> int:
        return len(self.dropped)


@dataclass
class RunResult:
    """``status``: DONE, CANCELLED or FAILED. ``steps`` holds the steps that ran (complete ones only when
    cancelled). ``unavailable``: uid -> ModelStatus of the steps skipped for missing models."""

    input_ids: list[str]
    input_metas: dict[str, Meta]
    steps: list[StepResult] = field(default_factory=list)
    status: StepStatus = StepStatus.DONE
    message: str = ""
    unavailable: dict[str, ModelStatus] = field(default_factory=dict)
    passes: int = 1  # runs the session made so that its reviews settle (see runs.MAX_SETTLE_RUNS)

    def output_ids(self) -> list[str]:
        """The ids after the last step that ran (the inputs when no step ran)."""
        return list(self.steps[-1].output_ids) if self.steps else list(self.input_ids)

    def output_metas(self) -> dict[str, Meta]:
        metas = dict(self.input_metas)
        for s in self.steps:
            metas.update(s.metas)
        return metas

    def step(self, uid: str) -> StepResult:
        for s in self.steps:
            if s.uid == uid:
                return s
        raise KeyError(f"step {uid!r} did not run in this run; steps that ran: {[s.uid for s in self.steps]}")

    def counts(self) -> list[dict[str, Any]]:
        """Rows for the per-step plot: step label, input, kept and dropped counts, status."""
        return [{"step": s.label, "uid": s.uid, "input": len(s.input_ids), "kept": s.kept_count,
                 "dropped": s.dropped_count, "status": s.status} for s in self.steps]


class RunCancelled(Exception):
    """Raised inside a step when the cancel flag is set."""


@dataclass
class _Outcome:
    outputs: list[tuple[str, Meta]]
    drop: DropRecord | None


class StepMemo:
    """The memo of a session: per-item and per-whole-input outcomes, oldest entries evicted beyond the bounds.
    Safe to clear at any time (the next run recomputes, with model outputs still in the analysis cache)."""

    def __init__(self, max_items: int = 200_000, max_streams: int = 64):
        self.max_items, self.max_streams = max_items, max_streams
        self.per_item: dict[tuple[str, str, str], _Outcome] = {}
        self.stream: dict[tuple[str, tuple[tuple[str, str], ...]], dict[str, _Outcome]] = {}

    def trim(self) -> None:
        _trim(self.per_item, self.max_items)
        _trim(self.stream, self.max_streams)

    def clear(self) -> None:
        self.per_item.clear()
        self.stream.clear()


def _trim(table: dict[Any, Any], bound: int) -> None:
    excess = len(table) - bound
    if excess > 0:
        for key in list(table)[:excess]:  # dicts keep insertion order: oldest first
            del table[key]


def step_label(index: int, step: PipelineStep) -> str:
    return f"{index + 1}. {step.action}"


def derived_id(parent: str | None, index: int, content_hash: str, filename: str | None) -> str:
    """The id of the ``index``-th output of ``parent`` with these pixels and name. It does not depend on the step's
    parameters, so a slider change that gives the same crops keeps their ids (and files, and decisions)."""
    text = f"{parent}|{index}|{content_hash}|{filename}"
    return "d" + hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


class Runner:
    """Runs recipes over a store; one per session (holds the memo). Not re-entrant: the session serialises runs."""

    def __init__(self, store: ItemStore, catalog: Mapping[str, ActionSpec], memo: StepMemo | None = None):
        self.store = store
        self.catalog = catalog
        self.memo = memo or StepMemo()

    def check_models(self, recipe: PipelineRecipe, actions: Mapping[str, Any] | None = None
                     ) -> dict[str, ModelStatus]:
        """uid -> ModelStatus of every enabled step that needs models (available or not); ``actions``: the steps'
        actions by uid when already built."""
        out: dict[str, ModelStatus] = {}
        for step in recipe.enabled_steps():
            status = model_status(actions[step.uid] if actions else build_action(step, self.catalog))
            if status.needs_models:
                out[step.uid] = status
        return out

    def run(self, recipe: PipelineRecipe, input_ids: list[str], input_metas: dict[str, Meta],
            decisions: Decisions | None = None, progress: Callable[[RunProgress], None] | None = None,
            cancel: threading.Event | None = None, actions: Mapping[str, Any] | None = None) -> RunResult:
        """``actions``: the steps' actions by uid when the caller built them already (each is built once a run)."""
        decisions = decisions or Decisions()
        steps = recipe.enabled_steps()
        result = RunResult(list(input_ids), {i: input_metas[i] for i in input_ids})
        actions = {step.uid: actions[step.uid] if actions and step.uid in actions else build_action(step, self.catalog)
                   for step in steps}
        statuses = self.check_models(recipe, actions)
        result.unavailable = {u: s for u, s in statuses.items() if not s.available}
        current: list[tuple[str, Meta]] = [(i, input_metas[i]) for i in input_ids]
        for index, step in enumerate(steps):
            get_action_spec(step.action, self.catalog)  # an unknown action fails here, naming the choices
            label = step_label(index, step)
            if cancel is not None and cancel.is_set():
                result.status, result.message = StepStatus.CANCELLED, f"stopped before {label}"
                break
            sr = StepResult(step.uid, step.action, label, input_ids=[i for i, _ in current])
            unavailable = result.unavailable.get(step.uid)
            try:
                if unavailable is not None:
                    outcomes = {i: _Outcome([(i, m)], None) for i, m in current}
                    sr.status, sr.message = StepStatus.UNAVAILABLE, unavailable.fix
                else:
                    outcomes = self._compute(step, actions[step.uid], label, current, sr, index, len(steps),
                                             progress, cancel)
            except RunCancelled:
                result.status, result.message = StepStatus.CANCELLED, f"stopped during {label}"
                break
            except ModelUnavailableError as err:
                outcomes = {i: _Outcome([(i, m)], None) for i, m in current}
                sr.status, sr.message = StepStatus.UNAVAILABLE, str(err)
                result.unavailable[step.uid] = ModelStatus(True, False, str(err), commands=err.commands)
            except Exception as err:  # a broken stream-dependent step: stop, keep what ran
                sr.status, sr.message = StepStatus.FAILED, f"{label} failed: {type(err).__name__}: {err}"
                result.steps.append(sr)
                result.status, result.message = StepStatus.FAILED, sr.message
                break
            current = self._assemble(sr, current, outcomes, decisions, label)
            result.steps.append(sr)
        self.memo.trim()
        return result

    # -- one step -------------------------------------------------------------------------------------------------
    def _compute(self, step: PipelineStep, template: Any, label: str, current: list[tuple[str, Meta]],
                 sr: StepResult, index: int, count: int, progress, cancel) -> dict[str, _Outcome]:
        config = step.config_key
        template.step_name = label

        def report(done: int) -> None:
            if progress is not None:
                progress(RunProgress(index, count, label, done, len(current)))

        if not is_per_item(template):
            key = (config, tuple((i, meta_key(m)) for i, m in current))
            if key not in self.memo.stream:
                sr.computed = len(current)
                self.memo.stream[key] = self._stream(template, step.uid, current, 0, report, cancel)
            report(len(current))
            return self.memo.stream[key]
        keys = {i: (config, i, meta_key(m)) for i, m in current}
        misses = [(i, m) for i, m in current if keys[i] not in self.memo.per_item]
        sr.computed = len(misses)
        hits = len(current) - len(misses)
        if misses:
            report(hits)
            if isinstance(template, AnalyzedAction):  # batches; its engine drops the images the model refuses
                fresh = self._stream(template, step.uid, misses, hits, report, cancel)
            else:  # item by item anyway: each in its own stream, so an error is that item's drop
                fresh = {}
                for n, pair in enumerate(misses):
                    fresh.update(self._isolated(template, step, label, pair, hits + n, report, cancel))
            for i, outcome in fresh.items():
                self.memo.per_item[keys[i]] = outcome
        report(len(current))
        return {i: self.memo.per_item[keys[i]] for i, _ in current}

    def _isolated(self, template: Any, step: PipelineStep, label: str, pair: tuple[str, Meta], done0: int,
                  report: Callable[[int], None], cancel) -> dict[str, _Outcome]:
        """One item through its own stream; an error (a bug, an unreadable image) drops the item with the error."""
        try:
            return self._stream(template, step.uid, [pair], done0, report, cancel)
        except (RunCancelled, ModelUnavailableError):
            raise
        except Exception as err:
            return {pair[0]: _Outcome([], DropRecord(label, pair[1].get("filename"),
                                                     f"error in {step.action}: {type(err).__name__}: {err}",
                                                     item_id=pair[0]))}

    def _stream(self, template: Any, uid: str, pairs: list[tuple[str, Meta]], done0: int,
                report: Callable[[int], None], cancel) -> dict[str, _Outcome]:
        """Run a fresh copy of the action over ``pairs``; outcome per input id."""
        action = copy.deepcopy(template)
        action.reset()
        by_id = dict(pairs)
        outcomes: dict[str, _Outcome] = {i: _Outcome([], None) for i, _ in pairs}
        counters: dict[str, int] = {}
        state: dict[str, Any] = {"last": None, "done": done0}

        def feed() -> Iterator[ImageItem]:
            for i, m in pairs:
                if cancel is not None and cancel.is_set():
                    raise RunCancelled()
                state["last"] = i
                yield self.store.item(i, m)
                state["done"] += 1
                report(state["done"])

        with collect_report() as rep:
            for out in action.iter_from(feed()):
                parent = out.meta.get("item_id")
                if parent not in by_id:
                    parent = state["last"]
                oid, meta = self._register(out, parent, by_id.get(parent), uid, counters)
                outcomes[parent].outputs.append((oid, meta))
        for rec in rep.dropped:
            if rec.item_id in outcomes:
                outcomes[rec.item_id].drop = rec
        for i, oc in outcomes.items():
            if not oc.outputs and oc.drop is None:
                oc.drop = DropRecord(template.name, by_id[i].get("filename"), f"no output from {template.name}",
                                     item_id=i)
        return outcomes

    def _register(self, out: ImageItem, parent: str | None, parent_meta: Meta | None, uid: str,
                  counters: dict[str, int]) -> tuple[str, Meta]:
        """The id of an output item: the parent's when pixels and file name are unchanged, else a derived id
        (deterministic, stored with file and thumbnail once)."""
        meta = {k: v for k, v in out.meta.items() if k != "item_id"}
        parent_rec = self.store.get(parent) if parent is not None and parent in self.store else None
        h = out.content_hash
        if h is None:
            h = image_hash(out.image)
        same_pixels = parent_rec is not None and h == parent_rec.content_hash
        if same_pixels and parent_meta is not None and meta.get("filename") == parent_meta.get("filename"):
            return parent, meta  # type: ignore[return-value]
        n = counters.get(str(parent), 0)
        counters[str(parent)] = n + 1
        filename = meta.get("filename")
        oid = derived_id(parent, n, h, None if filename is None else str(filename))
        if oid not in self.store:
            self.store.add_derived(oid, None if same_pixels else out.image, meta, parent, uid, h,
                                   share_file_of=parent if same_pixels else None)
        return oid, meta

    # -- decisions ------------------------------------------------------------------------------------------------
    def _assemble(self, sr: StepResult, current: list[tuple[str, Meta]], outcomes: dict[str, _Outcome],
                  decisions: Decisions, label: str) -> list[tuple[str, Meta]]:
        keep, drop, selection = decisions.for_step(sr.uid)
        out: list[tuple[str, Meta]] = []
        for i, m in current:
            oc = outcomes[i]
            if selection is not None:
                if selection.passes(i) or i in keep:
                    out.append((i, m))
                else:
                    sr.dropped[i] = DropRecord(label, m.get("filename"), selection.reason_for(i), item_id=i,
                                               duplicate_of=selection.duplicate_of.get(i))
                continue
            if oc.drop is not None and not oc.outputs:
                if i in keep:
                    sr.forced_keep.append(i)
                    out.append((i, m))
                else:
                    sr.dropped[i] = oc.drop
                continue
            out.extend(oc.outputs)
        final: list[tuple[str, Meta]] = []
        for i, m in out:
            if i in drop:
                sr.forced_drop.append(i)
                sr.dropped[i] = DropRecord(label, m.get("filename"), "dropped by hand", item_id=i)
            else:
                final.append((i, m))
        sr.output_ids = [i for i, _ in final]
        sr.metas = {i: m for i, m in final}
        return final
