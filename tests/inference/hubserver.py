"""A local HTTP server (127.0.0.1 only) that speaks the Hub's file API, for the real download code (HF_ENDPOINT).

    with FakeHubServer() as server:
        server.add('deepghs/x', 'm/model.onnx', b'...')      # /deepghs/x/resolve/main/m/model.onnx
        server.add('a/b', 'list.txt', b'...', repo_type='dataset')      # /datasets/a/b/resolve/main/list.txt
        server.behave('m/model.onnx', 'stall', after=1000)             # see BEHAVIOURS
        monkeypatch.setenv('HF_ENDPOINT', server.url)
        ... server.requests -> [('HEAD', '/deepghs/x/resolve/main/m/model.onnx'), ('GET', ...)]

HEAD and GET of ``/{repo}/resolve/{revision}/{path}`` answer with ``X-Repo-Commit``, ``ETag`` and ``Content-Length``
(``lfs=True``: a 302 to ``/cdn/<sha>`` on a second server, another origin, with ``X-Linked-Etag`` /
``X-Linked-Size``, as the Hub does for big files). ``authorized`` lists (method, path) of requests that carried a
token.
A file missing in a known repo: 404 ``X-Error-Code: EntryNotFound``; an unknown repo: 404 ``RepoNotFound``.
``silent_port()`` gives a port that accepts connections and never answers.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

COMMIT = 'c0ffee' + '0' * 34

#: ``slow``: chunks of ``chunk`` bytes every ``delay`` s; ``stall``: ``after`` bytes, then nothing (connection held
#: open); ``trickle``: ``after`` bytes fast, then one byte every ``delay`` s; ``fail``: HTTP ``status`` (500);
#: ``fail_get``: HEAD fine, GET answers ``status``; ``hang``: HEAD and GET never answer (until the server closes).
BEHAVIOURS = ('slow', 'stall', 'trickle', 'fail', 'fail_get', 'hang')


class FakeHubServer:
    def __init__(self, lfs: bool = False, root_status: int = 200):
        self.files: dict[tuple[str, str], bytes] = {}  # ('models/x/y' | 'datasets/x/y', path) -> bytes
        self.behaviour: dict[str, dict] = {}
        self.requests: list[tuple[str, str]] = []
        self.ranges: list[tuple[str, str]] = []  # (path, Range header) of resumed GETs
        self.authorized: list[tuple[str, str]] = []
        self.etag_override: dict[str, str] = {}  # path -> the ETag sent instead of the real one
        self._cdn: ThreadingHTTPServer | None = None
        self.lfs, self.root_status = lfs, root_status
        self.released = threading.Event()  # set on close: held connections end
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- content ----------------------------------------------------------------------------------------------
    def add(self, repo_id: str, path: str, data: bytes, repo_type: str = 'model') -> None:
        self.files[(f'{repo_type}s/{repo_id}', path)] = data

    def add_cache(self, cache_dir: str) -> int:
        """Serve every file of an HF cache (e.g. one filled by tests.fakehub.install_fake_hub); returns the count."""
        n = 0
        for entry in sorted(os.listdir(cache_dir)):
            kind, _, rest = entry.partition('--')
            ref = os.path.join(cache_dir, entry, 'refs', 'main')
            if kind not in ('models', 'datasets') or not os.path.exists(ref):
                continue
            snap = os.path.join(cache_dir, entry, 'snapshots', open(ref).read().strip())
            for folder, _, names in os.walk(snap):
                for name in names:
                    full = os.path.join(folder, name)
                    rel = os.path.relpath(full, snap).replace(os.sep, '/')
                    with open(full, 'rb') as f:
                        self.add(rest.replace('--', '/', 1), rel, f.read(), kind[:-1])
                    n += 1
        return n

    def behave(self, path: str, kind: str, **options) -> None:
        assert kind in BEHAVIOURS, kind
        self.behaviour[path] = {'kind': kind, **options}

    def count(self, method: str, fragment: str = '') -> int:
        with self._lock:
            return sum(1 for m, p in self.requests if m == method and fragment in p)

    @staticmethod
    def etag(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    # -- lifecycle --------------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self._server.server_address[1]}'

    def __enter__(self) -> FakeHubServer:
        owner = self

        class Handler(_Handler):
            hub = owner
        self._server = self._start(Handler)
        if self.lfs:
            self._cdn = self._start(Handler)
        return self

    @staticmethod
    def _start(handler) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer(('127.0.0.1', 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    @property
    def cdn_url(self) -> str:
        return f'http://127.0.0.1:{self._cdn.server_address[1]}'

    def __exit__(self, *exc) -> None:
        self.released.set()
        for server in (self._server, self._cdn):
            if server is not None:
                server.shutdown()
                server.server_close()


class _Handler(BaseHTTPRequestHandler):
    hub: FakeHubServer
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _answer(self, body: bool) -> None:
        hub = self.hub
        with hub._lock:
            hub.requests.append((self.command, self.path))
            if self.headers.get('Range'):
                hub.ranges.append((self.path, self.headers['Range']))
            if self.headers.get('Authorization'):
                hub.authorized.append((self.command, self.path))
        if self.path in ('', '/'):
            return self._send(hub.root_status, {}, b'')
        cdn = re.fullmatch(r'/cdn/([0-9a-f]{64})', self.path)
        if cdn:
            found = next(((k, d) for k, d in hub.files.items() if hub.etag(d) == cdn.group(1)), None)
            if found is None:
                return self._send(404, {}, b'')
            return self._serve(found[0][1], found[1], body)
        m = re.fullmatch(r'/(datasets/|spaces/)?([^/]+/[^/]+)/resolve/([^/]+)/(.+)', self.path)
        if not m:
            return self._send(404, {'X-Error-Code': 'RepoNotFound'}, b'not found')
        kind = (m.group(1) or 'models/').rstrip('/')
        repo, path = f'{kind}/{m.group(2)}', m.group(4)
        if not any(k[0] == repo for k in hub.files):
            return self._send(404, {'X-Error-Code': 'RepoNotFound', 'X-Error-Message': 'Repository not found'},
                              b'')
        data = hub.files.get((repo, path))
        if data is None:
            return self._send(404, {'X-Error-Code': 'EntryNotFound', 'X-Repo-Commit': COMMIT}, b'')
        rule = hub.behaviour.get(path, {})
        if rule.get('kind') == 'hang':
            hub.released.wait(120)
            self.close_connection = True
            return
        if rule.get('kind') == 'fail' or (rule.get('kind') == 'fail_get' and body):
            return self._send(rule.get('status', 500), {}, b'')
        if hub.lfs:
            return self._send(302, {'Location': f'{hub.cdn_url}/cdn/{hub.etag(data)}', 'X-Repo-Commit': COMMIT,
                                    'X-Linked-Etag': f'"{hub.etag(data)}"', 'X-Linked-Size': str(len(data))}, b'')
        self._serve(path, data, body)

    def _serve(self, path: str, data: bytes, body: bool) -> None:
        start = 0
        rng = re.fullmatch(r'bytes=(\d+)-', self.headers.get('Range', ''))
        if rng and body:
            start = int(rng.group(1))
        etag = self.hub.etag_override.get(path, self.hub.etag(data))
        headers = {'X-Repo-Commit': COMMIT, 'ETag': f'"{etag}"',
                   'Content-Length': str(len(data) - start)}
        if start:
            headers['Content-Range'] = f'bytes {start}-{len(data) - 1}/{len(data)}'
        self.send_response(206 if start else 200)
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if body:
            self._body(data[start:], self.hub.behaviour.get(path, {}))

    def _body(self, data: bytes, rule: dict) -> None:
        kind = rule.get('kind')
        try:
            if kind == 'slow':
                step = rule.get('chunk', 4096)
                for i in range(0, len(data), step):
                    self.wfile.write(data[i:i + step])
                    self.wfile.flush()
                    time.sleep(rule.get('delay', 0.05))
            elif kind in ('stall', 'trickle'):
                after = rule.get('after', 0)
                self.wfile.write(data[:after])
                self.wfile.flush()
                if kind == 'stall':
                    self.hub.released.wait(120)
                    return
                for i in range(after, len(data)):
                    if self.hub.released.wait(rule.get('delay', 0.3)):
                        return
                    self.wfile.write(data[i:i + 1])
                    self.wfile.flush()
            else:
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)


class SilentPort:
    """A 127.0.0.1 port that accepts connections and never says a word (until closed)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(64)
        self.held: list[socket.socket] = []
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f'http://127.0.0.1:{self.sock.getsockname()[1]}'

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
                self.held.append(conn)
            except OSError:
                continue

    def close(self) -> None:
        self._stop.set()
        for c in self.held:
            c.close()
        self.sock.close()


