"""Perceptual hashes of the duplicate review from the analysis cache: a fresh session on images reviewed before.

    python bench/bench_review_hash_cache.py [copies]

The demo set ``copies`` times (other names, same pixels). Floor, measured in the same run: decoding each distinct
image once. Prints the seconds and ratio to the floor of hashing every image with an empty cache and with the
cache filled by an earlier session (a new cache object on the same folder: nothing in memory, as in a new
process), how many hashes each computed, and the whole review in two fresh sessions one after the other (the
first ranks each group's keeper from the files, the second reads that order from the cache too).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from waifuc_ui.analysis import AnalysisCache, perceptual
from waifuc_ui.session import SessionRegistry

DEMO = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "assets", "demo")


def main(copies: int = 4) -> None:
    calls = []
    real = perceptual.HASHERS["phash"]
    perceptual.HASHERS["phash"] = lambda image: calls.append(1) or real(image)
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.path.join(tmp, "images")
        os.makedirs(folder)
        for n in range(copies):
            for name in os.listdir(DEMO):
                if name.lower().endswith((".png", ".jpg", ".webp")) and not name.startswith(("broken", "empty")):
                    shutil.copy(os.path.join(DEMO, name), os.path.join(folder, f"c{n}_{name}"))
        cache = os.path.join(tmp, "cache")
        registry = SessionRegistry(os.path.join(tmp, "ws"), ttl_seconds=600, cache_dir=cache)
        session = registry.create()
        session.inputs.add_folder(folder)
        session.runs.start()
        ids = list({session.record(i).content_hash: i for i in session.inputs.ids}.values())  # distinct pixels

        def items():
            return session.runs.items(ids)

        start = time.perf_counter()
        for item in items():
            item.image.load()
        floor = time.perf_counter() - start
        rows = []
        for label in ("empty cache", "cache of an earlier session"):
            calls.clear()
            fresh = AnalysisCache(cache)  # nothing in memory
            start = time.perf_counter()
            perceptual.images_hashes(items(), "phash", cache=fresh)
            rows.append((label, len(calls), time.perf_counter() - start))
        registry.close_all()
        reviews = []
        for n in range(2):
            registry = SessionRegistry(os.path.join(tmp, f"review{n}"), ttl_seconds=600, cache_dir=cache)
            session = registry.create()
            session.inputs.add_folder(folder)
            session.runs.start()
            calls.clear()
            start = time.perf_counter()
            session.duplicates.groups(method="phash")
            reviews.append((len(calls), time.perf_counter() - start))
            registry.close_all()
    print(f"{len(ids)} distinct images ({copies} copies of the demo set); floor (decode each once): {floor:.3f} s")
    for label, computed, took in rows:
        print(f"  hashes, {label:28s} {computed:4d} computed  {took:.3f} s = {took / floor:.2f}x the floor")
    for computed, took in reviews:
        print(f"  whole review of a fresh session: {computed:4d} hashes computed  {took:.3f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 4)
