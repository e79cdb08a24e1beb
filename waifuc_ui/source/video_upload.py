"""Uploaded videos (mp4, mkv, webm, mov, avi, ...) as frames, inside an upload (see :mod:`.upload`).

:class:`VideoOptions` say how a video becomes frames (waifuc's ``min_frame_interval`` / ``key_frames_only``, and
``skip_similar`` to drop near-identical consecutive frames; the app turns it on), :class:`~.video.VideoLimits` what
the server allows (the public quotas: length, decoded frames, frame size). :func:`upload_video_frames` streams the
frames of one private copy, named as the visitor knows the video, and charges each frame to the upload's image and
disk allowances (a frame is stored losslessly by the session: counted as width x height x 3 bytes, an upper
bound), stopping with a recorded reason when one runs out.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, cast

from ..core.item import ImageItem
from ..core.report import report_skip
from .allowance import UploadAllowance
from .local import group_name
from .video import (
    DEFAULT_MIN_FRAME_INTERVAL,
    BadVideoError,
    VideoInfo,
    VideoLimits,
    VideoProgress,
    VideoSource,
    probe_video,
)

#: The app's "skip near-identical frames": mean grey difference (0-255) of 32x32 thumbnails under which a frame
#: repeats the last kept one (a still shot with compression noise stays under 2; a cut or a pan is far above).
APP_SKIP_SIMILAR = 3.0


@dataclass(frozen=True)
class VideoOptions:
    """How uploaded videos become frames; ``progress`` is told where each video's decoding is."""

    min_frame_interval: float | None = DEFAULT_MIN_FRAME_INTERVAL
    key_frames_only: bool = False
    skip_similar: float | None = None
    progress: Callable[[VideoProgress], None] | None = field(default=None, compare=False)

    def describe(self) -> str:
        """E.g. 'a frame every 0.5 s, near-identical frames skipped'."""
        if self.key_frames_only:
            text = "key frames" + (f" at least {self.min_frame_interval:g} s apart" if self.min_frame_interval else "")
        elif self.min_frame_interval:
            text = f"a frame every {self.min_frame_interval:g} s"
        else:
            text = "every frame"
        return text + (", near-identical frames skipped" if self.skip_similar is not None else "")


def upload_video_frames(path: str, name: str, options: VideoOptions, limits: VideoLimits,
                        allowance: UploadAllowance, counted: int, source: str = "") -> Iterator[ImageItem]:
    """The frames of the uploaded video at ``path`` (a private copy; ``name`` is how the visitor knows it), held to
    ``limits``, to the session's seconds of video left and to what ``allowance`` leaves after ``counted`` images of
    this upload. The seconds decoded are charged to ``allowance.used_video_seconds``."""
    info = _probe(path, name) if allowance.video_seconds is not None else None
    refusal = _video_quota_refusal(allowance, info)
    if refusal:
        report_skip(name, refusal, source)
        return
    left = allowance.video_seconds_left()
    if left is not None and (limits.max_seconds is None or left < limits.max_seconds):
        limits = replace(limits, max_seconds=left)  # a video of unknown length is cut there
    video = VideoSource(path, options.min_frame_interval, options.key_frames_only, skip_similar=options.skip_similar,
                        limits=limits, progress=options.progress, name=name)
    frames = iter(video)
    group = "video_" + (group_name(name) or "upload")
    seconds, finished = 0.0, False
    try:
        for item in frames:
            seconds = float(cast(dict[str, Any], item.meta)["time"])
            left_images = allowance.images_left(counted)
            if left_images is not None and left_images <= 0:
                report_skip(name, f"stopped at {seconds:.1f} s: this session reached its limit of "
                                  f"{allowance.images_total or allowance.images} images; raise the interval between "
                                  "frames, or reload the page for a new session", source)
                return
            cost = item.image.width * item.image.height * 3
            disk_left = allowance.disk_left()
            if disk_left is not None and cost > disk_left:
                report_skip(name, f"stopped at {seconds:.1f} s: this session's disk quota is used up; "
                                  "raise the interval between frames, or reload the page for a new session", source)
                return
            allowance.used_disk += cost
            counted += 1
            item.meta["group_id"] = group
            yield item
        finished = True
    finally:
        if isinstance(frames, Generator):
            frames.close()  # a consumer that stops early closes the video file at once
        whole = info.duration if finished and info is not None and info.duration is not None else seconds
        allowance.used_video_seconds += min(whole, left) if left is not None else whole


def _probe(path: str, name: str) -> VideoInfo | None:
    """The video's header, or None when it is unreadable (the decoder then reports why)."""
    try:
        return probe_video(path, name)
    except BadVideoError:
        return None


def _video_quota_refusal(allowance: UploadAllowance, info: VideoInfo | None) -> str:
    """Why this video is not read at all under the session's video quota ('' when it may be)."""
    left, total = allowance.video_seconds_left(), allowance.video_seconds_total or allowance.video_seconds
    if left is None:
        return ""
    if left <= 0:
        return (f"not read: this session has decoded its {total:.0f} s of uploaded video; reload the page for a new "
                "session")
    if info is not None and info.duration is not None and info.duration > left:
        return (f"not read: the video lasts {info.duration:.0f} s and this session has {left:.0f} s of video left "
                f"(of {total:.0f} s); cut it first, e.g. `ffmpeg -i in -t {left:.0f} -c copy part.mp4`, or reload "
                "the page for a new session")
    return ""
