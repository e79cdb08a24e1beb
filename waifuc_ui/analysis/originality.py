"""Which file of a group of duplicates is the original: the keeper rule of the duplicate review.

:func:`originality_rank` orders a group, best original first:

1. the larger picture, when pixel areas differ by more than 2 % (tiers: each tier holds the files within 2 % of
   its largest one);
2. lossless (PNG, BMP, TIFF, GIF, lossless WebP) over lossy (JPEG, lossy WebP, AVIF/HEIF, JPEG 2000);
3. among lossless files, one that was not re-encoded from a JPEG; among lossy ones, the higher JPEG quality
   (read from the file's quantization table; lossy WebP/AVIF have none and come after JPEGs);
4. the sharper one (variance of the Laplacian, every member resized to the smallest member's size);
5. among lossy files the larger file (less compression), then input order (two lossless files of the same
   picture hold the same pixels: the first seen stays, as the dedup step keeps it).

Re-encode detection, two independent measures (either flags a lossless file; bench/bench_originality.py measures
them on a corpus):

* The lattice (:func:`jpeg_lattice`): the luminance of a decoded JPEG, cut into the JPEG's 8 x 8 blocks and
  transformed by the block DCT, gives coefficients on the lattice of the JPEG's quantization steps (up to rounding
  noise of about 0.35). For each IJG quality 10..97, the mean distance of the coefficients to that quality's
  lattice (in steps, 0..0.5) is about 0.25 on an original and under 0.1 on most decoded JPEGs; only coefficients the
  quantizer would keep (|c| >= step/2, step >= 3) count, each frequency weighs the same, so flat colour (all-zero
  blocks) and smooth gradients (one repeated value) cannot fake a lattice. The best quality is the estimate shown
  ("PNG re-encoded from a JPEG q≈90"). A JPEG cropped before the re-save has its grid elsewhere: the grid offsets
  whose sampled blocks hold the least high-frequency detail (the quantizer zeroes it on its own grid only) are
  measured too, three of the 63, so originals get few extra chances to look like a JPEG.
* Half-resolution colour (:func:`colour_phase_ratio`): JPEGs usually store colour at half resolution (4:2:0, Pillow's
  and most encoders' default) and decoders upsample it with a triangle filter, whose output has zero third
  differences at every other pixel. That holds at any quality (q100 included) and survives crops; a picture
  upscaled 2x shows it in its luminance too and is not counted. Blocks with pixels clipped at black or white are
  left out of the lattice when enough others remain (ringing past the clip breaks the lattice).

Limits (counted as originals): a JPEG of quality 98-100 with full-resolution colour (4:4:4), or of a grey picture
(steps 1-2: the lattice is below the rounding noise; no colour to read); pure black-and-white line art (clipped
everywhere) and pictures under about 50 pixels a side; non-IJG tables at high quality; a JPEG resized before the
re-save (the grid and
the colour pattern are gone; resampling traces measured on the corpus overlap with genuine larger pictures, so no
rule reads them). An undetected copy within 2 % of the original's size loses on sharpness when resampling softened
it by more than SHARPNESS_TOLERANCE, else it ties with the original and the first seen stays; one more than 2 %
larger leads as the larger picture.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image

from ..core.errors import InvalidArgumentError
from ..core.imaging import load_image

#: changes whenever the ranking rules change (cached keeper orders are keyed by it)
RULES_VERSION = 2
#: IJG (libjpeg) standard luminance quantization table, row-major (Pillow's ``quantization`` order).
IJG_LUMINANCE = np.array([
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99], dtype=np.float64)
#: files within this share of their tier's largest pixel area count as the same size
AREA_TOLERANCE = 0.02
#: sharpness values within this share of their tier's sharpest count as equally sharp (the rounding noise of a
#: q98-100 JPEG copy raised it by up to 3.3 % over the original on the corpus: noise must not win)
SHARPNESS_TOLERANCE = 0.05
#: mean lattice distance under which a lossless file counts as a decoded JPEG (originals: about 0.25)
REENCODE_THRESHOLD = 0.15
#: the re-encode check reads at most this many non-flat 8 x 8 blocks
MAX_BLOCKS = 1000
#: a colour third difference above this counts as a colour edge (rounding noise stays under about 5)
COLOUR_EDGE = 8.0
#: a picture needs this many colour edges along an axis for the half-resolution colour check
MIN_COLOUR_EDGES = 60
#: colour phase ratio under which a lossless file counts as a decoded JPEG (originals: above 0.8)
HALVED_COLOUR_THRESHOLD = 0.3
#: the search over the 64 grid offsets reads about this many blocks at each offset
SEARCH_BLOCKS = 200
#: the lattice is measured at the origin grid and at this many other grid offsets
GRID_CANDIDATES = 3
#: the re-encode check reads at most this many pixels a side (from the middle, on the 8-pixel grid)
LATTICE_SIDE = 1536
#: sharpness is measured at most this many pixels on the long side
SHARPNESS_SIDE = 1024

#: EXIF orientation -> the transpose that shows the picture upright (as ImageOps.exif_transpose)
_ORIENTATION = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
                5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
                8: Image.Transpose.ROTATE_90}
LOSSLESS_FORMATS = {"PNG", "BMP", "TIFF", "GIF", "PPM", "TGA", "QOI", "ICO"}
_QUALITIES = np.arange(10, 98)
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)
_CB = np.array([-0.168736, -0.331264, 0.5], dtype=np.float32)
_CR = np.array([0.5, -0.418688, -0.081312], dtype=np.float32)


def ijg_table(quality: int) -> np.ndarray:
    """The IJG luminance table libjpeg (and Pillow) use at ``quality`` (1..100)."""
    q = min(max(int(quality), 1), 100)
    scale = 5000 / q if q < 50 else 200 - 2 * q
    return np.clip(np.floor((IJG_LUMINANCE * scale + 50) / 100), 1, 255)


_TABLES = np.stack([ijg_table(int(q)) for q in _QUALITIES])
# every (AC frequency, step >= 3) pair the qualities use, and where each quality's step sits in that list
_PAIRS = sorted({(k, float(step)) for row in _TABLES for k, step in enumerate(row) if k and step >= 3})
_PAIR_FREQ = np.array([k for k, _ in _PAIRS])
_PAIR_STEP = np.array([step for _, step in _PAIRS], dtype=np.float32)
_PAIR_AT = {pair: i for i, pair in enumerate(_PAIRS)}
_PAIR_INDEX = np.array([[_PAIR_AT.get((k, float(step)), -1) for k, step in enumerate(row)] for row in _TABLES])
_n = np.arange(8)
_DCT = np.sqrt(2 / 8) * np.cos((2 * _n[None, :] + 1) * _n[:, None] * np.pi / 16)
_DCT[0] /= np.sqrt(2)
_DCT = _DCT.astype(np.float32)
_HIGH_FREQUENCIES = (_n[:, None] + _n[None, :] >= 5).reshape(-1)  # the DCT frequencies u + v >= 5


@dataclass(frozen=True)
class Originality:
    """What the file says about being an original. ``quality``: the JPEG quality (from the file's table, or for a
    re-encoded lossless file, of the JPEG it came from); ``lattice`` and ``colour``: the re-encode measures
    (:func:`jpeg_lattice`, :func:`colour_phase_ratio`; None: too few edges to tell, or not measured)."""

    format: str
    lossless: bool
    reencoded: bool = False
    quality: int | None = None
    lattice: float | None = None
    readable: bool = True
    colour: float | None = None

    @property
    def reason(self) -> str:
        if not self.readable:
            return "unreadable file"
        q = f" q≈{self.quality}" if self.quality is not None else ""
        if self.reencoded:
            return f"{self.format} re-encoded from a JPEG{q or ' (colour at half resolution)'}"
        if self.lossless:
            return f"{self.format}, not re-encoded" if self.lattice is not None else f"{self.format}, lossless"
        return f"{self.format}{q}" if self.format == "JPEG" else f"{self.format} (lossy)"


def jpeg_quality(quantization: dict[int, Sequence[int]] | None) -> int | None:
    """The IJG quality whose luminance table is closest to the file's (Pillow's ``image.quantization``)."""
    if not quantization or 0 not in quantization or len(quantization[0]) != 64:
        return None
    table = np.asarray(quantization[0], dtype=np.float64)
    errors = np.abs(np.log(_ALL_TABLES) - np.log(table)[None, :]).mean(axis=1)
    return int(np.argmin(errors)) + 1


_ALL_TABLES = np.stack([ijg_table(q) for q in range(1, 101)])


def luma(rgb: Image.Image) -> np.ndarray:
    """The JPEG (BT.601) luminance of an RGB image, as float32."""
    return np.asarray(rgb, dtype=np.float32) @ _LUMA


class Lattice(NamedTuple):
    """The re-encode measure at the best 8-pixel grid: mean distance to the closest IJG quality's lattice (in steps,
    0..0.5), that quality, and the grid's (row, column) offset in the picture."""

    score: float
    quality: int
    offset: tuple[int, int]


