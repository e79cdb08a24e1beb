"""TextualInversionExporter: images plus ``{body}.txt`` captions, the LoRA training layout."""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from ..core.files import write_text_atomic
from ..core.item import ImageItem
from ..core.tags import caption_text
from .folder import FolderExporter
from .policy import DEFAULT_QUALITY


class TextualInversionExporter(FolderExporter):
    """Write each image and a ``{body}.txt`` caption beside it (same sub-folder).

    The caption is :func:`waifuc_ui.core.tags.tags_to_text` of ``meta['tags']`` with these options
    (by default sorted by score then name, escaped, ``", "`` joined, no newline; ``score_descend=False``
    keeps the order of ``meta['tags']``); with ``trigger_word`` that word comes first and a tag equal to
    it is not repeated (waifuc issue 45). The txt is always rewritten, even when ``skip_when_image_exist``
    skips the image. Save options are ``{**meta['save_cfg'], **save_params}`` (waifuc ignored ``save_cfg``
    here, so FileExtAction's ``quality`` was lost). No sidecar json is written.

    Names are unique within the export, captions included (``a.png`` + ``a.txt``, ``a.jpg`` ->
    ``a_1.jpg`` + ``a_1.txt``); an image no step changed keeps its bytes; ``trainer_formats`` (on by
    default here) writes animations as a first-frame PNG and formats trainers skip (GIF, TIFF) as PNG.
    See :mod:`waifuc_ui.export.folder`.
    """

    def __init__(self, output_dir: str, clear: bool = False, use_spaces: bool = False, use_escape: bool = True,
                 include_score: bool = False, score_descend: bool = True, skip_when_image_exist: bool = False,
                 ignore_error_when_export: bool = False, save_params: dict[str, Any] | None = None,
                 trigger_word: str | None = None, quality: int = DEFAULT_QUALITY, keep_original: bool = True,
                 trainer_formats: bool = True, flatten: bool = False, hide_paths: Iterable[str] = ()):
        super().__init__(output_dir, clear=clear, skip_when_image_exist=skip_when_image_exist,
                         ignore_error_when_export=ignore_error_when_export, save_params=save_params,
                         quality=quality, keep_original=keep_original, trainer_formats=trainer_formats,
                         flatten=flatten, hide_paths=hide_paths)
        self.use_spaces = use_spaces
        self.use_escape = use_escape
        self.include_score = include_score
        self.score_descend = score_descend
        self.trigger_word = trigger_word

    def caption(self, item: ImageItem) -> str:
        return caption_text(item.meta.get("tags") or {}, trigger_word=self.trigger_word,
                            use_spaces=self.use_spaces, use_escape=self.use_escape,
                            include_score=self.include_score, score_descend=self.score_descend)

    def export_item(self, item: ImageItem) -> None:
        def caption(path: str, _name: str):
            txt = os.path.splitext(path)[0] + ".txt"
            write_text_atomic(txt, self.caption(item))
            return [txt]

        self.export_with(item, caption)

    def __repr__(self) -> str:
        return f"TextualInversionExporter({self.output_dir!r})"
