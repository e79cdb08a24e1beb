"""The package's settings, read from the environment in one place.

    WAIFUC_UI_CACHE_DIR        the analysis cache folder              (default ``~/.cache/waifuc_ui/analysis``)
    WAIFUC_UI_WORKSPACE_ROOT   the folder session workspaces go into  (default ``<system temp>/waifuc_ui_workspaces``)
    WAIFUC_UI_PUBLIC, SPACE_ID a shared deployment (public mode): a truthy value, or any Space id
    WAIFUC_UI_CONTACT          a URL or e-mail added to the User-Agent of web sources, so site admins can reach you

Truthy values are ``1``, ``true``, ``yes`` and ``on`` in any case (:func:`env_flag`, also for other variables).
:func:`current_settings` reads the environment on its first call and returns the same frozen :class:`Settings` after
that; :meth:`Settings.from_env` builds one from any mapping (the app's launch settings, tests). The model layer's
variables (``WAIFUC_UI_MODEL_DIR``, ``WAIFUC_UI_ONNX_PROVIDER``, ``HF_*``) stay with it: they are read when a model
file is looked up, as huggingface_hub does.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import __version__

TRUTHY = frozenset({"1", "true", "yes", "on"})
#: Name of the default folder of session workspaces, under the system's temporary folder.
WORKSPACES_FOLDER = "waifuc_ui_workspaces"


def env_flag(value: str | None) -> bool:
    """True for ``1``, ``true``, ``yes``, ``on`` (any case, surrounding spaces ignored); False otherwise or unset."""
    return (value or "").strip().lower() in TRUTHY


def default_workspace_root() -> Path:
    """``<system temp>/waifuc_ui_workspaces``: where workspaces go when ``WAIFUC_UI_WORKSPACE_ROOT`` is unset."""
    return Path(tempfile.gettempdir()) / WORKSPACES_FOLDER


def default_cache_dir() -> Path:
    """``~/.cache/waifuc_ui/analysis``: the analysis cache when ``WAIFUC_UI_CACHE_DIR`` is unset."""
    return Path.home() / ".cache" / "waifuc_ui" / "analysis"


@dataclass(frozen=True)
class Settings:
    """What the environment asks of the package (see the module doc)."""

    cache_dir: Path
    workspace_root: Path
    public: bool = False
    contact: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(cache_dir=Path(env.get("WAIFUC_UI_CACHE_DIR") or default_cache_dir()),
                   workspace_root=Path(env.get("WAIFUC_UI_WORKSPACE_ROOT") or default_workspace_root()),
                   public=env_flag(env.get("WAIFUC_UI_PUBLIC")) or bool(env.get("SPACE_ID")),
                   contact=(env.get("WAIFUC_UI_CONTACT") or "").strip())

    @property
    def user_agent(self) -> str:
        """The honest User-Agent of web sources: name, version, purpose and, when set, the contact."""
        return f"waifuc_ui/{__version__} (LoRA dataset tool{'; ' + self.contact if self.contact else ''})"


@functools.cache
def current_settings() -> Settings:
    """The process's settings: the environment as it was on the first call (a frozen value, never changed)."""
    return Settings.from_env()
