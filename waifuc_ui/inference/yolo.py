"""The deepghs YOLO contract (imgutils ``YOLOModel.predict``), batched, split in two steps for caching.

1. :func:`yolo_candidates_batch` runs the model and keeps, per image, the candidate columns whose best class score
   is > ``floor`` (in the model's column order, as float32, as the reference sees them).
2. :func:`decode_candidates` filters them by ``conf`` (strict >), runs the reference greedy NMS ("+1" pixel
   convention, kept while IoU <= iou) and rescales to the original image (clip, round half-to-even).

Because filtering keeps column order, ``decode(candidates(floor), conf, iou)`` equals the reference's
``predict(conf, iou)`` exactly for every ``conf >= floor``, ties included: a cache can store step 1 once.
"""

from __future__ import annotations

import ast
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from .hub import HubFile
from .inputs import load_rgb, prepared_batches, rgb_encode, to_pil
from .loaders import locked_cache, read_json, register
from .resolve import resolve_file
from .runtime import ModelSession, open_session

Detection = tuple[tuple[int, int, int, int], str, float]


@dataclass(frozen=True)
class YoloModel:
    name: str
    session: ModelSession
    labels: tuple[str, ...]
    imgsz: tuple[int, int]  # (width, height) as imgutils reads the metadata
    model_type: str  # 'yolo' or 'rtdetr'
    batchable: bool
    default_conf: float = 0.25  # threshold.json "threshold", used when a caller passes conf_threshold=None


@dataclass(frozen=True)
class Candidates:
    """Pre-NMS candidates of one image. ``rows`` layout depends on ``layout``:
    'nms' -> [M, 4+nc] (cx, cy, w, h, class scores...), 'e2e' -> [M, 6] (x0, y0, x1, y1, score, cls)."""
    rows: np.ndarray
    layout: str
    labels: tuple[str, ...]
    old_size: tuple[int, int]
    new_size: tuple[float, float]
    floor: float


def parse_names(names: str) -> dict:
    """The ``names`` metadata (a Python dict literal such as "{0: 'face'}"), literals only."""
    node = ast.parse(names, mode='eval').body
    if not isinstance(node, ast.Dict):
        raise ValueError(f'names metadata is not a dict literal: {names!r}')
    if any(k is None for k in node.keys):
        raise ValueError(f'names metadata has a ** entry: {names!r}')
    return {ast.literal_eval(k): ast.literal_eval(v) for k, v in zip(node.keys, node.values) if k is not None}


@register
@locked_cache(maxsize=32)
def _open(model_path: str, model_type_path: str | None, threshold_path: str | None, name: str) -> YoloModel:
    session = open_session(model_path)
    meta = session.get_modelmeta().custom_metadata_map
    dims = tuple(json.loads(meta['imgsz'])) if 'imgsz' in meta else (640, 640)
    if len(dims) != 2:
        raise ValueError(f'imgsz of {name!r} should have 2 dims, got {dims!r}')
    imgsz = (int(dims[0]), int(dims[1]))
    names = parse_names(meta['names'])
    labels = tuple(names[i] for i in range(len(names)))
    model_type = read_json(model_type_path)['model_type'] if model_type_path else 'yolo'
    batch = session.get_inputs()[0].shape[0]
    default_conf = read_json(threshold_path)['threshold'] if threshold_path else 0.25
    return YoloModel(name, session, labels, imgsz, model_type, not (isinstance(batch, int) and batch == 1),
                     default_conf)


def open_yolo(repo_id: str, model_name: str, token: str | None = None) -> YoloModel:
    what = f'detection model {model_name!r}'
    model_path = resolve_file(HubFile(repo_id, f'{model_name}/model.onnx'), what, token=token)
    type_path = resolve_file(HubFile(repo_id, f'{model_name}/model_type.json'), what, optional=True, token=token)
    threshold_path = resolve_file(HubFile(repo_id, f'{model_name}/threshold.json'), what, optional=True, token=token)
    return _open(model_path, type_path, threshold_path, model_name)


def target_size(old_size: tuple[int, int], imgsz: tuple[int, int], allow_dynamic: bool = False,
                align: int = 32) -> tuple[int, int]:
    """Input (width, height): imgsz; with allow_dynamic, shrink to fit (r < 1 only) then round sides up to 32."""
    if not allow_dynamic:
        return imgsz[0], imgsz[1]
    old_w, old_h = old_size
    r = min(imgsz[0] / old_w, imgsz[1] / old_h)
    new_w, new_h = (old_w * r, old_h * r) if r < 1 else (old_w, old_h)
    return int(math.ceil(new_w / align) * align), int(math.ceil(new_h / align) * align)


def preprocess(image: Image.Image, imgsz: tuple[int, int], allow_dynamic: bool = False, align: int = 32):
    """Stretch (BICUBIC) to :func:`target_size`; returns (image, old (w, h), new (w, h))."""
    new_size = target_size(image.size, imgsz, allow_dynamic, align)
    return image.resize(new_size, Image.Resampling.BICUBIC), image.size, new_size


