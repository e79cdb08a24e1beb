"""The launched app (public mode) and visitors driving it over HTTP the way an attacker can: gradio_client
calls to any handler with any value, plain requests to the file routes.

A visitor opens its session by calling the page-load handlers (/on_open, /on_fill) itself, as the browser does."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import forget_sessions, free_port, write_browser_dataset


@dataclass
class LaunchedApp:
    url: str
    binder: Any
    root: str


@pytest.fixture
def launch(tmp_path):
    """``launch(public=True, root=None, **AppSettings fields)`` starts the app on a free port; everything is closed
    after the test."""
    from waifuc_ui.ui import AppSettings, SessionBinder, build_app, launch_options

    started = []

    def start(public: bool = True, root: Path | None = None, **settings_kw: Any) -> LaunchedApp:
        demo_dir = tmp_path / "demo"
        if not demo_dir.exists():
            write_browser_dataset(demo_dir)
        root = (root or tmp_path / "workspaces").resolve()
        settings = AppSettings(public=public, workspace_root=root, demo_dir=demo_dir, **settings_kw)
        binder = SessionBinder(settings)
        demo = build_app(settings, binder)
        port = free_port()
        demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True,
                    **launch_options(settings, binder))
        started.append((demo, binder))
        return LaunchedApp(f"http://127.0.0.1:{port}/", binder, str(root))

    yield start
    for demo, binder in started:
        demo.close()
        binder.registry.close_all()


@pytest.fixture(scope="session")
def shared_public_app(tmp_path_factory):
    """One public app for the ``app`` tests of this process (launching costs seconds; visitors are separate
    sessions on it anyway)."""
    from waifuc_ui.ui import AppSettings, SessionBinder, build_app, launch_options

    base = tmp_path_factory.mktemp("public-app")
    write_browser_dataset(base / "demo")
    root = (base / "workspaces").resolve()
    settings = AppSettings(public=True, workspace_root=root, demo_dir=base / "demo")
    binder = SessionBinder(settings)
    demo = build_app(settings, binder)
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True,
                **launch_options(settings, binder))
    try:
        yield LaunchedApp(f"http://127.0.0.1:{port}/", binder, str(root))
    finally:
        demo.close()
        binder.registry.close_all()


@pytest.fixture
def app(shared_public_app) -> LaunchedApp:
    """The public app with no session open and an empty workspace root (its sessions are deleted after the test)."""
    forget_sessions(shared_public_app.binder)
    yield shared_public_app
    forget_sessions(shared_public_app.binder)


@dataclass
class Visitor:
    """One browser session, driven over the API. ``cookies`` holds its file cookie once opened."""

    app: LaunchedApp
    client: Any = None
    id: str = ""
    token: str = ""
    gallery: list[dict[str, Any]] = field(default_factory=list)

    def open(self) -> Visitor:
        from gradio_client import Client

        self.client = Client(self.app.url, download_files=False, verbose=False)
        _key, pair = self.client.predict(None, api_name="/on_open")
        self.id, self.token = json.loads(pair)
        filled = self.client.predict(api_name="/on_fill")
        self.gallery = filled[2]
        return self

    @property
    def cookies(self) -> dict[str, str]:
        return {f"wfui_{self.id}": self.token}

    @property
    def thumbs(self) -> list[str]:
        return [entry["image"]["path"] for entry in self.gallery]

    @property
    def dir(self) -> str:
        return os.path.join(self.app.root, self.id)

    def build_zip(self) -> str:
        """Export the session's images; the server path of the zip."""
        download = self.client.predict("textual_inversion", "dataset", "", 95, 512, None, api_name="/on_build")[1]
        return download["value"]["path"] if "value" in download else download["path"]

    def call_raw(self, api_name: str, *data: Any) -> dict[str, Any]:
        """Call a handler with ``data`` exactly as given (gradio_client would upload a local path first): the
        queue's final message, ``{"success": bool, "output": {...}}``."""
        return call_raw(self.app, self.client.session_hash, api_name, list(data))

    def input_count(self) -> int:
        return len(self.app.binder.registry.get(self.id).inputs.ids)


def dependency(app: LaunchedApp, api_name: str) -> tuple[int, list[str]]:
    """The fn_index of ``api_name`` and the types of its input components."""
    config = httpx.get(app.url + "config").json()
    types = {c["id"]: c["type"] for c in config["components"]}
    for dep in config["dependencies"]:
        if dep.get("api_name") == api_name.lstrip("/"):
            return dep["id"], [types[i] for i in dep["inputs"]]
    raise KeyError(api_name)


def call_raw(app: LaunchedApp, session_hash: str, api_name: str, data: list[Any]) -> dict[str, Any]:
    """Join the queue as the page does and read its messages until the call completes. ``data`` holds the
    values of the non-State inputs (the server fills State inputs from the session)."""
    index, types = dependency(app, api_name)
    given = iter(data)
    values = [None if kind == "state" else next(given) for kind in types]
    body = {"data": values, "fn_index": index, "session_hash": session_hash,
            "event_data": None, "trigger_id": None}
    with httpx.Client(base_url=app.url.rstrip("/"), timeout=120) as client:
        client.post("/gradio_api/queue/join", json=body).raise_for_status()
        with client.stream("GET", "/gradio_api/queue/data", params={"session_hash": session_hash}) as stream:
            for line in stream.iter_lines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if message.get("msg") == "process_completed":
                        return message
    raise AssertionError(f"{api_name} never completed")


def upload(app: LaunchedApp, path: str) -> str:
    """Send ``path`` to gradio's upload route as the page's upload box does; the server path it got."""
    with open(path, "rb") as f:
        answer = httpx.post(app.url + "gradio_api/upload", files=[("files", (os.path.basename(path), f))])
    answer.raise_for_status()
    return answer.json()[0]


def file_value(path: str) -> dict[str, Any]:
    """A FileData value naming ``path`` on the server (what a hostile API caller sends)."""
    return {"path": path, "orig_name": os.path.basename(path), "meta": {"_type": "gradio.FileData"}}


def get(app: LaunchedApp, url_path: str, cookies: dict[str, str] | None = None, method: str = "GET"
        ) -> httpx.Response:
    """A raw request: ``url_path`` is sent exactly as given (no normalisation, no re-encoding)."""
    with httpx.Client(base_url=app.url.rstrip("/"), cookies=cookies or {}) as client:
        request = client.build_request(method, "/")
        request.url = request.url.copy_with(raw_path=url_path.encode("latin-1"))
        return client.send(request)
