"""waifuc's detector-driven splits: PersonSplitAction and ThreeStageSplitAction.

Crops are ``image.crop(box)`` of the detector boxes (already clipped and rounded). Crop meta =
the original meta + ``crop: {type, score}``; ``tags`` are removed unless ``keep_origin_tags``;
``filename`` gets waifuc's suffixes; an ``item_id`` (set by the app) is kept, so the app knows
each crop's parent (it derives the crop's own id).
"""

from __future__ import annotations

import copy
import inspect
import os
from collections.abc import Iterator, Sequence
from typing import Any

from PIL import Image

from .. import inference as models
from ..core.item import ImageItem
from .analyzed import AnalyzedAction
from .model_support import (
    conf_floor,
    decode_detections,
    detector_analyses,
    detector_model_kwargs,
)


def _crop_item(item: ImageItem, image: Image.Image, label: str, score: float, suffix: str | None,
               keep_origin_tags: bool) -> ImageItem:
    meta = copy.deepcopy(dict(item.meta))
    meta["crop"] = {"type": label, "score": score}
    if "tags" in meta and not keep_origin_tags:
        del meta["tags"]
    if suffix is not None and "filename" in meta:
        body, ext = os.path.splitext(str(meta["filename"]))
        meta["filename"] = f"{body}{suffix}{ext}"
    return ImageItem(image, meta)


def scaled_square(box: Sequence[float], scale: float, width: int, height: int) -> tuple[int, int, int, int]:
    """waifuc's head/eye crop: a square of side max(w, h) x scale around the box centre,
    clamped to the image (not shifted) with ``int`` truncation."""
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    side = max(x1 - x0, y1 - y0) * scale
    return (int(max(cx - side / 2, 0)), int(max(cy - side / 2, 0)),
            int(min(cx + side / 2, width)), int(min(cy + side / 2, height)))


class PersonSplitAction(AnalyzedAction):
    """One crop per detected person (``{body}_person{i}{ext}``, i from 0); images without a
    person are dropped unless ``keep_original`` (which yields the original first)."""

    per_item = True

    def __init__(self, keep_original: bool = False, level: str = "m", version: str = "v1.1",
                 conf_threshold: float = 0.3, iou_threshold: float = 0.5, keep_origin_tags: bool = False):
        self.keep_original = keep_original
        self.level, self.version = level, version
        self.conf_threshold, self.iou_threshold = conf_threshold, iou_threshold
        self.keep_origin_tags = keep_origin_tags

    def __repr__(self) -> str:
        return f"PersonSplitAction(keep_original={self.keep_original!r}, conf_threshold={self.conf_threshold!r})"

    def _model_kwargs(self) -> dict[str, Any]:
        return {"level": self.level, "version": self.version}

    def required_files(self) -> list[Any]:
        return models.required_files("detect_person", **self._model_kwargs())

    def analysis_key(self) -> dict[str, Any]:
        return {"func": "detect_person:candidates", **self._model_kwargs(),
                "conf_floor": conf_floor(self.conf_threshold), "files": self.model_files_key()}

    def analyze(self, images) -> list[dict[str, Any]]:
        return detector_analyses("detect_person", images, conf_floor(self.conf_threshold), self._model_kwargs(),
                                 self._batch_kwargs())

    def decide(self, item: ImageItem, analysis: dict[str, Any]) -> Iterator[ImageItem]:
        detections = decode_detections(analysis, self.conf_threshold, self.iou_threshold)
        if self.keep_original:
            yield item
        elif not detections:
            self.drop(item, "no person detected", threshold=self.conf_threshold)
            return
        has_name = "filename" in item.meta
        for i, (box, label, score) in enumerate(detections):
            yield _crop_item(item, item.image.crop(box), label, score, f"_person{i}" if has_name else None,
                             self.keep_origin_tags)


