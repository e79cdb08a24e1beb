"""End-to-end speed of the seed chain on synthetic images and synthetic models of realistic cost.

    /work/venv/bin/python bench/bench_chain.py [--images 200] [--stack small|real]

Chain: ModeConvert -> NoMonochrome -> ClassFilter -> FaceCount(1) -> PersonSplit -> CCIP -> FilterSimilar
-> Tagging -> TextualInversion export. Models: tests/fakehub.py fakes with a conv stack at the real input sizes
(``--stack real``: ~1 GFLOP at 384x384; ``small``, the default, halves the channels (~1/4 of the FLOPs) so the
bench stays under ~3 minutes on 2 cores). Printed, all measured in this run:

1. the chain as waifuc_ui runs it (windows of items, batched model calls, empty analysis cache);
2. the same chain one image at a time, the way waifuc calls the models (window 1, batch 1, one LPIPS pair per
   call, no cache);
3. the model floor: exactly the model calls of run 1 (same images, same pairs), each model at its best batch
   size, with nothing else;
4. a second run of the chain with changed thresholds over the cache of run 1.
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
TMP = tempfile.mkdtemp(prefix="bench_chain_")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_CACHE"] = os.path.join(TMP, "hub")
os.environ.setdefault("TQDM_DISABLE", "1")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

SMALL_STACK = [(16, 2), (32, 2), (64, 2), (64, 1), (128, 2), (128, 1), (128, 1)]


def install_models(fakehub, hub: str) -> None:
    """The default fakes at realistic cost, with rules that let most synthetic images through: monochrome only
    when dark (brightness < 0.3), one face/person box unless the image is very blue (B > 0.72)."""
    from waifuc_ui.inference import specs

    fakehub.install_fake_hub(hub, fake_model_scale="real")
    fakehub.put_classifier(hub, specs.MONOCHROME, ["monochrome", "normal"],
                           [(-1 / 3, -1 / 3, -1 / 3, 0.6), (1 / 3, 1 / 3, 1 / 3, 0.4)], scale="real")
    for kind, label in (("faces", "face"), ("person", "person")):
        spec = {"boxes": [(320.0, 320.0, 200.0, 100.0)], "scores": [[(0.0, 0.0, -0.9, 0.9)]], "names": [label]}
        fakehub.put_detector(hub, kind, spec, scale="real")


def synthetic_images(n: int, seed: int = 0):
    """Images of random size/aspect and random mean colour (the fakes' features), with texture."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        w, h = int(rng.integers(320, 481)), int(rng.integers(240, 481))
        base = rng.uniform(0, 1, size=3) * 255
        noise = rng.normal(0, 6, size=(h // 8 + 1, w // 8 + 1, 3))
        tex = np.kron(noise, np.ones((8, 8, 1)))[:h, :w]
        out.append(Image.fromarray(np.clip(base + tex, 0, 255).astype(np.uint8), "RGB"))
    return out


class Recorder:
    """Wraps the model entry points the actions use: counts calls, times them, keeps the inputs to replay."""

    TARGETS = [("waifuc_ui.inference.classify", "predict_scores"),
               ("waifuc_ui.inference.detect", "detect_candidates_batch"),
               ("waifuc_ui.inference", "ccip_batch_extract_features"),
               ("waifuc_ui.inference", "ccip_batch_differences"),
               ("waifuc_ui.inference", "lpips_extract_feature"), ("waifuc_ui.inference", "lpips_batch_differences"),
               ("waifuc_ui.inference", "wd14_predict_batch")]

    def __init__(self):
        import importlib

        self.originals = {}
        self.reset()
        for mod_name, name in self.TARGETS:
            mod = importlib.import_module(mod_name)
            fn = getattr(mod, name)
            self.originals[name] = fn
            setattr(mod, name, self._wrap(name, fn))

    def reset(self):
        self.calls = defaultdict(int)
        self.seconds = defaultdict(float)
        self.inputs = defaultdict(list)  # (fn, model id) -> images / pair counts / feature lists

    def _wrap(self, name, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - t0
                self.calls[name] += 1
                if name == "predict_scores":
                    self.inputs[(name, args[0].repo_id)].extend(args[1])
                elif name == "detect_candidates_batch":
                    self.inputs[(name, args[0])].extend(args[1])
                elif name == "lpips_batch_differences":
                    self.inputs[(name, None)].append(len(args[0][0]))
                elif name == "ccip_batch_differences":
                    self.inputs[(name, None)].append(list(args[0]))
                else:
                    self.inputs[(name, None)].extend(args[0])
        return wrapper


def build_chain(images, out_dir, changed=False, one_at_a_time=False):
    from waifuc_ui.action import (
        CCIPAction,
        ClassFilterAction,
        FaceCountAction,
        FilterSimilarAction,
        ModeConvertAction,
        NoMonochromeAction,
        PersonSplitAction,
        TaggingAction,
    )
    from waifuc_ui.action.analyzed import AnalyzedAction
    from waifuc_ui.export import TextualInversionExporter
    from waifuc_ui.model import ImageItem
    from waifuc_ui.source.base import BaseDataSource

    class MemorySource(BaseDataSource):
        def _iter(self):
            for i, im in enumerate(images):
                yield ImageItem(im, {"filename": f"img{i:04d}.png"})

    actions = [ModeConvertAction("RGB", "white"), NoMonochromeAction(),
               ClassFilterAction(["illustration", "bangumi", "comic"], threshold=0.2 if changed else None),
               FaceCountAction(1, conf_threshold=0.3 if changed else 0.25),
               PersonSplitAction(conf_threshold=0.32 if changed else 0.3),
               CCIPAction(threshold=0.5 if changed else 0.6),  # the fake CCIP features: mean colour
               FilterSimilarAction("all", threshold=0.4 if changed else 0.45),
               TaggingAction(general_threshold=0.5 if changed else 0.35)]
    if one_at_a_time:
        for a in actions:
            if isinstance(a, AnalyzedAction):
                a.window_size, a.batch_size = 1, 1
            if isinstance(a, FilterSimilarAction):
                a.pair_batch = 1
    return MemorySource().attach(*actions), TextualInversionExporter(out_dir, clear=True)


def run_chain(images, cache, tag, **kw):
    from waifuc_ui.analysis import use_analysis_cache

    source, exporter = build_chain(images, os.path.join(TMP, f"out_{tag}"), **kw)
    with use_analysis_cache(cache):
        t0 = time.perf_counter()
        report = source.export(exporter)
        return time.perf_counter() - t0, report


def replay_floor(rec_inputs, originals):
    """The recorded model calls, each model at its best batch size (tried on a sample), timed."""
    from waifuc_ui.inference import specs

    spec_of = {s.repo_id: s for s in (specs.MONOCHROME, specs.ANIME_CLASSIFY, specs.ANIME_RATING)}
    total, detail = 0.0, []
    for (name, model), items in rec_inputs.items():
        if name == "predict_scores":
            spec = spec_of[model]
            def fn(ims, b, spec=spec, name=name):
                return originals[name](spec, ims, spec.default_model, topk=None, batch_size=b)
        elif name == "detect_candidates_batch":
            def fn(ims, b, kind=model, name=name):
                return originals[name](kind, ims, batch_size=b)
        elif name == "lpips_batch_differences":
            pairs = sum(items)
            if not pairs:
                continue
            one = originals["lpips_extract_feature"]([Image.new("RGB", (64, 64), (200, 50, 50))])
            best = None
            for b in (1, 8, 16):
                x = tuple(np.repeat(a, b, axis=0) for a in one)
                t0 = time.perf_counter()
                originals[name](x, x, batch_size=b)
                per = (time.perf_counter() - t0) / b
                best = (per, b) if best is None or per < best[0] else best
            b = best[1]
            x = tuple(np.repeat(a, b, axis=0) for a in one)
            t0 = time.perf_counter()
            for _ in range(pairs // b):
                originals[name](x, x, batch_size=b)
            rest = pairs % b
            if rest:
                xr = tuple(a[:rest] for a in x)
                originals[name](xr, xr, batch_size=rest)
            dt = time.perf_counter() - t0
            total += dt
            detail.append((f"{name} ({pairs} pairs)", b, dt))
            continue
        elif name == "ccip_batch_differences":
            t0 = time.perf_counter()
            for feats in items:
                originals[name](feats)
            dt = time.perf_counter() - t0
            total += dt
            detail.append((f"{name} ({len(items)} calls)", "-", dt))
            continue
        elif name == "lpips_extract_feature":
            def fn(ims, b, name=name):
                return originals[name](ims, batch_size=b)
        else:
            def fn(ims, b, name=name):
                return originals[name](ims, batch_size=b)
        sample = items[:8]
        best = None
        for b in (1, 4, 8):
            t0 = time.perf_counter()
            fn(sample, b)
            per = (time.perf_counter() - t0) / len(sample)
            best = (per, b) if best is None or per < best[0] else best
        b = best[1]
        t0 = time.perf_counter()
        for start in range(0, len(items), b):
            fn(items[start:start + b], b)
        dt = time.perf_counter() - t0
        total += dt
        detail.append((f"{name}[{model}] ({len(items)} images)" if model else f"{name} ({len(items)} images)", b, dt))
    return total, detail


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--stack", choices=("small", "real"), default="small")
    args = parser.parse_args()

    import tests.fakehub as fakehub

    if args.stack == "small":
        fakehub.REAL_STACK = SMALL_STACK
    install_models(fakehub, os.environ["HF_HUB_CACHE"])
    from waifuc_ui.analysis import AnalysisCache, NullAnalysisCache

    images = synthetic_images(args.images)
    rec = Recorder()
    try:
        # warm up sessions (opening models is not what we measure)
        run_chain(images[:10], NullAnalysisCache(), "warm")
        rec.reset()
        cache = AnalysisCache(os.path.join(TMP, "analysis"), max_bytes=20 * 1024 ** 3)
        t_batched, report = run_chain(images, cache, "batched")
        calls1, model_s1, inputs1 = dict(rec.calls), sum(rec.seconds.values()), dict(rec.inputs)
        rec.reset()
        t_floor, detail = replay_floor(inputs1, rec.originals)
        rec.reset()
        t_single, report_single = run_chain(images, NullAnalysisCache(), "single", one_at_a_time=True)
        calls_single = sum(rec.calls.values())
        rec.reset()
        t_rerun, report_rerun = run_chain(images, cache, "rerun", changed=True)
        calls_rerun = dict(rec.calls)
    finally:
        shutil.rmtree(TMP, ignore_errors=True)

    n = args.images
    print(f"seed chain, {n} synthetic images, fake models with the '{args.stack}' conv stack, "
          f"{os.cpu_count()} CPU cores")
    print(f"  outputs: {report.exported} exported, {len(report.dropped)} dropped "
          f"(one-at-a-time run: {report_single.exported} exported)")
    reasons = defaultdict(int)
    for d in report.dropped:
        reasons[f"{d.step}: {d.reason.split('(')[0].strip()}"] += 1
    print("  drops:", dict(reasons))
    print(f"1. chain, batched windows, empty cache : {t_batched:7.1f} s  {n / t_batched:6.2f} img/s  "
          f"({sum(calls1.values())} model calls, {model_s1:.1f} s inside them)")
    print(f"2. chain, one image at a time (waifuc): {t_single:7.1f} s  {n / t_single:6.2f} img/s  "
          f"({calls_single} model calls)")
    print(f"3. model floor (same calls, best batch): {t_floor:6.1f} s  {n / t_floor:6.2f} img/s")
    for what, b, dt in detail:
        print(f"     {what:60s} batch {b!s:>3}  {dt:6.2f} s")
    print(f"4. second run, changed thresholds      : {t_rerun:7.1f} s  {n / t_rerun:6.2f} img/s  "
          f"(model calls: {sum(calls_rerun.values())} {dict(calls_rerun)}; {report_rerun.exported} exported)")
    print(f"ratios: batched / one-at-a-time = {t_single / t_batched:.2f}x;  chain speed / floor speed = "
          f"{t_floor / t_batched:.2f};  first run / second run = {t_batched / t_rerun:.1f}x")


if __name__ == "__main__":
    main()
