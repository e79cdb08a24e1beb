"""Perceptual-hash distances on the demo set: how far real copies are from their source, how close distinct
drawings come. The duplicate review's default (6 pHash bits, session/duplicate_groups.py) sits in the gap.

    python bench/demo_hash_distances.py

Prints, for pHash and dHash: the largest distance between a demo image and a copy made here (half size as JPEG
q50, quarter size, JPEG q30/q60, WebP q70, 1.5x) and the smallest distance between two distinct demo drawings
(the demo's own copies excluded: same file stem before the first '_copy'/'_again'/'_noise'/'_smaller'/...).
"""

from __future__ import annotations

import io
import itertools
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from PIL import Image

from waifuc_ui.action.image_hashes import dhash, hamming, phash
from waifuc_ui.session import SessionRegistry

FAMILIES = [{"aoi_01.png", "aoi_01_again.png", "aoi_01_copy.webp"},
            {"aoi_03.png", "aoi_03_noise.jpg", "aoi_03_smaller.png"}, {"beni_03.png", "beni_03_copy.png"},
            {"beni_05.png", "beni_05_reencoded.jpg", "beni_05_crop.png"}]


def encoded(image: Image.Image, fmt: str, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, fmt, quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def scaled(image: Image.Image, factor: float) -> Image.Image:
    return image.resize((max(1, round(image.width * factor)), max(1, round(image.height * factor))),
                        Image.Resampling.BICUBIC)


COPIES = {"half, JPEG q50": lambda im: encoded(scaled(im, 0.5), "JPEG", 50), "quarter": lambda im: scaled(im, 0.25),
          "JPEG q30": lambda im: encoded(im, "JPEG", 30), "JPEG q60": lambda im: encoded(im, "JPEG", 60),
          "WebP q70": lambda im: encoded(im, "WEBP", 70), "1.5x": lambda im: scaled(im, 1.5)}


def main() -> None:
    registry = SessionRegistry(tempfile.mkdtemp(prefix="hash_bench_"))
    session = registry.create()
    session.inputs.load_demo()
    names = [session.record(i).meta["filename"] for i in session.inputs.ids]
    images = [session.store.item(i).image.convert("RGB") for i in session.inputs.ids]
    for name, hasher in (("pHash", phash), ("dHash", dhash)):
        hashes = [hasher(im) for im in images]
        same = {frozenset(p) for f in FAMILIES for p in itertools.combinations(f, 2)}
        distinct = min((hamming(hashes[a], hashes[b]), names[a], names[b])
                       for a, b in itertools.combinations(range(len(names)), 2)
                       if frozenset((names[a], names[b])) not in same)
        worst = max((hamming(h, hasher(make(im))), names[n], kind) for n, (im, h) in enumerate(zip(images, hashes))
                    if min(im.size) >= 32 for kind, make in COPIES.items())
        print(f"{name}: copies made here differ by at most {worst[0]} bits ({worst[1]}, {worst[2]}); distinct demo "
              f"drawings by at least {distinct[0]} ({distinct[1]} / {distinct[2]})")
    registry.close_all()


if __name__ == "__main__":
    main()
