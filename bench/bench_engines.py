"""The local engine vs. the Ray engine on the same recipe and inputs: images/s and the ratio (Ray's overhead).

    python bench/bench_engines.py                          # the demo dataset x 4, model-free clean-up, 2 CPUs
    python bench/bench_engines.py --copies 20 --cpus 2
    python bench/bench_engines.py --preset "character LoRA" --fake-models   # tiny test models (tests/fakehub.py)

The inputs are ``assets/demo`` copied ``--copies`` times into a temporary folder (each copy in its own sub-folder,
so names stay apart; the hash dedup step drops the copies after the first, as it would in a real crawl, and every
copy is still read, decoded and hashed). The floor is the local engine (one process, the generated script's
stream). Ray runs on a local cluster of ``--cpus`` CPUs started once (its start-up time is printed, not counted);
each engine runs ``--repeat`` times, best time kept. Both outputs are compared file by file (they must be equal).
Prints input images/s for each engine and ray/local (1.0 = no overhead; on 2 cores expect about 0.5-1: Ray's
scheduling, the records between stages, and the barrier and export running in the driver).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def make_inputs(folder: str, copies: int) -> None:
    demo = os.path.join(ROOT, "assets", "demo")
    for k in range(copies):
        shutil.copytree(demo, os.path.join(folder, f"copy{k:03d}"))


def zip_files(path: str) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--preset", default="model-free clean-up")
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--cpus", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--fake-models", action="store_true", help="install the tiny test models in a temporary "
                        "Hugging Face cache (needs the onnx package)")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench_engines_")
    os.environ["WAIFUC_UI_CACHE_DIR"] = os.path.join(tmp, "analysis")  # every run fills its own cache below
    if args.fake_models:
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["HF_HUB_CACHE"] = os.path.join(tmp, "hf")
        from tests.fakehub import install_fake_hub

        install_fake_hub(os.environ["HF_HUB_CACHE"])
    import ray

    from waifuc_ui.batch.inputs import resolve_inputs
    from waifuc_ui.batch.local import run_local
    from waifuc_ui.batch.plan import BatchPlan, ExportSpec, plan_steps
    from waifuc_ui.batch.ray_engine import RayOptions, run_ray
    from waifuc_ui.pipeline import action_catalog, preset_recipe

    try:
        src = os.path.join(tmp, "inputs")
        make_inputs(src, args.copies)
        inputs = resolve_inputs([src], os.path.join(tmp, "work"))
        plan = BatchPlan(plan_steps(preset_recipe(args.preset, action_catalog())), ExportSpec())
        n = len(inputs.files)
        best: dict[str, float] = {}
        outputs: dict[str, str] = {}
        started = time.perf_counter()
        ray.init(num_cpus=args.cpus, include_dashboard=False, log_to_driver=False)
        print(f"ray cluster start: {time.perf_counter() - started:.1f} s (not counted)")
        for r in range(args.repeat):
            for engine in ("local", "ray"):
                out = os.path.join(tmp, f"{engine}{r}.zip")
                cache = os.path.join(tmp, f"cache-{engine}{r}")  # a cold analysis cache each time
                t0 = time.perf_counter()
                if engine == "local":
                    run_local(plan, inputs, out, cache_dir=cache, progress=False)
                else:
                    run_ray(plan, inputs, out, work_dir=os.path.join(tmp, f"ray{r}"), cache_dir=cache,
                            options=RayOptions(batch_size=args.batch_size, concurrency=args.cpus), progress=False)
                best[engine] = min(best.get(engine, float("inf")), time.perf_counter() - t0)
                outputs[engine] = out
        same = zip_files(outputs["local"]) == zip_files(outputs["ray"])
        rates = {e: n / t for e, t in best.items()}
        print(f"{args.preset!r}: {n} input images, {args.cpus} CPUs, batch size {args.batch_size}, best of "
              f"{args.repeat}")
        for engine in ("local", "ray"):
            print(f"  {engine:5s}  {best[engine]:7.2f} s  {rates[engine]:7.1f} images/s")
        print(f"  ray/local: {rates['ray'] / rates['local']:.2f}  (outputs equal: {same})")
    finally:
        ray.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
