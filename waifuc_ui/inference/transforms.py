"""``preprocess.json`` stages of deepghs classifiers, with imgutils' Pillow semantics.

Stage types: resize, center_crop, pad_to_size, convert_rgb, to_tensor, maybe_to_tensor, rescale, normalize.
An unknown stage type raises InvalidOptionError naming the supported ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from PIL import Image, ImageColor

from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.core.imaging import load_image

_R = Image.Resampling
_RESAMPLE = {'nearest': _R.NEAREST, 'bilinear': _R.BILINEAR, 'bicubic': _R.BICUBIC, 'box': _R.BOX,
             'hamming': _R.HAMMING, 'lanczos': _R.LANCZOS}
_RESAMPLE_INT = {0: _R.NEAREST, 2: _R.BILINEAR, 3: _R.BICUBIC, 4: _R.BOX, 5: _R.HAMMING, 1: _R.LANCZOS}


def resample_filter(value: int | str) -> Image.Resampling:
    if isinstance(value, str) and value.lower() in _RESAMPLE:
        return _RESAMPLE[value.lower()]
    if isinstance(value, int) and value in _RESAMPLE_INT:
        return _RESAMPLE_INT[value]
    raise InvalidOptionError('interpolation', value, list(_RESAMPLE), fix='Fix the preprocess.json stage.')


def make_resize(size, interpolation='bilinear', max_size: int | None = None, antialias: bool = True):
    """int size: shorter side = size, long side int()-truncated, optional max_size; [h, w]: exact size."""
    resample = resample_filter(interpolation)

    def resize(img: Image.Image) -> Image.Image:
        w, h = img.size
        if isinstance(size, int) or len(size) == 1:
            s = size if isinstance(size, int) else size[0]
            ow, oh = (s, int(s * h / w)) if w < h else (int(s * w / h), s)
            if max_size is not None and max(oh, ow) > max_size:
                ow, oh = (int(max_size * ow / oh), max_size) if oh > ow else (max_size, int(max_size * oh / ow))
        else:
            oh, ow = size
        if (ow, oh) == (w, h):
            return img
        if resample in (_R.BILINEAR, _R.BICUBIC):
            return img.resize((ow, oh), resample, reducing_gap=None if antialias else 1.0)
        return img.resize((ow, oh), resample)
    return resize


def _hw(size) -> tuple:
    if isinstance(size, int):
        return size, size
    return (size[0], size[0]) if len(size) == 1 else (size[0], size[1])


def make_center_crop(size):
    """Crop (h, w) at the centre with floor offsets; pads with black first when the image is smaller."""
    ch, cw = _hw(size)

    def center_crop(img: Image.Image) -> Image.Image:
        w, h = img.size
        if w < cw or h < ch:
            pw, ph = max(cw - w, 0), max(ch - h, 0)
            canvas = Image.new(img.mode, (w + pw, h + ph), (0, 0, 0))
            canvas.paste(img, (pw // 2, ph // 2))
            img, (w, h) = canvas, canvas.size
        left, top = (w - cw) // 2, (h - ch) // 2
        return img.crop((left, top, left + cw, top + ch))
    return center_crop


def make_pad_to_size(size, background_color='white', interpolation='bilinear'):
    """Letterbox: fit inside (w, h) keeping aspect (rounded sides), centre with floor offsets on a solid canvas."""
    tw, th = (size, size) if isinstance(size, int) else (size[0], size[-1])
    resample = resample_filter(interpolation)

    def pad_to_size(img: Image.Image) -> Image.Image:
        ratio = min(tw / img.width, th / img.height)
        nw, nh = round(img.width * ratio), round(img.height * ratio)
        resized = img.resize((nw, nh), resample)
        colour = ImageColor.getrgb(background_color) if isinstance(background_color, str) else background_color
        if isinstance(colour, int):
            colour = (colour,) * 3
        fill = colour[0] if img.mode == 'L' else tuple(colour[:len(img.getbands())]) + \
            (255,) * max(0, len(img.getbands()) - len(colour))
        canvas = Image.new(img.mode, (tw, th), fill)
        canvas.paste(resized, ((tw - nw) // 2, (th - nh) // 2))
        return canvas
    return pad_to_size


def to_tensor(img) -> np.ndarray:
    """torchvision ``to_tensor``: /255 float32, CHW (L and P give one channel)."""
    if isinstance(img, np.ndarray):
        return img
    arr = np.array(img, copy=True)
    if img.mode == 'F':
        return arr.astype(np.float32)[None, ...]
    if arr.ndim == 2:
        return arr[None, ...].astype(np.float32) / 255
    return arr.transpose(2, 0, 1).astype(np.float32) / 255


def make_normalize(mean, std, inplace: bool = False):
    m = np.array(mean if isinstance(mean, (list, tuple)) else [float(mean)], dtype=np.float32).reshape(-1, 1, 1)
    s = np.array(std if isinstance(std, (list, tuple)) else [float(std)], dtype=np.float32).reshape(-1, 1, 1)

    def normalize(arr: np.ndarray) -> np.ndarray:
        arr = arr.copy()
        arr -= m
        arr /= s
        return arr
    return normalize


def make_rescale(rescale_factor: float = 1 / 255):
    factor = np.float32(rescale_factor)
    return lambda arr: arr * factor


def make_convert_rgb(force_background: str | None = 'white'):
    return lambda img: load_image(img, mode='RGB', force_background=force_background)


STAGES: dict[str, Callable[..., Callable]] = {
    'resize': make_resize, 'center_crop': make_center_crop, 'pad_to_size': make_pad_to_size,
    'to_tensor': lambda: to_tensor, 'maybe_to_tensor': lambda: to_tensor, 'normalize': make_normalize,
    'rescale': make_rescale, 'convert_rgb': make_convert_rgb,
}


def build_pipeline(stages: Sequence[dict]) -> Callable:
    """A callable applying the stages in order (PIL image in, numpy array out)."""
    funcs: list[Callable] = []
    for stage in stages:
        params = dict(stage)
        kind = params.pop('type', None)
        if kind not in STAGES:
            raise InvalidOptionError('preprocess stage type', kind, list(STAGES),
                                     fix='This model needs a newer waifuc_ui; report the model name.')
        funcs.append(STAGES[kind](**params))

    def pipeline(img):
        for f in funcs:
            img = f(img)
        return img
    return pipeline
