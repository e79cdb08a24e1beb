"""Model files: where they come from, whether they are there, and who they are.

A :class:`HubFile` resolves in this order:

1. ``$WAIFUC_UI_MODEL_DIR/<owner>/<repo>/<path>`` (a folder laid out like the Hub, for air-gapped machines);
2. the Hugging Face cache (``try_to_load_from_cache``, honouring ``HF_HUB_CACHE`` / ``HF_HOME``);
3. ``hf_hub_download``, but only if the Hub answered ONE quick probe in this process (``HF_HUB_OFFLINE`` counts as
   a "no"). Once the Hub is known to be unreachable every further missing file fails at once, never with the
   ~23 s retry loop a bare ``hf_hub_download`` does per file.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from waifuc_ui.errors import ModelUnavailableError

MODEL_DIR_ENV = 'WAIFUC_UI_MODEL_DIR'
PROBE_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class HubFile:
    """One file of a Hub repository (``repo_type`` is 'model' or 'dataset')."""
    repo_id: str
    filename: str
    repo_type: str = 'model'

    def __str__(self) -> str:
        prefix = 'datasets/' if self.repo_type == 'dataset' else ''
        return f'{prefix}{self.repo_id}/{self.filename}'


def _env_truthy(name: str) -> bool:
    return os.environ.get(name, '').strip().upper() in {'1', 'ON', 'YES', 'TRUE'}


def _hub_endpoint() -> str:
    from huggingface_hub import constants
    return os.environ.get('HF_ENDPOINT') or constants.ENDPOINT


def probe_hub() -> Tuple[bool, str]:
    """One short request to the Hub endpoint. Any HTTP answer means reachable."""
    from huggingface_hub import constants
    if constants.HF_HUB_OFFLINE or _env_truthy('HF_HUB_OFFLINE'):
        return False, 'HF_HUB_OFFLINE is set'
    import httpx
    endpoint = _hub_endpoint()
    try:
        httpx.head(endpoint, timeout=PROBE_TIMEOUT_S, follow_redirects=False)
    except httpx.HTTPError as err:
        return False, f'{endpoint} did not answer ({type(err).__name__}: {err})'
    return True, ''


class HubAccess:
    """Process-wide answer to "can we download?", probed once, lock-protected.

    ``probe`` is a callable returning ``(reachable, reason)``; tests replace it to count calls.
    """

    def __init__(self, probe: Callable[[], Tuple[bool, str]] = probe_hub):
        self.probe = probe
        self._lock = threading.Lock()
        self._state: Optional[Tuple[bool, str]] = None

    def reachable(self) -> Tuple[bool, str]:
        with self._lock:
            if self._state is None:
                self._state = self.probe()
            return self._state

    def mark_unreachable(self, reason: str) -> None:
        with self._lock:
            self._state = (False, reason)

    def reset(self) -> None:
        with self._lock:
            self._state = None


HUB_ACCESS = HubAccess()


def _plain_repo_path(hubfile: HubFile) -> bool:
    """True when repo id and file name are relative paths without '.', '..' or empty parts (a model name comes
    from a recipe or a form: it must never lead out of the model folder or the cache)."""
    parts = hubfile.repo_id.split('/') + hubfile.filename.split('/')
    return '\\' not in hubfile.filename and all(p not in ('', '.', '..') for p in parts)


def _local_model_path(hubfile: HubFile) -> Optional[str]:
    root = os.environ.get(MODEL_DIR_ENV)
    if not root or not _plain_repo_path(hubfile):
        return None
    path = os.path.join(root, *hubfile.repo_id.split('/'), *hubfile.filename.split('/'))
    return path if os.path.isfile(path) else None


def _cache_dir() -> str:
    from huggingface_hub import constants
    return os.environ.get('HF_HUB_CACHE') or constants.HF_HUB_CACHE


_MISSING = object()  # the cache records that the file does not exist on the Hub


def _cached_path(hubfile: HubFile):
    from huggingface_hub import try_to_load_from_cache
    if not _plain_repo_path(hubfile):
        return None
    found = try_to_load_from_cache(hubfile.repo_id, hubfile.filename, cache_dir=_cache_dir(),
                                   repo_type=hubfile.repo_type)
    if isinstance(found, str):
        return found
    return None if found is None else _MISSING


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


def _unavailable(hubfile: HubFile, reason: str, what: Optional[str]) -> ModelUnavailableError:
    label = f'{what} is not available: ' if what else ''
    kind = 'dataset' if hubfile.repo_type == 'dataset' else 'model repo'
    err = ModelUnavailableError(f'{label}{hubfile.filename} of {kind} {hubfile.repo_id} is '
                                f'neither in {MODEL_DIR_ENV} nor in the Hugging Face cache, and {reason}. '
                                + fix_hint([hubfile]))
    err.files = [hubfile]
    return err


def resolve_file(hubfile: HubFile, what: Optional[str] = None, optional: bool = False,
                 token: Optional[str] = None) -> Optional[str]:
    """Local path of ``hubfile`` (downloading it when the Hub is reachable).

    ``optional=True`` returns None instead of raising when the file is absent (on the Hub, or offline).
    ``what`` names the model in the error message.
    """
    if not _plain_repo_path(hubfile):
        raise _unavailable(hubfile, 'its name is not a plain path inside the repository (no "..")', what)
    local = _local_model_path(hubfile)
    if local:
        return local
    cached = _cached_path(hubfile)
    if isinstance(cached, str):
        return cached
    if cached is _MISSING and optional:
        return None
    reachable, reason = HUB_ACCESS.reachable()
    if not reachable:
        if optional:
            return None
        raise _unavailable(hubfile, f'the Hub cannot be reached ({reason})', what)
    return _download(hubfile, what, optional, token)


def _download(hubfile: HubFile, what: Optional[str], optional: bool, token: Optional[str]) -> Optional[str]:
    import httpx
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import EntryNotFoundError, HfHubHTTPError, LocalEntryNotFoundError, \
        RepositoryNotFoundError
    try:
        return hf_hub_download(hubfile.repo_id, hubfile.filename, repo_type=hubfile.repo_type,
                               cache_dir=_cache_dir(), token=token or os.environ.get('HF_TOKEN'))
    except LocalEntryNotFoundError as err:  # (subclasses EntryNotFoundError): the network failed after the probe
        return _network_failed(hubfile, what, optional, err)
    except EntryNotFoundError:
        if optional:
            return None
        raise _unavailable(hubfile, 'the Hub says this file does not exist', what) from None
    except RepositoryNotFoundError:
        raise _unavailable(hubfile, 'the Hub says this repository does not exist (or needs HF_TOKEN)', what) \
            from None
    except HfHubHTTPError as err:  # an HTTP answer (5xx, gated, ...): the Hub is there but refused
        if optional:
            return None
        raise _unavailable(hubfile, f'the Hub refused it ({type(err).__name__}: {err})', what) from None
    except (OSError, httpx.HTTPError) as err:
        return _network_failed(hubfile, what, optional, err)


def _network_failed(hubfile: HubFile, what: Optional[str], optional: bool, err: Exception) -> None:
    """Stop trying for the rest of the process: later missing files fail at once."""
    HUB_ACCESS.mark_unreachable(f'download failed: {type(err).__name__}')
    if optional:
        return None
    raise _unavailable(hubfile, f'the download failed ({type(err).__name__}: {err})', what) from None


def ensure_available(files: Sequence[HubFile]) -> None:
    """Resolve (download if possible) every file; raise one ModelUnavailableError listing all missing ones."""
    missing: List[HubFile] = []
    reasons: List[str] = []
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
        self._digests: Dict[Tuple[str, int, int], str] = {}

    def digest(self, path: str) -> Tuple[int, str]:
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
    hub = f'Hub reachable at {_hub_endpoint()}' if reachable else f'Hub unreachable ({reason}): cached models only'
    return f'{src}cache {_cache_dir()}; {hub}'


def required_files(func_name: str, **kwargs) -> List[HubFile]:
    """The files ``func_name(**kwargs)`` needs, e.g. ``required_files('detect_faces', level='s')``."""
    from .specs import files_for
    return files_for(func_name, **kwargs)
