"""LPIPS duplicate grouping at dataset sizes, against the floor: extracting the same images' LPIPS features.

    /work/venv/bin/python bench/bench_lpips_scale.py [--sizes 250,500,1000,2000] [--scale real|tiny]

Fake LPIPS models with the real contract's shapes (5 AlexNet maps of a 400x400 input, 6.4 MB per image): the
difference model of tests/fakehub.py (the real structure) and a feature model that follows the picture's content
(:func:`content_feature_model`); ``--scale real`` gives it a realistic cost (~3.4 GFLOP per image, AlexNet LPIPS
~2.3). Images: one aspect ratio, smooth random pictures, a quarter of them near copies. For each size, in the
same run: the floor (``lpips_extract_feature`` in batches of 16), then ``lpips_close_pairs`` (the review's
grouping: features, bounds, exact distances) with a fresh analysis cache. Prints the ratio to the floor, the peak
resident memory (ru_maxrss, whole process) and the pairs the certified bound skipped.
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
    """Smooth random pictures (120x160, one aspect ratio); every 4th is a lightly noised copy of the one before."""
    rng = np.random.default_rng(seed)
    out: list[Image.Image] = []
    for k in range(n):
        if k % 4 == 1:
            base = np.asarray(out[-1], dtype=np.int16)
            pixels = np.clip(base + rng.integers(-24, 25, base.shape), 0, 255).astype(np.uint8)
        else:
            small = rng.integers(0, 256, (6, 8, 3)).astype(np.uint8)
            pixels = np.asarray(Image.fromarray(small).resize((160, 120), Image.Resampling.BICUBIC))
        out.append(Image.fromarray(pixels, "RGB"))
    return out


def content_feature_model(scale: str):
    """``input`` [N,3,400,400] -> ``feat_0..4`` of the real shapes that follow the picture's content: each map is
    a ReLU'd random 1x1 mix of the image resized to the map's size (with ``scale='real'``, a conv stack of
    realistic cost runs first). Unlike the test fake (mean colour only), different pictures get far apart."""
    from onnx import TensorProto, helper

    from tests.fakehub import LPIPS_SHAPES, _const, _finish, _image_input, _mean_colour_nodes

    nodes, inits = _mean_colour_nodes("input", [2, 3], "mean", scale)
    src = "img_c" if scale == "real" else "input"
    rng = np.random.default_rng(0)
    outputs = []
    for i, (c, s) in enumerate(LPIPS_SHAPES):
        inits += [_const(f"sc{i}", np.array([1, 1, s / 400, s / 400], np.float32)),
                  _const(f"cw{i}", rng.standard_normal((c, 3, 1, 1)).astype(np.float32)),
                  _const(f"cb{i}", (0.3 * rng.standard_normal(c)).astype(np.float32))]
        nodes += [helper.make_node("Resize", [src, "", f"sc{i}"], [f"rs{i}"], mode="linear"),
                  helper.make_node("Conv", [f"rs{i}", f"cw{i}", f"cb{i}"], [f"cv{i}"]),
                  helper.make_node("Relu", [f"cv{i}"], [f"feat_{i}"])]
        outputs.append(helper.make_tensor_value_info(f"feat_{i}", TensorProto.FLOAT, ["N", c, s, s]))
    return _finish(nodes, [_image_input("input", "NCHW", (400, 400))], outputs, inits)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="250,500,1000,2000")
    parser.add_argument("--scale", default="real", choices=["real", "tiny"])
    parser.add_argument("--threshold", type=float, default=0.45)
    args = parser.parse_args()
    from tests.fakehub import install_fake_hub, lpips_diff_model, put_model
    from waifuc_ui.analysis import AnalysisCache, lpips_close_pairs, use_analysis_cache
    from waifuc_ui.core.item import ImageItem
    from waifuc_ui.inference import lpips_extract_feature
    from waifuc_ui.inference.lpips_linear import linear_head
    from waifuc_ui.inference.specs import LPIPS_DIFF, LPIPS_FEATURE

    install_fake_hub(os.environ["HF_HUB_CACHE"], families=("lpips",), fake_model_scale=args.scale)
    hub = os.environ["HF_HUB_CACHE"]
    put_model(hub, LPIPS_FEATURE.repo_id, LPIPS_FEATURE.filename, content_feature_model(args.scale))
    # unrelated pictures ~1.2 apart (real LPIPS: 0.5-0.8), near copies ~0.05
    put_model(hub, LPIPS_DIFF.repo_id, LPIPS_DIFF.filename, lpips_diff_model(gain=3.0))
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
