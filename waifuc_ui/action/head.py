"""waifuc's HeadCoverAction and HeadCutOutAction.

waifuc 1.x calls ``detect_heads(image, level, max_infer_size, ...)`` and ``detect_faces(image, level, version,
max_infer_size, ...)`` positionally, which in imgutils 0.19 puts ``max_infer_size`` where the model name goes.
Here the parameters are passed by name: heads use imgutils' default model (head_detect_v2.0_s, where ``level``
does not count unless ``model_name=None``), faces ``face_detect_{version}_{level}``; ``max_infer_size`` is kept
for compatibility and unused (the models read their input size from their own metadata).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import numpy as np
from PIL import Image

from .. import inference as models
from ..core.item import ImageItem
from ..inference.inputs import load_rgb
from ..inference.specs import HEAD_DEFAULT_MODEL
from .analyzed import AnalyzedAction, AnalyzedProcessAction
from .model_support import conf_floor, decode_detections, detector_analyses

#: dwpose_estimate's own person detection (imgutils detect_person defaults)
PERSON_CONF, PERSON_IOU = 0.3, 0.5


def censor_color(image: Image.Image, areas, color: str) -> Image.Image:
    """imgutils ``censor_areas(image, 'color', areas, color=color)``: RGB (on white), each area truncated to ints
    and filled with ``color``."""
    out = load_rgb(image).copy()
    for x0, y0, x1, y1 in areas:
        box = (int(x0), int(y0), int(x1), int(y1))
        if box[2] > box[0] and box[3] > box[1]:
            out.paste(Image.new(out.mode, (box[2] - box[0], box[3] - box[1]), color=color), box)
    return out


def cover_areas(boxes, scale, rng=random) -> list[tuple[float, float, float, float]]:
    """Each box scaled about its centre by ``scale`` (a float, or (min, max) drawn per box as waifuc does)."""
    areas = []
    for x0, y0, x1, y1 in boxes:
        if isinstance(scale, (tuple, list)):
            lo, hi = scale
            s = lo + rng.random() * (hi - lo)
        else:
            s = scale
        w, h = (x1 - x0) * s, (y1 - y0) * s
        xc, yc = (x0 + x1) / 2, (y0 + y1) / 2
        areas.append((xc - w / 2, yc - h / 2, xc + w / 2, yc + h / 2))
    return areas


class HeadCoverAction(AnalyzedProcessAction):
    """Paints over every detected head (box scaled by ``scale``) in ``color`` ('random': one random colour per
    image, as waifuc). The result is RGB."""

    per_item = True

    def __init__(self, color: str = 'random', scale: float | tuple[float, float] = 0.8, level: str = 's',
                 max_infer_size: int = 640, conf_threshold: float = 0.3, iou_threshold: float = 0.7,
                 model_name: str | None = HEAD_DEFAULT_MODEL):
        self.color, self.scale = color, scale
        self.level, self.max_infer_size, self.model_name = level, max_infer_size, model_name
        self.conf_threshold, self.iou_threshold = conf_threshold, iou_threshold

    def _model_kwargs(self) -> dict[str, Any]:
        return {"level": self.level, "model_name": self.model_name}

    def required_files(self) -> list[Any]:
        return models.required_files("detect_heads", **self._model_kwargs())

    def analysis_key(self) -> dict[str, Any]:
        return {"func": "detect_heads:candidates", **self._model_kwargs(),
                "conf_floor": conf_floor(self.conf_threshold), "files": self.model_files_key()}

    def analyze(self, images) -> list[dict[str, Any]]:
        return detector_analyses("detect_heads", images, conf_floor(self.conf_threshold), self._model_kwargs(),
                                 self._batch_kwargs())

    def transform(self, item: ImageItem, analysis: dict[str, Any]) -> ImageItem:
        boxes = [box for box, _, _ in decode_detections(analysis, self.conf_threshold, self.iou_threshold)]
        areas = cover_areas(boxes, self.scale)
        color = f"#{random.randint(0, 0xFFFFFF):06x}" if self.color == 'random' else self.color
        return item.with_image(censor_color(item.image, areas, color))

    def __repr__(self) -> str:
        return f"HeadCoverAction(color={self.color!r}, scale={self.scale!r}, conf_threshold={self.conf_threshold!r})"


def cut_out_area(size: tuple[int, int], face_box, body: np.ndarray, kp_threshold: float):
    """waifuc's choice: of the four bands beside the face (left, above, right, below), the first one holding the
    most body keypoints scoring >= kp_threshold (edges inclusive); None when it holds none."""
    width, height = size
    x0, y0, x1, y1 = face_box
    bands = [(0, 0, x0, height), (0, 0, width, y0), (x1, 0, width, height), (0, y1, width, height)]
    best, best_count = None, -1
    for band in bands:
        cx0, cy0, cx1, cy1 = band
        count = sum(1 for x, y, score in body if score >= kp_threshold and cx0 <= x <= cx1 and cy0 <= y <= cy1)
        if count > best_count:
            best, best_count = band, count
    return best if best_count > 0 else None


class HeadCutOutAction(AnalyzedAction):
    """Cuts the head off: keeps the band beside the first face (left, above, right or below it) that holds the
    most body keypoints of the first person (DWPose). Images without a person or a face are dropped."""

    per_item = True

    def __init__(self, kp_threshold: float = 0.3, level: str = 's', version: str = 'v1.4', max_infer_size: int = 640,
                 conf_threshold: float = 0.25, iou_threshold: float = 0.7):
        self.kp_threshold = kp_threshold
        self.level, self.version, self.max_infer_size = level, version, max_infer_size
        self.conf_threshold, self.iou_threshold = conf_threshold, iou_threshold

    def _face_kwargs(self) -> dict[str, Any]:
        return {"level": self.level, "version": self.version}

    def required_files(self) -> list[Any]:
        return models.required_files("dwpose_estimate") + models.required_files("detect_faces", **self._face_kwargs())

    def analysis_key(self) -> dict[str, Any]:
        return {"func": "head_cut_out", "faces": self._face_kwargs(), "conf_floor": conf_floor(self.conf_threshold),
                "files": self.model_files_key()}

    def analyze(self, images) -> list[dict[str, Any]]:
        from ..inference.pose import dwpose_boxes_batch

        images = list(images)
        persons = detector_analyses("detect_person", images, conf_floor(PERSON_CONF), {}, self._batch_kwargs())
        first = [decode_detections(p, PERSON_CONF, PERSON_IOU)[:1] for p in persons]
        poses = dwpose_boxes_batch(images, [[d[0] for d in dets] for dets in first], **self._batch_kwargs())
        faces = detector_analyses("detect_faces", images, conf_floor(self.conf_threshold), self._face_kwargs(),
                                  self._batch_kwargs())
        return [{"body": np.asarray(pose[0][:18], np.float64) if pose else None, "faces": face}
                for pose, face in zip(poses, faces)]

    def decide(self, item: ImageItem, analysis: dict[str, Any]) -> Iterator[ImageItem]:
        if analysis["body"] is None:
            self.drop(item, "no person found for the pose model")
            return
        faces = decode_detections(analysis["faces"], self.conf_threshold, self.iou_threshold)
        if not faces:
            self.drop(item, "no face detected", threshold=self.conf_threshold)
            return
        body = np.asarray(analysis["body"], np.float64).reshape(-1, 3)
        area = cut_out_area(item.image.size, faces[0][0], body, self.kp_threshold)
        if area is None:
            self.drop(item, "no body keypoint beside the face", threshold=self.kp_threshold)
            return
        yield item.with_image(item.image.crop(area))

    def __repr__(self) -> str:
        return f"HeadCutOutAction(kp_threshold={self.kp_threshold!r}, conf_threshold={self.conf_threshold!r})"
