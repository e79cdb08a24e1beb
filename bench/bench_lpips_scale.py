"""LPIPS duplicate grouping at dataset sizes, against the floor: extracting the same images' LPIPS features.

    /work/venv/bin/python bench/bench_lpips_scale.py [--sizes 250,500,1000,2000] [--task review|filter|both]
        [--features alexnet|content] [--scale real|tiny] [--pictures anime|smooth]

Feature model (``--features``): ``alexnet`` (default) is an ONNX graph with LPIPS-AlexNet's real structure
(:func:`alexnet_feature_model`: the LPIPS input normalisation, then torchvision AlexNet's five conv+ReLU stages,
64/192/384/256/256 channels, kernels 11/5/3/3/3, stride 4 then 1, max-pools between the first three, relu1..relu5
as ``feat_0..4``) with seeded random weights: the trained weights cannot be downloaded here, so the cost and the
shapes are real but the features are those of an untrained net. ``content`` is the older quick model that follows
the picture's content (a ReLU'd random 1x1 mix of the resized image; ``--scale real`` adds a conv stack of
realistic cost). Difference model: the LPIPS linear head of tests/fakehub.py (the real structure), its gain set
in the same run so that the closest 2 % of unrelated pairs of a sample are ``--unrelated`` (0.5) apart: real
LPIPS puts unrelated pictures 0.5-0.8 apart, and near copies then land at about 0.02.

Images (``--pictures``): one aspect ratio (320x240); ``anime`` = flat-colour pictures with outlines, gradients and
shading (tests/analysis/generated_art.py), ``smooth`` = smooth random pictures; every 4th is a near copy of the
one before (JPEG q70 after a 90 % resize round trip, plus faint noise).

Each size runs in a child process (a fresh peak memory): the floor (``lpips_extract_feature`` in batches of 16),
then with a fresh analysis cache ``lpips_close_pairs`` (``review``: the review's grouping of every pair:
features, embeddings spilled, one float64 Gram pass) and/or ``FilterSimilarAction`` (``filter``: first seen wins,
decided in batches of one Gram pass each). Prints the ratio to the floor, pairs of one aspect ratio, pairs the
certified lower bound skipped (only one image at a time uses it: 0 here), pairs the Gram pass decided (``gram``),
pairs given the reference form because they were within the Gram's error bound of the threshold (``exact``),
groups (review) or dropped images (filter), and the child's peak resident memory (ru_maxrss, after the floor and
at the end).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
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

SIZE = (320, 240)


def _near_copy(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    import io

    w, h = image.size
    small = image.resize((w * 9 // 10, h * 9 // 10), Image.Resampling.LANCZOS).resize((w, h), Image.Resampling.BICUBIC)
    buffer = io.BytesIO()
    small.save(buffer, "JPEG", quality=70)
    pixels = np.asarray(Image.open(buffer).convert("RGB"), dtype=np.int16) + rng.integers(-3, 4, (h, w, 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")


def images(n: int, seed: int = 0, pictures: str = "anime") -> list[Image.Image]:
    """``n`` pictures of one aspect ratio; every 4th is a near copy of the one before."""
    from tests.analysis.generated_art import anime_picture

    rng = np.random.default_rng(seed)
    out: list[Image.Image] = []
    for k in range(n):
        if k % 4 == 1:
            out.append(_near_copy(out[-1], rng))
        elif pictures == "anime":
            out.append(anime_picture(seed * 100_003 + k, SIZE))
        else:
            small = rng.integers(0, 256, (6, 8, 3)).astype(np.uint8)
            out.append(Image.fromarray(small).resize(SIZE, Image.Resampling.BICUBIC))
    return out


#: LPIPS's ScalingLayer (applied to inputs in [-1, 1])
LPIPS_SHIFT = np.array([-0.030, -0.088, -0.188], np.float32)
LPIPS_SCALE = np.array([0.458, 0.448, 0.450], np.float32)
#: torchvision AlexNet ``features``: (out channels, kernel, stride, padding, max-pool after)
ALEXNET = [(64, 11, 4, 2, True), (192, 5, 1, 2, True), (384, 3, 1, 1, False), (256, 3, 1, 1, False),
           (256, 3, 1, 1, False)]


def alexnet_feature_model(seed: int = 0):
    """``input`` [N,3,400,400] in [0, 1] -> ``feat_0..4`` = relu1..relu5 of AlexNet (LPIPS's taps), with LPIPS's
    input normalisation (2x - 1, then ScalingLayer) and seeded He-normal weights (untrained; see the module text)."""
    from onnx import TensorProto, helper

    from tests.fakehub import LPIPS_SHAPES, _const, _finish, _image_input

    rng = np.random.default_rng(seed)
    inits = [_const("two", np.array(2.0, np.float32)), _const("one", np.array(1.0, np.float32)),
             _const("shift", LPIPS_SHIFT.reshape(1, 3, 1, 1)), _const("scale", LPIPS_SCALE.reshape(1, 3, 1, 1))]
    nodes = [helper.make_node("Mul", ["input", "two"], ["x2"]), helper.make_node("Sub", ["x2", "one"], ["xm"]),
             helper.make_node("Sub", ["xm", "shift"], ["xs"]), helper.make_node("Div", ["xs", "scale"], ["x0"])]
    src, cin, outputs = "x0", 3, []
    for i, (cout, k, stride, pad, pool) in enumerate(ALEXNET):
        fan_in = cin * k * k
        inits += [_const(f"w{i}", (rng.standard_normal((cout, cin, k, k)) * np.sqrt(2 / fan_in)).astype(np.float32)),
                  _const(f"b{i}", (0.01 * rng.standard_normal(cout)).astype(np.float32))]
        nodes += [helper.make_node("Conv", [src, f"w{i}", f"b{i}"], [f"c{i}"], kernel_shape=[k, k],
                                   strides=[stride, stride], pads=[pad] * 4),
                  helper.make_node("Relu", [f"c{i}"], [f"feat_{i}"])]
        src = f"feat_{i}"
        if pool:
            nodes.append(helper.make_node("MaxPool", [src], [f"p{i}"], kernel_shape=[3, 3], strides=[2, 2]))
            src = f"p{i}"
        cin = cout
    for i, (c, s) in enumerate(LPIPS_SHAPES):
        outputs.append(helper.make_tensor_value_info(f"feat_{i}", TensorProto.FLOAT, ["N", c, s, s]))
    return _finish(nodes, [_image_input("input", "NCHW", (400, 400))], outputs, inits)


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


def head_distance(fx, fy, weights) -> float:
    """The LPIPS linear head in numpy (gain 1): sum over layers of the spatial mean of the weighted squared
    difference of the channel-normalised features."""
    total = 0.0
    for a, b, w in zip(fx, fy, weights):
        na = a / (np.sqrt((a.astype(np.float64) ** 2).sum(axis=0, keepdims=True)) + 1e-10)
        nb = b / (np.sqrt((b.astype(np.float64) ** 2).sum(axis=0, keepdims=True)) + 1e-10)
        total += float((w[:, None, None] * (na - nb) ** 2).sum(axis=0).mean())
    return total


def install_models(args) -> float:
    """The fake hub with the chosen feature model and the difference model; returns the difference gain."""
    from tests.fakehub import install_fake_hub, lpips_diff_model, lpips_head_weights, put_model
    from waifuc_ui.inference import lpips_extract_feature
    from waifuc_ui.inference.specs import LPIPS_DIFF, LPIPS_FEATURE

    hub = os.environ["HF_HUB_CACHE"]
    install_fake_hub(hub, families=("lpips",), fake_model_scale=args.scale)
    model = alexnet_feature_model() if args.features == "alexnet" else content_feature_model(args.scale)
    put_model(hub, LPIPS_FEATURE.repo_id, LPIPS_FEATURE.filename, model)
    sample = [im for k, im in enumerate(images(24, seed=99, pictures=args.pictures)) if k % 4 != 1][:12]
    feats = lpips_extract_feature(sample)
    weights = lpips_head_weights()
    unrelated = [head_distance([f[i] for f in feats], [f[j] for f in feats], weights)
                 for i in range(len(sample)) for j in range(i + 1, len(sample))]
    gain = args.unrelated / float(np.percentile(unrelated, 2))
    put_model(hub, LPIPS_DIFF.repo_id, LPIPS_DIFF.filename, lpips_diff_model(gain=gain))
    return gain


def run_child(args) -> None:
    from waifuc_ui.action import FilterSimilarAction
    from waifuc_ui.analysis import AnalysisCache, link_groups, lpips_close_pairs, use_analysis_cache
    from waifuc_ui.core.item import ImageItem
    from waifuc_ui.core.report import collect_report
    from waifuc_ui.inference import lpips_extract_feature
    from waifuc_ui.inference.lpips_linear import linear_head

    n = int(args.sizes)
    gain = install_models(args)
    t0 = time.perf_counter()
    head = linear_head()
    if args.verbose:
        print(f"difference gain {gain:.3g}; model checked in {time.perf_counter() - t0:.1f} s: exact={head.exact} "
              f"({head.source})", flush=True)
    imgs = images(n, seed=n, pictures=args.pictures)
    t0 = time.perf_counter()
    for start in range(0, n, 16):
        lpips_extract_feature(imgs[start:start + 16])
    floor = time.perf_counter() - t0
    base = peak_mb()
    bounds = ""
    for task in (["review", "filter"] if args.task == "both" else [args.task]):
        items = [ImageItem(im, {"filename": f"{i}.png"}) for i, im in enumerate(imgs)]
        folder = os.path.join(TMP, f"analysis{n}{task}")
        with use_analysis_cache(AnalysisCache(folder)):
            t0 = time.perf_counter()
            if task == "review":
                found = lpips_close_pairs(items, threshold=args.threshold)
                took = time.perf_counter() - t0
                groups = len(link_groups(n, [(i, j) for i, j, _ in found.pairs]))
                compared, skipped, exact, gram = found.compared, found.skipped, found.computed, found.gram
            else:
                action = FilterSimilarAction(threshold=args.threshold)
                with collect_report() as report:
                    kept = sum(1 for _ in action.iter_from(iter(items)))
                took = time.perf_counter() - t0
                groups = len(report.dropped)
                compared = n * (n - 1) // 2  # upper bound: the action compares a new image with kept ones only
                skipped, exact, gram = action.pairs_skipped, action.pairs_computed, action.pairs_gram
                assert kept + groups == n
                index = action._lp  # the bound vectors the run held (rows, and the matrix's bytes)
                matrix = getattr(index, "_bounds", None)
                bounds = (f"bound vectors held: {getattr(index, '_bound_count', 0)} rows of {n} images "
                          f"({kept} kept), matrix {0 if matrix is None else matrix.nbytes / 2 ** 20:.0f} MB")
        shutil.rmtree(folder, ignore_errors=True)
        print(f"{n:>7} {task:>6} {floor:>8.1f} {took:>8.1f} {took / floor:>6.2f} {compared:>9} {skipped:>9} "
              f"{gram:>7} {exact:>7} {groups:>7} {base:>8.0f} {peak_mb():>8.0f}", flush=True)
        if task == "filter" and args.verbose_bounds:
            print(f"        {bounds}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="250,500,1000,2000")
    parser.add_argument("--task", default="review", choices=["review", "filter", "both"])
    parser.add_argument("--features", default="alexnet", choices=["alexnet", "content"])
    parser.add_argument("--scale", default="real", choices=["real", "tiny"], help="cost of --features content")
    parser.add_argument("--pictures", default="anime", choices=["anime", "smooth"])
    parser.add_argument("--threshold", type=float, default=0.45)
    parser.add_argument("--unrelated", type=float, default=0.5,
                        help="LPIPS of the closest unrelated pictures (2nd percentile of a sample)")
    parser.add_argument("--verbose-bounds", action="store_true", help="filter: print the bound matrix held")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--verbose", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    try:
        if args.child:
            run_child(args)
            return
        print(f"features={args.features} pictures={args.pictures} threshold={args.threshold} "
              f"(the closest 2 % of unrelated pairs {args.unrelated} apart)")
        print(f"{'images':>7} {'task':>6} {'floor s':>8} {'group s':>8} {'ratio':>6} {'pairs':>9} {'skipped':>9} "
              f"{'gram':>7} {'exact':>7} {'grp/drop':>7} {'base MB':>8} {'peak MB':>8}", flush=True)
        passed = [a for a in sys.argv[1:] if not a.startswith("--sizes") and a != args.sizes]
        for k, n in enumerate(args.sizes.split(",")):
            extra = ["--verbose"] if k == 0 else []
            subprocess.run([sys.executable, os.path.abspath(__file__), *passed, "--sizes", n, "--child", *extra],
                           check=True)
    finally:
        shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
