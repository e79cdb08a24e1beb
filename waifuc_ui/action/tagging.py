"""waifuc's tagging actions: TaggingAction, TagFilterAction, BlacklistedTagDropAction, TagOverlapDropAction.

The tagger's full probability vector is the cached analysis; thresholds (and MCut) are applied
in the decision, so a changed threshold needs no model call. Site tags win: an item that already
has ``tags`` is not re-tagged unless ``force=True``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import inference as models
from ..core.errors import ArgumentTypeError, InvalidOptionError
from ..core.item import ImageItem
from .analyzed import AnalyzedAction, AnalyzedProcessAction
from .base import ProcessAction

#: waifuc method -> WD14 model name of the runtime (v3 first: the order the app offers them)
WD14_METHODS = {
    "wd14_v3_swinv2": "SwinV2_v3", "wd14_v3_convnext": "ConvNext_v3", "wd14_v3_vit": "ViT_v3",
    "wd14_v3_vit_large": "ViT_Large", "wd14_v3_eva02_large": "EVA02_Large", "wd14_swinv2": "SwinV2",
    "wd14_convnextv2": "ConvNextV2", "wd14_convnext": "ConvNext", "wd14_vit": "ViT", "wd14_moat": "MOAT",
}
#: waifuc methods whose models waifuc_ui's runtime does not run
UNSUPPORTED_METHODS = ("deepdanbooru", "mldanbooru")
#: tagger options taken by the decision (waifuc passes general/character thresholds)
DECODE_OPTIONS = ("general_threshold", "general_mcut_enabled", "character_threshold", "character_mcut_enabled",
                  "no_underline", "drop_overlap")
#: options waifuc's wrappers accept and ignore for WD14
IGNORED_OPTIONS = ("use_real_name",)


def wd14_model_for(method: str) -> str:
    if method in UNSUPPORTED_METHODS:
        raise InvalidOptionError("tagging method", method, list(WD14_METHODS),
                                 fix=f"waifuc_ui runs the WD14 taggers only ({method} is not available); "
                                     f"use e.g. 'wd14_v3_swinv2'.")
    if method not in WD14_METHODS:
        raise InvalidOptionError("tagging method", method, list(WD14_METHODS) + list(UNSUPPORTED_METHODS),
                                 fix="use one of waifuc's tagging methods.")
    return WD14_METHODS[method]


class _WD14Tagger:
    """The analysis half shared by TaggingAction and TagFilterAction."""

    if TYPE_CHECKING:  # given by the AnalyzedAction it is mixed into
        def _batch_kwargs(self) -> dict[str, Any]: ...

    def _setup(self, method: str, force: bool, options: dict[str, Any]) -> None:
        self.method = method
        self.model_name = wd14_model_for(method)
        self.force = force
        unknown = sorted(set(options) - set(DECODE_OPTIONS) - set(IGNORED_OPTIONS))
        if unknown:
            raise InvalidOptionError("tagging option", unknown[0], list(DECODE_OPTIONS),
                                     fix="Pass thresholds such as general_threshold=0.35, character_threshold=0.85.")
        self.kwargs = {k: v for k, v in options.items() if k in DECODE_OPTIONS}

    def required_files(self) -> list[Any]:
        return models.required_files("wd14_predict_batch", model_name=self.model_name,
                                     drop_overlap=self.kwargs.get("drop_overlap", False))

    def analysis_key(self) -> dict[str, Any]:
        files = [f for f in models.required_files("wd14_predict_batch", model_name=self.model_name)
                 if f.filename.endswith(".onnx")]
        return {"func": "wd14_predict_batch", "model_name": self.model_name,
                "files": [models.file_fingerprint(f) for f in files]}

    def analyze(self, images) -> list[np.ndarray]:
        pred = models.wd14_predict_batch(list(images), model_name=self.model_name, **self._batch_kwargs())
        return [np.asarray(row, dtype=np.float32) for row in pred]

    def needs_analysis(self, item: ImageItem) -> bool:
        return self.force or "tags" not in item.meta

    def tagged(self, item: ImageItem, analysis: Any) -> ImageItem:
        """The item with tagger tags (general + character, no rating), or unchanged when none are needed."""
        if analysis is None:
            return item
        _, general, character = models.wd14_decode(analysis, self.model_name, **self.kwargs,
                                                   fmt=("rating", "general", "character"))
        return item.with_meta(tags={**general, **character})


class TaggingAction(_WD14Tagger, AnalyzedProcessAction):
    """Set ``meta['tags']`` from a tagger (waifuc's methods and defaults: general 0.35, character 0.85).

    Items that already have tags (e.g. site tags) are left as they are unless ``force=True``.
    ``character_threshold=1.01`` drops character tags. deepdanbooru and mldanbooru raise a clear
    error: the runtime has no such models.

    Unlike waifuc, which passes only the two thresholds to the tagger and silently ignores other
    keywords, ``general_mcut_enabled``, ``character_mcut_enabled``, ``no_underline`` and
    ``drop_overlap`` are applied (get_wd14_tags semantics); other unknown keywords raise
    InvalidOptionError. Without them the stored tags equal waifuc's.
    """

    per_item = True

    def __init__(self, method: str = "wd14_v3_swinv2", force: bool = False, **kwargs):
        self._setup(method, force, kwargs)

    def __repr__(self) -> str:
        return f"TaggingAction({self.method!r}, force={self.force!r})"

    def transform(self, item: ImageItem, analysis: Any) -> ImageItem:
        return self.tagged(item, analysis)


class TagFilterAction(_WD14Tagger, AnalyzedAction):
    """Tags the item first (without force; waifuc's default tagger here is wd14_convnextv2), then keeps it if
    every listed tag's score >= its minimum
    (a list means each tag must be present: minimum 1e-6); ``reversed=True`` drops an item when any
    listed tag's score > its minimum. Yields the tagged item."""

    per_item = True

    # noinspection PyShadowingBuiltins
    def __init__(self, tags: list[str] | Mapping[str, float], method: str = "wd14_convnextv2",
                 reversed: bool = False, **kwargs):
        if isinstance(tags, (list, tuple)):
            self.tags = {tag: 1e-6 for tag in tags}
        elif isinstance(tags, Mapping):
            self.tags = dict(tags)
        else:
            raise ArgumentTypeError(f"tags must be a list of tags or a dict tag -> minimum score, got {tags!r}",
                                    "give e.g. ['solo'] or {'solo': 0.5}")
        self.reversed = reversed
        self._setup(method, False, kwargs)

    def __repr__(self) -> str:
        return f"TagFilterAction({self.tags!r}, {self.method!r}, reversed={self.reversed!r})"

    def decide(self, item: ImageItem, analysis: Any) -> Iterator[ImageItem]:
        item = self.tagged(item, analysis)
        tags = item.meta.get("tags") or {}
        for tag, minimum in self.tags.items():
            score = tags.get(tag, 0.0)
            if not self.reversed and score < minimum:
                self.drop(item, f"tag {tag!r} missing or below its minimum", score=score, threshold=minimum)
                return
            if self.reversed and score > minimum:
                self.drop(item, f"tag {tag!r} present", score=score, threshold=minimum)
                return
        yield item


class _TagListAction(ProcessAction):
    """A tag-list action whose list files are checked before the first item is pulled."""

    func = "drop_overlap_tags"

    def required_files(self) -> list[Any]:
        """The tag list files (a dataset repo) this action reads."""
        return models.required_files(self.func)

    def iter_from(self, iter_: Iterable[ImageItem]) -> Iterator[ImageItem]:
        models.ensure_available(self.required_files())
        yield from super().iter_from(iter_)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class BlacklistedTagDropAction(_TagListAction):
    """Removes blacklisted tags (alea31415/tag_filtering blacklist, word-based)."""

    per_item = True

    func = "drop_blacklisted_tags"

    def process(self, item: ImageItem) -> ImageItem:
        return item.with_meta(tags=models.drop_blacklisted_tags(dict(item.meta.get("tags") or {})))


class TagOverlapDropAction(_TagListAction):
    """Removes a tag when a more specific one is present (overlap list, or substring of another tag)."""

    per_item = True

    func = "drop_overlap_tags"

    def process(self, item: ImageItem) -> ImageItem:
        return item.with_meta(tags=models.drop_overlap_tags(dict(item.meta.get("tags") or {})))

