"""Browser fixtures: the real app launched on a free port with tiny fake models, driven by Debian's Chromium."""

from __future__ import annotations

import json
import os
import shutil
import socket
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.fakehub import install_fake_hub

CHROMIUM = os.environ.get("WAIFUC_UI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
EXPECT_TIMEOUT_MS = 30_000
BROWSER_TESTS = os.path.dirname(os.path.abspath(__file__))


def picture(colour, spot, size=(320, 300)) -> Image.Image:
    """A flat colour with a white square at position ``spot``: same mean colour (same CCIP character under the
    fake model), different perceptual hash."""
    image = Image.new("RGB", size, colour)
    x, y = 20 + 45 * (spot % 6), 20 + 60 * (spot // 6)
    image.paste((255, 255, 255), (x, y, x + 40, y + 40))
    return image


def write_browser_dataset(folder: Path) -> None:
    """6 "red" and 5 "blue" characters, an exact duplicate, a tiny image and a corrupt file (with tags)."""
    folder.mkdir(parents=True)
    for k in range(6):
        picture((200, 40, 40), k).save(folder / f"red_{k}.png")
    for k in range(5):
        picture((40, 60, 200), k + 6).save(folder / f"blue_{k}.png")
    shutil.copy(folder / "red_0.png", folder / "red_0_copy.png")
    picture((40, 60, 200), 0, size=(60, 50)).save(folder / "tiny.png")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not a jpeg")
    for name in ("red_1", "blue_1"):
        (folder / f".{name}_meta.json").write_text(json.dumps({"tags": {"1girl": 1.0, "solo": 1.0}}))


def write_upload_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for k in range(2):
            image_path = path.parent / f"green_{k}.png"
            picture((40, 180, 60), k).save(image_path)
            zf.write(image_path, f"pics/green_{k}.png")
        zf.writestr("../escape.png", b"x")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_app(settings) -> Iterator[tuple[str, Any]]:
    """The app built and launched on a free loopback port with ``settings``; yields (url, binder), then closes
    the server and every session."""
    from waifuc_ui.ui import SessionBinder, build_app, launch_options

    binder = SessionBinder(settings)
    demo = build_app(settings, binder)
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True,
                **launch_options(settings, binder))
    try:
        yield f"http://127.0.0.1:{port}/", binder
    finally:
        demo.close()
        binder.registry.close_all()


@pytest.fixture(scope="session")
def shared_app(tmp_path_factory):
    """One launched app (default settings, the browser dataset as demo) for the ``app_url`` tests of this process:
    launching costs seconds, a new session on a running app does not. Yields (url, binder)."""
    from waifuc_ui.ui import AppSettings

    base = tmp_path_factory.mktemp("shared-app")
    write_browser_dataset(base / "demo")
    with serve_app(AppSettings(workspace_root=(base / "workspaces").resolve(), demo_dir=base / "demo")) as served:
        yield served


@pytest.fixture
def app_url(shared_app, fake_hub, chromium):
    """URL of the launched app (tiny CCIP/LPIPS/WD14 models in this test's temporary Hub cache); yields (url, binder).

    The app is shared by the tests of this process, but each test starts as on a new server: no session open, an
    empty workspace root. Afterwards its pages are closed and its sessions deleted."""
    install_fake_hub(fake_hub, families=("ccip", "lpips", "wd14"))
    url, binder = shared_app
    forget_sessions(binder)
    yield url, binder
    close_contexts(chromium)
    forget_sessions(binder)


@pytest.fixture
def bare_app_url(shared_app, fake_hub, chromium):
    """:func:`app_url` with an empty Hub cache and the Hub offline: no model at all. Yields (url, binder)."""
    url, binder = shared_app
    forget_sessions(binder)
    yield url, binder
    close_contexts(chromium)
    forget_sessions(binder)


def forget_sessions(binder) -> None:
    """Delete every session of ``binder`` (workspaces and file cookies), as a restart on an empty root would."""
    for session_id in binder.registry.workspaces.live_ids():
        binder.guard.revoke(session_id)
        binder.registry.close(session_id)
    root = binder.registry.workspaces.root
    if os.path.isdir(root):
        for name in os.listdir(root):
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)


def close_contexts(chromium) -> None:
    for context in list(chromium.contexts):
        context.close()


class Chromium:
    """Debian's Chromium under Playwright's sync API, started on first use and kept for the following browser
    tests. Stopped as soon as the next test is not a browser test: while it runs, this thread counts as inside an
    asyncio loop (Playwright's), and ``asyncio.run`` in other tests would fail."""

    def __init__(self) -> None:
        self._playwright: Any = None
        self._browser: Any = None

    def get(self) -> Any:
        if self._browser is None:
            playwright_api = pytest.importorskip("playwright.sync_api")
            if not os.path.exists(CHROMIUM):
                pytest.skip(f"Chromium not found at {CHROMIUM}; install Debian's chromium (scripts/test.sh does)")
            # expect() waits 5 s by default: too short on a busy 2-core machine (a slow pass, not a failure)
            playwright_api.expect.set_options(timeout=EXPECT_TIMEOUT_MS)
            self._playwright = playwright_api.sync_playwright()
            pw = self._playwright.__enter__()
            try:
                self._browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            except BaseException:
                self.stop()
                raise
        return self._browser

    def stop(self) -> None:
        browser, playwright = self._browser, self._playwright
        self._browser = self._playwright = None
        try:
            if browser is not None:
                browser.close()
        finally:
            if playwright is not None:
                playwright.__exit__(None, None, None)


CHROMIUM_KEY = pytest.StashKey[Chromium]()


@pytest.fixture(scope="session")
def chromium_process(request) -> Iterator[Chromium]:
    holder = request.config.stash.setdefault(CHROMIUM_KEY, Chromium())
    yield holder
    holder.stop()


@pytest.fixture
def chromium(chromium_process):
    """The running Chromium (started if needed); tests take ``browser``."""
    return chromium_process.get()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After the last of consecutive browser tests (this conftest's folder), stop Chromium."""
    result = yield
    holder = item.config.stash.get(CHROMIUM_KEY, None)
    if holder is not None and (nextitem is None or Path(BROWSER_TESTS) not in Path(nextitem.path).parents):
        holder.stop()
    return result


@pytest.fixture
def browser(chromium):
    """A Chromium with no page open; every context the test opens is closed after it (each context is a new
    browser profile: own cookies and storage, so own app session)."""
    close_contexts(chromium)
    yield chromium
    close_contexts(chromium)