def _busy_blocks(luma: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) of up to ``count`` 8 x 8 blocks on the origin grid that are not flat, evenly spread, without
    clipped pixels unless too few are; each leaves 7 pixels of room to its lower right for the other grid offsets."""
    h, w = (luma.shape[0] - 7) // 8 * 8, (luma.shape[1] - 7) // 8 * 8
    if h < 8 or w < 8:
        return np.zeros(0, int), np.zeros(0, int)
    blocks = luma[:h, :w].reshape(h // 8, 8, w // 8, 8)
    low, high = blocks.min(axis=(1, 3)), blocks.max(axis=(1, 3))
    busy = high - low > 2  # flat blocks hold no lattice evidence
    unclipped = busy & (low >= 1) & (high <= 254)  # clipping (ringing past black or white) breaks the lattice
    rows, cols = np.nonzero(unclipped if unclipped.sum() >= 64 else busy)
    if len(rows) > count:
        pick = np.linspace(0, len(rows) - 1, count).astype(int)
        rows, cols = rows[pick], cols[pick]
    return rows * 8, cols * 8


def _lattice_score(blocks: np.ndarray) -> tuple[float, int] | None:
    """(mean lattice distance, quality) of the closest IJG quality for these 8 x 8 luminance blocks."""
    if len(blocks) < 8:
        return None
    coeffs = np.einsum("ij,njk,lk->nil", _DCT, blocks - np.float32(128), _DCT, optimize=True).reshape(-1, 64)
    # per (frequency, step) pair: mean distance to the lattice of the coefficients the quantizer keeps
    scaled = np.abs(coeffs[:, _PAIR_FREQ]) / _PAIR_STEP[None, :]
    kept = scaled >= 0.5
    counts = kept.sum(axis=0)
    dist = np.where(kept, np.abs(scaled - np.rint(scaled)), 0.0).sum(axis=0) / np.maximum(counts, 1)
    dist = np.where(counts >= 8, dist, np.nan)
    means = np.where(_PAIR_INDEX >= 0, dist[np.maximum(_PAIR_INDEX, 0)], np.nan)
    counted = ~np.isnan(means)
    enough = counted.sum(axis=1) >= 6
    if not enough.any():
        return None
    totals = np.where(counted, means, 0.0).sum(axis=1)
    scores = np.where(enough, totals / np.maximum(counted.sum(axis=1), 1), np.inf)
    best = int(np.argmin(scores))
    return float(scores[best]), int(_QUALITIES[best])


def _grid_candidates(blocks_at: Callable[[int, int, int], np.ndarray], step: int) -> list[tuple[int, int]]:
    """The GRID_CANDIDATES grid offsets other than the origin where the sampled blocks hold the least high-frequency
    detail: a decoded JPEG's quantizer zeroed most of it on its own grid only."""
    offsets = [(dy, dx) for dy in range(8) for dx in range(8) if dy or dx]
    blocks = np.stack([blocks_at(dy, dx, step) for dy, dx in offsets])
    coeffs = np.einsum("ij,onjk,lk->onil", _DCT, blocks, _DCT, optimize=True).reshape(len(offsets), -1, 64)
    # coefficients capped at 1 (the rounding noise of a zeroed one is about 0.35): what counts is how many are near 0
    detail = np.minimum(np.abs(coeffs[:, :, _HIGH_FREQUENCIES]), 1).mean(axis=(1, 2))
    return [offsets[i] for i in np.argsort(detail)[:GRID_CANDIDATES]]


