"""Fixtures for the app's handler tests: a tiny synthetic "demo" folder and a SessionBinder over a temp root."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from waifuc_ui.ui.settings import AppSettings
from waifuc_ui.ui.state import SessionBinder

COLOURS = {"red": (220, 30, 30), "green": (30, 200, 60), "blue": (40, 60, 220), "yellow": (230, 220, 40),
           "purple": (150, 40, 160), "cyan": (40, 210, 220)}


def draw(colour, size=(320, 300), dot=0) -> Image.Image:
    """A flat colour image with a small distinct square (so phashes differ between colours)."""
    image = Image.new("RGB", size, colour)
    for k in range(3 + dot):
        image.paste((255 - colour[0], 255 - colour[1], 255 - colour[2]), (20 + 60 * k, 30, 50 + 60 * k, 90 + 40 * k))
    return image


def write_dataset(folder: Path) -> None:
    """6 distinct images (with tags in waifuc sidecars), an exact duplicate of red, a tiny image, a corrupt file."""
    folder.mkdir(parents=True, exist_ok=True)
    for n, (name, colour) in enumerate(COLOURS.items()):
        draw(colour, dot=n % 3).save(folder / f"{name}.png")
        tags = {"1girl": 1.0, "solo": 1.0, f"{name}_hair": 1.0}
        if name in ("red", "green"):
            tags["hatsune_miku"] = 1.0
        (folder / f".{name}_meta.json").write_text(json.dumps({"tags": tags}))
    draw(COLOURS["red"], dot=0).save(folder / "red_copy.png")
    draw(COLOURS["blue"], size=(40, 30)).save(folder / "tiny.png")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")


@pytest.fixture
def dataset_dir(tmp_path) -> Path:
    folder = tmp_path / "demo"
    write_dataset(folder)
    return folder


@pytest.fixture
def binder(tmp_path, dataset_dir):
    settings = AppSettings(workspace_root=(tmp_path / "ws").resolve(), demo_dir=dataset_dir)
    b = SessionBinder(settings)
    yield b
    b.registry.close_all()


@pytest.fixture
def ui(binder):
    """A session opened on the synthetic dataset (8 images in, 1 refused)."""
    return binder.open("tab-1")


@pytest.fixture
def upload_zip(tmp_path) -> Path:
    path = tmp_path / "upload" / "pictures.zip"
    path.parent.mkdir()
    with zipfile.ZipFile(path, "w") as zf:
        for name in ("green", "cyan"):
            image_path = tmp_path / f"{name}.png"
            draw(COLOURS[name]).save(image_path)
            zf.write(image_path, f"set/{name}.png")
        zf.writestr("../escape.png", b"x")
        zf.writestr("notes.txt", b"hello")
    return path


@pytest.fixture
def page(binder):
    """The whole app built for ``binder`` (not launched): its tabs as typed objects."""
    from waifuc_ui.ui.blocks import build_page

    return build_page(binder.settings, binder)


@pytest.fixture
def handler(page):
    """``handler(module, name)``: the event registered from ``waifuc_ui.ui.<module>`` whose function is ``name``
    (the first one), as gradio's BlockFunction: ``.fn`` to call, ``.outputs`` the components it may update."""

    def find(module: str, name: str):
        for block_fn in page.demo.fns.values():
            fn = block_fn.fn
            if getattr(fn, "__name__", "") == name and getattr(fn, "__module__", "") == f"waifuc_ui.ui.{module}":
                return block_fn
        raise LookupError(f"no handler {name} in waifuc_ui.ui.{module}")

    return find


@pytest.fixture
def review_ui(tmp_path, dataset_dir):
    """``review_ui(**calls)``: a session on the synthetic dataset whose review model calls are ``calls``
    (ReviewModels' ccip_labels / lpips_groups), given to the registry as the app gives the real ones."""
    from waifuc_ui.session import ReviewModels, SessionRegistry

    binders = []

    def make(**calls):
        settings = AppSettings(workspace_root=(tmp_path / "ws-review").resolve(), demo_dir=dataset_dir)
        registry = SessionRegistry(str(settings.workspace_root), ttl_seconds=settings.session_ttl,
                                   quotas=settings.quotas, review_models=ReviewModels(**calls))
        binders.append(SessionBinder(settings, registry))
        return binders[-1].open("tab-1")

    yield make
    for b in binders:
        b.registry.close_all()
