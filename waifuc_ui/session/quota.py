"""What one visitor may make the server do: the quotas of a deployment and each session's use of them.

:class:`Quotas` is a frozen value (``Quotas.public()`` for a shared deployment, ``Quotas.local()`` for a private
run; the app builds it from the environment). :class:`QuotaLedger` is one session's account: ``with
ledger.upload(request_paths) as source_options:`` serialises the session's uploads, hands the source what is left
(an :class:`~waifuc_ui.source.upload.UploadAllowance`, the per-image limits and the app's decode slots) and
charges what was used. Zip-bomb checks (ratio, overlapping entries, lying headers, entry count) apply in every mode.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..core.image_io import DEFAULT_MAX_FRAMES, DEFAULT_MAX_PIXELS, DecodeSlots
from ..source.archive import ArchiveLimits
from ..source.upload import UploadAllowance
from ..source.video import VideoLimits

MB = 1024 ** 2


@dataclass(frozen=True)
class Quotas:
    """Limits per request, per session and per image (None: unlimited). ``heavy_decodes``: how many images over
    ``heavy_pixels`` the whole server decodes at once. ``reduce_large``: a JPEG over ``max_pixels`` is decoded
    reduced instead of refused."""

    request_upload_bytes: int | None = None
    session_upload_bytes: int | None = None
    session_disk_bytes: int | None = None
    session_images: int | None = None
    max_pixels: int | None = DEFAULT_MAX_PIXELS
    max_frames: int = DEFAULT_MAX_FRAMES
    archive_bytes: int = ArchiveLimits.max_total_bytes
    archive_entries: int = ArchiveLimits.max_entries
    archive_ratio: float = ArchiveLimits.max_ratio
    heavy_decodes: int = 2
    heavy_pixels: int = 4_000_000
    reduce_large: bool = True
    upload_folder_bytes: int | None = None  # gradio's upload folder, all clients together (ui/upload_budget.py)
    max_sessions: int | None = None  # sessions kept on the server at once (live or waiting to be reopened)
    video_seconds: float | None = None  # the longest uploaded video decoded (source/video_upload.py)
    video_decoded_frames: int | None = None  # frames decoded per uploaded video
    session_video_seconds: float | None = None  # seconds of uploaded video one session may decode in all

    @classmethod
    def local(cls) -> Quotas:
        """A private run: no per-session totals, Pillow's own pixel limit; zip-bomb checks stay on."""
        return cls()

    @classmethod
    def public(cls) -> Quotas:
        """A shared deployment (a Space): bounded so four busy visitors stay well under 1.5 GB of memory."""
        return cls(request_upload_bytes=200 * MB, session_upload_bytes=1024 * MB, session_disk_bytes=1024 * MB,
                   session_images=2000, max_pixels=25_000_000, max_frames=200, archive_bytes=1024 * MB,
                   archive_entries=5000, archive_ratio=100.0, heavy_decodes=2, upload_folder_bytes=4096 * MB,
                   max_sessions=500, video_seconds=1800, video_decoded_frames=65_000,
                   session_video_seconds=3600)

    def archive_limits(self) -> ArchiveLimits:
        return ArchiveLimits(max_total_bytes=self.archive_bytes, max_entries=self.archive_entries,
                             max_ratio=self.archive_ratio)

    def decode_slots(self) -> DecodeSlots:
        """A new set of slots (the registry makes one for all its sessions)."""
        return DecodeSlots(self.heavy_decodes, self.heavy_pixels)


class QuotaLedger:
    """One session's use of its quotas (uploaded bytes, bytes written to disk, images). Thread-safe: the session's
    uploads run one after the other, each seeing what the previous ones left."""

    def __init__(self, quotas: Quotas, decode_slots: DecodeSlots | None = None):
        self.quotas = quotas
        self.decode_slots = decode_slots
        self.uploaded = 0
        self.disk = 0
        self.images = 0
        self.video_seconds = 0.0
        self._turn = threading.Lock()

    @staticmethod
    def _left(limit: int | None, used: int) -> int | None:
        return None if limit is None else max(0, limit - used)

    def _left_seconds(self, limit: float | None) -> float | None:
        return None if limit is None else max(0.0, limit - self.video_seconds)

    @contextmanager
    def upload(self) -> Iterator[dict[str, Any]]:
        """Options for one UploadSource (limits, allowance, slots); what it used is charged on exit, even when
        the ingest stopped early."""
        q = self.quotas
        with self._turn:
            allowance = UploadAllowance(request_bytes=q.request_upload_bytes,
                                        upload_bytes=self._left(q.session_upload_bytes, self.uploaded),
                                        disk_bytes=self._left(q.session_disk_bytes, self.disk),
                                        images=self._left(q.session_images, self.images),
                                        images_total=q.session_images,
                                        video_seconds=self._left_seconds(q.session_video_seconds),
                                        video_seconds_total=q.session_video_seconds)
            try:
                yield {"limits": q.archive_limits(), "max_pixels": q.max_pixels, "max_frames": q.max_frames,
                       "reduce_large": q.reduce_large, "allowance": allowance, "decode_slots": self.decode_slots,
                       "video_limits": VideoLimits(q.video_seconds, q.video_decoded_frames, None, q.max_pixels)}
            finally:
                self.uploaded += allowance.used_upload
                self.disk += allowance.used_disk
                self.images += allowance.used_images
                self.video_seconds += allowance.used_video_seconds

    def summary(self) -> str:
        q = self.quotas

        def part(used: int, limit: int | None, unit: str) -> str:
            return f"{used}{unit}" + (f" of {limit}{unit}" if limit is not None else "")

        video = f"{self.video_seconds:.0f} s" + (f" of {q.session_video_seconds:.0f} s"
                                                 if q.session_video_seconds is not None else "")
        return (f"uploaded {part(self.uploaded, q.session_upload_bytes, ' B')}, on disk "
                f"{part(self.disk, q.session_disk_bytes, ' B')}, images {part(self.images, q.session_images, '')}, "
                f"video {video}")
