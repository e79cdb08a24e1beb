"""Fixtures for the session layer: a folder of small synthetic images and a fresh session."""

import functools
import os
import shutil
import tempfile

import numpy as np
import pytest
from PIL import Image

from waifuc_ui.session import SessionRegistry


def write_images(folder):
    """a: 400x300 red; b: 100x80 blue (small); c: copy of a's pixels; d: 1200x900 green; e: 500x400 noise;
    bad.png: not an image. Returns the folder. (Encoded once per process, then copied: the same bytes each time.)"""
    os.makedirs(folder, exist_ok=True)
    for name, data in _encoded_images().items():
        with open(os.path.join(folder, name), "wb") as fh:
            fh.write(data)
    return folder


@functools.cache
def _encoded_images() -> dict[str, bytes]:
    folder = tempfile.mkdtemp(prefix="waifuc_ui_session_images_")
    _draw_images(folder)
    files = {}  # in the order they were written
    for name in ("a.png", "b.png", "c.png", "d.png", "e.png", "bad.png"):
        with open(os.path.join(folder, name), "rb") as fh:
            files[name] = fh.read()
    shutil.rmtree(folder)
    return files


def _draw_images(folder):
    Image.new("RGB", (400, 300), (220, 20, 20)).save(os.path.join(folder, "a.png"))
    Image.new("RGB", (100, 80), (20, 20, 220)).save(os.path.join(folder, "b.png"))
    Image.new("RGB", (400, 300), (220, 20, 20)).save(os.path.join(folder, "c.png"))
    Image.new("RGB", (1200, 900), (20, 200, 20)).save(os.path.join(folder, "d.png"))
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (400, 500, 3), dtype=np.uint8)).save(os.path.join(folder, "e.png"))
    with open(os.path.join(folder, "bad.png"), "wb") as fh:
        fh.write(b"not an image at all")
    return folder


@pytest.fixture
def image_dir(tmp_path):
    return write_images(str(tmp_path / "src"))


@pytest.fixture
def registry(tmp_path):
    reg = SessionRegistry(str(tmp_path / "ws"), ttl_seconds=60, cache_dir=str(tmp_path / "cache"))
    yield reg
    reg.close_all()


@pytest.fixture
def session(registry, image_dir):
    s = registry.create()
    s.inputs.add_folder(image_dir)
    return s
