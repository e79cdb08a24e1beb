"""SafetyAction's denoise (imgutils' remove_adversarial_noise in numpy: 64 bilateral + 8 guided filters) per image.

Floor measured in the same run: one 5x5 box blur of the same image with scipy's C filter (``uniform_filter``), the
cheapest pass over the pixels a filter can make. The ratio says how many such passes one denoise costs; seconds
per megapixel are printed too (only images the safety check calls polluted pay it).

    /work/venv/bin/python bench/bench_denoise.py [--sizes 256 512] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from waifuc_ui.action.denoise import remove_adversarial_noise


def timed(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 512])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    from scipy.ndimage import uniform_filter

    rng = np.random.default_rng(0)
    for side in args.sizes:
        arr = np.clip(120 + rng.integers(-3, 4, (side, side, 3)), 0, 255).astype(np.uint8)
        image = Image.fromarray(arr)
        as_float = arr.astype(np.float32)
        floor = timed(lambda a=as_float: uniform_filter(a, size=(5, 5, 1), mode="mirror"), max(5, args.repeat))
        full = timed(lambda im=image: remove_adversarial_noise(im, rng=random.Random(0)), args.repeat)
        print(f"{side}x{side}: denoise {full:.2f} s ({full / (side * side / 1e6):.1f} s/MP), "
              f"box-blur floor {floor * 1000:.2f} ms, ratio {full / floor:.0f}x")


if __name__ == "__main__":
    main()
