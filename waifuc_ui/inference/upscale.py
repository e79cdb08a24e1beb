"""CDC upscaling (``deepghs/cdc_anime_onnx`` ``{model}.onnx``), imgutils 0.19.0 ``upscale_with_cdc``.

Input ``input`` [N, 3, h, w] float32 RGB in [0, 1], h and w padded up to multiples of 16 (numpy 'reflect', bottom
and right); output ``output`` [N, 3, s, h, s, w], reshaped as is to [N, 3, s*h, s*w] and cropped back. The scale
``s`` is read from the model's answer to a 16x16 input. Images are cut in square tiles of side
``min(tile_size, H, W)`` at stride ``tile - tile_overlap`` (last tile flush with the edge), tile outputs averaged
where they overlap, clipped to [0, 1], ``uint8(x * 255)`` (truncated). An alpha channel is upscaled as a grey
image (mean of the three outputs), so RGBA stays RGBA. Where imgutils' stride would be <= 0 (a side no longer
than ``tile_overlap``), tiles here do not overlap instead of failing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

from .inputs import to_pil
from .loaders import locked_cache, register
from .registry import register_model
from .resolve import resolve_file
from .runtime import open_session
from .specs_extra import CDC, CDC_DEFAULT, cdc_file

UNIT = 16


@register
@locked_cache(maxsize=8)
def _open(path: str) -> tuple[object, int]:
    session = open_session(path)
    (probe,) = session.run(['output'], {'input': np.zeros((1, 3, UNIT, UNIT), np.float32)})
    _, channels, scale_h, height, scale_w, width = probe.shape
    if channels != 3 or height != UNIT or width != UNIT or scale_h != scale_w:
        raise ValueError(f'unexpected CDC output shape {probe.shape!r} for a 16x16 input')
    return session, int(scale_h)


def cdc_scale(model: str = CDC_DEFAULT) -> int:
    """The model's integer upscaling factor."""
    return _open(resolve_file(cdc_file(model), f'upscaler {model!r}'))[1]


def _run_tiles(session, tiles: np.ndarray) -> np.ndarray:
    _, _, height, width = tiles.shape
    ph, pw = -height % UNIT, -width % UNIT
    if ph or pw:
        tiles = np.pad(tiles, ((0, 0), (0, 0), (0, ph), (0, pw)), mode='reflect')
    (out,) = session.run(['output'], {'input': tiles.astype(np.float32)})
    n, c, s, h, _, w = out.shape
    return out.reshape((n, c, s * h, s * w))[..., :s * height, :s * width]


def tile_origins(height: int, width: int, tile_size: int, tile_overlap: int) -> tuple[int, list[int], list[int]]:
    tile = min(tile_size, height, width)
    stride = tile - tile_overlap if tile > tile_overlap else tile
    hs = sorted(set(range(0, height - tile, stride)) | {height - tile})
    ws = sorted(set(range(0, width - tile, stride)) | {width - tile})
    return tile, hs, ws


def upscale_arrays(session, scale: int, arrays: Sequence[np.ndarray], tile_size: int, tile_overlap: int,
                   batch_size: int) -> list[np.ndarray]:
    """Each [3, H, W] float32 array upscaled to [3, sH, sW] (not clipped); tiles of equal size share calls."""
    jobs: dict[int, list[tuple[int, int, int]]] = {}
    plans = []
    for k, arr in enumerate(arrays):
        tile, hs, ws = tile_origins(arr.shape[1], arr.shape[2], tile_size, tile_overlap)
        plans.append(tile)
        jobs.setdefault(tile, []).extend((k, h, w) for h in hs for w in ws)
    sums = [np.zeros((3, a.shape[1] * scale, a.shape[2] * scale), np.float32) for a in arrays]
    weights = [np.zeros_like(s) for s in sums]
    for tile, places in jobs.items():
        for start in range(0, len(places), max(1, batch_size)):
            chunk = places[start:start + batch_size]
            out = _run_tiles(session, np.stack([arrays[k][:, h:h + tile, w:w + tile] for k, h, w in chunk]))
            for (k, h, w), patch in zip(chunk, out):
                sums[k][:, h * scale:(h + tile) * scale, w * scale:(w + tile) * scale] += patch
                weights[k][:, h * scale:(h + tile) * scale, w * scale:(w + tile) * scale] += 1
    return [s / wt for s, wt in zip(sums, weights)]


def upscale_with_cdc_batch(images: Sequence, model: str = CDC_DEFAULT, tile_size: int = 512,
                           tile_overlap: int = 64, batch_size: int = 1) -> list[Image.Image]:
    """:func:`upscale_with_cdc` for many images (tiles of the same size from several images share a call)."""
    session, scale = _open(resolve_file(cdc_file(model), f'upscaler {model!r}'))
    pils = [to_pil(im) for im in images]
    modes = ['RGBA' if im.mode in ('RGBA', 'LA', 'PA') or (im.mode == 'P' and 'transparency' in im.info) else 'RGB'
             for im in pils]
    arrays = [(np.asarray(im.convert(m)).astype(np.float32) / 255.0).transpose(2, 0, 1) for im, m in zip(pils, modes)]
    rgb = [a[:3] for a in arrays]
    alpha_idx = [k for k, m in enumerate(modes) if m == 'RGBA']
    alphas = [np.stack([arrays[k][3]] * 3) for k in alpha_idx]
    outs = upscale_arrays(session, scale, rgb + alphas, tile_size, tile_overlap, batch_size)
    results = [np.clip(o, 0.0, 1.0) for o in outs[:len(rgb)]]
    for k, alpha_out in zip(alpha_idx, outs[len(rgb):]):
        results[k] = np.concatenate([results[k], np.clip(alpha_out, 0.0, 1.0).mean(axis=0)[None]], axis=0)
    return [Image.fromarray((np.clip(r, 0.0, 1.0) * 255.0).astype(np.uint8).transpose(1, 2, 0), mode=m)
            for r, m in zip(results, modes)]


@register_model(CDC)
def upscale_with_cdc(image, model: str = CDC_DEFAULT, tile_size: int = 512, tile_overlap: int = 64,
                     batch_size: int = 1) -> Image.Image:
    """The image upscaled by the model's factor (4 for the default HGSR-MHR-anime-aug_X4_320)."""
    return upscale_with_cdc_batch([image], model, tile_size, tile_overlap, batch_size)[0]
