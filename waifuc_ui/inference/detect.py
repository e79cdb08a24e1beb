"""imgutils ``detect_*`` wrappers over the YOLO runtime (same defaults; parameters keyword-only after ``image``).

Each returns ``[((x0, y0, x1, y1), label, score), ...]`` in original-image pixels, highest score first. The
``*_batch`` forms take a list of images and return one such list per image, one ONNX call per batch.
For caching, :func:`detect_candidates_batch` + :func:`waifuc_ui.inference.yolo.decode_candidates` split the run from
the thresholds (see :mod:`waifuc_ui.inference.yolo`).
"""

from __future__ import annotations

from collections.abc import Sequence

from waifuc_ui.core.errors import InvalidOptionError

from .registry import register_model, specs_of
from .resolve import check_model_name
from .specs import EYE, FACE, HALFBODY, HEAD, HEAD_DEFAULT_MODEL, PERSON, DetectorSpec
from .yolo import Candidates, Detection, YoloModel, decode_candidates, open_yolo, yolo_candidates_batch


def detector(kind: str) -> DetectorSpec:
    """The spec of detector ``kind`` ('faces', 'heads', 'person', 'halfbody', 'eyes')."""
    found = {spec.kind: spec for spec in specs_of(DetectorSpec)}
    if kind not in found:
        raise InvalidOptionError('detector kind', kind, list(found), fix='Use one of these kinds.')
    return found[kind]


def _open(spec: DetectorSpec, level: str | None, version: str | None, model_name: str | None,
          hf_token: str | None) -> YoloModel:
    name = spec.default_name(level, version, model_name)
    check_model_name('detection', spec.repo_id, name, spec.known_models, spec.model_file(name))
    return open_yolo(spec.repo_id, name, hf_token)


def _run(spec: DetectorSpec, images, level, version, model_name, conf_threshold, iou_threshold, allow_dynamic,
         hf_token, batch_size) -> list[list[Detection]]:
    model = _open(spec, level, version, model_name, hf_token)
    if conf_threshold is None:  # as imgutils' yolo_predict: the model's threshold.json, else 0.25
        conf_threshold = model.default_conf
    cands = yolo_candidates_batch(model, images, conf_threshold, allow_dynamic, batch_size)
    return [decode_candidates(c, conf_threshold, iou_threshold) for c in cands]


def detect_candidates_batch(kind: str, images: Sequence, *, level=None, version=None, model_name=None,
                            floor: float = 0.05, allow_dynamic: bool = False, hf_token=None,
                            batch_size: int = 16) -> list[Candidates]:
    """Pre-NMS candidates above ``floor`` for detector ``kind`` ('faces', 'heads', 'person', 'halfbody', 'eyes').

    Unset level/version take the detect_<kind> defaults; ``model_name=None`` means the default model (for heads:
    head_detect_v2.0_s). ``decode_candidates(c, conf, iou)`` then equals ``detect_<kind>(conf, iou)`` exactly for
    any conf >= floor.
    """
    spec = detector(kind)
    if model_name is None:
        model_name = spec.default_model_name
    model = _open(spec, level or spec.level, version or spec.version, model_name, hf_token)
    return yolo_candidates_batch(model, images, floor, allow_dynamic, batch_size)


@register_model(FACE)
def detect_faces(image, *, level: str = 's', version: str = 'v1.4', model_name: str | None = None,
                 conf_threshold: float = 0.25, iou_threshold: float = 0.7,
                 allow_dynamic: bool = False, hf_token: str | None = None) -> list[Detection]:
    """Faces: model ``face_detect_{version}_{level}`` of deepghs/anime_face_detection, label 'face'."""
    return detect_faces_batch([image], level=level, version=version, model_name=model_name,
                              conf_threshold=conf_threshold, iou_threshold=iou_threshold,
                              allow_dynamic=allow_dynamic, hf_token=hf_token)[0]


@register_model(FACE)
def detect_faces_batch(images: Sequence, *, level: str = 's', version: str = 'v1.4', model_name: str | None = None,
                       conf_threshold: float = 0.25, iou_threshold: float = 0.7,
                       allow_dynamic: bool = False, hf_token: str | None = None,
                       batch_size: int = 16) -> list[list[Detection]]:
    """:func:`detect_faces` for many images, one ONNX call per batch."""
    return _run(FACE, images, level, version, model_name, conf_threshold, iou_threshold, allow_dynamic,
                hf_token, batch_size)


