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
    """Reflect-101 borders (OpenCV's BORDER_DEFAULT) of r pixels on both spatial axes."""
    return np.pad(arr, ((r, r), (r, r), (0, 0)), mode='reflect')


def bilateral(img: np.ndarray, diameter: int, sigma_color: float, sigma_space: float) -> np.ndarray:
    """``cv2.bilateralFilter`` of a float32 [H, W, 3] array."""
    r = max(diameter // 2, 1)
    padded = _pad(img, r)
    h, w = img.shape[:2]
    num = np.zeros_like(img, dtype=np.float32)
    den = np.zeros(img.shape[:2] + (1,), np.float32)
    cc, sc = -0.5 / (sigma_color * sigma_color), -0.5 / (sigma_space * sigma_space)
    for dy in range(-r, r + 1):
        for dx in range(-r, r + 1):
            dist2 = dy * dy + dx * dx
            if dist2 > r * r:
                continue
            shifted = padded[r + dy:r + dy + h, r + dx:r + dx + w]
            diff = np.abs(shifted - img).sum(axis=2, keepdims=True)
            weight = np.exp(dist2 * sc + diff * diff * cc).astype(np.float32)
            num += weight * shifted
            den += weight
    return num / den


def _box_mean(arr: np.ndarray, r: int) -> np.ndarray:
    """Mean over a (2r + 1)^2 window (reflect-101 borders) of each [H, W, ...] channel, by integral images."""
    shape = arr.shape
    flat = arr.reshape(shape[0], shape[1], -1).astype(np.float64)
    padded = _pad(flat, r)
    integral = np.pad(padded.cumsum(0).cumsum(1), ((1, 0), (1, 0), (0, 0)))
    k = 2 * r + 1
    h, w = shape[:2]
    total = integral[k:k + h, k:k + w] - integral[:h, k:k + w] - integral[k:k + h, :w] + integral[:h, :w]
    return (total / (k * k)).reshape(shape)


def guided(guide: np.ndarray, src: np.ndarray, radius: int, eps: float) -> np.ndarray:
    """``cv2.ximgproc.guidedFilter(guide, src, radius, eps)`` with a 3-channel guide, float maths."""
    mean_i = _box_mean(guide, radius)
    mean_p = _box_mean(src, radius)
    corr_ii = _box_mean(guide[..., :, None] * guide[..., None, :], radius)
    cov_ii = corr_ii - mean_i[..., :, None] * mean_i[..., None, :] + eps * np.eye(3)
    corr_ip = _box_mean(guide[..., :, None] * src[..., None, :], radius)  # [H, W, 3 guide, C src]
    cov_ip = corr_ip - mean_i[..., :, None] * mean_p[..., None, :]
    a = np.linalg.solve(cov_ii, cov_ip)  # [H, W, 3, C]
    b = mean_p - np.einsum('hwgc,hwg->hwc', a, mean_i)
    return (np.einsum('hwgc,hwg->hwc', _box_mean(a, radius), guide) + _box_mean(b, radius)).astype(np.float32)


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
