"""How well the keeper rule's re-encode check tells originals from JPEG copies saved losslessly (a measured corpus).

    /work/venv/bin/python bench/bench_originality.py [--generated 16] [--no-demo] [--keeper-only]

Originals: generated anime-style pictures (tests/analysis/generated_art.py) and every lossless demo image
(assets/demo). Each is re-encoded as a JPEG and decoded (what a PNG saved from that JPEG holds): on the 8-pixel grid
at q50..q100, with Pillow's default 4:2:0 colour and with full-resolution (4:4:4) colour, cropped off the grid
(offsets 1..7 in x and y) and resized (0.5..1.5x). Prints per kind the range of the two measures (lattice: mean
distance to the JPEG lattice, flagged under REENCODE_THRESHOLD; colour: the half-resolution colour ratio, flagged
under HALVED_COLOUR_THRESHOLD), the flagged count, the time per image, and whether the keeper of a group made of an
original and its disguised copies (written as PNG files) is the original.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402  (after the path set-up)

from tests.analysis.corpus import (  # noqa: E402
    DETECTABLE_KINDS,
    KINDS,
    ORIGINAL_KINDS,
    SAME_SIZE_KINDS,
    demo_originals,
)
from tests.analysis.generated_art import varied_originals  # noqa: E402
from waifuc_ui.analysis.originality import (  # noqa: E402
    HALVED_COLOUR_THRESHOLD,
    REENCODE_THRESHOLD,
    is_reencoded,
    originality_rank,
    reencode_evidence,
)


def _range(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    missing = len(values) - len(known)
    text = f"{min(known):.3f}..{max(known):.3f}" if known else "-"
    return text + (f" ({missing} n/a)" if missing else "")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--generated", type=int, default=16)
    parser.add_argument("--no-demo", action="store_true")
    parser.add_argument("--keeper-only", action="store_true", help="only the keeper groups, not the table")
    args = parser.parse_args()
    originals = varied_originals(args.generated) + ([] if args.no_demo else demo_originals())
    print(f"{len(originals)} originals; thresholds: lattice < {REENCODE_THRESHOLD}, colour < "
          f"{HALVED_COLOUR_THRESHOLD}")
    if args.keeper_only:
        _keeper_check(originals)
        return
    print(f"{'kind':<26}{'should':<8}{'images':>7}{'flagged':>9}  {'lattice':<22}{'colour':<22}{'ms/image':>9}")
    for kind, make in KINDS.items():
        should = "never" if kind in ORIGINAL_KINDS else "all" if kind in DETECTABLE_KINDS else "can't"
        lattices, colours, flagged, seconds = [], [], 0, 0.0
        for i, picture in enumerate(originals):
            image = make(picture, i)
            t0 = time.perf_counter()
            lattice, colour = reencode_evidence(image)
            seconds += time.perf_counter() - t0
            lattices.append(lattice.score if lattice is not None else None)
            colours.append(colour)
            flagged += is_reencoded(lattice, colour)
        print(f"{kind:<26}{should:<8}{len(originals):>7}{flagged:>9}  {_range(lattices):<22}{_range(colours):<22}"
              f"{1000 * seconds / len(originals):>9.0f}")
    _keeper_check(originals)


def _keeper_check(originals: list[Image.Image]) -> None:
    """Per original, a group of the original and all its copies of a kind family as PNG files, the original given
    first and then last (ties keep the first given): which file leads."""
    families: dict[str, list[str]] = {
        "detectable copies": list(DETECTABLE_KINDS),
        "undetected copies of about the same size": SAME_SIZE_KINDS,
        "copies resized down": [k for k in KINDS if " x0." in k and k not in SAME_SIZE_KINDS],
        "copies resized up": [k for k in KINDS if " x1." in k and not k.startswith("original")],
    }
    with tempfile.TemporaryDirectory(prefix="bench_originality_") as folder:
        for family, kinds in families.items():
            kept = {"first": 0, "last": 0}
            wrong: list[str] = []
            for i, picture in enumerate(originals):
                for place, order in (("first", ["original", *kinds]), ("last", [*kinds, "original"])):
                    paths, sizes = [], []
                    for n, kind in enumerate(order):
                        image = KINDS[kind](picture, i)
                        path = os.path.join(folder, f"{i}_{n}.png")
                        image.save(path, "PNG")
                        paths.append(path)
                        sizes.append(image.size)
                    keeper = order[originality_rank(paths, sizes)[0]]
                    kept[place] += keeper == "original"
                    if keeper != "original":
                        wrong.append(f"#{i} {place}: {keeper}")
            print(f"keeper, original + {len(kinds)} {family}: the original kept in {kept['first']} of "
                  f"{len(originals)} given first, {kept['last']} given last" + (f" ({'; '.join(wrong[:4])})"
                                                                                 if wrong else ""))


if __name__ == "__main__":
    main()
