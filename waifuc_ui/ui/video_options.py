"""The Source tab's video controls: how uploaded videos become frames (see waifuc_ui.source.video_upload).

``build_video_options()`` makes the widgets inside the upload group and keeps their values in a ``gr.State``
(``VideoControls.values``), so the upload handler takes one more State input and its API stays ``(files,
replace)``; ``video_options(values, progress=...)`` turns them into
:class:`~waifuc_ui.source.video_upload.VideoOptions` (None: the defaults), with a progress line per video
(throttled: a few updates a second, not one per decoded frame).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr

from ..core.errors import InvalidOptionError
from ..source.video import DEFAULT_MIN_FRAME_INTERVAL, VIDEO_EXTENSIONS, VideoProgress
from ..source.video_upload import APP_SKIP_SIMILAR, VideoOptions

#: File types the upload box accepts for videos.
VIDEO_FILE_TYPES = list(VIDEO_EXTENSIONS)
MAX_INTERVAL = 60.0


DEFAULT_VALUES = (DEFAULT_MIN_FRAME_INTERVAL, False, True)  # interval, key frames only, skip near-identical


@dataclass
class VideoControls:
    interval: gr.Slider
    key_frames: gr.Checkbox
    skip_similar: gr.Checkbox
    values: gr.State  # (interval, key_frames, skip_similar) as last set by the visitor


def build_video_options() -> VideoControls:
    with gr.Accordion("Videos (mp4, mkv, webm, mov, avi...): which frames to take", open=False,
                      elem_id="video-options"):
        interval = gr.Slider(0, 10, value=DEFAULT_MIN_FRAME_INTERVAL, step=0.1, label="Seconds between frames",
                             info="a frame when at least this long passed since the last one (waifuc's "
                                  "min_frame_interval); 0 takes every frame", elem_id="video-interval")
        with gr.Row():
            key_frames = gr.Checkbox(False, label="Key frames only", elem_id="video-keyframes",
                                     info="decode only the encoder's key frames: fast, usually one per shot")
            skip = gr.Checkbox(True, label="Skip near-identical frames", elem_id="video-skip-similar",
                               info="a frame that looks like the last one taken is skipped (still shots)")
    values = gr.State(DEFAULT_VALUES)
    widgets: list[Any] = [interval, key_frames, skip]
    for widget in widgets:
        widget.change(lambda *v: tuple(v), widgets, [values], queue=False, show_progress="hidden")
    return VideoControls(interval, key_frames, skip, values)


def video_options(values: Any = None, progress: Callable[..., Any] | None = None) -> VideoOptions:
    """``values`` (interval, key_frames, skip_similar; None: the defaults) as VideoOptions; ``progress`` is
    gradio's ``gr.Progress`` (or any ``(fraction, desc=...)`` callable)."""
    interval, key_frames, skip_similar = tuple(values) if values else DEFAULT_VALUES
    try:
        seconds = float(interval if interval not in (None, "") else DEFAULT_MIN_FRAME_INTERVAL)
    except (TypeError, ValueError):
        seconds = -1.0
    if not 0 <= seconds <= MAX_INTERVAL:
        raise InvalidOptionError("seconds between frames", interval,
                                 fix=f"give a number of seconds from 0 (every frame) to {MAX_INTERVAL:g}")
    return VideoOptions(seconds or None, bool(key_frames), APP_SKIP_SIMILAR if skip_similar else None,
                        progress=video_progress(progress) if progress is not None else None)


def video_progress(progress: Callable[..., Any], every: float = 0.25) -> Callable[[VideoProgress], None]:
    """Tell ``progress`` where a video's decoding is, at most once per ``every`` seconds per video."""
    last: dict[str, float] = {}

    def tell(p: VideoProgress) -> None:
        now = time.monotonic()
        if now - last.get(p.name, 0.0) < every:
            return
        last[p.name] = now
        of = f" of {p.duration:.0f} s" if p.duration else ""
        skipped = f", {p.similar} near-identical skipped" if p.similar else ""
        progress(p.fraction(), desc=f"{p.name}: {p.seconds:.0f} s{of}, {p.kept} frames{skipped}")

    return tell
