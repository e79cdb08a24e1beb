"""One file from the Hub into the Hugging Face cache, as huggingface_hub lays it out.

``head`` asks the Hub about a file with huggingface_hub's ``get_hf_file_metadata`` (its redirects and error
mapping); ``stream_into_cache`` streams the body with httpx into ``blobs/<etag>`` (resuming a partial file), links
``snapshots/<commit>/<path>`` to it and writes ``refs/main``, under the same lock file as ``hf_hub_download``;
``mark_absent`` writes the ``.no_exist`` marker. ``try_to_load_from_cache`` and ``hf_hub_download`` find the result.
Progress, Stop and the stall limit belong to the caller (:mod:`.download`), through the ``job`` it passes.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from urllib.parse import quote, urlparse

from . import hub
from .hub import HubFile

_COMMIT = re.compile(r'[0-9a-f]{40}')
_ETAG = re.compile(r'[0-9A-Za-z_-][0-9A-Za-z_.-]{0,255}')


@dataclass(frozen=True)
class RemoteFile:
    """What the Hub says about a file (HEAD): ``exists`` False means the Hub answered 'no such file'."""
    hubfile: HubFile
    exists: bool
    size: int | None = None
    commit: str | None = None
    etag: str | None = None
    url: str = ''
    absent_what: str = 'file'  # 'file' or 'repository' when ``exists`` is False


class FileAbsent(Exception):
    """The Hub says the file (``str(err)`` == 'file') or its repository ('repository') does not exist."""


class TransferFailed(Exception):
    """The file cannot be had; ``reason`` completes "... is neither in ... nor in the cache, and <reason>"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class TransferTimedOut(Exception):
    """No byte for the whole read timeout."""


class TransferAborted(Exception):
    """The caller set ``job.abort`` (Stop, or it saw the transfer stall)."""


def _endpoint() -> str:
    return hub.hub_endpoint().rstrip('/')


def head(hubfile: HubFile, timeout: float, token: str | None) -> RemoteFile:
    from huggingface_hub import get_hf_file_metadata
    from huggingface_hub.errors import EntryNotFoundError, GatedRepoError, HfHubHTTPError, RepositoryNotFoundError
    endpoint = _endpoint()
    url = resolve_url(hubfile, endpoint)
    try:
        meta = get_hf_file_metadata(url, token=token, timeout=timeout, endpoint=endpoint)
    except EntryNotFoundError as err:
        response = getattr(err, 'response', None)
        commit = response.headers.get('X-Repo-Commit') if response is not None else None
        return RemoteFile(hubfile, False, commit=commit)
    except GatedRepoError:
        raise TransferFailed('the repository is gated: accept its terms on the Hub and set HF_TOKEN') from None
    except RepositoryNotFoundError:
        return RemoteFile(hubfile, False, absent_what='repository')
    except HfHubHTTPError as err:
        status = err.response.status_code if getattr(err, 'response', None) is not None else '?'
        raise TransferFailed(f'the Hub refused it (HTTP {status})') from None
    if not meta.commit_hash or not meta.etag:
        raise TransferFailed(f'{endpoint} did not send the file\'s commit and ETag (is HF_ENDPOINT a Hub or a mirror '
                             'of it?)')
    if not _COMMIT.fullmatch(meta.commit_hash) or not _ETAG.fullmatch(meta.etag):  # both become path names
        raise TransferFailed(f'{endpoint} sent a malformed commit or ETag ({meta.commit_hash!r}, {meta.etag!r})')
    return RemoteFile(hubfile, True, meta.size, meta.commit_hash, meta.etag, meta.location or url)


def resolve_url(hubfile: HubFile, endpoint: str, revision: str = 'main') -> str:
    """``{endpoint}/[datasets/]{repo}/resolve/{revision}/{path}`` (built here: ``hf_hub_url`` only swaps in an
    endpoint that differs from the one huggingface_hub read at import)."""
    prefix = {'dataset': 'datasets/', 'space': 'spaces/'}.get(hubfile.repo_type, '')
    return f'{endpoint}/{prefix}{hubfile.repo_id}/resolve/{quote(revision, safe="")}/{quote(hubfile.filename)}'


def _storage(hubfile: HubFile) -> str:
    owner_repo = hubfile.repo_id.replace('/', '--')
    return os.path.join(hub.cache_dir(), f'{hubfile.repo_type}s--{owner_repo}')