def refused_url() -> str:
    """A 127.0.0.1 URL where nothing listens (connection refused)."""
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return f'http://127.0.0.1:{port}'


def go_online(monkeypatch, endpoint: str) -> None:
    """Point huggingface_hub and waifuc_ui at ``endpoint`` (a 127.0.0.1 URL), online, with a fresh reachability
    answer. Configuration only: the Hub client itself runs unchanged."""
    from huggingface_hub import constants

    from waifuc_ui.inference import hub
    assert endpoint.startswith('http://127.0.0.1:'), endpoint
    monkeypatch.setenv('HF_ENDPOINT', endpoint)
    monkeypatch.setenv('HF_HUB_OFFLINE', '0')
    monkeypatch.setattr(constants, 'HF_HUB_OFFLINE', False)
    # read at import; huggingface_hub's own side requests (e.g. /api/agent-harnesses from build_hf_headers)
    # must reach this server too, never the real Hub
    monkeypatch.setattr(constants, 'ENDPOINT', endpoint)
    monkeypatch.setattr(constants, 'HUGGINGFACE_CO_URL_TEMPLATE', endpoint + '/{repo_id}/resolve/{revision}/{filename}')
    monkeypatch.setattr(hub, 'HUB_ACCESS', hub.HubAccess())


@pytest.fixture
def live_hub(fake_hub, monkeypatch):
    """A running :class:`FakeHubServer` (empty: add files) set as HF_ENDPOINT, over an empty HF cache."""
    with FakeHubServer() as server:
        go_online(monkeypatch, server.url)
        yield server


@pytest.fixture
def model_source(tmp_path):
    """A separate HF cache holding the tiny fake models (tests.fakehub), to be served by a FakeHubServer."""
    from tests.fakehub import install_fake_hub
    return install_fake_hub(str(tmp_path / 'served-cache'))
