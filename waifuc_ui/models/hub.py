"""Model files: $WAIFUC_UI_MODEL_DIR, then the HF cache, then the Hub (probed once per process)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Sequence


@dataclass(frozen=True)
class HubFile:
    """One file of a Hub repository."""
    repo_id: str
    filename: str
    repo_type: str = 'model'


def resolve_file(hubfile: HubFile) -> str:
    raise NotImplementedError


def required_files(func_name: str, **kwargs) -> List[HubFile]:
    raise NotImplementedError


def ensure_available(files: Sequence[HubFile]) -> None:
    raise NotImplementedError


def file_fingerprint(hubfile: HubFile) -> str:
    raise NotImplementedError


def hub_status() -> str:
    raise NotImplementedError
