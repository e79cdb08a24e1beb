"""VideoSource: frames of a video file, decoded one at a time with PyAV (FFmpeg).

waifuc's semantics: a decoded frame is kept when at least ``min_frame_interval`` seconds passed since the last
kept one (``None``: every frame); ``key_frames_only`` decodes key frames only. Each item's meta holds
``video_file``, ``time`` (seconds), ``index`` (the frame's place among the decoded frames) and
``filename = '{body}_time_{t:.3f}s.png'``.

Beyond waifuc: ``skip_similar`` drops a sampled frame that looks like the last kept one (the mean absolute
difference of 32x32 grey thumbnails, made by FFmpeg's scaler, below that value on a 0-255 scale; scene-aware
sampling before any model; the interval counts from the dropped frame, so the check costs one thumbnail per
sample); ``limits`` bound the duration, the frames decoded and kept and the frame size; ``progress`` is told where
decoding is. A file that is not a video (or is a list or playlist naming other files), is empty or truncated, or
has no video stream is refused: iterating records it with ``report_skip`` (the run goes on); :func:`probe_video`
raises :class:`BadVideoError` with the reason. Only local files are opened (FFmpeg's protocol whitelist).
The video is streamed: only the frame being decoded and the last kept thumbnail are held.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from ..core.errors import SourceError
from ..core.item import ImageItem, ItemMeta
from ..core.report import report_skip
from .base import ComposedDataSource, NamedDataSource

DEFAULT_MIN_FRAME_INTERVAL = 0.5
VIDEO_EXTENSIONS = (".mp4", ".m4v", ".mkv", ".webm", ".mov", ".avi", ".flv", ".wmv", ".mpg", ".mpeg", ".ts", ".3gp",
                    ".ogv")
THUMB_SIDE = 32
#: A video whose last frame comes this much before its announced end is reported as truncated.
_TRUNCATION_SLACK = 1.0
#: Demuxers of video files. Others are refused before any frame is read: playlists and lists (hls, concat) name
#: further files or URLs, which a visitor's upload must never make the server open.
CONTAINER_FORMATS = frozenset({"mov", "mp4", "matroska", "webm", "avi", "flv", "mpegts", "mpeg", "asf", "ogg",
                               "h264", "hevc", "m4v", "mpegvideo", "3gp", "ivf", "nut", "rm", "yuv4mpegpipe"})
#: Only local files: a container never opens a network URL (FFmpeg passes this on to nested opens).
_OPEN_OPTIONS = {"protocol_whitelist": "file"}


class BadVideoError(SourceError):
    """A file that cannot be read as a video: ``reason`` says why and what to do."""

    def __init__(self, name: str, reason: str):
        self.name, self.reason = name, reason
        super().__init__(f"{name}: {reason}")


@dataclass(frozen=True)
class VideoLimits:
    """Bounds for one video (None: no bound). ``max_seconds``: a longer video is refused (or, when its length is
    not known in advance, cut there); ``max_decoded``: frames decoded; ``max_frames``: frames kept; ``max_pixels``:
    one frame's size."""

    max_seconds: float | None = None
    max_decoded: int | None = None
    max_frames: int | None = None
    max_pixels: int | None = None


@dataclass(frozen=True)
class VideoInfo:
    """What the container says before decoding: ``duration`` in seconds (None when unknown), frame size, rate."""

    duration: float | None
    width: int
    height: int
    fps: float | None
    codec: str


@dataclass(frozen=True)
class VideoProgress:
    """Where decoding is: ``seconds`` into the video of ``duration``; frames ``decoded``, ``kept`` and
    ``similar`` (skipped as near-identical)."""

    name: str
    seconds: float
    duration: float | None
    decoded: int
    kept: int
    similar: int

    def fraction(self) -> float | None:
        return min(1.0, self.seconds / self.duration) if self.duration else None


def _read_errors() -> tuple[type[BaseException], ...]:
    """What PyAV raises on a file it cannot read (PyAV is imported only when a video is opened: it takes a third
    of a second)."""
    import av.error

    return av.error.FFmpegError, ValueError, IndexError, UnicodeError, OSError


def _reason(err: BaseException) -> str:
    """The error's words without the file path FFmpeg adds (a server path)."""
    text = (getattr(err, "strerror", None) or str(err)).strip() or type(err).__name__
    return text if len(text) <= 200 else text[:200] + "…"


