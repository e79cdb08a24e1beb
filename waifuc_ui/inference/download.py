"""Downloading Hub files into the Hugging Face cache: sizes first, one transfer per file, progress, Stop, stall limit.

    downloader = Downloader()                      # one per app (the session registry owns it)
    downloader.plan(files)                         # HEAD only: which files exist and how large (<= 3 s)
    downloader.fetch(hubfile, progress=cb, cancel=event)   # the local path; ModelUnavailableError with the fix

Why not ``hf_hub_download``: it reports progress per 10 MB chunk, retries a broken read five times and has no way to
stop a transfer from outside, so neither Stop nor "under 1 KB/s for 30 s" can be enforced around it. The transfer
itself (HEAD through huggingface_hub, body through httpx, the HF cache layout) is in :mod:`.hub_transfer`.

All sessions share one Downloader: a file is transferred by one job at a time, and every caller waiting on it sees
the same progress. A caller that presses Stop stops waiting at once; the transfer itself ends when nobody waits.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from waifuc_ui.core.errors import ModelUnavailableError, WaifucUIError

from . import hub
from .hub import HubFile
from .hub_transfer import (
    FileAbsent,
    RemoteFile,
    TransferAborted,
    TransferFailed,
    TransferTimedOut,
    head,
    mark_absent,
    stream_into_cache,
)

STALL_WINDOW_S = 30.0      # a transfer must move ...
STALL_MIN_RATE = 1024.0    # ... at least this many bytes per second over the window, else it gives up
PLAN_DEADLINE_S = 3.0      # the Pipeline tab waits at most this long for file sizes
NO_ANSWER_TTL_S = 60.0     # a file whose HEAD did not answer is not waited for again this soon
METADATA_TTL_S = 600.0
POLL_S = 0.2


class DownloadCancelled(WaifucUIError):
    """Stop was pressed while waiting for a download."""


@dataclass(frozen=True)
class DownloadPlan:
    """Files not on this machine and what the Hub says about them (``remote`` lacks files that did not answer
    in time). ``reachable`` False: nothing can be downloaded (``reason`` says why)."""
    reachable: bool
    reason: str
    remote: dict[HubFile, RemoteFile]

    def size_of(self, files: Sequence[HubFile]) -> int | None:
        """Total bytes of ``files``, None when a size is unknown."""
        total = 0
        for f in files:
            size = self.remote[f].size if f in self.remote else None
            if size is None:
                return None
            total += size
        return total

    def absent(self, files: Sequence[HubFile]) -> list[HubFile]:
        """The files the Hub says do not exist."""
        return [f for f in files if f in self.remote and not self.remote[f].exists]


@dataclass(frozen=True)
class DownloadProgress:
    """One file's transfer: ``done`` of ``total`` bytes at ``speed`` bytes/s; ``index`` of ``count`` files in this
    batch; ``batch_done`` of ``batch_total`` bytes over the batch (None when a size is unknown)."""
    file: str
    done: int
    total: int | None
    speed: float
    index: int = 1
    count: int = 1
    batch_done: int = 0
    batch_total: int | None = None

    @property
    def fraction(self) -> float | None:
        if self.batch_total:
            return min(1.0, self.batch_done / self.batch_total)
        return min(1.0, self.done / self.total) if self.total else None

    def text(self) -> str:
        """E.g. ``Downloading model file 2/5 · deepghs/x/m/model.onnx · 12.3 MB of 45.6 MB · 1.2 MB/s``."""
        return (f'Downloading model file {self.index}/{self.count} · {self.file} · {mb(self.done)} of '
                f'{mb(self.total)} · {mb(self.speed)}/s')


def mb(n: float | None) -> str:
    """``1.2 MB`` / ``3.4 KB`` / ``size unknown``."""
    if n is None:
        return 'size unknown'
    return f'{n / 1e3:.1f} KB' if n < 1e6 else f'{n / 1e6:,.1f} MB'


ProgressCallback = Callable[[DownloadProgress], None]


class _Job:
    """One transfer of one file, watched by any number of callers. ``samples`` holds (time, bytes done) at most
    every 0.1 s over the last ``horizon`` seconds (plus one older sample), so checks cost the same at any speed."""

    SAMPLE_EVERY = 0.1

    def __init__(self, hubfile: HubFile, horizon: float = 30.0):
        self.hubfile, self.horizon = hubfile, max(horizon, 3.0)
        self.lock = threading.Lock()
        self.finished = threading.Event()
        self.abort = threading.Event()
        self.waiters = 0
        self.done: int = 0
        self.total: int | None = None
        self.path: str | None = None
        self.error: BaseException | None = None
        self.start = time.monotonic()
        self.samples: deque[tuple[float, int]] = deque([(self.start, 0)])

    def restart_clock(self) -> None:
        """The transfer proper begins (after waiting for another process's lock on the same file)."""
        with self.lock:
            self.start = time.monotonic()
            self.samples = deque([(self.start, self.done)])

    def advance(self, n: int) -> None:
        with self.lock:
            self.done += n
            now = time.monotonic()
            if now - self.samples[-1][0] >= self.SAMPLE_EVERY or len(self.samples) == 1:
                self.samples.append((now, self.done))
            else:
                self.samples[-1] = (self.samples[-1][0], self.done)
            while len(self.samples) > 2 and self.samples[1][0] <= now - self.horizon:
                self.samples.popleft()

    def speed(self, over: float = 3.0) -> float:
        """Bytes per second over the last ``over`` seconds."""
        with self.lock:
            now = time.monotonic()
            t0, d0 = next(((t, d) for t, d in self.samples if t >= now - over), (now, self.done))
            return (self.done - d0) / (now - t0) if now - t0 > 0.05 else 0.0

    def stalled(self, window: float, min_rate: float) -> bool:
        """True when the transfer has gone on for ``window`` seconds and fewer than ``min_rate * window`` bytes
        came in the last ``window`` seconds (``window`` <= ``horizon``)."""
        with self.lock:
            now = time.monotonic()
            if now - self.start < window:
                return False
            before = self.samples[0][1]
            for t, d in self.samples:
                if t > now - window:
                    break
                before = d
            return self.done - before < min_rate * window

    def finish(self, path: str | None = None, error: BaseException | None = None) -> bool:
        """Record the outcome once; False when it was already decided."""
        with self.lock:
            if self.finished.is_set():
                return False
            self.path, self.error = path, error
            self.finished.set()
            return True

class Downloader:
    """Fetches Hub files into the HF cache with one job per file at a time (shared by all sessions).

    ``stall_window`` / ``min_rate``: a transfer that moves under ``min_rate`` bytes/s over ``stall_window`` seconds
    gives up. ``access`` answers "is the Hub reachable" (default: :data:`waifuc_ui.inference.hub.HUB_ACCESS`)."""

    def __init__(self, stall_window: float = STALL_WINDOW_S, min_rate: float = STALL_MIN_RATE,
                 plan_deadline: float = PLAN_DEADLINE_S, metadata_ttl: float = METADATA_TTL_S,
                 access: hub.HubAccess | None = None, token: str | None = None):
        self.token = token
        self.stall_window, self.min_rate = stall_window, min_rate
        self.plan_deadline, self.metadata_ttl = plan_deadline, metadata_ttl
        self._access = access
        self._lock = threading.Lock()
        self._jobs: dict[HubFile, _Job] = {}
        self._metadata: dict[HubFile, tuple[float, RemoteFile]] = {}
        self._asking: dict[HubFile, Future] = {}  # HEADs in flight (a slow one is not asked twice)
        self._no_answer: dict[HubFile, float] = {}  # when a HEAD last failed: not waited for again for a minute
        self._pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix='hub-head')

    def _token(self) -> str | None:
        return self.token  # None: huggingface_hub's own (HF_TOKEN, or the stored login)

    @property
    def access(self) -> hub.HubAccess:
        return self._access or hub.HUB_ACCESS

    # -- sizes, without downloading -------------------------------------------------------------------------------
    def plan(self, files: Sequence[HubFile]) -> DownloadPlan:
        """Which of ``files`` are not local, and their sizes from the Hub (HEAD requests, in parallel, answered
        within ``plan_deadline`` seconds; later answers fill the cache for the next call)."""
        missing = [f for f in dict.fromkeys(files) if not hub.is_local(f)]
        if not missing:
            return DownloadPlan(True, '', {})
        reachable, reason = self.access.reachable()
        if not reachable:
            return DownloadPlan(False, reason, {})
        now = time.monotonic()
        with self._lock:
            futures = {}
            for f in missing:
                if f not in self._asking:
                    self._asking[f] = self._pool.submit(self._ask, f)
                if now - self._no_answer.get(f, -1e9) > NO_ANSWER_TTL_S:
                    futures[f] = self._asking[f]
            known = {f: hit[1] for f, hit in self._metadata.items() if f in missing}
        deadline = now + self.plan_deadline
        remote: dict[HubFile, RemoteFile] = dict(known)
        for f, fut in futures.items():
            try:
                remote[f] = fut.result(timeout=max(0.0, deadline - time.monotonic()))
            except Exception:  # no answer in time, or refused: size unknown (the run will tell)
                with self._lock:
                    self._no_answer[f] = time.monotonic()
        return DownloadPlan(True, '', remote)

    def _ask(self, hubfile: HubFile) -> RemoteFile:
        try:
            return self.metadata(hubfile)
        finally:
            with self._lock:
                self._asking.pop(hubfile, None)

    def metadata(self, hubfile: HubFile, timeout: float | None = None, max_age: float | None = None
                 ) -> RemoteFile:
        """HEAD of ``hubfile`` (an answer up to ``max_age`` s old, default ``metadata_ttl``, is reused); ``exists``
        False when the Hub has no such file. Raises when the Hub refuses (5xx, no such repository) or does not
        answer."""
        with self._lock:
            hit = self._metadata.get(hubfile)
            limit = self.metadata_ttl if max_age is None else max_age
            if hit is not None and time.monotonic() - hit[0] < limit:
                return hit[1]
        remote = head(hubfile, timeout or min(10.0, self.stall_window), self._token())
        with self._lock:
            self._metadata[hubfile] = (time.monotonic(), remote)
        return remote

    # -- downloads ------------------------------------------------------------------------------------------------
    def fetch(self, hubfile: HubFile, optional: bool = False, progress: ProgressCallback | None = None,
              cancel: threading.Event | None = None, what: str | None = None) -> str | None:
        """The local path of ``hubfile``, downloading it if needed (joining a transfer already going).

        ``optional``: None instead of an error when the Hub says the file does not exist. Raises
        ModelUnavailableError (unreachable, refused, missing, stalled: the message has the fix) or
        DownloadCancelled when ``cancel`` is set."""
        found = hub.local_path(hubfile)
        if found or (found == '' and optional):  # '' = the cache records that the Hub does not have it
            return found or None
        reachable, reason = self.access.reachable()
        if not reachable:
            if optional:
                return None
            raise hub.unavailable(hubfile, f'the Hub cannot be reached ({reason})', what)
        with self._lock:
            job = self._jobs.get(hubfile)
            if job is None or job.abort.is_set():
                job = self._jobs[hubfile] = _Job(hubfile, self.stall_window)
                threading.Thread(target=self._transfer, args=(job,), daemon=True,
                                 name=f'hub-download {hubfile}').start()
            job.waiters += 1
        try:
            return self._wait(job, progress, cancel, optional, what)
        finally:
            with self._lock:
                job.waiters -= 1
                if job.waiters == 0 and not job.finished.is_set():
                    job.abort.set()  # nobody wants it any more
                    if self._jobs.get(hubfile) is job:
                        del self._jobs[hubfile]

    def _wait(self, job: _Job, progress: ProgressCallback | None, cancel: threading.Event | None,
              optional: bool, what: str | None) -> str | None:
        name = str(job.hubfile)
        while not job.finished.wait(POLL_S):
            if cancel is not None and cancel.is_set():
                raise DownloadCancelled(f'stopped while downloading {name}')
            if job.stalled(self.stall_window, self.min_rate):
                self._give_up(job, self._stall_error(job))
                break
            if progress is not None:
                progress(DownloadProgress(name, job.done, job.total, job.speed()))
        if job.error is not None:
            err = job.error
            if isinstance(err, FileAbsent):
                if optional:
                    return None
                which = 'repository does not exist (or needs HF_TOKEN)' if str(err) == 'repository' else \
                    'file does not exist'
                raise hub.unavailable(job.hubfile, f'the Hub says this {which}', what) from None
            if isinstance(err, TransferFailed):
                raise hub.unavailable(job.hubfile, err.reason, what) from None
            raise hub.unavailable(job.hubfile, f'the download failed ({type(err).__name__}: {err})', what) \
                from None
        if progress is not None:
            progress(DownloadProgress(name, job.done, job.total or job.done, 0.0))
        return job.path

    def _give_up(self, job: _Job, err: BaseException) -> None:
        job.finish(error=err)
        job.abort.set()
        with self._lock:
            if self._jobs.get(job.hubfile) is job:
                del self._jobs[job.hubfile]

    def _stall_error(self, job: _Job) -> TransferFailed:
        return TransferFailed(stall_reason(job, self.stall_window, self.min_rate))

    def _transfer(self, job: _Job) -> None:
        """The job's thread: HEAD, then the body into the cache; network failures mark the Hub unreachable."""
        try:
            remote = self.metadata(job.hubfile, max_age=60.0)  # a recent commit, ETag and (signed) location
            if not remote.exists:
                if remote.commit:
                    mark_absent(job.hubfile, remote.commit)
                raise FileAbsent(remote.absent_what)
            job.total = remote.size
            path = stream_into_cache(job, remote, self.stall_window, self._token())
            hub.FOUND.forget(job.hubfile)  # a new revision may have replaced the one found before
            job.finish(path=path)
        except TransferTimedOut:
            job.finish(error=self._stall_error(job))
        except (FileAbsent, TransferFailed, TransferAborted) as err:
            job.finish(error=err)
        except Exception as err:
            if not job.abort.is_set():
                self.access.mark_unreachable(f'download failed: {type(err).__name__}')
            job.finish(error=err)
        finally:
            with self._lock:
                if self._jobs.get(job.hubfile) is job:
                    del self._jobs[job.hubfile]

    def fetch_all(self, files: Sequence[HubFile], progress: ProgressCallback | None = None,
                  cancel: threading.Event | None = None, optional: Sequence[HubFile] = ()
                  ) -> dict[HubFile, ModelUnavailableError | None]:
        """Fetch ``files`` (and the ``optional`` ones, absent allowed) one after the other; file -> None or the
        ModelUnavailableError. DownloadCancelled propagates. Progress is reported over the whole batch."""
        wanted = [(f, False) for f in dict.fromkeys(files)] + [(f, True) for f in dict.fromkeys(optional)
                                                               if f not in files]
        # a required file the cache records as absent is asked again: the Hub may have it by now
        todo = [(f, opt) for f, opt in wanted if hub.local_path(f) is None or not (opt or hub.is_local(f))]
        plan = self.plan([f for f, _ in todo]) if todo else DownloadPlan(True, '', {})
        batch_total = plan.size_of([f for f, _ in todo])
        outcome: dict[HubFile, ModelUnavailableError | None] = {f: None for f, _ in wanted}
        finished_bytes = 0
        for index, (f, opt) in enumerate(todo, start=1):
            def relay(p: DownloadProgress, index=index, base=finished_bytes) -> None:
                if progress is not None:
                    progress(DownloadProgress(p.file, p.done, p.total, p.speed, index, len(todo), base + p.done,
                                              batch_total))
            try:
                path = self.fetch(f, optional=opt, progress=relay, cancel=cancel)
                if path:
                    finished_bytes += os.path.getsize(path)
            except ModelUnavailableError as err:
                outcome[f] = err
        return outcome


def stall_reason(job: _Job, window: float, min_rate: float) -> str:
    rate = f'{min_rate / 1024:g} KB/s' if min_rate >= 1024 else f'{min_rate:g} bytes/s'
    got = f'{mb(job.done)} of {mb(job.total)}' if job.total else mb(job.done)
    return (f'its download made no useful progress (under {rate} for {window:g} s; {got} received) and was '
            'given up')
