"""The caption an image gets in the image + .txt export, written by the exporter's own caption function with the
options the export uses (trigger word first, tag order, escapes, ``use_spaces``): a preview equal to the .txt."""

from __future__ import annotations

from typing import Any

from ..core.errors import InternalError

#: The exporter options that shape a caption.
CAPTION_OPTIONS = ("trigger_word", "use_spaces", "use_escape", "include_score", "score_descend")


def exported_caption(session: Any, item_id: str, **options: Any) -> str:
    """The .txt text ``session.export.zip(layout='textual_inversion', **options)`` writes for ``item_id``."""
    from ..core.item import ImageItem
    from ..export.textual_inversion import TextualInversionExporter

    kwargs = session.export.options("textual_inversion", "", **options)
    exporter = TextualInversionExporter("unused", **{k: v for k, v in kwargs.items() if k in CAPTION_OPTIONS})
    item = ImageItem(meta={"tags": dict(session.tags.of(item_id))}, loader=_no_pixels)
    return exporter.caption(item)


def _no_pixels() -> Any:
    raise InternalError("a caption preview reads tags only", "report this: the caption writer asked for pixels")
