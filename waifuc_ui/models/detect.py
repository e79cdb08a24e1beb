"""imgutils detect_* wrappers over the YOLO runtime. Detections are ((x0, y0, x1, y1), label, score)."""

from __future__ import annotations

from typing import List, Sequence, Tuple

Detection = Tuple[Tuple[int, int, int, int], str, float]


def detect_faces(image, *, level='s', version='v1.4', model_name=None, conf_threshold=0.25, iou_threshold=0.7, allow_dynamic: bool = False, hf_token=None) -> List[Detection]:
    raise NotImplementedError


def detect_faces_batch(images: Sequence, *, level='s', version='v1.4', model_name=None, conf_threshold=0.25, iou_threshold=0.7, allow_dynamic: bool = False, hf_token=None,
        batch_size: int = 16) -> List[List[Detection]]:
    raise NotImplementedError


def detect_heads(image, *, level=None, model_name='head_detect_v2.0_s', conf_threshold=0.4, iou_threshold=0.7, allow_dynamic: bool = False, hf_token=None) -> List[Detection]:
    raise NotImplementedError


def detect_heads_batch(images: Sequence, *, level=None, model_name='head_detect_v2.0_s', conf_threshold=0.4, iou_threshold=0.7, allow_dynamic: bool = False, hf_token=None,
        batch_size: int = 16) -> List[List[Detection]]:
    raise NotImplementedError


def detect_person(image, *, level='m', version='v1.1', model_name=None, conf_threshold=0.3, iou_threshold=0.5, allow_dynamic: bool = False, hf_token=None) -> List[Detection]:
    raise NotImplementedError


def detect_person_batch(images: Sequence, *, level='m', version='v1.1', model_name=None, conf_threshold=0.3, iou_threshold=0.5, allow_dynamic: bool = False, hf_token=None,
        batch_size: int = 16) -> List[List[Detection]]:
    raise NotImplementedError


def detect_halfbody(image, *, level='s', version='v1.0', model_name=None, conf_threshold=0.5, iou_threshold=0.7, allow_dynamic: bool = False, hf_token=None) -> List[Detection]:
    raise NotImplementedError


def detect_halfbody_batch(images: Sequence, *, level='s', version='v1.0', model_name=None, conf_threshold=0.5, iou_threshold=0.7, allow_dynamic: bool = False, hf_token=None,
        batch_size: int = 16) -> List[List[Detection]]:
    raise NotImplementedError


def detect_eyes(image, *, level='s', version='v1.0', model_name=None, conf_threshold=0.3, iou_threshold=0.3, allow_dynamic: bool = False, hf_token=None) -> List[Detection]:
    raise NotImplementedError


def detect_eyes_batch(images: Sequence, *, level='s', version='v1.0', model_name=None, conf_threshold=0.3, iou_threshold=0.3, allow_dynamic: bool = False, hf_token=None,
        batch_size: int = 16) -> List[List[Detection]]:
    raise NotImplementedError