def _stream_info(stream: Any, container: Any) -> VideoInfo:
    duration = None
    if stream.duration and stream.time_base:
        duration = float(stream.duration * stream.time_base)
    elif container.duration:
        duration = container.duration / 1_000_000  # microseconds (AV_TIME_BASE)
    fps = float(stream.average_rate) if stream.average_rate else None
    return VideoInfo(duration, stream.width or 0, stream.height or 0, fps, stream.codec_context.name or "")


def _open(path: str, name: str) -> tuple[Any, Any]:
    """The open container and its first video stream; BadVideoError with the reason otherwise."""
    if not os.path.isfile(path):
        raise BadVideoError(name, "file not found; check the path")
    if os.path.getsize(path) == 0:
        raise BadVideoError(name, "the file is empty (0 bytes); upload or copy it again")
    try:
        import av

        container = av.open(path, options=dict(_OPEN_OPTIONS), metadata_errors="ignore")
    except _read_errors() as err:
        raise BadVideoError(name, f"not a video FFmpeg can read ({_reason(err)}); if it is one, it may be "
                                  "truncated or in a rare format: re-encode it, e.g. `ffmpeg -i in -c:v libx264 "
                                  "out.mp4`") from err
    formats = set(str(container.format.name or "").split(","))
    if not formats & CONTAINER_FORMATS:
        container.close()
        raise BadVideoError(name, f"the file is a {container.format.name!r} file, not a video container this app "
                                  "reads (mp4, mkv, webm, mov, avi, ...); export the video as mp4")
    if not container.streams.video:
        kinds: list[str] = sorted({str(s.type) for s in container.streams}) or ["no streams"]
        container.close()
        raise BadVideoError(name, f"the file has no video stream (it holds: {', '.join(kinds)}); choose a video "
                                  "file")
    return container, container.streams.video[0]


def probe_video(path: str, name: str | None = None) -> VideoInfo:
    """Open ``path`` and read its header (duration, size, rate) without decoding; BadVideoError with the reason
    when it is not a readable video."""
    container, stream = _open(path, name or os.path.basename(path))
    try:
        return _stream_info(stream, container)
    finally:
        container.close()


class _Similarity:
    """The last kept frame's 32x32 grey thumbnail, to tell a repeat from a new picture."""

    def __init__(self, threshold: float | None):
        self.threshold = threshold
        self._last: np.ndarray | None = None

    def repeats(self, frame: Any) -> bool:
        if self.threshold is None:
            return False
        thumb = frame.reformat(width=THUMB_SIDE, height=THUMB_SIDE, format="gray").to_ndarray().astype(np.int16)
        same = self._last is not None and float(np.abs(thumb - self._last).mean()) < self.threshold
        if not same:
            self._last = thumb
        return same


