"""The aspect-ratio buckets a kohya-style trainer (kohya-ss/sd-scripts, upscaling allowed, its defaults) forms
at a base resolution, and what each image goes through: the bucket, the scale, the share of pixels cropped.

Follows sd-scripts' ``make_bucket_resolutions`` (library/model_util.py) and ``BucketManager.select_bucket``
(library/train_util.py): buckets are every (w, h) with sides in steps of 64 between 256 and 1024 (or the base
when larger) and area at most base², plus the square; an image goes to the bucket of the nearest aspect ratio
(its own size when that is a bucket), is scaled so the bucket is covered, and the overflow is cropped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from ..core.errors import InvalidArgumentError

#: kohya's defaults: --min_bucket_reso, --max_bucket_reso, --bucket_reso_steps.
MIN_BUCKET, MAX_BUCKET, STEPS = 256, 1024, 64
#: An image is flagged when it is scaled up at least this much (blurry), or when at least this share of its
#: pixels is cropped away.
BIG_UPSCALE, BIG_CROP = 1.5, 0.10


def bucket_resolutions(base: int, min_size: int = MIN_BUCKET, max_size: int | None = None,
                       steps: int = STEPS) -> list[tuple[int, int]]:
    """The sorted (width, height) buckets for training at ``base`` x ``base``."""
    max_size = max(MAX_BUCKET, base) if max_size is None else max_size
    max_area = base * base
    side = int(math.sqrt(max_area) // steps) * steps
    resos = {(side, side)}
    width = min_size
    while width <= max_size:
        height = min(max_size, int((max_area // width) // steps) * steps)
        if height >= min_size:
            resos.add((width, height))
            resos.add((height, width))
        width += steps
    return sorted(resos)


@dataclass(frozen=True)
class BucketFit:
    """Where one image goes: ``bucket`` (w, h), ``scale`` applied before cropping, ``resized`` size, and the
    share of the resized pixels ``cropped`` away."""

    bucket: tuple[int, int]
    scale: float
    resized: tuple[int, int]
    cropped: float

    @property
    def upscaled_a_lot(self) -> bool:
        return self.scale >= BIG_UPSCALE

    @property
    def cropped_a_lot(self) -> bool:
        return self.cropped >= BIG_CROP


def fit_bucket(width: int, height: int, resos: list[tuple[int, int]]) -> BucketFit:
    """kohya's ``select_bucket`` for one image of ``width`` x ``height`` (upscaling allowed)."""
    ratio = width / height
    if (width, height) in resos:
        reso = (width, height)
    else:
        reso = min(resos, key=lambda r: abs(r[0] / r[1] - ratio))  # first of the nearest ratios, like argmin
    scale = reso[1] / height if ratio > reso[0] / reso[1] else reso[0] / width
    resized = (int(width * scale + 0.5), int(height * scale + 0.5))
    cropped = 1 - (reso[0] * reso[1]) / (resized[0] * resized[1])
    return BucketFit(reso, scale, resized, max(0.0, cropped))


@dataclass(frozen=True)
class BucketPreview:
    """Images per bucket (largest first) and the ids flagged as upscaled or cropped a lot."""

    base: int
    counts: list[tuple[tuple[int, int], int]]
    upscaled: list[str]
    cropped: list[str]


def preview_buckets(sizes: Iterable[tuple[str, tuple[int, int]]], base: int) -> BucketPreview:
    """The buckets of images given as ``(id, (width, height))`` at ``base``."""
    if base < MIN_BUCKET:
        raise InvalidArgumentError(f"base resolution {base} is below kohya's smallest bucket {MIN_BUCKET}",
                                   "choose 512, 768 or 1024")
    resos = bucket_resolutions(base)
    counts: dict[tuple[int, int], int] = {}
    upscaled, cropped = [], []
    for item_id, (w, h) in sizes:
        fit = fit_bucket(w, h, resos)
        counts[fit.bucket] = counts.get(fit.bucket, 0) + 1
        if fit.upscaled_a_lot:
            upscaled.append(item_id)
        if fit.cropped_a_lot:
            cropped.append(item_id)
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return BucketPreview(base, ordered, upscaled, cropped)


def buckets_markdown(preview: BucketPreview, total: int) -> str:
    """A short table: bucket, images, and the flagged counts."""
    if not preview.counts:
        return "No image in the dataset: nothing to bucket."
    lines = [f"**{total} image(s) in {len(preview.counts)} bucket(s) at {preview.base}×{preview.base}** "
             "(kohya-ss/sd-scripts bucketing: steps of 64, 256–1024 px, upscaling allowed)", "",
             "| bucket (w×h) | images |", "|---|---|"]
    lines += [f"| {w}×{h} | {n} |" for (w, h), n in preview.counts]
    lines.append("")
    lines.append(f"- upscaled {BIG_UPSCALE:g}× or more (blurry at this size): **{len(preview.upscaled)}**")
    lines.append(f"- {BIG_CROP:.0%} or more of the image cropped away: **{len(preview.cropped)}**")
    return "\n".join(lines)
