"""waifuc's model-backed filters: monochrome, image class, rating, face/head counts, person ratio.

Names, parameters and defaults are waifuc's (see shared/reference/waifuc-semantics.md §2).
Analyses are cached (full classifier score dicts; detections at a low confidence floor), so a
changed threshold or class list needs no model call.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from .. import inference as models
from ..core.errors import ArgumentTypeError, InvalidOptionError
from ..core.item import ImageItem
from ..inference.specs import ANIME_CLASSIFY, ANIME_RATING, MONOCHROME
from .analyzed import AnalyzedFilterAction
from .base import Verdict
from .model_support import (
    classifier_labels,
    classifier_scores,
    conf_floor,
    count_ok,
    count_rule,
    decode_detections,
    detector_analyses,
    top_label,
)


class _ClassifierFilter(AnalyzedFilterAction):
    func = "anime_classify_score"
    default_model = ""

    def __init__(self, model_name: str | None = None):
        self.model_name = model_name or self.default_model

    def required_files(self) -> list[Any]:
        return models.required_files(self.func, model_name=self.model_name)

    def analysis_key(self) -> dict[str, Any]:
        return {"func": self.func, "model_name": self.model_name, "files": self.model_files_key()}

    def analyze(self, images) -> list[dict[str, float]]:
        return classifier_scores(self.func, images, self.model_name, self._batch_kwargs())


class NoMonochromeAction(_ClassifierFilter):
    """Drops monochrome images (argmax of deepghs/monochrome_detect, as imgutils 0.19 ``is_monochrome``)."""

    per_item = True

    func = "get_monochrome_score"
    default_model = MONOCHROME.default_model
    keep_monochrome = False

    def __init__(self, model_name: str | None = None):
        super().__init__(model_name)

    def verdict(self, item: ImageItem, analysis: dict[str, float]) -> Verdict:
        label, _ = top_label(analysis)
        is_mono = label == "monochrome"
        score = analysis["monochrome"]
        if is_mono == self.keep_monochrome:
            return Verdict(True, score=score)
        return Verdict(False, "monochrome" if is_mono else "not monochrome", score=score, threshold=0.5)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class OnlyMonochromeAction(NoMonochromeAction):
    """Keeps only monochrome images."""

    per_item = True

    keep_monochrome = True


class _LabelFilter(_ClassifierFilter):
    option = "classes"

    def __init__(self, wanted: Iterable[str], threshold: float | None = None, **kwargs):
        model_name = kwargs.pop("model_name", None)
        if kwargs:
            raise ArgumentTypeError(f"{type(self).__name__} got unexpected options {sorted(kwargs)}",
                                    "remove them: only model_name is taken")
        super().__init__(model_name)
        if isinstance(wanted, str):
            wanted = [wanted]
        self.wanted = [str(c) for c in wanted]
        self.threshold = threshold

    def prepare(self) -> None:
        labels = classifier_labels(self.func, self.model_name)
        lower = {lb.lower() for lb in labels}
        unknown = [c for c in self.wanted if c.lower() not in lower]
        if unknown:
            raise InvalidOptionError(
                f"{type(self).__name__} {self.option}", unknown[0] if len(unknown) == 1 else unknown, list(labels),
                fix=f"Use the labels of model {self.model_name!r} (matched case-insensitively).")

    def verdict(self, item: ImageItem, analysis: dict[str, float]) -> Verdict:
        label, score = top_label(analysis)
        wanted = {c.lower() for c in self.wanted}
        if label.lower() not in wanted:
            return Verdict(False, f"{label} (not in {sorted(wanted)})", score=score, threshold=self.threshold)
        if self.threshold is not None and score < self.threshold:
            return Verdict(False, f"{label} score below threshold", score=score, threshold=self.threshold)
        return Verdict(True, label, score=score, threshold=self.threshold)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.wanted!r}, threshold={self.threshold!r})"


class ClassFilterAction(_LabelFilter):
    """Keeps an image whose top anime_classify label is in ``classes`` (and score >= threshold).

    Unlike waifuc, class names match case-insensitively ('3D' == '3d'), and an unknown class
    raises InvalidOptionError listing the model's labels before any image is processed (waifuc
    silently drops every image).
    """

    per_item = True

    func = "anime_classify_score"
    default_model = ANIME_CLASSIFY.default_model
    option = "classes"

    def __init__(self, classes: Iterable[str], threshold: float | None = None, **kwargs):
        super().__init__(classes, threshold, **kwargs)

    @property
    def classes(self) -> list[str]:
        return self.wanted


class RatingFilterAction(_LabelFilter):
    """Keeps an image whose top anime_rating label (safe / r15 / r18) is in ``ratings`` (and score >= threshold).

    Unlike waifuc, ratings match case-insensitively ('R18' == 'r18'), and an unknown rating raises
    InvalidOptionError listing the model's labels before any image is processed (waifuc drops every image).
    """

    per_item = True

    func = "anime_rating_score"
    default_model = ANIME_RATING.default_model
    option = "ratings"

    def __init__(self, ratings: Iterable[str], threshold: float | None = None, **kwargs):
        super().__init__(ratings, threshold, **kwargs)

    @property
    def ratings(self) -> list[str]:
        return self.wanted


class _DetectorFilter(AnalyzedFilterAction):
    detector = "detect_faces"

    def __init__(self, conf_threshold: float, iou_threshold: float):
        self.conf_threshold = conf_threshold
        self.iou_threshold = iou_threshold

    def model_kwargs(self) -> dict[str, Any]:
        raise NotImplementedError

    def required_files(self) -> list[Any]:
        return models.required_files(self.detector, **self.model_kwargs())

    def analysis_key(self) -> dict[str, Any]:
        return {"func": f"{self.detector}:candidates", **self.model_kwargs(),
                "conf_floor": conf_floor(self.conf_threshold), "files": self.model_files_key()}

    def analyze(self, images) -> list[dict[str, Any]]:
        return detector_analyses(self.detector, images, conf_floor(self.conf_threshold), self.model_kwargs(),
                                 self._batch_kwargs())

    def detections(self, analysis: dict[str, Any]):
        return decode_detections(analysis, self.conf_threshold, self.iou_threshold)


class _CountFilter(_DetectorFilter):
    what = "faces"

    def __init__(self, counts: Sequence[int], min_count: int | None, max_count: int | None,
                 conf_threshold: float, iou_threshold: float):
        super().__init__(conf_threshold, iou_threshold)
        self.counts = tuple(int(c) for c in counts)
        self.min_count, self.max_count = min_count, max_count

    def verdict(self, item: ImageItem, analysis: dict[str, Any]) -> Verdict:
        n = len(self.detections(analysis))
        if count_ok(n, self.counts, self.min_count, self.max_count):
            return Verdict(True, score=float(n))
        rule = count_rule(self.counts, self.min_count, self.max_count)
        return Verdict(False, f"{n} {self.what} (wanted {rule})", score=float(n))

    def __repr__(self) -> str:
        args = [*map(str, self.counts)] + [f"{k}={getattr(self, k)!r}" for k in ("min_count", "max_count")
                                          if getattr(self, k) is not None]
        return f"{type(self).__name__}({', '.join(args)})"


class FaceCountAction(_CountFilter):
    """Keeps images whose face count satisfies ``counts`` / ``min_count`` / ``max_count``.

    ``FaceCountAction(1)`` means exactly one face. Detector: imgutils ``detect_faces``.
    """

    per_item = True

    detector = "detect_faces"
    what = "faces"

    def __init__(self, *counts: int, min_count: int | None = None, max_count: int | None = None,
                 level: str = "s", version: str = "v1.4", conf_threshold: float = 0.25, iou_threshold: float = 0.7):
        super().__init__(counts, min_count, max_count, conf_threshold, iou_threshold)
        self.level, self.version = level, version

    def model_kwargs(self) -> dict[str, Any]:
        return {"level": self.level, "version": self.version}


class HeadCountAction(_CountFilter):
    """Keeps images whose head count satisfies the counts, with the current head models.

    ``level`` is honoured: the model is ``head_detect_v2.0_{level}`` (imgutils 0.19's default
    is the 's' model, which waifuc's default level gives), unless ``model_name`` is given.
    """

    per_item = True

    detector = "detect_heads"
    what = "heads"

    def __init__(self, *counts: int, min_count: int | None = None, max_count: int | None = None,
                 level: str = "s", conf_threshold: float = 0.3, iou_threshold: float = 0.7,
                 model_name: str | None = None):
        super().__init__(counts, min_count, max_count, conf_threshold, iou_threshold)
        self.level = level
        self.model_name = model_name or f"head_detect_v2.0_{level}"

    def model_kwargs(self) -> dict[str, Any]:
        return {"model_name": self.model_name}


class PersonRatioAction(_DetectorFilter):
    """Keeps images with exactly one person whose box area is >= ``ratio`` x the image area.

    The detector runs at its 640 input (waifuc's positional 640 broke on imgutils 0.19).
    """

    per_item = True

    detector = "detect_person"

    def __init__(self, ratio: float = 0.4, level: str = "m", version: str = "v1.1",
                 conf_threshold: float = 0.3, iou_threshold: float = 0.5):
        super().__init__(conf_threshold, iou_threshold)
        self.ratio, self.level, self.version = ratio, level, version

    def model_kwargs(self) -> dict[str, Any]:
        return {"level": self.level, "version": self.version}

    def verdict(self, item: ImageItem, analysis: dict[str, Any]) -> Verdict:
        dets = self.detections(analysis)
        if len(dets) != 1:
            return Verdict(False, f"{len(dets)} persons (wanted exactly 1)", score=float(len(dets)))
        (x0, y0, x1, y1), _, _ = dets[0]
        w, h = analysis["old_size"]
        share = (x1 - x0) * (y1 - y0) / float(w * h)
        if share >= self.ratio:
            return Verdict(True, score=share, threshold=self.ratio)
        return Verdict(False, "person too small", score=share, threshold=self.ratio)

    def __repr__(self) -> str:
        return f"PersonRatioAction(ratio={self.ratio!r})"
