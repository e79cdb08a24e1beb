"""The two OpenCV operations imgutils' segmentation and pose code use, in numpy (OpenCV is not a dependency).

:func:`resize_linear` follows ``cv2.resize(..., interpolation=INTER_LINEAR)`` for float32 arrays: source
coordinate ``(d + 0.5) * src / dst - 0.5``, replicated borders, horizontal pass then vertical, float32 weights.
:func:`warp_affine_linear` follows ``cv2.warpAffine(..., flags=INTER_LINEAR)`` with a zero constant border, in
float maths (OpenCV quantises the sub-pixel position to 1/32 for uint8 images, so values may differ by ~1/32 of
a grey level step there).
"""

from __future__ import annotations

import numpy as np


def _axis(src_n: int, dst_n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    f = ((np.arange(dst_n, dtype=np.float64) + 0.5) * (src_n / dst_n) - 0.5).astype(np.float32)
    i0 = np.floor(f).astype(np.int64)
    w = (f - i0).astype(np.float32)
    low = i0 < 0
    w[low], i0[low] = 0, 0
    high = i0 >= src_n - 1
    w[high], i0[high] = 0, src_n - 1
    return i0, np.minimum(i0 + 1, src_n - 1), w


def resize_linear(arr: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``arr`` [H, W] or [H, W, C] float32 resized to ``size`` = (width, height)."""
    arr = np.asarray(arr, dtype=np.float32)
    h, w = arr.shape[:2]
    new_w, new_h = int(size[0]), int(size[1])
    x0, x1, wx = _axis(w, new_w)
    y0, y1, wy = _axis(h, new_h)
    extra = (None,) * (arr.ndim - 2)
    wx_b = wx[(None, slice(None), *extra)]
    horizontal = arr[:, x0] * (1 - wx_b) + arr[:, x1] * wx_b
    wy_b = wy[(slice(None), None, *extra)]
    return (horizontal[y0] * (1 - wy_b) + horizontal[y1] * wy_b).astype(np.float32)


def affine_from_points(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """``cv2.getAffineTransform``: the 2x3 matrix mapping three ``src`` points onto three ``dst`` points."""
    a = np.zeros((6, 6), np.float64)
    b = np.zeros(6, np.float64)
    for i in range(3):
        a[2 * i, 0:2], a[2 * i, 2] = src[i], 1
        a[2 * i + 1, 3:5], a[2 * i + 1, 5] = src[i], 1
        b[2 * i], b[2 * i + 1] = dst[i]
    return np.linalg.solve(a, b).reshape(2, 3)


def warp_affine_linear(img: np.ndarray, matrix: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``img`` [H, W, C] warped by the 2x3 ``matrix`` (source -> destination) into ``size`` = (width, height),
    bilinear, zero outside the source. Returns float64 [h, w, C]."""
    src = np.asarray(img, dtype=np.float64)
    h, w = src.shape[:2]
    out_w, out_h = int(size[0]), int(size[1])
    full = np.vstack([matrix, [0.0, 0.0, 1.0]])
    inv = np.linalg.inv(full)[:2]
    xs, ys = np.meshgrid(np.arange(out_w, dtype=np.float64), np.arange(out_h, dtype=np.float64))
    sx = inv[0, 0] * xs + inv[0, 1] * ys + inv[0, 2]
    sy = inv[1, 0] * xs + inv[1, 1] * ys + inv[1, 2]
    x0, y0 = np.floor(sx).astype(np.int64), np.floor(sy).astype(np.int64)
    fx, fy = (sx - x0)[..., None], (sy - y0)[..., None]
    out = np.zeros((out_h, out_w, src.shape[2]), np.float64)
    for dy, wy in ((0, 1 - fy), (1, fy)):
        for dx, wx in ((0, 1 - fx), (1, fx)):
            xx, yy = x0 + dx, y0 + dy
            inside = (xx >= 0) & (xx < w) & (yy >= 0) & (yy < h)
            vals = src[np.clip(yy, 0, h - 1), np.clip(xx, 0, w - 1)] * inside[..., None]
            out += vals * wx * wy
    return out
