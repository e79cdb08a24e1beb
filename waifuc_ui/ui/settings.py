"""Launch settings of the web app (a frozen value; app.py builds it from the environment)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

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
    """

    public: bool = False
    workspace_root: Path = Path(tempfile.gettempdir()) / "waifuc_ui_workspaces"
    max_file_size: str | int | None = None
    session_ttl: float = DEFAULT_SESSION_TTL
    demo_dir: Path = Path(__file__).resolve().parents[2] / "assets" / "demo"

    @property
    def allows_local_folders(self) -> bool:
        """A visitor may name a server folder only on a private, local run."""
        return not self.public


def settings_from_env(environ: dict[str, str] | None = None) -> AppSettings:
    """Read the app's settings from environment variables.

    WAIFUC_UI_PUBLIC=1 or SPACE_ID (set on Hugging Face Spaces) -> public mode;
    WAIFUC_UI_WORKSPACE_ROOT -> workspace root; WAIFUC_UI_MAX_UPLOAD (e.g. "200mb") -> upload limit
    (public mode defaults to 200mb); WAIFUC_UI_SESSION_TTL -> seconds.
    """
    env = os.environ if environ is None else environ
    public = env.get("WAIFUC_UI_PUBLIC", "").strip().lower() in {"1", "true", "yes"} or bool(env.get("SPACE_ID"))
    root = env.get("WAIFUC_UI_WORKSPACE_ROOT") or str(AppSettings.workspace_root)
    max_size: str | None = env.get("WAIFUC_UI_MAX_UPLOAD") or (PUBLIC_MAX_FILE_SIZE if public else None)
    ttl_text = env.get("WAIFUC_UI_SESSION_TTL")
    try:
        ttl = float(ttl_text) if ttl_text else DEFAULT_SESSION_TTL
    except ValueError:
        raise ValueError(
            f"WAIFUC_UI_SESSION_TTL={ttl_text!r} is not a number of seconds; set it to e.g. 10800 or unset it"
        ) from None
    return AppSettings(public=public, workspace_root=Path(root).resolve(), max_file_size=max_size, session_ttl=ttl)
