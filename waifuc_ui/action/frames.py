"""FrameSplitAction: one item per frame of an animated image."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from ..core.item import ImageItem
from .base import BaseAction


class FrameSplitAction(BaseAction):
    """For a multi-frame image, yield every frame as ``{body}_frame_{i}{ext}`` with ``meta['frame_id'] = i``.

    Single-frame images pass unchanged. Fixes: each frame is a standalone one-frame copy in
    a mode that holds its colours (a P frame keeps its palette and transparency), and the
    source image is put back on frame 0 afterwards (waifuc left it on the last frame, so a later
    action saw only that frame). A frame that cannot be decoded ends the split and is recorded.
    """

    per_item = True

    def iter(self, item: ImageItem) -> Iterator[ImageItem]:
        image = item.image
        n_frames = getattr(image, "n_frames", 1)
        if n_frames <= 1:
            yield item
            return
        filename = item.meta.get("filename")
        body, ext = os.path.splitext(filename) if filename else (None, None)
        for i in range(n_frames):
            try:
                image.seek(i)
                frame = image.copy()
            except (OSError, EOFError, ValueError) as err:
                self.drop(item, f"frame {i} of {n_frames} cannot be decoded: {err}")
                break
            updates: dict[str, Any] = {"frame_id": i}
            if filename:
                updates["filename"] = f"{body}_frame_{i}{ext}"
            yield item.with_image(frame, **updates)
        image.seek(0)
