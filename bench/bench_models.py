"""Model runtime speed: images/s per family at batch 1 and at the best batch, and the share of wall time spent
outside ``InferenceSession.run`` (pre/post-processing, batching glue). The floor is the model itself, timed in
the same run (sum of session.runs.start times), so the figures are ratios, comparable across machines.

Models are the fakes of tests/fakehub.py at realistic cost (a conv stack at the real input size, see REAL_STACK
there), fed realistic inputs (decoded 1024x768 / 768x1024 RGB images, resized by the real preprocessing).

    /work/venv/bin/python bench/bench_models.py [--images 48] [--repeat 2] [--batches 1,4,8,16] [--families ...]

The first batch of a run is prepared before the model can start (later ones are prepared while the model runs),
so few images at a big batch size overstate the overhead; real runs have hundreds of images.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ['HF_HUB_OFFLINE'] = '1'
os.environ['HF_HUB_CACHE'] = tempfile.mkdtemp(prefix='bench_models_hub_')

import numpy as np  # noqa: E402
import onnxruntime as ort  # noqa: E402
from PIL import Image  # noqa: E402

from tests.fakehub import install_fake_hub  # noqa: E402


class RunTimer:
    """Wraps InferenceSession.run to sum the time spent inside the model."""

    def __init__(self):
        self.seconds, self.calls = 0.0, 0
        self._real = ort.InferenceSession.run
        timer = self

        def run(session, output_names, input_feed, run_options=None):
            t0 = time.perf_counter()
            try:
                return timer._real(session, output_names, input_feed, run_options)
            finally:
                timer.seconds += time.perf_counter() - t0
                timer.calls += 1
        ort.InferenceSession.run = run

    def reset(self):
        self.seconds, self.calls = 0.0, 0


def make_images(n: int):
    rng = np.random.default_rng(0)
    images = []
    for i in range(n):
        w, h = (1024, 768) if i % 2 == 0 else (768, 1024)
        base = rng.integers(0, 256, (h // 16, w // 16, 3), dtype=np.uint8)
        img = Image.fromarray(base).resize((w, h), Image.BILINEAR)  # smooth, photo-like content
        img.load()
        images.append(img)
    return images


def families():
    import waifuc_ui.inference as m
    return {
        'classifier (monochrome, 384)': lambda ims, bs: m.get_monochrome_score_batch(ims, batch_size=bs),
        'yolo (detect_faces, 640)': lambda ims, bs: m.detect_faces_batch(ims, batch_size=bs),
        'wd14 (SwinV2_v3, 448)': lambda ims, bs: m.get_wd14_tags_batch(ims, batch_size=bs),
        'ccip features (384)': lambda ims, bs: m.ccip_batch_extract_features(ims, batch_size=bs),
        'lpips features (400)': lambda ims, bs: m.lpips_extract_feature(ims, batch_size=bs),
    }


def measure(func, images, batch_size, timer, repeat):
    """Best (lowest wall time) of ``repeat`` runs after a warm-up: the CPU is shared, the best run is the
    least disturbed one. Returns (wall s, s inside session.runs.start, run calls)."""
    func(images[:batch_size], batch_size)  # warm-up: session creation, first-run allocations
    best = None
    for _ in range(repeat):
        timer.reset()
        t0 = time.perf_counter()
        func(images, batch_size)
        wall = time.perf_counter() - t0
        if best is None or wall < best[0]:
            best = (wall, timer.seconds, timer.calls)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--images', type=int, default=48)
    parser.add_argument('--repeat', type=int, default=2)
    parser.add_argument('--batches', default='1,4,8,16')
    parser.add_argument('--families', default='', help='comma-separated substrings of family names')
    args = parser.parse_args()
    install_fake_hub(os.environ['HF_HUB_CACHE'], families=('classify', 'detect', 'wd14', 'ccip', 'lpips'),
                     fake_model_scale='real')
    from waifuc_ui.inference import current_provider
    timer = RunTimer()
    images = make_images(args.images)
    batches = [int(b) for b in args.batches.split(',')]
    wanted = [w for w in args.families.split(',') if w]
    print(f'provider {current_provider()}, {os.cpu_count()} CPU(s), {len(images)} images of 1024x768/768x1024')
    print(f'{"family":30s} {"batch":>5s} {"img/s":>8s} {"model-only img/s":>17s} {"outside run":>12s} {"calls":>6s}')
    summary = []
    for name, func in families().items():
        if wanted and not any(w in name for w in wanted):
            continue
        rows = []
        for bs in batches:
            wall, in_model, calls = measure(func, images, bs, timer, args.repeat)
            rows.append((bs, len(images) / wall, len(images) / in_model, (wall - in_model) / wall, calls))
            print(f'{name:30s} {bs:5d} {rows[-1][1]:8.2f} {rows[-1][2]:17.2f} {rows[-1][3]:11.1%} {calls:6d}',
                  flush=True)
        best = max(rows, key=lambda r: r[1])
        summary.append((name, rows[0][1], best[0], best[1], best[3]))
    print('\nsummary: images/s at batch 1 -> at best batch (speed-up), share of time outside session.runs.start there')
    for name, b1, bs, best, share in summary:
        flag = 'ok' if share <= 0.15 else 'ABOVE 15%'
        print(f'  {name:30s} {b1:7.2f} -> {best:7.2f} @ batch {bs:<3d} ({best / b1:4.2f}x)  outside run {share:5.1%}'
              f'  [{flag}]')


if __name__ == '__main__':
    main()
