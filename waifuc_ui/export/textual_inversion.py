"""TextualInversionExporter: images plus ``{body}.txt`` captions, the LoRA training layout."""

from __future__ import annotations

import os
from typing import Any, Dict, Optional

from ..model import ImageItem
from ..tags import caption_text
from .folder import FolderExporter
from .sidecar import write_text_file


class TextualInversionExporter(FolderExporter):
    """Write each image and a ``{body}.txt`` caption beside it (same sub-folder).

    The caption is :func:`waifuc_ui.tags.tags_to_text` of ``meta['tags']`` with these options
    (by default sorted by score then name, escaped, ``", "`` joined, no newline); with
    ``trigger_word`` that word comes first and a tag equal to it is not repeated (waifuc
    issue 45). The txt is always rewritten, even when ``skip_when_image_exist`` skips the image.
    Save options are ``{**meta['save_cfg'], **save_params}`` (waifuc ignored ``save_cfg`` here,
    so FileExtAction's ``quality`` was lost). No sidecar json is written.
    """

    def __init__(self, output_dir: str, clear: bool = False, use_spaces: bool = False, use_escape: bool = True,
                 include_score: bool = False, score_descend: bool = True, skip_when_image_exist: bool = False,
                 ignore_error_when_export: bool = False, save_params: Optional[Dict[str, Any]] = None,
                 trigger_word: Optional[str] = None):
        super().__init__(output_dir, clear=clear, skip_when_image_exist=skip_when_image_exist,
                         ignore_error_when_export=ignore_error_when_export, save_params=save_params)
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
        save_kwargs = {**(item.meta.get("save_cfg") or {}), **self.save_params}
        path = self.write_image(item, save_kwargs)
        txt = os.path.splitext(path)[0] + ".txt"
        write_text_file(txt, self.caption(item))
        self.mark_written(txt)

    def __repr__(self) -> str:
        return f"TextualInversionExporter({self.output_dir!r})"
