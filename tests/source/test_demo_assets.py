"""The committed demo dataset: what it holds, and that make_demo.py regenerates it."""

import hashlib
import importlib.util
import os
import sys
from pathlib import Path

import pytest
from PIL import Image

from waifuc_ui.core.report import collect_report
from waifuc_ui.source import LocalSource, LocalTISource

ASSETS = Path(__file__).resolve().parents[2] / "assets"
DEMO = ASSETS / "demo"


def load_make_demo():
    spec = importlib.util.spec_from_file_location("make_demo", ASSETS / "make_demo.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_demo", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def demo():
    with collect_report() as report:
        items = {item.filename: item for item in LocalSource(str(DEMO))}
    return items, report


def pixels(image):
    return hashlib.sha256(image.convert("RGBA").tobytes()).hexdigest()


def test_counts_and_refusals(demo):
    items, report = demo
    assert len(items) == 48
    assert [(os.path.basename(s.path), s.reason) for s in report.skipped] == [
        ("broken_truncated.jpg", "truncated image data"),
        ("empty.png", "zero-byte file"),
    ]


def test_modes_formats_and_frames(demo):
    items, _ = demo
    modes = {item.image.mode for item in items.values()}
    assert {"RGB", "RGBA", "P", "L", "CMYK", "I;16"} <= modes
    assert "transparency" in items["palette_sticker_beni.png"].image.info
    assert items["print_cmyk_beni.jpg"].image.format == "JPEG"
    assert items["anim_wave_aoi.gif"].image.n_frames == 4
    assert items["anim_blink_beni.webp"].image.n_frames == 3
    assert items["photo_exif_rotated_kiiro.jpg"].image.size == (480, 640)  # upright after EXIF


def test_sizes_duplicates_and_tags(demo):
    items, _ = demo
    tiny = sorted(name for name, item in items.items() if max(item.image.size) < 64)
    assert tiny == ["tiny_icon_aoi.png", "tiny_icon_beni.png", "tiny_thumb_kiiro.jpg"]
    assert sum(max(item.image.size) >= 1600 for item in items.values()) == 3
    assert pixels(items["aoi_01.png"].image) == pixels(items["aoi_01_copy.webp"].image) \
        == pixels(items["aoi_01_again.png"].image)
    assert pixels(items["beni_03.png"].image) == pixels(items["beni_03_copy.png"].image)
    assert pixels(items["aoi_03.png"].image) != pixels(items["aoi_03_noise.jpg"].image)
    tagged = sorted(name for name, item in items.items() if item.meta.get("tags"))
    assert tagged == ["aoi_01.png", "aoi_02.jpg", "aoi_03.png", "aoi_04.jpg", "beni_01.png", "beni_02.jpg",
                      "beni_03.png", "beni_04.jpg", "beni_07.jpg"]
    assert items["aoi_01.png"].meta["tags"]["aoi_(demo)"] == 1.0
    total = sum(f.stat().st_size for f in DEMO.rglob("*") if f.is_file())
    assert total < 6_000_000


def test_captions_read_by_local_ti_source():
    tags = {item.filename: item.meta["tags"] for item in LocalTISource(str(DEMO))}
    assert tags["kiiro_02.jpg"] == {"1girl": 1.0, "kiiro_(demo)": 1.0, "smile": 0.8, "green_shirt": 1.0}
    assert sum(bool(t) for t in tags.values()) == 3


def test_make_demo_regenerates_the_same_dataset(tmp_path):
    written = load_make_demo().build(str(tmp_path))
    committed = sorted(str(p.relative_to(DEMO)) for p in DEMO.rglob("*") if p.is_file())
    generated = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert generated == committed
    assert len(written) == 50
    for name in committed:
        if name.endswith((".json", ".txt")):
            assert (tmp_path / name).read_text() == (DEMO / name).read_text()
        elif name.endswith((".png", ".gif")) and (DEMO / name).stat().st_size:
            with Image.open(DEMO / name) as a, Image.open(tmp_path / name) as b:
                assert (a.mode, a.size, pixels(a)) == (b.mode, b.size, pixels(b)), name