def nms(boxes: np.ndarray, scores: np.ndarray, iou_threshold: float = 0.7) -> list[int]:
    """Greedy NMS, areas (x2-x1+1)(y2-y1+1); a box survives while IoU <= iou_threshold. Keep order."""
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    areas = (x2 - x1 + 1) * (y2 - y1 + 1)
    order = scores.argsort()[::-1]
    keep = []
    while order.size > 0:
        i = order[0]
        keep.append(i)
        xx1 = np.maximum(x1[i], x1[order[1:]])
        yy1 = np.maximum(y1[i], y1[order[1:]])
        xx2 = np.minimum(x2[i], x2[order[1:]])
        yy2 = np.minimum(y2[i], y2[order[1:]])
        inter = np.maximum(0.0, xx2 - xx1 + 1) * np.maximum(0.0, yy2 - yy1 + 1)
        iou = inter / (areas[i] + areas[order[1:]] - inter)
        order = order[np.where(iou <= iou_threshold)[0] + 1]
    return keep


def xywh2xyxy(x: np.ndarray) -> np.ndarray:
    y = np.copy(x)
    y[..., 0] = x[..., 0] - x[..., 2] / 2
    y[..., 1] = x[..., 1] - x[..., 3] / 2
    y[..., 2] = x[..., 0] + x[..., 2] / 2
    y[..., 3] = x[..., 1] + x[..., 3] / 2
    return y


def rescale_point(x, y, old_size, new_size) -> tuple[int, int]:
    """To original pixels: x / new_w * old_w, clipped to [0, old_w], rounded half-to-even (float32 maths)."""
    old_w, old_h = old_size
    new_w, new_h = new_size
    x, y = x / new_w * old_w, y / new_h * old_h
    return int(np.clip(x, a_min=0, a_max=old_w).round()), int(np.clip(y, a_min=0, a_max=old_h).round())


def _candidates(output: np.ndarray, model: YoloModel, floor: float, old_size, new_size) -> Candidates:
    if model.model_type == 'rtdetr':
        output, new_size, layout = output.transpose(1, 0), (1.0, 1.0), 'nms'
    elif model.model_type == 'yolo':
        layout = 'e2e' if output.shape[-1] == 6 else 'nms'
    else:
        raise ValueError(f'unknown detection model type {model.model_type!r} of {model.name!r}')
    if layout == 'e2e':
        rows = output[output[:, 4] > floor]
    else:
        if output.shape[0] != 4 + len(model.labels):
            raise ValueError(f'{model.name!r}: output rows {output.shape[0]} != 4 + {len(model.labels)} labels')
        rows = output[:, output[4:, :].max(axis=0) > floor].transpose(1, 0)
    return Candidates(np.ascontiguousarray(rows), layout, model.labels, tuple(old_size), tuple(new_size), floor)


def decode_candidates(cand: Candidates, conf_threshold: float, iou_threshold: float) -> list[Detection]:
    """Detections ``((x0, y0, x1, y1), label, score)``, highest score first, as the reference gives them."""
    if conf_threshold < cand.floor:
        raise ValueError(f'conf_threshold {conf_threshold} is below the candidates floor {cand.floor}')
    out: list[Detection] = []
    if cand.layout == 'e2e':
        rows = cand.rows[cand.rows[:, 4] > conf_threshold]
        for x0, y0, x1, y1, score, cls in rows[nms(rows[:, :4], rows[:, 4])]:  # iou fixed at 0.7 (reference)
            p0 = rescale_point(x0, y0, cand.old_size, cand.new_size)
            p1 = rescale_point(x1, y1, cand.old_size, cand.new_size)
            out.append(((*p0, *p1), cand.labels[int(cls.item())], float(score)))
        return out
    rows = cand.rows[cand.rows[:, 4:].max(axis=1) > conf_threshold] if len(cand.rows) else cand.rows
    if not rows.size:
        return out
    boxes, scores = xywh2xyxy(rows[:, :4]), rows[:, 4:]
    idx = nms(boxes, scores.max(axis=1), iou_threshold=iou_threshold)
    for box, score in zip(boxes[idx], scores[idx]):
        p0 = rescale_point(box[0], box[1], cand.old_size, cand.new_size)
        p1 = rescale_point(box[2], box[3], cand.old_size, cand.new_size)
        best = score.argmax()
        out.append(((*p0, *p1), cand.labels[best], float(score[best])))
    return out


def yolo_candidates_batch(model: YoloModel, images: Sequence, floor: float, allow_dynamic: bool = False,
                          batch_size: int = 16) -> list[Candidates]:
    """Run the model (one call per batch of same-size inputs) and keep candidates above ``floor``."""
    images = list(images)
    groups: dict[tuple[int, int], list[int]] = {}
    for i, im in enumerate(images):  # with allow_dynamic the input size depends on the image size
        key = target_size(to_pil(im).size, model.imgsz, True) if allow_dynamic else model.imgsz
        groups.setdefault(key, []).append(i)

    def prepare(i):
        resized, old_size, new_size = preprocess(load_rgb(images[i]), model.imgsz, allow_dynamic)
        return rgb_encode(resized), old_size, new_size

    results: list[Candidates | None] = [None] * len(images)
    size = batch_size if model.batchable else 1
    for indices in groups.values():
        for chunk, prepared in prepared_batches(indices, size, prepare):
            output = model.session.run(['output0'], {'images': np.stack([p[0] for p in prepared])})[0]
            for row, (i, (_, old_size, new_size)) in enumerate(zip(chunk, prepared)):
                results[i] = _candidates(output[row], model, floor, old_size, new_size)
    done = [r for r in results if r is not None]
    assert len(done) == len(images)  # every index is in exactly one group
    return done
