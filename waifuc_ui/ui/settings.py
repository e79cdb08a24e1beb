"""Launch settings of the web app (a frozen value; app.py builds it from the environment)."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import InvalidSettingError
from ..core.settings import Settings, default_workspace_root
from ..session.quota import Quotas

#: Upload limit applied in public mode when none is configured.
PUBLIC_MAX_FILE_SIZE = "200mb"
#: Idle time after which a session's workspace is deleted (seconds).
DEFAULT_SESSION_TTL = 3 * 3600


@dataclass(frozen=True)
class AppSettings:
    """How the app runs.

    public: a shared deployment (a Space or WAIFUC_UI_PUBLIC=1): no local-folder source, upload size limit.
    workspace_root: the only folder whose files are served; every session gets an unguessable folder inside it.
    max_file_size: per-upload limit passed to ``launch(max_file_size=...)`` (None = unlimited, local runs only).
    session_ttl: seconds after which an idle session's workspace is deleted.
    demo_dir: the dataset every new session opens on.
    quotas: what one visitor may use (None: ``Quotas.public()`` in public mode, else ``Quotas.local()``).
    """

    public: bool = False
    workspace_root: Path = field(default_factory=default_workspace_root)
    max_file_size: str | int | None = None
    session_ttl: float = DEFAULT_SESSION_TTL
    demo_dir: Path = Path(__file__).resolve().parents[2] / "assets" / "demo"
    quotas: Quotas | None = None

    @property
    def effective_quotas(self) -> Quotas:
        return self.quotas or (Quotas.public() if self.public else Quotas.local())

    @property
    def allows_local_folders(self) -> bool:
        """A visitor may name a server folder only on a private, local run."""
        return not self.public


def settings_from_env(environ: dict[str, str] | None = None) -> AppSettings:
    """Read the app's settings from environment variables.

    WAIFUC_UI_PUBLIC=1 (or true/yes/on) or SPACE_ID (set on Hugging Face Spaces) -> public mode;
    WAIFUC_UI_WORKSPACE_ROOT -> workspace root; WAIFUC_UI_MAX_UPLOAD (e.g. "200mb") -> upload limit
    (public mode defaults to 200mb); WAIFUC_UI_SESSION_TTL -> seconds.
    """
    env = os.environ if environ is None else environ
    base = Settings.from_env(env)  # public mode and the workspace root, read as the package reads them
    public, root = base.public, base.workspace_root
    max_size: str | None = env.get("WAIFUC_UI_MAX_UPLOAD") or (PUBLIC_MAX_FILE_SIZE if public else None)
    ttl_text = env.get("WAIFUC_UI_SESSION_TTL")
    try:
        ttl = float(ttl_text) if ttl_text else DEFAULT_SESSION_TTL
    except ValueError:
        raise InvalidSettingError(f"WAIFUC_UI_SESSION_TTL={ttl_text!r} is not a number of seconds",
                                  "set it to e.g. 10800 or unset it") from None
    return AppSettings(public=public, workspace_root=Path(root).resolve(), max_file_size=max_size, session_ttl=ttl,
                       quotas=quotas_from_env(public, env))


#: Quota settings: variable -> (Quotas field, kind). Sizes take "200mb", "1gb", "500kb" or bytes; "none" = no limit.
QUOTA_VARIABLES = {
    "WAIFUC_UI_MAX_REQUEST_UPLOAD": ("request_upload_bytes", "size"),
    "WAIFUC_UI_MAX_SESSION_UPLOAD": ("session_upload_bytes", "size"),
    "WAIFUC_UI_MAX_SESSION_DISK": ("session_disk_bytes", "size"),
    "WAIFUC_UI_MAX_SESSION_IMAGES": ("session_images", "count"),
    "WAIFUC_UI_MAX_PIXELS": ("max_pixels", "count"),
    "WAIFUC_UI_MAX_FRAMES": ("max_frames", "count"),
    "WAIFUC_UI_MAX_ZIP_BYTES": ("archive_bytes", "size"),
    "WAIFUC_UI_MAX_ZIP_ENTRIES": ("archive_entries", "count"),
    "WAIFUC_UI_MAX_ZIP_RATIO": ("archive_ratio", "ratio"),
    "WAIFUC_UI_HEAVY_DECODES": ("heavy_decodes", "count"),
    "WAIFUC_UI_MAX_UPLOAD_FOLDER": ("upload_folder_bytes", "size"),
    "WAIFUC_UI_MAX_SESSIONS": ("max_sessions", "count"),
    "WAIFUC_UI_MAX_VIDEO_SECONDS": ("video_seconds", "seconds"),
    "WAIFUC_UI_MAX_VIDEO_FRAMES": ("video_decoded_frames", "count"),
    "WAIFUC_UI_MAX_SESSION_VIDEO_SECONDS": ("session_video_seconds", "seconds"),
}
_UNLIMITED_OK = {"request_upload_bytes", "session_upload_bytes", "session_disk_bytes", "session_images", "max_pixels",
                 "upload_folder_bytes", "max_sessions", "video_seconds", "video_decoded_frames",
                 "session_video_seconds"}
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb)?\s*$", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 1024, "mb": 1024 ** 2, "gb": 1024 ** 3, "tb": 1024 ** 4}


def quotas_from_env(public: bool, environ: Mapping[str, str]) -> Quotas:
    """``Quotas.public()`` or ``Quotas.local()``, with any ``WAIFUC_UI_MAX_*`` / ``WAIFUC_UI_HEAVY_DECODES`` set."""
    quotas = Quotas.public() if public else Quotas.local()
    changes: dict[str, Any] = {}  # Quotas field -> value of that field's type
    for variable, (name, kind) in QUOTA_VARIABLES.items():
        text = (environ.get(variable) or "").strip()
        if text:
            changes[name] = _quota_value(variable, name, kind, text)
    return dataclasses.replace(quotas, **changes)


def _quota_value(variable: str, name: str, kind: str, text: str) -> int | float | None:
    if text.lower() in {"none", "unlimited"}:
        if name in _UNLIMITED_OK:
            return None
        raise InvalidSettingError(f"{variable}={text!r}: this limit cannot be switched off", "set a number or unset it")
    example = {"heavy_decodes": "2", "max_frames": "200", "max_pixels": "25000000", "archive_entries": "5000",
               "video_decoded_frames": "65000"}.get(name, {"size": "200mb", "count": "2000", "ratio": "100",
                                                             "seconds": "1800"}[kind])
    value: int | float | None
    if kind == "size":
        found = _SIZE_RE.match(text)
        value = int(float(found.group(1)) * _UNITS[(found.group(2) or "b").lower()]) if found else None
    elif kind in ("ratio", "seconds"):
        value = float(text) if re.fullmatch(r"\d+(\.\d+)?", text) else None
    else:
        value = int(text) if text.isdigit() else None
    if value is None or value <= 0:
        raise InvalidSettingError(f"{variable}={text!r} is not a valid limit", f"set it to e.g. {example}"
                                  + (" or 'none'" if name in _UNLIMITED_OK else "") + ", or unset it")
    return value
