"""imgutils' ``remove_adversarial_noise`` (no model): ``b_iters`` bilateral filters, then ``g_iters`` guided
filters guided by the original, each with parameters drawn at random from the given ranges, in numpy.

The filters follow OpenCV's definitions (``cv2.bilateralFilter`` on float32 colour: circular window of radius
``d // 2``, colour distance = sum of absolute channel differences, reflect-101 borders; ``cv2.ximgproc.guidedFilter``
with a colour guide: He et al.'s filter with box means over ``(2r + 1)^2`` and ``eps`` added to the guide's
covariance). OpenCV approximates the colour weights with a table, so results are close to, not bit-equal with,
imgutils'; the random draws make every run differ anyway.
"""

from __future__ import annotations

import random

import numpy as np
from PIL import Image


def _pad(arr: np.ndarray, r: int) -> np.ndarray:
    """Reflect-101 borders (OpenCV's BORDER_DEFAULT) of r pixels on the two last (spatial) axes of [C, H, W]."""
    return np.pad(arr, ((0, 0), (r, r), (r, r)), mode='reflect')


def bilateral(img: np.ndarray, diameter: int, sigma_color: float, sigma_space: float) -> np.ndarray:
    """``cv2.bilateralFilter`` of a float32 [H, W, 3] array."""
    r = max(diameter // 2, 1)
    chw = np.ascontiguousarray(np.asarray(img, np.float32).transpose(2, 0, 1))
    padded = _pad(chw, r)
    h, w = chw.shape[1:]
    num = np.zeros_like(chw)
    den = np.zeros((h, w), np.float32)
    cc, sc = np.float32(-0.5 / (sigma_color * sigma_color)), -0.5 / (sigma_space * sigma_space)
    diff = np.empty((h, w), np.float32)
    tmp = np.empty((h, w), np.float32)
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            dist2 = dy * dy + dx * dx
            if dist2 > r * r:
                continue
            shifted = padded[:, r + dy:r + dy + h, r + dx:r + dx + w]
            diff[:] = 0
            for c in range(3):  # colour distance: sum of absolute channel differences
                np.subtract(shifted[c], chw[c], out=tmp)
                np.abs(tmp, out=tmp)
                diff += tmp
            np.multiply(diff, diff, out=diff)
            diff *= cc
            diff += np.float32(dist2 * sc)
            weight = np.exp(diff, out=diff)
            num += weight * shifted
            den += weight
    return (num / den).transpose(1, 2, 0)


def _box_mean(arr: np.ndarray, r: int) -> np.ndarray:
    """Mean over a (2r + 1)^2 window of each [..., H, W] plane; scipy's 'mirror' borders are reflect-101."""
    from scipy.ndimage import uniform_filter

    return uniform_filter(np.asarray(arr, np.float64), size=2 * r + 1, mode='mirror', axes=(-2, -1))


def guided(guide: np.ndarray, src: np.ndarray, radius: int, eps: float) -> np.ndarray:
    """``cv2.ximgproc.guidedFilter(guide, src, radius, eps)`` with a 3-channel guide (He et al.), float maths.
    ``guide`` and ``src`` are [H, W, 3]."""
    g = np.asarray(guide, np.float64).transpose(2, 0, 1)
    p = np.asarray(src, np.float64).transpose(2, 0, 1)
    mean_i, mean_p = _box_mean(g, radius), _box_mean(p, radius)
    pairs = [(0, 0), (0, 1), (0, 2), (1, 1), (1, 2), (2, 2)]
    corr = _box_mean(np.stack([g[a] * g[b] for a, b in pairs]), radius)
    var = {ab: corr[n] - mean_i[ab[0]] * mean_i[ab[1]] + (eps if ab[0] == ab[1] else 0.0)
           for n, ab in enumerate(pairs)}
    rr, rg, rb, gg, gb, bb = (var[ab] for ab in pairs)
    inv = [[gg * bb - gb * gb, gb * rb - rg * bb, rg * gb - gg * rb],  # adjugate of the symmetric 3x3 covariance
           [0.0, rr * bb - rb * rb, rb * rg - rr * gb],
           [0.0, 0.0, rr * gg - rg * rg]]
    det = rr * inv[0][0] + rg * inv[0][1] + rb * inv[0][2]
    inv[1][0], inv[2][0], inv[2][1] = inv[0][1], inv[0][2], inv[1][2]
    cov_ip = _box_mean(g[:, None] * p[None, :], radius) - mean_i[:, None] * mean_p[None, :]  # [3 guide, C, H, W]
    a = np.stack([sum(inv[i][j] * cov_ip[j] for j in range(3)) / det for i in range(3)])  # [3, C, H, W]
    b = mean_p - (a * mean_i[:, None]).sum(axis=0)
    q = (_box_mean(a, radius) * g[:, None]).sum(axis=0) + _box_mean(b, radius)
    return q.transpose(1, 2, 0).astype(np.float32)


def remove_adversarial_noise(image: Image.Image, diameter_min: int = 4, diameter_max: int = 6,
                             sigma_color_min: float = 6.0, sigma_color_max: float = 10.0,
                             sigma_space_min: float = 6.0, sigma_space_max: float = 10.0,
                             radius_min: int = 3, radius_max: int = 6, eps_min: float = 16.0, eps_max: float = 24.0,
                             b_iters: int = 64, g_iters: int = 8, rng=None) -> Image.Image:
    """The denoised RGB image (RGBA goes on white first), imgutils' parameters and defaults."""
    from ..inference.inputs import load_rgb

    rng = rng or random
    img = np.asarray(load_rgb(image)).astype(np.float32)
    y = img.copy()
    for _ in range(b_iters):
        diameter = rng.randint(diameter_min, diameter_max)
        sigma_color = rng.uniform(sigma_color_min, sigma_color_max)
        sigma_space = rng.uniform(sigma_space_min, sigma_space_max)
        y = bilateral(y, diameter, sigma_color, sigma_space)
    for _ in range(g_iters):
        radius = rng.randint(radius_min, radius_max)
        eps = rng.uniform(eps_min, eps_max)
        y = guided(img, y, radius, eps)
    return Image.fromarray(y.clip(0, 255).astype(np.uint8))