class VideoSource(NamedDataSource):
    """Frames of ``video_file`` (see the module doc). ``name`` is how reports and ``video_file`` meta name the
    video (default: its absolute path, as waifuc)."""

    def __init__(self, video_file: str | os.PathLike[str],
                 min_frame_interval: float | None = DEFAULT_MIN_FRAME_INTERVAL,
                 key_frames_only: bool = False, *, skip_similar: float | None = None,
                 limits: VideoLimits | None = None, progress: Callable[[VideoProgress], None] | None = None,
                 name: str | None = None):
        if min_frame_interval is not None and min_frame_interval < 0:
            from ..core.errors import InvalidOptionError

            raise InvalidOptionError("min_frame_interval", min_frame_interval,
                                     fix="give seconds between kept frames (0.5 keeps two per second), or None for "
                                         "every frame")
        self.video_file = os.path.abspath(os.fspath(video_file))
        self.min_frame_interval = min_frame_interval
        self.key_frames_only = key_frames_only
        self.skip_similar = skip_similar
        self.limits = limits or VideoLimits()
        self.progress = progress
        self.name = name or self.video_file

    def _args_repr(self) -> str:
        return repr(self.video_file)

    def info(self) -> VideoInfo:
        return probe_video(self.video_file, self.name)

    def _iter(self) -> Iterator[ImageItem]:
        try:
            container, stream = _open(self.video_file, self.name)
        except BadVideoError as err:
            report_skip(self.name, err.reason, repr(self))
            return
        try:
            refusal = self._refusal(_stream_info(stream, container))
            if refusal:
                report_skip(self.name, refusal, repr(self))
                return
            yield from self._frames(container, stream)
        finally:
            container.close()

    def _refusal(self, info: VideoInfo) -> str:
        lim = self.limits
        if lim.max_seconds is not None and info.duration is not None and info.duration > lim.max_seconds:
            return (f"the video lasts {info.duration:.0f} s; this server takes videos up to {lim.max_seconds:.0f} s: "
                    f"cut it first, e.g. `ffmpeg -i in -t {lim.max_seconds:.0f} -c copy part.mp4`")
        if lim.max_pixels is not None and info.width * info.height > lim.max_pixels:
            return (f"frames of {info.width}x{info.height} are larger than the limit of {lim.max_pixels} pixels; "
                    "scale the video down first, e.g. `ffmpeg -i in -vf scale=1920:-2 out.mp4`")
        return ""

    def _frames(self, container: Any, stream: Any) -> Iterator[ImageItem]:
        info = _stream_info(stream, container)
        stream.codec_context.skip_frame = "NONKEY" if self.key_frames_only else "DEFAULT"
        stream.thread_type = "AUTO"
        body = os.path.splitext(os.path.basename(self.video_file))[0]
        similar = _Similarity(self.skip_similar)
        lim, decoded, kept, repeats, t = self.limits, 0, 0, 0, 0.0
        last_sampled: float | None = None  # the last frame kept or skipped as a repeat: the interval counts from it
        step = 1.0 / info.fps if info.fps else 0.0
        try:
            for index, frame in enumerate(container.decode(stream)):
                decoded += 1
                t = float(frame.time) if frame.time is not None else index * step
                stop = self._limit_reached(t, decoded, kept)
                if stop:
                    report_skip(self.name, stop, repr(self))
                    return
                due = (self.min_frame_interval is None or last_sampled is None
                       or t - last_sampled >= self.min_frame_interval)
                if due and lim.max_frames is not None and kept >= lim.max_frames:
                    report_skip(self.name, f"stopped at {kept} frames, the most this server keeps per video; raise the "
                                           "interval between frames to cover the whole video", repr(self))
                    return
                if due and similar.repeats(frame):
                    last_sampled, repeats = t, repeats + 1
                elif due:
                    last_sampled, kept = t, kept + 1
                    meta = {"video_file": self.name, "time": t, "index": index,
                            "filename": f"{body}_time_{t:.3f}s.png"}
                    yield ImageItem(frame.to_image(), cast(ItemMeta, meta))
                self._tell(t, info.duration, decoded, kept, repeats)
        except _read_errors() as err:
            report_skip(self.name, f"decoding stopped at {t:.1f} s ({_reason(err)}): the file looks damaged or "
                                   f"truncated; the {kept} frames before it were kept", repr(self))
            return
        if decoded == 0:
            report_skip(self.name, "no frame could be decoded: the file is truncated or its codec is not supported; "
                                   "re-encode it, e.g. `ffmpeg -i in -c:v libx264 out.mp4`", repr(self))
        elif info.duration and not self.key_frames_only and t + max(step, 0.0) < info.duration - _TRUNCATION_SLACK:
            report_skip(self.name, f"the video stops at {t:.1f} s of the {info.duration:.1f} s its header announces: "
                                   f"the file looks truncated; the {kept} frames before were kept", repr(self))

    def _limit_reached(self, t: float, decoded: int, kept: int) -> str:
        """Why decoding stops here ('' to go on)."""
        lim = self.limits
        if lim.max_seconds is not None and t > lim.max_seconds:
            return (f"stopped at {lim.max_seconds:.0f} s, the longest this server decodes per video; the {kept} "
                    "frames before were kept")
        if lim.max_decoded is not None and decoded > lim.max_decoded:
            return (f"stopped after {lim.max_decoded} decoded frames, the most this server decodes per video; the "
                    f"{kept} frames before were kept")
        return ""

    def _tell(self, t: float, duration: float | None, decoded: int, kept: int, repeats: int) -> None:
        if self.progress is not None:
            self.progress(VideoProgress(self.name, t, duration, decoded, kept, repeats))

    @classmethod
    def from_directory(cls, directory: str, recursive: bool = True,
                       min_frame_interval: float | None = DEFAULT_MIN_FRAME_INTERVAL,
                       key_frames_only: bool = False, **options: Any) -> ComposedDataSource:
        """Every video file (by extension) under ``directory``, in sorted order, one after the other."""
        found: list[str] = []
        for folder, subfolders, files in os.walk(directory):
            subfolders.sort()
            found.extend(os.path.join(folder, f) for f in sorted(files) if is_video_name(f))
            if not recursive:
                break
        return ComposedDataSource(*(cls(f, min_frame_interval, key_frames_only, **options) for f in found))


def is_video_name(filename: str) -> bool:
    """True for a file name with a video extension (.mp4, .mkv, .webm, .mov, .avi, ...)."""
    return os.path.splitext(filename)[1].lower() in VIDEO_EXTENSIONS
