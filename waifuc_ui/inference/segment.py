"""Character segmentation with isnetis (``skytnt/anime-seg`` ``isnetis.onnx``), imgutils 0.19.0 contract.

Pre-processing (``get_isnetis_mask``): RGB on white, /255 as float32 HWC; the longer side is resized to
``scale`` (1024) with cv2 INTER_LINEAR (shorter side ``int(scale * short / long)``), centred on a zero
``scale x scale`` canvas (offset ``pad // 2``), NCHW -> input ``img``. Post-processing: first output
``[N, 1, scale, scale]``, the padding cropped off, resized back to the original size (INTER_LINEAR): a float
mask [H, W]. :func:`rgba_with_mask` is ``segment_rgba_with_isnetis``'s composition (imgutils ``istack``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

from .cv_ops import resize_linear
from .inputs import load_rgb, prepared_batches
from .registry import register_model
from .resolve import resolve_file
from .runtime import open_session
from .specs_extra import ISNETIS, ISNETIS_SCALE, SEGMENT


def _session():
    return open_session(resolve_file(ISNETIS, 'segmentation model (isnetis)'))


def _layout(width: int, height: int, scale: int) -> tuple[int, int, int, int]:
    """(h, w, top, left) of the resized image inside the square canvas, as imgutils computes them."""
    h, w = (scale, int(scale * width / height)) if height > width else (int(scale * height / width), scale)
    return h, w, (scale - h) // 2, (scale - w) // 2


def isnetis_input(image, scale: int = ISNETIS_SCALE) -> np.ndarray:
    """The [3, scale, scale] float32 tensor imgutils feeds for ``image``."""
    rgb = np.asarray(load_rgb(image)).astype(np.float32) / np.float32(255)
    h, w, top, left = _layout(rgb.shape[1], rgb.shape[0], scale)
    canvas = np.zeros((scale, scale, 3), np.float32)
    canvas[top:top + h, left:left + w] = resize_linear(rgb, (w, h))
    return canvas.transpose(2, 0, 1)


def isnetis_mask_from_output(output: np.ndarray, size: tuple[int, int], scale: int = ISNETIS_SCALE) -> np.ndarray:
    """One image's model output [1, scale, scale] -> float32 mask [H, W] for original ``size`` = (W, H)."""
    h, w, top, left = _layout(size[0], size[1], scale)
    mask = np.asarray(output, np.float32).transpose(1, 2, 0)[top:top + h, left:left + w]
    return resize_linear(mask[..., 0], size)


def get_isnetis_mask_batch(images: Sequence, scale: int = ISNETIS_SCALE, batch_size: int = 4) -> list[np.ndarray]:
    """:func:`get_isnetis_mask` for many images, one ONNX call per batch (when the model takes batches)."""
    images = [load_rgb(im) for im in images]
    session = _session()
    batch_dim = session.get_inputs()[0].shape[0]
    size = 1 if isinstance(batch_dim, int) and batch_dim == 1 else batch_size
    name = session.get_inputs()[0].name
    masks: list[np.ndarray] = []
    for chunk, tensors in prepared_batches(images, size, lambda im: isnetis_input(im, scale)):
        output = session.run(None, {name: np.stack(tensors)})[0]
        masks += [isnetis_mask_from_output(output[i], im.size, scale) for i, im in enumerate(chunk)]
    return masks


@register_model(SEGMENT)
def get_isnetis_mask(image, scale: int = ISNETIS_SCALE) -> np.ndarray:
    """The float32 [H, W] character mask of ``image`` (imgutils ``get_isnetis_mask``)."""
    return get_isnetis_mask_batch([image], scale)[0]


def isnetis_alpha(mask: np.ndarray) -> np.ndarray:
    """The uint8 alpha imgutils' ``istack((image, mask))`` gives the layer: ``uint8(clip(255.0 * mask))``."""
    return (np.float32(255) * np.asarray(mask, np.float32)).clip(0, 255).astype(np.uint8)


def rgba_with_alpha(image, alpha: np.ndarray) -> Image.Image:
    """imgutils ``istack((image, mask))`` from the layer's alpha: the RGB image (on white) with ``alpha``, pasted with
    itself as the paste mask onto a transparent black canvas (so alpha and colours are scaled by alpha / 255 once
    more, as imgutils does)."""
    data = np.asarray(load_rgb(image).convert('RGBA')).copy()
    data[:, :, 3] = alpha
    layer = Image.fromarray(data, mode='RGBA')
    canvas = Image.fromarray(np.zeros((layer.height, layer.width, 4), np.uint8), mode='RGBA')
    canvas.paste(layer, mask=layer)
    return canvas


def rgba_with_mask(image, mask: np.ndarray) -> Image.Image:
    return rgba_with_alpha(image, isnetis_alpha(mask))


@register_model(SEGMENT)
def segment_rgba_with_isnetis(image, scale: int = ISNETIS_SCALE) -> tuple[np.ndarray, Image.Image]:
    """(mask, RGBA image with the background made transparent), as imgutils."""
    mask = get_isnetis_mask(image, scale)
    return mask, rgba_with_mask(image, mask)
