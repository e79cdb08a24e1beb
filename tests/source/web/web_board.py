"""A local image board on 127.0.0.1 for the crawler tests, and a fake clock.

``board.route(path, handler)`` maps a path to ``handler(request) -> Reply`` (or a list of
replies served in turn, the last one repeating). Every request is logged with the fake
clock's time, so tests count requests per fake interval without sleeping. Any path under
/img/ serves a small image in the format of its extension.
"""

from __future__ import annotations

import io
import json
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from PIL import Image


class FakeClock:
    """``clock()`` returns ``now``; ``sleep(s)`` records s and moves ``now`` forward."""

    def __init__(self, start: float = 1000.0):
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class Reply:
    status: int = 200
    body: bytes | str | list | dict = b""
    headers: dict[str, str] = field(default_factory=dict)
    truncate_to: int | None = None  # send only this many body bytes, but the full Content-Length
    block: threading.Event | None = None  # wait for this event before answering (timeouts)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    time: float
    raw_query: str = ""


def image_bytes(ext: str = ".png", size=(40, 30), color=(200, 80, 40), noise: bool = False) -> bytes:
    """An encoded image; ``noise`` fills it with seeded random pixels so its data is spread over the file."""
    fmt = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".webp": "WEBP", ".gif": "GIF"}[ext]
    buffer = io.BytesIO()
    if noise:
        image = Image.frombytes("RGB", size, random.Random(0).randbytes(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, color)
    image.save(buffer, format=fmt)
    return buffer.getvalue()


class Board:
    def __init__(self, clock: FakeClock):
        self.clock = clock
        self.routes: dict[str, Callable[[Request], Reply] | list[Reply]] = {}
        self.log: list[Request] = []
        self._lock = threading.Lock()
        board = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                board._serve(self, b"")

            def do_HEAD(self):
                board._serve(self, b"", head=True)

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                board._serve(self, self.rfile.read(length))

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def route(self, path: str, handler: Callable[[Request], Reply] | Reply | list[Reply]) -> None:
        self.routes[path] = [handler] if isinstance(handler, Reply) else handler

    def requests(self, prefix: str = "/") -> list[Request]:
        return [r for r in self.log if r.path.startswith(prefix)]

    def _serve(self, handler: BaseHTTPRequestHandler, body: bytes, head: bool = False) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        request = Request(handler.command, parts.path, query, dict(handler.headers), body, self.clock.now,
                          parts.query)
        with self._lock:
            self.log.append(request)
        reply = self._reply(request)
        if reply.block is not None:
            reply.block.wait(5)
        payload = reply.body
        if isinstance(payload, (list, dict)):
            payload = json.dumps(payload).encode()
            reply.headers.setdefault("Content-Type", "application/json")
        elif isinstance(payload, str):
            payload = payload.encode()
        try:
            handler.send_response(reply.status)
            for key, value in reply.headers.items():
                handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            if not head:
                handler.wfile.write(payload if reply.truncate_to is None else payload[:reply.truncate_to])
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        handler.close_connection = True

    def _reply(self, request: Request) -> Reply:
        route = self.routes.get(request.path)
        if route is None and request.path.startswith("/img/"):
            ext = "." + request.path.rsplit(".", 1)[-1]
            return Reply(200, image_bytes(ext), {"Content-Type": "image/" + ext[1:]})
        if route is None:
            return Reply(404, b"not found", {"Content-Type": "text/plain"})
        if callable(route):
            return route(request)
        with self._lock:
            return route.pop(0) if len(route) > 1 else route[0]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def danbooru_post(base: str, post_id: int, tags: str = "1girl solo", ext: str = "png",
                  character: str = "", width: int = 2000, height: int = 1500) -> dict:
    """A post as Danbooru's /posts.json returns it (the fields the source reads, and some more)."""
    original = f"{base}/img/original/{post_id}.{ext}"
    return {
        "id": post_id, "rating": "g", "score": 10, "md5": f"{post_id:032x}", "file_ext": ext,
        "image_width": width, "image_height": height, "file_size": 1234,
        "tag_string": " ".join(filter(None, [tags, character])),
        "tag_string_general": tags, "tag_string_character": character, "tag_string_copyright": "",
        "tag_string_artist": "", "tag_string_meta": "",
        "file_url": original,
        "large_file_url": f"{base}/img/sample/sample-{post_id}.jpg",
        "preview_file_url": f"{base}/img/180/{post_id}.jpg",
        "media_asset": {"id": post_id + 5000, "variants": [
            {"type": "180x180", "url": f"{base}/img/180/{post_id}.jpg", "width": 180, "height": 135, "file_ext": "jpg"},
            {"type": "360x360", "url": f"{base}/img/360/{post_id}.jpg", "width": 360, "height": 270, "file_ext": "jpg"},
            {"type": "720x720", "url": f"{base}/img/720/{post_id}.webp", "width": 720, "height": 540,
             "file_ext": "webp"},
            {"type": "sample", "url": f"{base}/img/sample/sample-{post_id}.jpg", "width": 850, "height": 638,
             "file_ext": "jpg"},
            {"type": "original", "url": original, "width": width, "height": height, "file_ext": ext},
        ]},
    }


def danbooru_pages(board: Board, pages: list[list[dict]], path: str = "/posts.json") -> None:
    """Serve ``pages`` by the ``page`` parameter (1-based); later pages are empty."""

    def handler(request: Request) -> Reply:
        page = int(request.query.get("page", "1"))
        return Reply(200, pages[page - 1] if page <= len(pages) else [])

    board.route(path, handler)
