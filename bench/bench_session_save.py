"""Cost of keeping a session on disk: ``Session.save()`` after each change, and reopening after a restart.

A session holds N synthetic images (default 500) after the model-free preset ran, with 50 per-image tag edits.
Measured: the first save after the run (items + run + state files), a save with nothing changed (every handler pays
it), a tag edit + save (the state file only), and ``SessionRegistry.reopen`` in a new registry (a restarted server).
Floor measured in the same run: writing the same three files' bytes with plain ``open().write()`` (no JSON, no
fsync, no temp file).

    /work/venv/bin/python bench/bench_session_save.py [--images 500] [--repeat 20]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ["WAIFUC_UI_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench_save_analysis_")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from waifuc_ui.session import SessionRegistry, persistence  # noqa: E402

SECRET = "bench-secret-0123456789abcdefghij"


def mean_ms(fn, repeat: int) -> float:
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - t0) / repeat * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench_save_")
    src = os.path.join(tmp, "src")
    os.makedirs(src)
    rng = np.random.default_rng(0)
    for k in range(args.images):
        Image.fromarray(rng.integers(0, 255, (200 + k % 200, 300, 3), dtype=np.uint8)).save(
            os.path.join(src, f"i{k:04d}.png"))
    root = os.path.join(tmp, "ws")
    registry = SessionRegistry(root)
    s = registry.create(SECRET)
    s.inputs.add_folder(src)
    s.pipeline.load_preset("model-free clean-up")
    s.runs.start()
    for i in s.dataset.ids()[:50]:
        s.tags.set_item(i, "a, b, c, d, e, f")
    first = mean_ms(s.save, 1)
    unchanged = mean_ms(s.save, args.repeat)

    def edit() -> None:
        s.tags.add("x")
        s.save()

    edited = mean_ms(edit, args.repeat)
    names = (persistence.STATE_FILE, persistence.ITEMS_FILE, persistence.RUN_FILE)
    blobs = {n: open(os.path.join(s.workspace.dir, n), "rb").read() for n in names}
    floor_dir = os.path.join(tmp, "floor")
    os.makedirs(floor_dir)

    def plain_write() -> None:
        for n, b in blobs.items():
            with open(os.path.join(floor_dir, n), "wb") as fh:
                fh.write(b)

    floor = mean_ms(plain_write, args.repeat)
    registry.release_all()
    t0 = time.perf_counter()
    again = SessionRegistry(root).reopen(s.id, SECRET)
    reopen = (time.perf_counter() - t0) * 1000
    assert again is not None and again.dataset.ids() == s.dataset.ids()
    sizes = ", ".join(f"{n} {len(b) / 1000:.0f} KB" for n, b in blobs.items())
    print(f"{args.images} images, {len(s.store)} records, {len(s.dataset.ids())} in the dataset; files: {sizes}")
    print(f"floor (plain write of the three files): {floor:.2f} ms")
    print(f"first save after the run: {first:.1f} ms ({first / floor:.1f}x floor)")
    print(f"save, nothing changed:    {unchanged:.2f} ms ({unchanged / floor:.2f}x floor)")
    print(f"tag edit + save:          {edited:.2f} ms ({edited / floor:.2f}x floor)")
    print(f"reopen after a restart:   {reopen:.1f} ms ({reopen / floor:.1f}x floor)")


if __name__ == "__main__":
    main()
