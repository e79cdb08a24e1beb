"""What the Characters tab shows, as text and gallery entries (no components): cluster names, the summary, one
page of a cluster's images, the picked images, why the review is not available, and the help texts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..core.errors import InvalidOptionError, ModelUnavailableError, WaifucUIError
from ..pipeline.catalog import model_status
from ..pipeline.recipe import build_action
from ..session.characters import ClusterView
from .pipeline_model_notes import missing_files_text
from .selection import pick_caption
from .state import UISession
from .views import gallery_page, item_caption, model_fix_help, not_available_text

OVERVIEW, MEMBERS = "ccip-overview", "ccip-members"
NOISE = -1

#: The one-line help under the member gallery (the keys act when no text field has the focus).
KEYS_HELP = ("**Keys:** click picks · shift-click picks the range from the last click (across pages) · **a** the "
             "page · **i** move into the target · **o** out · **Esc** unpick all · **←** **→** pages")

PARAMS_HELP = """**What CCIPAction's parameters do** (waifuc decides by itself when you make no choice here):

* **ratio_threshold** (default 0.6): the share of the first images a cluster must hold to become *the* character.
  Lower it when your character is under 60 % of the images (many other characters, or one large group of another
  character) and waifuc keeps nothing or the wrong one; raise it to refuse a weak majority.
* **min_clu_dump_ratio** (default 0.3): how tight that cluster must be: the share of its images that must look
  like the rest of it. Lower it for a character drawn in many styles or outfits; raise it to refuse a mixed cluster.
* **cmp_threshold** (default 0.5): after the character is found, a new image is kept when it looks like at least
  this share of the images already kept. Lower it to keep more varied images (more false ones too); raise it to be
  stricter.
* **min_val_count** / **step**: how many images waifuc waits for before the first clustering, and how often it
  tries again.
