"""DWPose whole-body keypoints (``yzd-v/DWPose`` ``dw-ll_ucoco_384.onnx``), imgutils 0.19.0 ``dwpose_estimate``.

Per person box (x0, y0, x1, y1): centre = box middle, scale = box size x 1.25, widened to the input's aspect
(w / h); the box is warped (bilinear, zero border, uint8) onto the input (W x H read from the model, 288 x 384),
``(rgb - mean) / std`` with mean (123.675, 116.28, 103.53) and std (58.395, 57.12, 57.375), NCHW float32.
Outputs ``simcc_x`` [N, 133, 2W], ``simcc_y`` [N, 133, 2H]: a keypoint is the argmax of each / 2, its score the
smaller of the two maxima (location -1 when <= 0), mapped back by ``kp / (W, H) * scale + centre - scale / 2``.
Then a neck (mean of the shoulders, score 1 when both shoulders > 0.3 else 0) is inserted at 17 and the body
points reordered to OpenPose-18. Each person: float array [134, 3] (x, y, score); ``[:18]`` is the body.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .cv_ops import affine_from_points, warp_affine_linear
from .inputs import load_rgb
from .registry import register_model
from .resolve import resolve_file
from .runtime import open_session
from .specs_extra import DWPOSE, POSE

MEAN = np.array([123.675, 116.28, 103.53])
STD = np.array([58.395, 57.12, 57.375])
_MMPOSE = [17, 6, 8, 10, 7, 9, 12, 14, 16, 13, 15, 2, 1, 4, 3]
_OPENPOSE = [1, 2, 3, 4, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17]
Box = tuple[int, int, int, int]


def _session():
    return open_session(resolve_file(DWPOSE, 'pose model (DWPose)'))


def input_size(session) -> tuple[int, int]:
    h, w = session.get_inputs()[0].shape[-2:]
    return int(w), int(h)


def box_transform(box: Sequence[float], size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(centre, scale fixed to the input's aspect, 2x3 warp matrix) of a person box."""
    x0, y0, x1, y1 = np.asarray(box)
    centre = np.array([x0 + x1, y0 + y1]) * 0.5
    scale = np.array([x1 - x0, y1 - y0]) * 1.25
    w, h = size
    aspect = w / h
    scale = np.array([scale[0], scale[0] / aspect]) if scale[0] > scale[1] * aspect \
        else np.array([scale[1] * aspect, scale[1]])

    def third(a, b):
        d = a - b
        return b + np.array([-d[1], d[0]])

    src = np.zeros((3, 2), np.float32)
    src[0] = centre
    src[1] = centre + np.array([0.0, scale[0] * -0.5])
    src[2] = third(src[0], src[1])
    dst = np.zeros((3, 2), np.float32)
    dst[0] = [w * 0.5, h * 0.5]
    dst[1] = np.array([w * 0.5, h * 0.5]) + np.array([0.0, w * -0.5])
    dst[2] = third(dst[0], dst[1])
    return centre, scale, affine_from_points(src.astype(np.float64), dst.astype(np.float64))


def pose_input(rgb: np.ndarray, box: Sequence[float], size: tuple[int, int]):
    """([3, H, W] float32 input, centre, scale) of one person box of an RGB uint8 array."""
    centre, scale, matrix = box_transform(box, size)
    warped = np.clip(np.rint(warp_affine_linear(rgb, matrix, size)), 0, 255).astype(np.uint8)
    return ((warped - MEAN) / STD).transpose(2, 0, 1).astype(np.float32), centre, scale


def decode_simcc(simcc_x: np.ndarray, simcc_y: np.ndarray, size: tuple[int, int], centre, scale,
                 split_ratio: float = 2.0) -> np.ndarray:
    """One person's [133, 2W] / [133, 2H] outputs -> OpenPose-ordered [134, 3] (x, y, score)."""
    locs = np.stack([simcc_x.argmax(axis=1), simcc_y.argmax(axis=1)], axis=-1).astype(np.float32)
    vals = np.minimum(simcc_x.max(axis=1), simcc_y.max(axis=1))
    locs[vals <= 0.0] = -1
    points = locs / split_ratio / np.asarray(size) * scale + centre - scale / 2
    info = np.concatenate([points, vals[:, None]], axis=-1)
    neck = info[[5, 6]].mean(axis=0)
    neck[2] = float(info[5, 2] > 0.3 and info[6, 2] > 0.3)
    out = np.insert(info, 17, neck, axis=0)
    out[_OPENPOSE] = out[_MMPOSE]
    return out


def dwpose_boxes_batch(images: Sequence, boxes: Sequence[Sequence[Box]], batch_size: int = 8) -> list[list[np.ndarray]]:
    """Keypoints of each given person box of each image ([134, 3] each), as imgutils with ``out_bboxes``."""
    session = _session()
    size = input_size(session)
    batch_dim = session.get_inputs()[0].shape[0]
    step = 1 if isinstance(batch_dim, int) and batch_dim == 1 else max(1, batch_size)
    names = [o.name for o in session.get_outputs()]
    jobs = []
    for k, (image, person_boxes) in enumerate(zip(images, boxes)):
        rgb = np.asarray(load_rgb(image))
        jobs += [(k, *pose_input(rgb, box, size)) for box in person_boxes]
    out: list[list[np.ndarray]] = [[] for _ in images]
    for start in range(0, len(jobs), step):
        chunk = jobs[start:start + step]
        simcc_x, simcc_y = session.run(names, {session.get_inputs()[0].name: np.stack([j[1] for j in chunk])})[:2]
        for i, (k, _, centre, scale) in enumerate(chunk):
            out[k].append(decode_simcc(simcc_x[i], simcc_y[i], size, centre, scale))
    return out


@register_model(POSE)
def dwpose_estimate(image, auto_detect: bool = True, out_bboxes: Sequence[Box] | None = None,
                    person_detect_cfgs: dict | None = None) -> list[np.ndarray]:
    """Keypoints per person: persons found by ``detect_person(**person_detect_cfgs)`` (auto_detect), else
    ``out_bboxes``, else the whole image."""
    rgb = load_rgb(image)
    if out_bboxes is None:
        if auto_detect:
            from .detect import detect_person
            out_bboxes = [box for box, _, _ in detect_person(rgb, **(person_detect_cfgs or {}))]
        else:
            out_bboxes = [(0, 0, rgb.width, rgb.height)]
    return dwpose_boxes_batch([rgb], [list(out_bboxes)])[0]
