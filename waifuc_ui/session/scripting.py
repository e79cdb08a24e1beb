"""The session as a script: the recipe plus every decision made by hand, keyed so a script finds the same items.

``session_script(session)`` writes a script that, run on the session's inputs, gives the same files as the app's
export (``session.export.zip`` with the same layout, trigger word and kohya folder). Decisions are read from the
last run: a step's restores and review choice are keyed by the step's input items, hand drops by its output items,
tag edits and export names by the final items (keys: :mod:`waifuc_ui.action.reviewed`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..action.reviewed import stream_keys
from ..pipeline.script import DatasetChoices, StepChoices, recipe_to_script
from .parts import SessionParts
from .runner import StepResult, StepStatus

#: Actions whose items may leave in another order than they came (the app shows them in input order).
_REORDERING = frozenset({"CCIPAction"})
DEFAULT_SOURCE = "LocalDatasetSource('input')"
DEFAULT_ARCHIVE = "dataset.zip"


def _keys(session: SessionParts, ids: Sequence[str], metas: Mapping[str, dict[str, Any]]) -> dict[str, str]:
    store = session.store
    pairs = []
    for i in ids:
        meta = metas.get(i)
        if meta is None:
            meta = store.get(i).meta
        pairs.append((meta.get("filename"), store.get(i).content_hash))
    return dict(zip(ids, stream_keys(pairs)))


def _output_order(session: SessionParts, sr: StepResult) -> list[str]:
    """The step's outputs before hand drops, in the runner's order (grouped by input, in input order)."""
    position = {i: n for n, i in enumerate(sr.input_ids)}
    kept = {i: n for n, i in enumerate(sr.output_ids)}

    def place(i: str) -> tuple:
        where = position.get(i)
        if where is None:
            parent = session.store.get(i).parent_id
            where = len(position) if parent is None else position.get(parent, len(position))
        rank = kept.get(i, len(kept) + sr.forced_drop.index(i) if i in sr.forced_drop else len(kept))
        return where, rank

    return sorted(list(sr.output_ids) + [i for i in sr.forced_drop if i not in kept], key=place)


def _step_choices(session: SessionParts, sr: StepResult, before: Mapping[str, dict[str, Any]],
                  extra_drop: Sequence[str]) -> StepChoices:
    keep_ids, drop_ids, selection = session.pipeline.decisions.for_step(sr.uid)
    choices = StepChoices(wrap=sr.action in _REORDERING)
    in_keys = _keys(session, sr.input_ids, before) if (keep_ids or selection is not None) else {}
    if selection is not None:
        passing = [in_keys[i] for i in sr.input_ids if selection.passes(i) or i in keep_ids]
        failing = [in_keys[i] for i in sr.input_ids if not (selection.passes(i) or i in keep_ids)]
        choices.reason = selection.reason
        review = getattr(session.catalog.get(sr.action), "review", None)
        # duplicates: the ones removed (new images would pass); characters: the ones chosen (new ones would not)
        if review == "duplicates" or (review != "ccip" and len(failing) < len(passing)):
            choices.reject = failing
            choices.note = f"{sr.label}: the review's choice (these leave, the others pass)"
        else:
            choices.select = passing
            choices.note = f"{sr.label}: the review's choice (exactly these pass)"
    else:
        choices.keep = [in_keys[i] for i in sr.input_ids if i in keep_ids]
    dropped = [i for i in sr.forced_drop if i in drop_ids] + list(extra_drop)
    if dropped:
        order = _output_order(session, sr)
        out_keys = _keys(session, order, {**before, **sr.metas})
        choices.drop = [out_keys[i] for i in dropped if i in out_keys]
    if not choices.note and (choices.keep or choices.drop):
        parts = (["restored"] if choices.keep else []) + (["dropped by hand"] if choices.drop else [])
        choices.note = f"{sr.label}: {' and '.join(parts)}"
    if not choices.note and choices.wrap:
        choices.note = f"{sr.label}: its images leave in the order they came, as the app shows them"
    return choices


def dataset_choices(session: SessionParts, layout: str = "textual_inversion") -> DatasetChoices:
    """Everything decided by hand in ``session``, as keys for a script."""
    choices = DatasetChoices()
    run = session.runs.last
    excluded = list(session.duplicates.final_exclusions()) if run is not None else []
    if run is not None:
        if session.runs.is_stale:
            choices.notes.append("The app's last run does not show the latest changes to the recipe or the "
                                 "decisions: run the pipeline again in the app, then copy this script again.")
        if run.status != StepStatus.DONE:
            choices.notes.append(f"The app's last run ended early ({run.status}: {run.message}); this script runs "
                                 "every step.")
        labels = {sr.uid: sr.label for sr in run.steps}
        for uid, status in run.unavailable.items():
            choices.notes.append(f"Step {labels.get(uid, uid)} was skipped in the app (its models are missing; "
                                 f"items passed through it): {status.fix}")
        before: dict[str, dict[str, Any]] = dict(run.input_metas)
        for n, sr in enumerate(run.steps):
            last = n == len(run.steps) - 1
            choices.steps[sr.uid] = _step_choices(session, sr, before, excluded if last else ())
            before = dict(sr.metas)
        if excluded and not run.steps:
            keys = _keys(session, run.output_ids(), run.input_metas)
            choices.final_drop = [keys[i] for i in excluded if i in keys]
    _final_edits(session, choices, layout)
    return choices


def _final_edits(session: SessionParts, choices: DatasetChoices, layout: str) -> None:
    """Tags of the export that differ from what the pipeline gives (names and the kohya folder are the
    exporter's: see :func:`export_expression`)."""
    ids = session.dataset.ids()
    metas = session.dataset.metas()
    items = session.export.items()  # tags without the trigger word: the exporter (or SetTagsAction) adds it
    keys = _keys(session, ids, metas)
    for i, item in zip(ids, items):
        run_tags = metas[i].get("tags") or {}
        tags = dict(item.meta.get("tags") or {})
        if not isinstance(run_tags, Mapping) or list(tags.items()) != list(run_tags.items()):
            choices.tags[keys[i]] = tags
    trigger = session.tags.trigger_word
    if trigger and layout != "textual_inversion":
        choices.trigger_word = trigger


def export_expression(session: SessionParts, archive: str = DEFAULT_ARCHIVE, layout: str = "textual_inversion",
                      kohya_folder: str = "", **options: Any) -> str:
    """The exporter call the app's export makes (:meth:`Export.options`), as an expression."""
    kwargs = session.export.options(layout, kohya_folder, **options)
    if not kwargs.get("folder"):
        kwargs.pop("folder", None)
    args = [repr(archive)] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"ZipExporter({', '.join(args)})"


def session_script(session: SessionParts, source_desc: str | None = None, exporter: str | None = None, *,
                   layout: str = "textual_inversion", kohya_folder: str = "", archive: str = DEFAULT_ARCHIVE,
                   **options: Any) -> str:
    """The script of ``session``: its recipe, its decisions and, unless ``exporter`` is given, the app's export
    (a zip at ``archive``, with ``layout``, the trigger word, ``kohya_folder`` and the exporter ``options``)."""
    choices = dataset_choices(session, layout)
    if source_desc is None and exporter is None:
        choices.notes.insert(0, f"Run it next to a folder 'input' holding the images loaded into the app: it writes "
                                f"{archive}, the app's export.")
    if exporter is None:
        exporter = export_expression(session, archive, layout, kohya_folder, **options)
    return recipe_to_script(session.pipeline.recipe, source_desc or DEFAULT_SOURCE, exporter, session.catalog, choices)
