"""Model files: who they are, whether they are on this machine, whether the Hub can be reached.

A :class:`HubFile` is looked up in this order:

1. ``$WAIFUC_UI_MODEL_DIR/<owner>/<repo>/<path>`` (a folder laid out like the Hub, for air-gapped machines);
2. the Hugging Face cache (``try_to_load_from_cache``, honouring ``HF_HUB_CACHE`` / ``HF_HOME``).

A file found is remembered (per model folder and cache, for :data:`FOUND_TTL_S` seconds, and while it stays on
disk), so a run looks each file up once, not once per model call. Whether the Hub answers is asked with a quick
probe (at most 3 s whatever the network does; ``HF_HUB_OFFLINE`` counts as a "no"); the answer is kept (a "yes"
for 10 minutes, a "no" for 1 minute), so while the Hub is unreachable every missing file fails at once.
Downloading is :mod:`.download`; :mod:`.resolve` puts the two together (``resolve_file``).

The app never downloads inside a click: the run downloads what the recipe needs first (session/models.py),
and the Pipeline tab only asks the Hub for file sizes (HEAD).
"""

from __future__ import annotations

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
    status = answer['status']
    assert isinstance(status, int)
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


def local_model_path(hubfile: HubFile) -> str | None:
    root = os.environ.get(MODEL_DIR_ENV)
    if not root:  # HubFile refuses '..' and absolute parts, so the path stays under root
        return None
    path = os.path.join(root, *hubfile.repo_id.split('/'), *hubfile.filename.split('/'))
    return path if os.path.isfile(path) else None


def cache_dir() -> str:
    from huggingface_hub import constants
    return os.environ.get('HF_HUB_CACHE') or constants.HF_HUB_CACHE



_MISSING = object()  # the cache records that the file does not exist on the Hub
FOUND_TTL_S = 60.0  # a file found is looked up again after this long (another process may update the cache)


def _cached_path(hubfile: HubFile) -> str | object | None:
    from huggingface_hub import try_to_load_from_cache
    found = try_to_load_from_cache(hubfile.repo_id, hubfile.filename, cache_dir=cache_dir(),
                                   repo_type=hubfile.repo_type)
    if isinstance(found, str):
        return found
    return None if found is None else _MISSING


class _FoundFiles:
    """Where files were found, per (model folder, cache folder, file), kept ``ttl`` seconds while on disk.
    Only finds are kept: a file that is absent is looked up again at every call."""

    def __init__(self, ttl: float = FOUND_TTL_S):
        self.ttl = ttl
        self._lock = threading.Lock()
        self._paths: dict[tuple[str, str, HubFile], tuple[float, str]] = {}

    def get(self, key: tuple[str, str, HubFile]) -> str | None:
        with self._lock:
            hit = self._paths.get(key)
        if hit is None or time.monotonic() - hit[0] > self.ttl or not os.path.isfile(hit[1]):
            return None
        return hit[1]

    def put(self, key: tuple[str, str, HubFile], path: str) -> None:
        with self._lock:
            self._paths[key] = (time.monotonic(), path)

    def forget(self, hubfile: HubFile | None = None) -> None:
        """Forget ``hubfile`` (after a download replaced it), or everything."""
        with self._lock:
            if hubfile is None:
                self._paths.clear()
            else:
                for key in [k for k in self._paths if k[2] == hubfile]:
                    del self._paths[key]


FOUND = _FoundFiles()


def local_path(hubfile: HubFile) -> str | None:
    """The file on this machine (model folder, then cache), '' when the cache records that the Hub does not have
    it, None when unknown. Never touches the network."""
    key = (os.environ.get(MODEL_DIR_ENV, ''), cache_dir(), hubfile)
    found = FOUND.get(key)
    if found:
        return found
    local = local_model_path(hubfile)
    cached = local or _cached_path(hubfile)
    if isinstance(cached, str):
        FOUND.put(key, cached)
        return cached
    return '' if cached is _MISSING else None


def is_local(hubfile: HubFile) -> bool:
    return bool(local_path(hubfile))


def download_commands(files: Sequence[HubFile]) -> tuple[str, ...]:
    """One ``hf download`` command per file (``--repo-type dataset`` for dataset files)."""
    return tuple(f'hf download {f.repo_id} {f.filename}' + (' --repo-type dataset' if f.repo_type == 'dataset' else '')
                 for f in files)


def fix_text(files: Sequence[HubFile]) -> str:
    """How to make ``files`` available without the Hub (the ``fix`` of every ModelUnavailableError)."""
    return ('on a machine with internet run ' + '; '.join(f'`{c}`' for c in download_commands(files))
            + ' (older huggingface_hub: `huggingface-cli download ...`) and copy the cache '
            f'(HF_HUB_CACHE), or set HF_ENDPOINT to a reachable mirror, or place the files in a folder laid out '
            f'like the Hub (<dir>/<owner>/<repo>/<path>) and set {MODEL_DIR_ENV}=<dir>.')


def fix_hint(files: Sequence[HubFile]) -> str:
    """``Fix: `` and :func:`fix_text`, to end a message."""
    return 'Fix: ' + fix_text(files)


def model_unavailable(problem: str, files: Sequence[HubFile]) -> ModelUnavailableError:
    """A ModelUnavailableError about ``files``, with the fix and the download commands as fields."""
    return ModelUnavailableError(problem, fix_text(files), files=files, commands=download_commands(files))


def unavailable(hubfile: HubFile, reason: str, what: str | None = None) -> ModelUnavailableError:
    """The error for a file that cannot be had: what, which file, where it was looked for, why, and the fix."""
    label = f'{what} is not available: ' if what else ''
    kind = 'dataset' if hubfile.repo_type == 'dataset' else 'model repo'
    return model_unavailable(f'{label}{hubfile.filename} of {kind} {hubfile.repo_id} is neither in '
                             f'{MODEL_DIR_ENV} nor in the Hugging Face cache, and {reason}', [hubfile])


def hub_status() -> str:
    """One line for the UI: where models come from and whether the Hub is reachable (probes once)."""
    reachable, reason = HUB_ACCESS.reachable()
    src = f'{MODEL_DIR_ENV}={os.environ[MODEL_DIR_ENV]}, ' if os.environ.get(MODEL_DIR_ENV) else ''
    hub = f'Hub reachable at {hub_endpoint()}' if reachable else f'Hub unreachable ({reason}): cached models only'
    return f'{src}cache {cache_dir()}; {hub}'
