"""Model-free chain vs. a plain Pillow loop over the same files: images/s, ratio and peak memory.

    python bench/bench_model_free.py            # N = 300 (and 2N for the memory check)
    python bench/bench_model_free.py --n 2000   # the issue's 2,000-image folder (and 4,000)

For N and 2N synthetic images (JPEG, PNG and RGBA PNG, 400-1400 px) in a temporary folder, each
variant runs in its own subprocess (so its peak RSS is its own), ``--repeat`` rounds taking turns,
best time kept:

* floor: ``Image.open`` -> ``convert('RGB')`` -> resize the short side to ``--min-size`` when
  longer -> ``save`` under the same name: the same work, without waifuc_ui.
* chain: ``LocalSource(dir).attach(ModeConvertAction(), AlignMinSizeAction(min_size))``
  exported with ``SaveExporter(out, no_meta=True)`` (the floor writes no sidecars either).
* chain+meta: the same with sidecars (``no_meta=False``), for information.

Prints images/s, the ratio chain/floor (aim: >= 0.8) and peak RSS for N and 2N: streaming means
what the chain's run adds to the memory after imports does not grow with N (the
import itself is reported in "peak RSS" and depends on what ``waifuc_ui.action`` imports).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_images(folder: str, n: int, seed: int = 0) -> None:
    """``n`` distinct synthetic images: 75% JPEG, 20% PNG, 5% RGBA PNG."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    os.makedirs(folder, exist_ok=True)
    pool = []
    for _k in range(12):
        size = (rng.randint(400, 1400), rng.randint(400, 1400))
        base = Image.linear_gradient("L").resize(size).convert("RGB")
        draw = ImageDraw.Draw(base)
        for _ in range(6):
            x, y, r = rng.randint(0, size[0]), rng.randint(0, size[1]), rng.randint(20, 160)
            draw.ellipse([x - r, y - r, x + r, y + r], fill=tuple(rng.randint(0, 255) for _ in range(3)))
        pool.append(base)
    for i in range(n):
        image = pool[i % len(pool)].copy()
        x, y = rng.randint(0, image.width - 40), rng.randint(0, image.height - 40)
        ImageDraw.Draw(image).rectangle([x, y, x + 40, y + 40], fill=(i % 256, (i // 256) % 256, 99))
        kind = i % 20
        if kind == 0:
            image = image.convert("RGBA")
            image.putalpha(Image.linear_gradient("L").resize(image.size))
            image.save(os.path.join(folder, f"img_{i:05d}.png"))
        elif kind < 5:
            image.save(os.path.join(folder, f"img_{i:05d}.png"), compress_level=1)
        else:
            image.save(os.path.join(folder, f"img_{i:05d}.jpg"), quality=90)


def short_side_shape(width: int, height: int, min_size: int):
    short = min(width, height)
    if short <= min_size:
        return width, height
    return max(1, round(width * min_size / short)), max(1, round(height * min_size / short))


def run_floor(src: str, out: str, min_size: int) -> int:
    from PIL import Image

    os.makedirs(out, exist_ok=True)
    count = 0
    for name in sorted(os.listdir(src)):
        with Image.open(os.path.join(src, name)) as image:
            image = image.convert("RGB")
            shape = short_side_shape(image.width, image.height, min_size)
            if shape != image.size:
                image = image.resize(shape)
            image.save(os.path.join(out, name))
        count += 1
    return count


def run_chain(src: str, out: str, min_size: int, meta: bool) -> int:
    sys.path.insert(0, ROOT)
    from waifuc_ui.action import AlignMinSizeAction, ModeConvertAction
    from waifuc_ui.export import SaveExporter
    from waifuc_ui.source import LocalSource

    source = LocalSource(src).attach(ModeConvertAction(), AlignMinSizeAction(min_size))
    report = source.export(SaveExporter(out, no_meta=not meta))
    if report.skipped or report.dropped or report.export_failed:
        raise SystemExit(f"unexpected: {report.summary()}")
    return report.exported


def _proc_status_kb(key: str) -> int:
    """A memory figure of this process from /proc/self/status (Linux), in kB; ru_maxrss elsewhere."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak() -> None:
    """Reset VmHWM to the current RSS (Linux), so the peak measured later is the run's own."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def child(variant: str, src: str, out: str, min_size: int) -> None:
    """Run one variant in this process and print {count, seconds, peak_rss_mb, run_rss_mb} as JSON:
    peak_rss_mb is the process's peak RSS, run_rss_mb how far the run rose above the RSS after imports."""
    if variant != "floor":  # import outside the timed part, as the floor's Pillow import is
        sys.path.insert(0, ROOT)
        import waifuc_ui.action
        import waifuc_ui.export
        import waifuc_ui.source  # noqa: F401
    else:
        import PIL.Image  # noqa: F401
    peak_before = _proc_status_kb("VmHWM")
    _reset_peak()
    base_kb = _proc_status_kb("VmRSS")
    start = time.perf_counter()
    if variant == "floor":
        count = run_floor(src, out, min_size)
    else:
        count = run_chain(src, out, min_size, meta=(variant == "chain+meta"))
    seconds = time.perf_counter() - start
    peak_kb = _proc_status_kb("VmHWM")
    print(json.dumps({"count": count, "seconds": seconds, "peak_rss_mb": max(peak_kb, peak_before) / 1024,
                      "run_rss_mb": (peak_kb - base_kb) / 1024}))


def run_variant(variant: str, src: str, out: str, min_size: int) -> dict:
    done = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", variant, "--src", src,
                           "--out", out, "--min-size", str(min_size)],
                          check=True, capture_output=True, text=True)
    shutil.rmtree(out, ignore_errors=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(variants, src: str, work: str, min_size: int, repeat: int) -> dict:
    """Best time per variant over ``repeat`` rounds; the variants take turns, so load changes hit all."""
    best: dict = {}
    for attempt in range(repeat):
        for variant in variants:
            result = run_variant(variant, src, os.path.join(work, f"out_{attempt}"), min_size)
            if variant not in best or result["seconds"] < best[variant]["seconds"]:
                best[variant] = result
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description="model-free chain vs. plain Pillow loop")
    parser.add_argument("--n", type=int, default=300, help="images in the first folder (the second has 2N)")
    parser.add_argument("--min-size", type=int, default=512)
    parser.add_argument("--repeat", type=int, default=3, help="runs per variant; the best time is kept")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--src", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.src, args.out, args.min_size)
        return

    print(f"command: python bench/bench_model_free.py --n {args.n} --min-size {args.min_size} "
          f"--repeat {args.repeat}  (python {sys.version.split()[0]}, {os.cpu_count()} CPUs)")
    work = tempfile.mkdtemp(prefix="bench_model_free_")
    try:
        rows = []
        for n in (args.n, 2 * args.n):
            src = os.path.join(work, f"in_{n}")
            make_images(src, n)
            results = measure(("floor", "chain", "chain+meta"), src, work, args.min_size, args.repeat)
            for variant, r in results.items():
                assert r["count"] == n, (variant, r)
            rows.append((n, results))
            shutil.rmtree(src)
        print(f"{'N':>6} {'variant':<11} {'images/s':>9} {'ratio':>6} {'peak RSS MB':>12} {'run adds MB':>12}")
        for n, results in rows:
            floor_rate = n / results["floor"]["seconds"]
            for variant, r in results.items():
                rate = n / r["seconds"]
                print(f"{n:>6} {variant:<11} {rate:>9.1f} {rate / floor_rate:>6.2f} {r['peak_rss_mb']:>12.1f} "
                      f"{r['run_rss_mb']:>12.1f}")
        (n1, r1), (n2, r2) = rows
        growth = r2["chain"]["run_rss_mb"] - r1["chain"]["run_rss_mb"]
        print(f"memory the chain run adds, N={n1} -> N={n2}: {r1['chain']['run_rss_mb']:.1f} -> "
              f"{r2['chain']['run_rss_mb']:.1f} MB ({growth:+.1f} MB; floor "
              f"{r1['floor']['run_rss_mb']:.1f} -> {r2['floor']['run_rss_mb']:.1f} MB)")
        ratio = (n1 / r1["chain"]["seconds"]) / (n1 / r1["floor"]["seconds"])
        print(f"ratio chain/floor at N={n1}: {ratio:.2f} (aim >= 0.80)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