class ThreeStageSplitAction(AnalyzedAction):
    """Person, then halfbody, head (square x ``head_scale``) and optionally eyes (x ``eye_scale``).

    For each person i (from 1): the person crop ``{body}_person{i}``, the first halfbody box
    ``_person{i}_halfbody``, the head square ``_person{i}_head`` and each eye ``_person{i}_head_eye{j}``
    (j from 0). ``*_conf`` dicts are keyword options of the detect_* functions (imgutils defaults
    otherwise). With ``split_person=False`` the original item stands for person 1.
    The whole cascade is one cached analysis per image; each stage runs batched over the window.
    """

    per_item = True

    def __init__(self, person_conf: dict | None = None, halfbody_conf: dict | None = None,
                 head_conf: dict | None = None, head_scale: float = 1.5, split_eyes: bool = False,
                 eye_conf: dict | None = None, eye_scale: float = 2.4, split_person: bool = True,
                 keep_origin_tags: bool = False):
        self.person_conf = dict(person_conf or {})
        self.halfbody_conf = dict(halfbody_conf or {})
        self.head_conf = dict(head_conf or {})
        self.eye_conf = dict(eye_conf or {})
        self.head_scale, self.eye_scale = head_scale, eye_scale
        self.split_eyes, self.split_person = split_eyes, split_person
        self.keep_origin_tags = keep_origin_tags

    def __repr__(self) -> str:
        return f"ThreeStageSplitAction(split_eyes={self.split_eyes!r}, split_person={self.split_person!r})"

    def _stages(self) -> list[tuple[str, dict]]:
        stages = [("detect_halfbody", self.halfbody_conf), ("detect_heads", self.head_conf)]
        if self.split_person:
            stages.insert(0, ("detect_person", self.person_conf))
        if self.split_eyes:
            stages.append(("detect_eyes", self.eye_conf))
        return stages

    def required_files(self) -> list[Any]:
        files: list[Any] = []
        for detector, conf in self._stages():
            files += models.required_files(detector, **detector_model_kwargs(conf))
        return files

    def analysis_key(self) -> dict[str, Any]:
        return {"func": "three_stage_split", "person_conf": self.person_conf, "halfbody_conf": self.halfbody_conf,
                "head_conf": self.head_conf, "eye_conf": self.eye_conf, "head_scale": self.head_scale,
                "eye_scale": self.eye_scale, "split_eyes": self.split_eyes, "split_person": self.split_person,
                "files": self.model_files_key()}

    def _detect(self, detector: str, conf: dict, images: list[Image.Image]) -> list[list[Any]]:
        """detect_* semantics (the function's default thresholds unless ``conf`` sets them)."""
        if not images:
            return []
        defaults = inspect.signature(getattr(models, detector)).parameters
        c = conf.get("conf_threshold", defaults["conf_threshold"].default)
        iou = conf.get("iou_threshold", defaults["iou_threshold"].default)
        kwargs = detector_model_kwargs(conf)
        if detector == "detect_heads":  # imgutils: a level alone does not replace the default model_name
            kwargs.setdefault("model_name", defaults["model_name"].default)
        analyses = detector_analyses(detector, images, conf_floor(c), kwargs, self._batch_kwargs())
        return [decode_detections(a, c, iou) for a in analyses]

    def analyze(self, images) -> list[dict[str, Any]]:
        images = list(images)
        if self.split_person:
            persons = self._detect("detect_person", self.person_conf, images)
        else:
            persons = [[((0, 0, im.width, im.height), "person", 1.0)] for im in images]
        owners, person_dets, crops = [], [], []
        for k, (im, dets) in enumerate(zip(images, persons)):
            for det in dets:
                owners.append(k)
                person_dets.append(det)
                crops.append(im.crop(det[0]) if self.split_person else im)
        halfbodies = self._detect("detect_halfbody", self.halfbody_conf, crops)
        heads = self._detect("detect_heads", self.head_conf, crops)
        head_boxes = [scaled_square(h[0][0], self.head_scale, c.width, c.height) if h else None
                      for h, c in zip(heads, crops)]
        eyes: list[list[Any]] = [[] for _ in crops]
        if self.split_eyes:
            with_head = [i for i, b in enumerate(head_boxes) if b is not None]
            found = self._detect("detect_eyes", self.eye_conf, [crops[i].crop(head_boxes[i]) for i in with_head])
            for i, dets in zip(with_head, found):
                eyes[i] = dets

        def pack(det):
            return [*det[0], det[1], det[2]]

        out: list[dict[str, Any]] = [{"persons": []} for _ in images]
        for n, k in enumerate(owners):
            head_box = head_boxes[n]
            out[k]["persons"].append({
                "person": pack(person_dets[n]) if self.split_person else None,
                "halfbody": pack(halfbodies[n][0]) if halfbodies[n] else None,
                "head": pack(heads[n][0]) if heads[n] else None,
                "head_box": list(head_box) if head_box else None,
                "eyes": [pack(e) for e in eyes[n]],
            })
        return out

    def decide(self, item: ImageItem, analysis: dict[str, Any]) -> Iterator[ImageItem]:
        persons = analysis["persons"]
        if not persons:
            self.drop(item, "no person detected")
            return
        named = "filename" in item.meta
        keep = self.keep_origin_tags
        for i, part in enumerate(persons, start=1):
            if self.split_person:
                x0, y0, x1, y1, label, score = part["person"]
                person = _crop_item(item, item.image.crop((x0, y0, x1, y1)), label, score,
                                    f"_person{i}" if named else None, keep)
            else:
                person = item
            person_image = person.image
            yield person
            if part["halfbody"] is not None:
                x0, y0, x1, y1, label, score = part["halfbody"]
                yield _crop_item(item, person_image.crop((x0, y0, x1, y1)), label, score,
                                 f"_person{i}_halfbody" if named else None, keep)
            if part["head"] is not None:
                head_image = person_image.crop(tuple(part["head_box"]))
                yield _crop_item(item, head_image, part["head"][4], part["head"][5],
                                 f"_person{i}_head" if named else None, keep)
                for j, (ex0, ey0, ex1, ey1, label, score) in enumerate(part["eyes"]):
                    box = scaled_square((ex0, ey0, ex1, ey1), self.eye_scale, head_image.width, head_image.height)
                    yield _crop_item(item, head_image.crop(box), label, score,
                                     f"_person{i}_head_eye{j}" if named else None, keep)
