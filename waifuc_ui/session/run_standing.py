"""Where images stand in a run: which images a review at a step compares, and whether each image is in the dataset
or which step dropped it (following the converted copies a step made of it)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .runner import RunResult
from .store import ItemStore


def compared_images(run: RunResult, uid: str | None, every: bool) -> tuple[list[str], list[str]]:
    """(pool, reaching): the images reaching step ``uid`` (None: the end of the pipeline) and, with ``every``,
    before them every image a step before it dropped (each once). Without ``every`` the pool is ``reaching``."""
    if uid is None:
        reaching, earlier = run.output_ids(), run.steps
    else:
        at = next(n for n, sr in enumerate(run.steps) if sr.uid == uid)
        reaching, earlier = list(run.steps[at].input_ids), run.steps[:at]
    if not every:
        return reaching, reaching
    seen = set(reaching)
    dropped = []
    for sr in earlier:
        for i in sr.dropped:
            if i not in seen:
                seen.add(i)
                dropped.append(i)
    return dropped + reaching, reaching


def where_images_stand(run: RunResult, ids: Iterable[str], store: ItemStore, excluded: Mapping[str, str],
                       excluded_by: str) -> dict[str, str]:
    """Id -> "in the dataset" or "dropped by <step label>"; ``excluded`` images left out at the end are "dropped by
    ``excluded_by``". An image a step replaced (converted, cropped) stands where its copies stand."""
    final = set(run.output_ids()) - set(excluded)
    dropped_at: dict[str, str] = {}
    children: dict[str, list[str]] = {}
    for sr in run.steps:
        for i in sr.dropped:
            dropped_at.setdefault(i, sr.label)
        inputs = set(sr.input_ids)
        for o in sr.output_ids:
            if o not in inputs:
                parent = store.get(o).parent_id
                if parent is not None:
                    children.setdefault(parent, []).append(o)
    for i in excluded:
        dropped_at.setdefault(i, excluded_by)

    def where(i: str, depth: int = 0) -> str:
        if i in final:
            return "in the dataset"
        if i in dropped_at:
            return f"dropped by {dropped_at[i]}"
        found = [where(c, depth + 1) for c in children.get(i, ())] if depth < 20 else []
        return next((w for w in found if w == "in the dataset"), found[0] if found else "not in the dataset")

    return {i: where(i) for i in ids}
