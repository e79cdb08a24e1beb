"""What one upload may still bring in: bytes of the request, the session's upload, disk, image and video quotas."""

from __future__ import annotations

from dataclasses import dataclass


def mb(n: int) -> str:
    """Bytes as MB or GB of 1024 (as gradio and the settings count them: '200mb' shows as '200.0 MB')."""
    return f"{n / 2 ** 20:.1f} MB" if n < 2 ** 30 else f"{n / 2 ** 30:.2f} GB"


@dataclass
class UploadAllowance:
    """What one upload may use (None: no limit), and what it used. ``request_bytes``: all files of this request
    together; ``upload_bytes``, ``disk_bytes``, ``images``: what is left of the session's quotas."""

    request_bytes: int | None = None
    upload_bytes: int | None = None
    disk_bytes: int | None = None
    images: int | None = None
    images_total: int | None = None  # the session's whole image quota (for the reason shown)
    video_seconds: float | None = None  # seconds of uploaded video the session may still decode
    video_seconds_total: float | None = None  # the session's whole video quota (for the reason shown)
    used_upload: int = 0
    used_disk: int = 0
    used_images: int = 0
    used_video_seconds: float = 0.0

    def refuse_upload(self, size: int, request_total: int) -> str | None:
        """Why a file of ``size`` bytes cannot come in after ``request_total`` bytes of this request, or None."""
        if self.request_bytes is not None and request_total + size > self.request_bytes:
            return (f"not read: the files of this request add up to more than {mb(self.request_bytes)}, the limit "
                    "per upload on this public server; send fewer or smaller files at once")
        if self.upload_bytes is not None and self.used_upload + size > self.upload_bytes:
            return (f"not read: this session may upload {mb(self.upload_bytes)} in all and has "
                    f"{mb(self.upload_bytes - self.used_upload)} left; reload the page for a new session")
        return None

    def disk_left(self) -> int | None:
        return None if self.disk_bytes is None else max(0, self.disk_bytes - self.used_disk)

    def images_left(self, counted: int) -> int | None:
        return None if self.images is None else self.images - counted

    def video_seconds_left(self) -> float | None:
        return None if self.video_seconds is None else max(0.0, self.video_seconds - self.used_video_seconds)
