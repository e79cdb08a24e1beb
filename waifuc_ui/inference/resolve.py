"""A model file's local path, downloading it when it is missing and the Hub answers; model names checked.

    resolve_file(hubfile, what)      # the path; else ModelUnavailableError (problem, fix, files, commands)
    ensure_available(files)          # every file, or one error listing all the missing ones
    file_fingerprint(hubfile)        # a stable identity of the file a run uses (analysis cache keys)

Lookups are :mod:`.hub` (model folder, Hugging Face cache, reachability); transfers are :mod:`.download`.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, overload

from waifuc_ui.core.errors import InvalidOptionError, ModelUnavailableError

from . import hub
from .hub import HubFile

if TYPE_CHECKING:
    from .download import Downloader


@overload
def resolve_file(hubfile: HubFile, what: str | None = ..., optional: Literal[False] = ..., token: str | None = ...,
                 downloader: Downloader | None = ...) -> str: ...


@overload
def resolve_file(hubfile: HubFile, what: str | None = ..., optional: bool = ..., token: str | None = ...,
                 downloader: Downloader | None = ...) -> str | None: ...


def resolve_file(hubfile: HubFile, what: str | None = None, optional: bool = False, token: str | None = None,
                 downloader: Downloader | None = None) -> str | None:
    """Local path of ``hubfile``, downloading it when the Hub is reachable (with ``downloader``, or a fresh
    :class:`~waifuc_ui.inference.download.Downloader`; ``token`` goes to HF_TOKEN's place).

    ``optional=True`` returns None instead of raising when the file is absent (on the Hub, or offline).
    ``what`` names the model in the error.
    """
    found = hub.local_path(hubfile)
    if found or (found == '' and optional):
        return found or None
    reachable, reason = hub.HUB_ACCESS.reachable()
    if not reachable:
        if optional:
            return None
        raise hub.unavailable(hubfile, f'the Hub cannot be reached ({reason})', what)
    from .download import Downloader
    path = (downloader or Downloader(token=token)).fetch(hubfile, optional=optional, what=what)
    if path is None and not optional:  # pragma: no cover - fetch raises instead
        raise hub.unavailable(hubfile, 'the download gave no file', what)
    return path


def ensure_available(files: Sequence[HubFile]) -> None:
    """Resolve (download if possible) every file; raise one ModelUnavailableError listing all missing ones."""
    missing: list[HubFile] = []
    problems: list[str] = []
    for f in files:
        try:
            resolve_file(f)
        except ModelUnavailableError as err:
            missing.append(f)
            problems.append(err.problem)
    if missing:
        raise hub.model_unavailable(f'{len(missing)} model file(s) unavailable: ' + '; '.join(problems), missing)


def check_model_name(kind: str, repo_id: str, model: str, known: Sequence[str], probe: HubFile) -> None:
    """Accept a known name, or any name whose ``probe`` file is local or (Hub reachable) on the Hub, asked with a
    HEAD request (nothing is downloaded here); else InvalidOptionError listing the known names."""
    if model in known or hub.is_local(probe):
        return
    if hub.HUB_ACCESS.reachable()[0]:
        from .download import Downloader
        try:
            if Downloader().metadata(probe).exists:
                return
        except Exception:  # refused or no answer (any huggingface_hub / httpx error): treated as unknown
            pass
    raise InvalidOptionError(f'{kind} model', model, list(known),
                             fix=f'Models are folders of the Hub repo {repo_id}; use one of these, or pre-download '
                                 f'a newer one ({probe.filename}) into the cache or ${hub.MODEL_DIR_ENV}.')


class _DigestCache:
    """sha256 of local files keyed by (path, size, mtime), so big weights are hashed once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._digests: dict[tuple[str, int, int], str] = {}

    def digest(self, path: str) -> tuple[int, str]:
        st = os.stat(path)
        key = (os.path.abspath(path), st.st_size, st.st_mtime_ns)
        with self._lock:
            if key in self._digests:
                return st.st_size, self._digests[key]
        h = hashlib.sha256()
        with open(path, 'rb') as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b''):
                h.update(chunk)
        with self._lock:
            self._digests[key] = h.hexdigest()
        return st.st_size, h.hexdigest()


_DIGESTS = _DigestCache()


def file_fingerprint(hubfile: HubFile) -> str:
    """A stable identity of the file that would be used: ``hub:<repo>@<revision>/<path>`` for the HF cache,
    ``local:<repo>/<path>:<size>:<sha256>`` for ``$WAIFUC_UI_MODEL_DIR``. Raises ModelUnavailableError."""
    local = hub.local_model_path(hubfile)
    if local:
        size, digest = _DIGESTS.digest(local)
        return f'local:{hubfile.repo_id}/{hubfile.filename}:{size}:{digest}'
    path = resolve_file(hubfile)
    parts = os.path.normpath(path).split(os.sep)
    if 'snapshots' in parts:
        revision = parts[parts.index('snapshots') + 1]
        return f'hub:{hubfile.repo_type}:{hubfile.repo_id}@{revision}/{hubfile.filename}'
    size, digest = _DIGESTS.digest(path)  # pragma: no cover - hf cache always uses snapshots/
    return f'file:{hubfile.repo_id}/{hubfile.filename}:{size}:{digest}'
