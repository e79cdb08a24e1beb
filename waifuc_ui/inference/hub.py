"""Model files: where they come from, whether they are there, and who they are.

A :class:`HubFile` resolves in this order:

1. ``$WAIFUC_UI_MODEL_DIR/<owner>/<repo>/<path>`` (a folder laid out like the Hub, for air-gapped machines);
2. the Hugging Face cache (``try_to_load_from_cache``, honouring ``HF_HUB_CACHE`` / ``HF_HOME``);
3. a download (:mod:`waifuc_ui.inference.download`: progress, Stop, a stall limit), but only if the Hub answered a
   quick probe (at most 3 s whatever the network does; ``HF_HUB_OFFLINE`` counts as a "no"). The answer is kept
   (a "yes" for 10 minutes, a "no" for 1 minute), so while the Hub is unreachable every missing file fails at once.

The app never reaches step 3 inside a click: the run downloads what the recipe needs first (session/models.py),
and the Pipeline tab only asks the Hub for file sizes (HEAD).
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from waifuc_ui.core.errors import InvalidOptionError, ModelUnavailableError
from waifuc_ui.core.settings import env_flag

MODEL_DIR_ENV = 'WAIFUC_UI_MODEL_DIR'
PROBE_DEADLINE_S = 2.5  # the reachability answer comes within 3 s (thread start and imports included)


_REPO_ID = re.compile(r'[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*')


@dataclass(frozen=True)
class HubFile:
    """One file of a Hub repository (``repo_type`` is 'model' or 'dataset'). The path must stay inside the
    repository (model names come from recipes, which visitors write): no '..', '.', empty or absolute parts."""
    repo_id: str
    filename: str
    repo_type: str = 'model'

    def __post_init__(self) -> None:
        parts = str(self.filename).split('/')
        bad_part = any(p in ('', '.', '..') or '\\' in p or '\x00' in p or ':' in p for p in parts)
        if not _REPO_ID.fullmatch(str(self.repo_id)) or '..' in self.repo_id or bad_part or \
                self.repo_type not in ('model', 'dataset', 'space'):
            raise InvalidOptionError('model file', f'{self.repo_id}/{self.filename}', fix=(
                'a model name is a folder of its Hub repository: letters, digits, "-", "_", "." and "/" between '
                'names, never ".." or an absolute path'))

    def __str__(self) -> str:
        prefix = 'datasets/' if self.repo_type == 'dataset' else ''
        return f'{prefix}{self.repo_id}/{self.filename}'


def _env_truthy(name: str) -> bool:
    return env_flag(os.environ.get(name))  # read on each call: tests and users switch HF_HUB_OFFLINE at run time


def hub_endpoint() -> str:
    """``HF_ENDPOINT`` as set now (huggingface_hub reads it once, at import)."""
    from huggingface_hub import constants
    return (os.environ.get('HF_ENDPOINT') or constants.ENDPOINT).rstrip('/')


_hub_endpoint = hub_endpoint


def probe_hub(deadline: float = PROBE_DEADLINE_S) -> tuple[bool, str]:
    """One HEAD to the Hub endpoint, decided within ``deadline`` seconds whatever the network does (the request
    runs in a thread; DNS and a server that accepts and never answers are cut off too). An answer below 500 means
    reachable; 5xx means the Hub is there but failing."""
    from huggingface_hub import constants
    if constants.HF_HUB_OFFLINE or _env_truthy('HF_HUB_OFFLINE'):
        return False, 'HF_HUB_OFFLINE is set'
    import httpx
    endpoint = hub_endpoint()
    answer: dict[str, object] = {}

    def ask() -> None:
        try:
            answer['status'] = httpx.head(endpoint, timeout=deadline + 1, follow_redirects=False).status_code
        except Exception as err:  # network errors, bad URLs
            answer['error'] = err

    worker = threading.Thread(target=ask, daemon=True, name='hub-probe')
    worker.start()
    worker.join(deadline)
    if worker.is_alive():
        return False, f'{endpoint} did not answer within {deadline:g} s'
    if 'error' in answer:
        err = answer['error']
        return False, f'{endpoint} did not answer ({type(err).__name__}: {err})'
    status = int(answer['status'])  # type: ignore[call-overload]
    if status >= 500:
        return False, f'{endpoint} answered HTTP {status} (the Hub is failing; try again later)'
    return True, ''


class HubAccess:
    """Process-wide answer to "can we download?", lock-protected, kept ``ok_ttl`` s when yes and ``fail_ttl`` s
    when no (then probed again). ``probe`` is a callable returning ``(reachable, reason)``."""

    def __init__(self, probe: Callable[[], tuple[bool, str]] = probe_hub, ok_ttl: float = 600.0,
                 fail_ttl: float = 60.0):
        self.probe = probe
        self.ok_ttl, self.fail_ttl = ok_ttl, fail_ttl
        self._lock = threading.Lock()
        self._state: tuple[bool, str] | None = None
        self._when = 0.0

    def reachable(self) -> tuple[bool, str]:
        with self._lock:
            if self._state is not None:
                ttl = self.ok_ttl if self._state[0] else self.fail_ttl
                if time.monotonic() - self._when > ttl:
                    self._state = None
            if self._state is None:
                self._state = self.probe()
                self._when = time.monotonic()
            return self._state

    def mark_unreachable(self, reason: str) -> None:
        with self._lock:
            self._state, self._when = (False, reason), time.monotonic()

    def reset(self) -> None:
        with self._lock:
            self._state = None


HUB_ACCESS = HubAccess()


def _local_model_path(hubfile: HubFile) -> str | None:
    root = os.environ.get(MODEL_DIR_ENV)
    if not root:  # HubFile refuses '..' and absolute parts, so the path stays under root
        return None
    path = os.path.join(root, *hubfile.repo_id.split('/'), *hubfile.filename.split('/'))
    return path if os.path.isfile(path) else None


def cache_dir() -> str:
    from huggingface_hub import constants
    return os.environ.get('HF_HUB_CACHE') or constants.HF_HUB_CACHE


_cache_dir = cache_dir


_MISSING = object()  # the cache records that the file does not exist on the Hub


def _cached_path(hubfile: HubFile):
    from huggingface_hub import try_to_load_from_cache
    found = try_to_load_from_cache(hubfile.repo_id, hubfile.filename, cache_dir=_cache_dir(),
                                   repo_type=hubfile.repo_type)
    if isinstance(found, str):
        return found
    return None if found is None else _MISSING


def local_path(hubfile: HubFile) -> str | None:
    """The file on this machine (model folder, then cache), '' when the cache records that the Hub does not have
    it, None when unknown. Never touches the network."""
    local = _local_model_path(hubfile)
    if local:
        return local
    cached = _cached_path(hubfile)
    return '' if cached is _MISSING else cached


def is_local(hubfile: HubFile) -> bool:
    return bool(local_path(hubfile))


def fix_hint(files: Sequence[HubFile]) -> str:
    """How to make ``files`` available without the Hub (used in every ModelUnavailableError)."""
    cmds = []
    for f in files:
        extra = ' --repo-type dataset' if f.repo_type == 'dataset' else ''
        cmds.append(f'hf download {f.repo_id} {f.filename}{extra}')
    return ('Fix: on a machine with internet run ' + '; '.join(f'`{c}`' for c in cmds)
            + ' (older huggingface_hub: `huggingface-cli download ...`) and copy the cache '
            f'(HF_HUB_CACHE), or set HF_ENDPOINT to a reachable mirror, or place the files in a folder laid out '
            f'like the Hub (<dir>/<owner>/<repo>/<path>) and set {MODEL_DIR_ENV}=<dir>.')


def unavailable(hubfile: HubFile, reason: str, what: str | None = None) -> ModelUnavailableError:
    """The error for a file that cannot be had: what, which file, where it was looked for, why, and the fix."""
    label = f'{what} is not available: ' if what else ''
    kind = 'dataset' if hubfile.repo_type == 'dataset' else 'model repo'
    err = ModelUnavailableError(f'{label}{hubfile.filename} of {kind} {hubfile.repo_id} is '
                                f'neither in {MODEL_DIR_ENV} nor in the Hugging Face cache, and {reason}. '
                                + fix_hint([hubfile]))
    err.files = [hubfile]
    return err


_unavailable = unavailable


def resolve_file(hubfile: HubFile, what: str | None = None, optional: bool = False,
                 token: str | None = None, downloader=None) -> str | None:
    """Local path of ``hubfile``, downloading it when the Hub is reachable (with ``downloader``, or a fresh
    :class:`~waifuc_ui.inference.download.Downloader`; ``token`` goes to HF_TOKEN's place).

    ``optional=True`` returns None instead of raising when the file is absent (on the Hub, or offline).
    ``what`` names the model in the error message.
    """
    found = local_path(hubfile)
    if found or (found == '' and optional):
        return found or None
    reachable, reason = HUB_ACCESS.reachable()
    if not reachable:
        if optional:
            return None
        raise unavailable(hubfile, f'the Hub cannot be reached ({reason})', what)
    from .download import Downloader
    return (downloader or Downloader(token=token)).fetch(hubfile, optional=optional, what=what)


def ensure_available(files: Sequence[HubFile]) -> None:
    """Resolve (download if possible) every file; raise one ModelUnavailableError listing all missing ones."""
    missing: list[HubFile] = []
    reasons: list[str] = []
    for f in files:
        try:
            resolve_file(f)
        except ModelUnavailableError as err:
            missing.append(f)
            reasons.append(str(err).split('. Fix:')[0])
    if missing:
        err = ModelUnavailableError(f'{len(missing)} model file(s) unavailable: ' + '; '.join(reasons) + '. '
                                    + fix_hint(missing))
        err.files = missing
        raise err


class _DigestCache:
    """sha256 of local files keyed by (path, size, mtime), so big weights are hashed once."""

    def __init__(self):
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
    local = _local_model_path(hubfile)
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


def hub_status() -> str:
    """One line for the UI: where models come from and whether the Hub is reachable (probes once)."""
    reachable, reason = HUB_ACCESS.reachable()
    src = f'{MODEL_DIR_ENV}={os.environ[MODEL_DIR_ENV]}, ' if os.environ.get(MODEL_DIR_ENV) else ''
    hub = f'Hub reachable at {hub_endpoint()}' if reachable else f'Hub unreachable ({reason}): cached models only'
    return f'{src}cache {_cache_dir()}; {hub}'


def required_files(func_name: str, **kwargs) -> list[HubFile]:
    """The files ``func_name(**kwargs)`` needs, e.g. ``required_files('detect_faces', level='s')``."""
    from .specs import files_for
    return files_for(func_name, **kwargs)
