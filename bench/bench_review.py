"""Speed of the review material when only a threshold changes (1,000 images by default).

    /work/venv/bin/python bench/bench_review.py [--images 1000]

Builds tiny fake CCIP/LPIPS models (tests/fakehub.py) and N synthetic images, then times: the first
``ccip_review`` (features with the tiny model, difference matrix, OPTICS), a call with only ``threshold`` changed,
a DBSCAN call at a new eps, a call from a fresh process-like cache object (disk only), and
``lpips_duplicate_groups`` at a new threshold over a cached distance matrix (a smaller set: LPIPS
pairs are expensive to compute the first time).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
TMP = tempfile.mkdtemp(prefix="bench_review_")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_CACHE"] = os.path.join(TMP, "hub")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--lpips-images", type=int, default=60)
    args = parser.parse_args()
    import tests.fakehub as fakehub

    fakehub.install_fake_hub(os.environ["HF_HUB_CACHE"], families=("ccip", "lpips"))
    from waifuc_ui.analysis import AnalysisCache, ccip_review, lpips_duplicate_groups, use_analysis_cache
    from waifuc_ui.model import ImageItem

    rng = np.random.default_rng(0)
    centres = rng.uniform(0, 1, size=(6, 3))
    items = []
    for i in range(args.images):
        c = centres[i % 6] if i % 10 else rng.uniform(0, 1, 3)  # 6 characters and 10 % strays
        colour = tuple(int(v) for v in np.clip(c + rng.normal(0, .01, 3), 0, 1) * 255)
        items.append(ImageItem(Image.new("RGB", (32, 32), colour)))
    cache_dir = os.path.join(TMP, "analysis")
    try:
        with use_analysis_cache(AnalysisCache(cache_dir)):
            t_first, review = timed(lambda: ccip_review(items))
            t_thr, _ = timed(lambda: ccip_review(items, threshold=0.25))
            t_dbscan, dbs = timed(lambda: ccip_review(items, method="dbscan", eps=0.2, min_samples=3,
                                                      imgutils_exact=False))
            t_dbscan_exact, _ = timed(lambda: ccip_review(items, method="dbscan", eps=0.21, min_samples=3))
        with use_analysis_cache(AnalysisCache(cache_dir)):  # a new cache object: entries come from disk
            t_disk, _ = timed(lambda: ccip_review(items, threshold=0.3))
        lp_items = items[:args.lpips_images]
        with use_analysis_cache(AnalysisCache(cache_dir)):
            t_lp_first, groups = timed(lambda: lpips_duplicate_groups(lp_items))
            t_lp_thr, groups2 = timed(lambda: lpips_duplicate_groups(lp_items, threshold=0.1))
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    print(f"ccip_review, {args.images} images:")
    print(f"  first call (features, matrix, OPTICS) {t_first:7.3f} s  clusters {review.cluster_sizes[:8]} "
          f"noise {review.noise}")
    print(f"  threshold changed (cached labels)     {t_thr:7.3f} s")
    print(f"  dbscan at a new eps (cached matrix)   {t_dbscan:7.3f} s  clusters {dbs.cluster_sizes[:8]}  "
          "(the app's slider)")
    print(f"  same, imgutils' tree-based metric     {t_dbscan_exact:7.3f} s")
    print(f"  threshold changed, fresh cache object {t_disk:7.3f} s  (matrix and labels read from disk)")
    print(f"lpips_duplicate_groups, {len(lp_items)} images: first {t_lp_first:.2f} s ({len(groups)} groups), "
          f"threshold changed {t_lp_thr:.3f} s ({len(groups2)} groups)")


if __name__ == "__main__":
    main()
