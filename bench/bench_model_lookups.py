"""How often one demo run looks model files up and builds actions (counts, not time).

    /work/venv/bin/python bench/bench_model_lookups.py [--preset "character LoRA"] [--runs 1]

A session opens the demo dataset (assets/demo), loads the preset and runs it over tiny fake models in a temporary
Hugging Face cache (tests/fakehub.py, Hub offline). Printed, all counted in this run:

- model calls: ``InferenceSession.run`` calls (the floor: every lookup beyond one per model file is overhead);
- file lookups: ``resolve_file`` calls and Hugging Face cache look-ups (``try_to_load_from_cache``), in total and
  for the classifiers' files, with the ratio lookups / model calls;
- action builds: ``build_action`` calls per enabled step.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
TMP = tempfile.mkdtemp(prefix="bench_lookups_")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_CACHE"] = os.path.join(TMP, "hub")
os.environ.pop("WAIFUC_UI_MODEL_DIR", None)

CLASSIFIER_REPOS = ("deepghs/monochrome_detect", "deepghs/anime_classification", "deepghs/anime_rating")


class Counts:
    """Wraps the counted functions wherever a module holds them (``from x import f`` copies included)."""

    def __init__(self):
        self.resolves: Counter = Counter()
        self.cache_lookups: Counter = Counter()
        self.builds = 0
        self.model_calls = 0

    def install(self) -> None:
        import huggingface_hub
        import onnxruntime as ort

        from waifuc_ui.inference import resolve
        from waifuc_ui.pipeline import recipe

        real_resolve, real_lookup = resolve.resolve_file, huggingface_hub.try_to_load_from_cache
        real_build, real_run = recipe.build_action, ort.InferenceSession.run

        def resolve_file(hubfile, *args, **kwargs):
            self.resolves[hubfile.repo_id] += 1
            return real_resolve(hubfile, *args, **kwargs)

        def try_to_load_from_cache(repo_id, *args, **kwargs):
            self.cache_lookups[repo_id] += 1
            return real_lookup(repo_id, *args, **kwargs)

        def build_action(*args, **kwargs):
            self.builds += 1
            return real_build(*args, **kwargs)

        def run(session, *args, **kwargs):
            self.model_calls += 1
            return real_run(session, *args, **kwargs)

        huggingface_hub.try_to_load_from_cache = try_to_load_from_cache
        ort.InferenceSession.run = run
        for module in list(sys.modules.values()):
            if not getattr(module, "__name__", "").startswith("waifuc_ui"):
                continue
            for name, wrapper, real in (("resolve_file", resolve_file, real_resolve),
                                        ("build_action", build_action, real_build)):
                if getattr(module, name, None) is real:
                    setattr(module, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--preset", default="character LoRA")
    parser.add_argument("--runs", type=int, default=1, help="runs of the same session (the later ones use the memo)")
    args = parser.parse_args()

    from tests import fakehub
    from waifuc_ui.inference.hub import HUB_ACCESS
    from waifuc_ui.session import SessionRegistry

    HUB_ACCESS.probe = lambda: (False, "offline (bench)")
    fakehub.install_fake_hub(os.environ["HF_HUB_CACHE"])
    import waifuc_ui.action
    import waifuc_ui.session.runner  # noqa: F401

    counts = Counts()
    counts.install()
    registry = SessionRegistry(os.path.join(TMP, "ws"), cache_dir=os.path.join(TMP, "analysis"))
    session = registry.create()
    session.inputs.load_demo()
    session.pipeline.load_preset(args.preset)
    steps = len(session.pipeline.recipe.enabled_steps())
    for n in range(args.runs):
        result = session.runs.start()
        print(f"run {n + 1}: {result.status}; steps: " + ", ".join(f"{s.action}={s.status}" for s in result.steps))
    registry.close_all()

    classifier = sum(counts.resolves[r] for r in CLASSIFIER_REPOS)
    classifier_cache = sum(counts.cache_lookups[r] for r in CLASSIFIER_REPOS)
    resolves = sum(counts.resolves.values())
    lookups = sum(counts.cache_lookups.values())
    calls = max(counts.model_calls, 1)
    print(f"preset {args.preset!r}, {len(session.inputs.ids)} images, {steps} enabled steps, {args.runs} run(s)")
    print(f"model calls (InferenceSession.run)     {counts.model_calls}")
    print(f"resolve_file calls                     {resolves}  ({resolves / calls:.2f} per model call)")
    print(f"  of classifier files                  {classifier}")
    print(f"HF cache look-ups                      {lookups}  ({lookups / calls:.2f} per model call)")
    print(f"  of classifier files                  {classifier_cache}")
    print(f"build_action calls                     {counts.builds}  ({counts.builds / max(steps, 1):.2f} per step "
          "per run)" if args.runs == 1 else f"build_action calls                     {counts.builds}")


if __name__ == "__main__":
    main()