* **threshold** (the model's, about 0.18): the CCIP difference under which two images count as the same character
  in those comparisons; higher is more lenient. **eps** / **min_samples**: how waifuc's clustering forms clusters
  (empty: the model's defaults). **model**: which CCIP model compares the images.

Here you can skip all that: tick the clusters of your character and move single images in or out. The
**same-character threshold** only changes how the images are grouped for you (0 = waifuc's own grouping,
OPTICS): raising it merges clusters (more images per cluster, other characters may join), lowering it splits them.
Your choice is kept per image, so changing the grouping never changes the target."""


def cluster_name(label: int, size: int, in_target: int = 0) -> str:
    """E.g. ``"Cluster 0 · 32 images · ✓ target"`` (all in), ``"… · ✓ target (31 of 32)"`` (most in, ticked),
    ``"… · 3 of 32 in target"`` (some in) or no mark (none in)."""
    text = ("Noise · " if label == NOISE else f"Cluster {label} · ") + f"{size} image{'s' if size != 1 else ''}"
    if in_target and in_target == size:
        return text + " · ✓ target"
    if in_target * 2 > size and label != NOISE:
        return text + f" · ✓ target ({in_target} of {size})"
    if in_target:
        return text + f" · {in_target} of {size} in target"
    return text


def clusters(ui: UISession, threshold: float | None = None, min_samples: int | None = None, *,
             keep_params: bool = False) -> ClusterView:
    """Cluster the CCIP step's inputs (cached features only); ``keep_params``: the clustering last used."""
    if ui.session.runs.last is None:
        raise InvalidOptionError("character review", "no run yet", fix="run a pipeline with a CCIPAction step first")
    return ui.session.characters.clusters(threshold=threshold or None,
                                          min_samples=int(min_samples) if min_samples else None,
                                          keep_params=keep_params)


def summary_text(view: ClusterView) -> str:
    """How many clusters, the target (whose choice it is, whether the dataset holds it yet) and warnings."""
    total = sum(c.size for c in view.clusters) + len(view.noise)
    n = len(view.target)
    text = (f"**{len(view.clusters)} cluster(s)** and {len(view.noise)} noise image(s) among {total} images; "
            f"target: {n} image(s)")
    if view.pending:
        text += f" after *Apply* (the dataset holds the last run's {len(view.kept_by_last_run)} now)"
    text += "."
    if view.by_person:
        text += " The target is **your choice**"
        text += (f"; {len(view.suggested)} image(s) you did not decide about follow their cluster." if view.suggested
                 else ".")
    else:
        text += " The target is **waifuc's choice** (what CCIPAction kept)."
    grouping = ("waifuc's own (OPTICS)" if view.threshold is None
                else f"images linked at CCIP difference ≤ {view.threshold:g}")
    text += f" Grouping: {grouping}."
    if not view.target and (view.clusters or view.noise):
        if view.by_person:
            text += ("\n\n⚠ **Your choice has no image**: applying it drops every image at the CCIP step. Tick "
                     "the cluster(s) of your character, or tick *Yes, drop every image* to apply it anyway.")
        else:
            text += ("\n\n⚠ **No target character**: the CCIP step keeps no image (waifuc found no cluster big "
                     "enough). Tick the cluster(s) of your character below and press *Apply choice and re-run*.")
    return text


def overview(ui: UISession, view: ClusterView) -> tuple[list[Any], list[tuple[str, int]], list[int], str]:
    """Cover thumbnails (one per cluster, noise last), checkbox choices, ticked labels (clusters mostly in the
    target) and the summary."""
    covers, ids, choices = [], [], []
    for c in view.clusters:
        name = cluster_name(c.label, c.size, c.in_target)
        covers.append((ui.session.thumb(c.ids[0]), name))
        ids.append(f"cluster:{c.label}")
        choices.append((name, c.label))
    if view.noise:
        target = set(view.target)
        covers.append((ui.session.thumb(view.noise[0]),
                       cluster_name(NOISE, len(view.noise), sum(i in target for i in view.noise))))
        ids.append(f"cluster:{NOISE}")
    ui.page_ids[OVERVIEW] = ids
    return covers, choices, list(view.chosen), summary_text(view)


def cluster_ids(view: ClusterView, label: int | None) -> list[str]:
    """The images of cluster ``label`` in gallery order ([] for an unknown label)."""
    return list(view.noise if label == NOISE else next((c.ids for c in view.clusters if c.label == label), []))


def members(ui: UISession, view: ClusterView, label: int, page: Any = 1, picked: Sequence[str] = ()
            ) -> tuple[list[Any], str, int]:
    """One page of a cluster's images, captioned in (✓) or out (✗) of the target, ● when picked."""
    ids = cluster_ids(view, label)
    target = set(view.target)
    captions = {i: pick_caption(("✓ " if i in target else "✗ ") + item_caption(ui.session, i), i in picked)
                for i in ids}
    entries, ui.page_ids[MEMBERS], number, text = gallery_page(ui.session, ids, page, captions=captions)
    return entries, f"{cluster_name(label, len(ids), sum(i in target for i in ids))} · {text}", number


def review_unavailable(ui: UISession | None) -> str | None:
    """Why the character review cannot be shown (no run, or no enabled CCIPAction step), else None."""
    if ui is None or ui.session.runs.last is None or not any(
            s.action == "CCIPAction" for s in ui.session.pipeline.recipe.enabled_steps()):
        return ("Run a pipeline with a CCIPAction step to review characters (the *character LoRA* preset "
                "has one).")
    return None


def unavailable_text(ui: UISession, err: Exception) -> str:
    """Why the clusters cannot be shown, in one line with the fix once: for missing CCIP model files, every file
    the step lacks (not just the first) and the commands that fetch them, folded."""
    if not isinstance(err, ModelUnavailableError):
        return not_available_text(err)
    step = ui.session.pipeline.first_step(["CCIPAction"])
    try:
        status = model_status(build_action(step, ui.session.catalog)) if step is not None else None
    except WaifucUIError:
        status = None
    if status is None or status.available:
        return not_available_text(err)
    return ("**Not available:** the CCIP step was skipped (it kept every image): its model files are not on this "
            f"machine, {missing_files_text(status)}.\n\n"
            f"<details><summary>How to get the models</summary>\n\n{model_fix_help([status])}\n</details>")


def label_at(ui: UISession, index: int | None) -> int | None:
    key = ui.id_at(OVERVIEW, index)
    return int(key.split(":", 1)[1]) if key else None


def picked_text(ui: UISession, picked: Sequence[str]) -> str:
    if not picked:
        return "Click images to pick them (click again to unpick); the buttons move every picked image at once."
    names = ", ".join(item_caption(ui.session, i).split(" · ")[0] for i in picked[:6])
    return f"**{len(picked)} image(s) picked**: {names}{' …' if len(picked) > 6 else ''}"