def jpeg_lattice(luma: np.ndarray) -> Lattice | None:
    """The luminance's 8 x 8 block DCT coefficients measured against the IJG lattices at the origin grid and, unless
    that grid already shows a JPEG, at the few other grid offsets most like a JPEG's grid (a JPEG cropped before
    the re-save); None when the picture has too few edges to tell."""
    rows, cols = _busy_blocks(luma, MAX_BLOCKS)
    r8, c8 = rows[:, None] + _n[None, :], cols[:, None] + _n[None, :]

    def blocks_at(dy: int, dx: int, step: int = 1) -> np.ndarray:
        return luma[(r8[::step] + dy)[:, :, None], (c8[::step] + dx)[:, None, :]]

    at_origin = _lattice_score(blocks_at(0, 0))
    if len(rows) < 8 or (at_origin is not None and at_origin[0] < REENCODE_THRESHOLD):
        return Lattice(*at_origin, (0, 0)) if at_origin is not None else None
    step = max(1, len(rows) // SEARCH_BLOCKS)  # candidates are found on a sample
    first, *others = _grid_candidates(blocks_at, step)
    # read in full the likeliest offset, and the others whose sample looks like a JPEG's grid or is too small to
    # tell (a sample can lack the few coefficients a high quality's lattice is measured on)
    to_read = [first]
    for offset in others:
        sample = _lattice_score(blocks_at(*offset, step))
        if sample is None or sample[0] < REENCODE_THRESHOLD + 0.05:
            to_read.append(offset)
    read = {offset: _lattice_score(blocks_at(*offset)) for offset in to_read}
    found = {offset: score for offset, score in read.items() if score is not None}
    if found:
        offset = min(found, key=lambda o: found[o][0])
        if at_origin is None or found[offset][0] < at_origin[0]:
            return Lattice(*found[offset], offset)
    return Lattice(*at_origin, (0, 0)) if at_origin is not None else None


def _phase_counts(plane: np.ndarray, unclipped: np.ndarray, axis: int) -> np.ndarray:
    """How many third differences along ``axis`` exceed COLOUR_EDGE, at even and at odd positions (windows that
    touch a clipped pixel skipped: clipping breaks the upsampler's linearity)."""
    p, ok = np.moveaxis(plane, axis, -1), np.moveaxis(unclipped, axis, -1)
    third = np.abs(p[..., :-3] - 3 * p[..., 1:-2] + 3 * p[..., 2:-1] - p[..., 3:])
    edge = (third > COLOUR_EDGE) & ok[..., :-3] & ok[..., 1:-2] & ok[..., 2:-1] & ok[..., 3:]
    even = edge.shape[-1] // 2 * 2
    return edge[..., :even].reshape(-1, 2).sum(axis=0)


def colour_phase_ratio(rgb: np.ndarray) -> float | None:
    """Evidence of colour stored at half resolution (JPEG 4:2:0 or 4:2:2), as a JPEG decoder's triangle upsampling
    leaves it: the colour planes' third differences vanish at every other pixel. The ratio of colour edges at the
    quiet phase to the other phase, the lowest over the two axes: about 1 on a full-resolution picture, under 0.05
    on a decoded JPEG at any quality; an axis whose luminance shows the same pattern (a picture upscaled 2x) does
    not count. None: too few colour edges to tell (a grey picture)."""
    a = rgb.astype(np.float32)
    unclipped = np.logical_not(((a <= 1) | (a >= 254)).any(axis=-1))
    cb, cr = a @ _CB, a @ _CR
    ratios = []
    for axis in (0, 1):
        colour = _phase_counts(cb, unclipped, axis) + _phase_counts(cr, unclipped, axis)
        if colour.max() < MIN_COLOUR_EDGES:
            continue
        ratio = float(colour.min() / colour.max())
        if ratio < HALVED_COLOUR_THRESHOLD:
            light = _phase_counts(a @ _LUMA, unclipped, axis)
            ratio = 1.0 if light.min() < light.max() * 0.5 else ratio  # luminance halved too: resampled, no JPEG
        ratios.append(ratio)
    return min(ratios) if ratios else None


def _grid_crop(image: Image.Image) -> Image.Image:
    """At most LATTICE_SIDE x LATTICE_SIDE from the middle, starting on the 8-pixel grid of the file."""
    w, h = image.size
    if w <= LATTICE_SIDE and h <= LATTICE_SIDE:
        return image
    x0, y0 = max(0, (w - LATTICE_SIDE) // 16 * 8), max(0, (h - LATTICE_SIDE) // 16 * 8)
    return image.crop((x0, y0, min(w, x0 + LATTICE_SIDE), min(h, y0 + LATTICE_SIDE)))


def reencode_evidence(rgb: Image.Image) -> tuple[Lattice | None, float | None]:
    """The two re-encode measures of an RGB picture (at most LATTICE_SIDE a side from its middle):
    :func:`jpeg_lattice` of its luminance and :func:`colour_phase_ratio`."""
    crop = _grid_crop(rgb)
    return jpeg_lattice(luma(crop)), colour_phase_ratio(np.asarray(crop))


def is_reencoded(lattice: Lattice | None, colour: float | None) -> bool:
    """Whether either measure shows a decoded JPEG."""
    return ((lattice is not None and lattice.score < REENCODE_THRESHOLD)
            or (colour is not None and colour < HALVED_COLOUR_THRESHOLD))


def _is_lossless(image: Image.Image, fmt: str, path: str | Path) -> bool:
    if fmt == "WEBP":  # the first image chunk says: VP8L lossless, "VP8 " lossy (animations: their first frame)
        with open(path, "rb") as f:
            head = f.read(1 << 16)
        lossless_at, lossy_at = head.find(b"VP8L"), head.find(b"VP8 ")
        return lossless_at >= 0 and (lossy_at < 0 or lossless_at < lossy_at)
    if fmt == "TIFF":
        return str(image.info.get("compression", "raw")).lower() not in ("jpeg", "tiff_jpeg", "webp")
    return fmt in LOSSLESS_FORMATS


def _examine(path: str | Path, size: tuple[int, int] | None) -> tuple[Originality, np.ndarray | None]:
    """The file's originality and its luminance at ``size`` (for the sharpness), from one decode."""
    try:
        with Image.open(path) as image:
            fmt = (image.format or "?").upper()
            lossless = _is_lossless(image, fmt, path)
            quality = jpeg_quality(getattr(image, "quantization", None)) if fmt == "JPEG" else None
            orientation = int(image.getexif().get(0x0112, 1) or 1)
            image.load()
            rgb = load_image(image, "RGB")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return Originality("?", False, readable=False), None
    found = colour = None
    reencoded = False
    if lossless:
        found, colour = reencode_evidence(rgb)
        reencoded = is_reencoded(found, colour)
        quality = found.quality if found is not None and found.score < REENCODE_THRESHOLD else None
    small = None
    if size is not None:  # sharpness on the picture as shown (EXIF orientation applied), at the common size
        method = _ORIENTATION.get(orientation)
        shown = rgb.transpose(method) if method is not None else rgb
        small = luma(shown if shown.size == size else shown.resize(size, Image.Resampling.BOX))
    lattice = found.score if found is not None else None
    return Originality(fmt, lossless, reencoded, quality, lattice, colour=colour), small


def laplacian_variance(luma: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian: higher is sharper (at equal size)."""
    if luma.shape[0] < 3 or luma.shape[1] < 3:
        return 0.0
    lap = (luma[1:-1, :-2] + luma[1:-1, 2:] + luma[:-2, 1:-1] + luma[2:, 1:-1] - 4 * luma[1:-1, 1:-1])
    return float(lap.var())


def _tiers(values: Sequence[float], tolerance: float) -> list[int]:
    """Tier of each value, 0 for the highest: each tier holds the values within ``tolerance`` (a share) of its
    largest value, so nearly equal values never split on noise."""
    order = sorted(range(len(values)), key=lambda i: -values[i])
    tiers = [0] * len(values)
    tier, top = -1, None
    for i in order:
        if top is None or values[i] < top * (1 - tolerance):
            tier, top = tier + 1, values[i]
        tiers[i] = tier
    return tiers


def _common_size(sizes: Sequence[tuple[int, int]]) -> tuple[int, int]:
    w, h = min(sizes, key=lambda s: s[0] * s[1])
    scale = min(1.0, SHARPNESS_SIDE / max(w, h, 1))
    return max(1, round(w * scale)), max(1, round(h * scale))


def originality_rank(paths: Sequence[str | Path], sizes: Sequence[tuple[int, int]]) -> list[int]:
    """Indices of ``paths`` (pixel ``sizes`` as (width, height)), best original first; see the module text."""
    if len(paths) != len(sizes):
        raise InvalidArgumentError(f"{len(paths)} paths but {len(sizes)} sizes", "give one (width, height) per path")
    if len(paths) < 2:
        return list(range(len(paths)))
    common = _common_size(sizes)
    found = [_examine(p, common) for p in paths]
    area_tier = _tiers([float(w * h) for w, h in sizes], AREA_TOLERANCE)
    sharp = [laplacian_variance(small) if small is not None else 0.0 for _, small in found]
    sharp_tier = _tiers(sharp, SHARPNESS_TOLERANCE)
    file_size = [os.path.getsize(p) if os.path.isfile(p) else 0 for p in paths]

    def key(i: int) -> tuple:
        info = found[i][0]
        quality = info.quality if (info.format == "JPEG" and info.quality is not None) else 0
        return (not info.readable, area_tier[i], not info.lossless, info.reencoded, -quality if not info.lossless
                else 0, sharp_tier[i], -file_size[i] if not info.lossless else 0, i)

    return sorted(range(len(paths)), key=key)


def originality(path: str | Path) -> Originality:
    """What one file says about being an original (format, lossless, re-encoded, JPEG quality)."""
    return _examine(path, None)[0]


def originality_reason(path: str | Path) -> str:
    """Short words for the review, e.g. "PNG, not re-encoded", "JPEG q≈92", "PNG re-encoded from a JPEG q≈90"."""
    return originality(path).reason