def mark_absent(hubfile: HubFile, commit: str) -> None:
    """Record, as hf_hub_download does, that ``hubfile`` does not exist at ``commit``."""
    try:
        marker = os.path.join(_storage(hubfile), '.no_exist', commit, *hubfile.filename.split('/'))
        os.makedirs(os.path.dirname(marker), exist_ok=True)
        open(marker, 'a').close()
        _write_ref(hubfile, commit)
    except OSError:
        pass


def _write_ref(hubfile: HubFile, commit: str, revision: str = 'main') -> None:
    ref = os.path.join(_storage(hubfile), 'refs', revision)
    os.makedirs(os.path.dirname(ref), exist_ok=True)
    current = open(ref).read().strip() if os.path.exists(ref) else None
    if current != commit:
        with open(ref, 'w') as f:
            f.write(commit)


def _link(blob: str, pointer: str) -> None:
    os.makedirs(os.path.dirname(pointer), exist_ok=True)
    if os.path.lexists(pointer):
        os.remove(pointer)
    try:
        os.symlink(os.path.relpath(blob, os.path.dirname(pointer)), pointer)
    except OSError:  # no symlinks (some Windows setups): a copy, as huggingface_hub does
        shutil.copyfile(blob, pointer)


def stream_into_cache(job, remote: RemoteFile, window: float, token: str | None) -> str:
    """Download ``remote`` into ``blobs/<etag>`` (resuming a partial file), link it from the snapshot, write the
    ref; under huggingface_hub's lock file for that blob. Returns the snapshot path. ``job`` has ``hubfile``,
    ``advance(n)``, ``restart_clock()`` and ``abort``."""
    import httpx
    from huggingface_hub.utils import WeakFileLock
    etag, commit = remote.etag, remote.commit
    if not etag or not commit:  # head() refuses such answers; a RemoteFile built elsewhere may lack them
        raise TransferFailed('the Hub did not send the file\'s commit and ETag')
    storage = _storage(job.hubfile)
    blob = os.path.join(storage, 'blobs', etag)
    pointer = os.path.join(storage, 'snapshots', commit, *job.hubfile.filename.split('/'))
    lock = os.path.join(hub.cache_dir(), '.locks', os.path.basename(storage), f'{etag}.lock')
    os.makedirs(os.path.dirname(blob), exist_ok=True)
    os.makedirs(os.path.dirname(lock), exist_ok=True)
    with WeakFileLock(lock):
        job.restart_clock()
        if not os.path.exists(blob):
            partial = blob + '.incomplete'
            try:
                _get(job, remote.url, partial, window, token)
            except httpx.TimeoutException:
                raise TransferTimedOut() from None
            size = os.path.getsize(partial)
            if remote.size is not None and size != remote.size:
                raise TransferFailed(f'the transfer ended early ({size} of {remote.size} bytes; run again to '
                                     'resume it)')
            os.replace(partial, blob)
        _link(blob, pointer)
        _write_ref(job.hubfile, commit)
    return pointer


def _get(job, url: str, partial: str, window: float, token: str | None) -> None:
    """Stream ``url`` into ``partial`` (appending when the server honours a Range), telling ``job.advance(n)``;
    every read waits at most ``window`` seconds; ``job.abort`` (an Event) ends it."""
    import httpx
    from huggingface_hub.utils import build_hf_headers
    headers = build_hf_headers(token=token)
    headers['Accept-Encoding'] = 'identity'
    if urlparse(url).netloc != urlparse(_endpoint()).netloc:  # a CDN: the token stays with the Hub
        headers = {k: v for k, v in headers.items() if k.lower() != 'authorization'}
    resume = os.path.getsize(partial) if os.path.exists(partial) else 0
    if resume:
        headers['Range'] = f'bytes={resume}-'
    timeout = httpx.Timeout(window, connect=min(window, 10.0))
    with httpx.stream('GET', url, headers=headers, timeout=timeout, follow_redirects=True) as resp:
        _check_status(job.hubfile, resp)
        appending = bool(resume) and resp.status_code == 206
        if appending:
            job.advance(resume)
        with open(partial, 'ab' if appending else 'wb') as out:
            for chunk in resp.iter_bytes():
                out.write(chunk)
                job.advance(len(chunk))
                if job.abort.is_set():  # Stop, or the waiters saw it stall
                    raise TransferAborted(str(job.hubfile))


def _check_status(hubfile: HubFile, resp) -> None:
    if resp.status_code < 400:
        return
    resp.read()
    if resp.status_code == 404 and resp.headers.get('X-Error-Code') == 'EntryNotFound':
        raise FileAbsent('file')
    raise TransferFailed(f'the Hub refused the download (HTTP {resp.status_code})')