@register_model(HEAD)
def detect_heads(image, *, level: str | None = None, model_name: str | None = HEAD_DEFAULT_MODEL,
                 conf_threshold: float = 0.4, iou_threshold: float = 0.7,
                 allow_dynamic: bool = False, hf_token: str | None = None) -> list[Detection]:
    """Heads: ``model_name`` of deepghs/anime_head_detection (default head_detect_v2.0_s); the deprecated
    ``level`` only counts when model_name=None (``head_detect_v0_{level or 's'}``). Label 'head'."""
    return detect_heads_batch([image], level=level, model_name=model_name,
                              conf_threshold=conf_threshold, iou_threshold=iou_threshold,
                              allow_dynamic=allow_dynamic, hf_token=hf_token)[0]


@register_model(HEAD)
def detect_heads_batch(images: Sequence, *, level: str | None = None, model_name: str | None = HEAD_DEFAULT_MODEL,
                       conf_threshold: float = 0.4, iou_threshold: float = 0.7,
                       allow_dynamic: bool = False, hf_token: str | None = None,
                       batch_size: int = 16) -> list[list[Detection]]:
    """:func:`detect_heads` for many images, one ONNX call per batch."""
    return _run(HEAD, images, level, None, model_name, conf_threshold, iou_threshold, allow_dynamic,
                hf_token, batch_size)


@register_model(PERSON)
def detect_person(image, *, level: str = 'm', version: str = 'v1.1', model_name: str | None = None,
                  conf_threshold: float = 0.3, iou_threshold: float = 0.5,
                  allow_dynamic: bool = False, hf_token: str | None = None) -> list[Detection]:
    """Whole persons: ``person_detect_{version}_{level}`` of deepghs/anime_person_detection, label 'person'."""
    return detect_person_batch([image], level=level, version=version, model_name=model_name,
                               conf_threshold=conf_threshold, iou_threshold=iou_threshold,
                               allow_dynamic=allow_dynamic, hf_token=hf_token)[0]


@register_model(PERSON)
def detect_person_batch(images: Sequence, *, level: str = 'm', version: str = 'v1.1', model_name: str | None = None,
                        conf_threshold: float = 0.3, iou_threshold: float = 0.5,
                        allow_dynamic: bool = False, hf_token: str | None = None,
                        batch_size: int = 16) -> list[list[Detection]]:
    """:func:`detect_person` for many images, one ONNX call per batch."""
    return _run(PERSON, images, level, version, model_name, conf_threshold, iou_threshold, allow_dynamic,
                hf_token, batch_size)


@register_model(HALFBODY)
def detect_halfbody(image, *, level: str = 's', version: str = 'v1.0', model_name: str | None = None,
                    conf_threshold: float = 0.5, iou_threshold: float = 0.7,
                    allow_dynamic: bool = False, hf_token: str | None = None) -> list[Detection]:
    """Upper bodies: ``halfbody_detect_{version}_{level}`` of deepghs/anime_halfbody_detection, 'halfbody'."""
    return detect_halfbody_batch([image], level=level, version=version, model_name=model_name,
                                 conf_threshold=conf_threshold, iou_threshold=iou_threshold,
                                 allow_dynamic=allow_dynamic, hf_token=hf_token)[0]


@register_model(HALFBODY)
def detect_halfbody_batch(images: Sequence, *, level: str = 's', version: str = 'v1.0',
                          model_name: str | None = None,
                          conf_threshold: float = 0.5, iou_threshold: float = 0.7,
                          allow_dynamic: bool = False, hf_token: str | None = None,
                          batch_size: int = 16) -> list[list[Detection]]:
    """:func:`detect_halfbody` for many images, one ONNX call per batch."""
    return _run(HALFBODY, images, level, version, model_name, conf_threshold, iou_threshold, allow_dynamic,
                hf_token, batch_size)


@register_model(EYE)
def detect_eyes(image, *, level: str = 's', version: str = 'v1.0', model_name: str | None = None,
                conf_threshold: float = 0.3, iou_threshold: float = 0.3,
                allow_dynamic: bool = False, hf_token: str | None = None) -> list[Detection]:
    """Eyes: ``eye_detect_{version}_{level}`` of deepghs/anime_eye_detection, label 'eye'."""
    return detect_eyes_batch([image], level=level, version=version, model_name=model_name,
                             conf_threshold=conf_threshold, iou_threshold=iou_threshold,
                             allow_dynamic=allow_dynamic, hf_token=hf_token)[0]


@register_model(EYE)
def detect_eyes_batch(images: Sequence, *, level: str = 's', version: str = 'v1.0', model_name: str | None = None,
                      conf_threshold: float = 0.3, iou_threshold: float = 0.3,
                      allow_dynamic: bool = False, hf_token: str | None = None,
                      batch_size: int = 16) -> list[list[Detection]]:
    """:func:`detect_eyes` for many images, one ONNX call per batch."""
    return _run(EYE, images, level, version, model_name, conf_threshold, iou_threshold, allow_dynamic,
                hf_token, batch_size)
