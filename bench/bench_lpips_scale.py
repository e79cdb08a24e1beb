"""LPIPS duplicate grouping at dataset sizes, against the floor: extracting the same images' LPIPS features.

    /work/venv/bin/python bench/bench_lpips_scale.py [--sizes 250,500,1000,2000] [--scale real|tiny]

Fake LPIPS models from tests/fakehub.py with the real contract's shapes (5 AlexNet maps of a 400x400 input,
6.4 MB per image) and a difference model with the real structure; ``--scale real`` gives the feature model a
realistic cost (~3.4 GFLOP per image, AlexNet LPIPS ~2.3). Images: one aspect ratio, random colours with a
quarter of them near copies. For each size, in the same run: the floor (``lpips_extract_feature`` in batches of
16), then ``lpips_close_pairs`` (the review's grouping: features, bounds, exact distances) with a fresh analysis
cache. Prints the ratio to the floor, the peak resident memory (ru_maxrss) and the pairs the bound skipped.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
TMP = tempfile.mkdtemp(prefix="bench_lpips_scale_")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_CACHE"] = os.path.join(TMP, "hub")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402


def images(n: int, seed: int = 0) -> list[Image.Image]:
    rng = np.random.default_rng(seed)
    colours = rng.integers(0, 256, (n, 3))
    near = np.arange(1, n, 4)
    colours[near] = np.clip(colours[near - 1] + rng.integers(-10, 10, (len(near), 3)), 0, 255)
    out = []
    for c in colours:
        pixels = np.clip(c[None, None, :] + rng.integers(-6, 6, (60, 80, 3)), 0, 255).astype(np.uint8)
        out.append(Image.fromarray(pixels, "RGB"))
    return out


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="250,500,1000,2000")
    parser.add_argument("--scale", default="real", choices=["real", "tiny"])
    parser.add_argument("--threshold", type=float, default=0.45)
    args = parser.parse_args()
    from tests.fakehub import install_fake_hub
    from waifuc_ui.analysis import AnalysisCache, lpips_close_pairs, use_analysis_cache
    from waifuc_ui.core.item import ImageItem
    from waifuc_ui.inference import lpips_extract_feature
    from waifuc_ui.inference.lpips_linear import linear_head

    install_fake_hub(os.environ["HF_HUB_CACHE"], families=("lpips",), fake_model_scale=args.scale)
    t0 = time.perf_counter()
    head = linear_head()
    print(f"difference model checked in {time.perf_counter() - t0:.1f} s: exact={head.exact} ({head.source})")
    print(f"{'images':>7} {'floor s':>8} {'group s':>8} {'ratio':>6} {'pairs':>9} {'skipped':>9} {'exact':>7} "
          f"{'groups':>6} {'peak MB':>8}")
    try:
        for n in [int(s) for s in args.sizes.split(",")]:
            imgs = images(n, seed=n)
            t0 = time.perf_counter()
            for start in range(0, n, 16):
                lpips_extract_feature(imgs[start:start + 16])
            floor = time.perf_counter() - t0
            items = [ImageItem(im, {"filename": f"{i}.png"}) for i, im in enumerate(imgs)]
            folder = os.path.join(TMP, f"analysis{n}")
            with use_analysis_cache(AnalysisCache(folder)):
                t0 = time.perf_counter()
                found = lpips_close_pairs(items, threshold=args.threshold)
                took = time.perf_counter() - t0
            from waifuc_ui.analysis import link_groups
            groups = link_groups(n, [(i, j) for i, j, _ in found.pairs])
            print(f"{n:>7} {floor:>8.1f} {took:>8.1f} {took / floor:>6.2f} {found.compared:>9} {found.skipped:>9} "
                  f"{found.computed:>7} {len(groups):>6} {peak_mb():>8.0f}", flush=True)
            shutil.rmtree(folder, ignore_errors=True)
    finally:
        shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
