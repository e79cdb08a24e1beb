"""The duplicate keeper's rule: the original first (larger, lossless, not re-encoded, better JPEG, sharper)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter

from tests.analysis.generated_art import anime_picture, encoded, through_jpeg, varied_originals
from waifuc_ui.analysis import originality_rank, originality_reason
from waifuc_ui.analysis.originality import REENCODE_THRESHOLD, jpeg_lattice, jpeg_quality, luma, originality

DEMO = Path(__file__).resolve().parents[2] / "assets" / "demo"


def _write(folder: Path, name: str, image: Image.Image, fmt: str, **options) -> Path:
    path = folder / name
    path.write_bytes(encoded(image, fmt, **options))
    return path


def _rank(paths: list[Path]) -> list[str]:
    sizes = []
    for p in paths:
        with Image.open(p) as im:
            sizes.append(im.size)
    return [paths[i].name for i in originality_rank(paths, sizes)]


@pytest.fixture(scope="module")
def picture() -> Image.Image:
    return anime_picture(7, (613, 459))


def test_png_original_beats_its_jpeg_at_the_same_size(tmp_path, picture):
    jpg = _write(tmp_path, "a.jpg", picture, "JPEG", quality=90)
    png = _write(tmp_path, "b.png", picture, "PNG")
    assert _rank([jpg, png]) == ["b.png", "a.jpg"]
    assert _rank([png, jpg]) == ["b.png", "a.jpg"]
    assert originality_reason(png) == "PNG, not re-encoded"
    assert originality_reason(jpg) == "JPEG q≈90"


def test_original_png_beats_a_png_saved_from_a_jpeg(tmp_path, picture):
    resaved = _write(tmp_path, "resaved.png", through_jpeg(picture, 85), "PNG")
    original = _write(tmp_path, "original.png", picture, "PNG")
    assert _rank([resaved, original]) == ["original.png", "resaved.png"]
    info = originality(resaved)
    assert info.lossless and info.reencoded and info.quality == 85
    assert originality_reason(resaved) == "PNG re-encoded from a JPEG q≈85"
    assert not originality(original).reencoded
    jpg = _write(tmp_path, "source.jpg", picture, "JPEG", quality=85)  # lossless still comes before lossy
    assert _rank([jpg, resaved]) == ["resaved.png", "source.jpg"]


def test_higher_jpeg_quality_first(tmp_path, picture):
    low = _write(tmp_path, "low.jpg", picture, "JPEG", quality=70)
    high = _write(tmp_path, "high.jpg", picture, "JPEG", quality=95)
    assert _rank([low, high]) == ["high.jpg", "low.jpg"]
    assert _rank([high, low]) == ["high.jpg", "low.jpg"]


def test_sharp_beats_a_blurred_copy_of_the_same_format(tmp_path, picture):
    soft = picture.filter(ImageFilter.GaussianBlur(1.5))
    blurred = _write(tmp_path, "blurred.png", soft, "PNG", compress_level=0)  # the larger file: sharpness decides
    sharp = _write(tmp_path, "sharp.png", picture, "PNG", compress_level=9)
    assert blurred.stat().st_size > sharp.stat().st_size
    assert _rank([blurred, sharp]) == ["sharp.png", "blurred.png"]
    blurred_jpg = _write(tmp_path, "blurred.jpg", soft, "JPEG", quality=90, comment=b"x" * 60_000)
    sharp_jpg = _write(tmp_path, "sharp.jpg", picture, "JPEG", quality=90)
    assert blurred_jpg.stat().st_size > sharp_jpg.stat().st_size
    assert _rank([blurred_jpg, sharp_jpg]) == ["sharp.jpg", "blurred.jpg"]


def test_larger_picture_first_whatever_the_format(tmp_path, picture):
    small = _write(tmp_path, "small.png", picture.resize((306, 229), Image.Resampling.LANCZOS), "PNG")
    large = _write(tmp_path, "large.jpg", picture, "JPEG", quality=70)
    assert _rank([small, large]) == ["large.jpg", "small.png"]


def test_sizes_within_two_percent_count_as_equal(tmp_path, picture):
    png = _write(tmp_path, "a.png", picture.resize((609, 456), Image.Resampling.LANCZOS), "PNG")  # 1.3 % smaller
    jpg = _write(tmp_path, "b.jpg", picture, "JPEG", quality=95)
    assert _rank([jpg, png]) == ["a.png", "b.jpg"]


def test_lossless_webp_counts_as_lossless_and_lossy_webp_comes_after_jpeg(tmp_path, picture):
    lossy = _write(tmp_path, "a.webp", picture, "WEBP", quality=95)
    jpg = _write(tmp_path, "b.jpg", picture, "JPEG", quality=60)
    lossless = _write(tmp_path, "c.webp", picture, "WEBP", lossless=True)
    assert _rank([lossy, jpg, lossless]) == ["c.webp", "b.jpg", "a.webp"]
    assert originality_reason(lossless) == "WEBP, not re-encoded"
    assert originality_reason(lossy) == "WEBP (lossy)"


def test_same_pixels_larger_file_then_input_order(tmp_path, picture):
    small_file = _write(tmp_path, "fast.png", picture, "PNG", compress_level=9)
    big_file = _write(tmp_path, "raw.png", picture, "PNG", compress_level=0)
    assert big_file.stat().st_size > small_file.stat().st_size
    # lossless files of one picture hold the same pixels: the first seen stays (what the dedup step kept)
    assert _rank([small_file, big_file]) == ["fast.png", "raw.png"]
    assert _rank([big_file, small_file]) == ["raw.png", "fast.png"]
    smaller_jpeg = _write(tmp_path, "a.jpg", picture, "JPEG", quality=90, optimize=True)
    larger_jpeg = _write(tmp_path, "b.jpg", picture, "JPEG", quality=90)
    assert larger_jpeg.stat().st_size > smaller_jpeg.stat().st_size  # optimised Huffman tables are smaller
    assert _rank([smaller_jpeg, larger_jpeg]) == ["b.jpg", "a.jpg"]  # among lossy files the larger file leads
    twin = tmp_path / "twin.png"
    twin.write_bytes(big_file.read_bytes())
    assert _rank([twin, big_file]) == ["twin.png", "raw.png"]
    assert _rank([big_file, twin]) == ["raw.png", "twin.png"]


def test_unreadable_file_comes_last_and_sizes_must_match(tmp_path, picture):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 40)
    good = _write(tmp_path, "good.jpg", picture, "JPEG", quality=50)
    assert originality_rank([broken, good], [(613, 459), (613, 459)]) == [1, 0]
    assert originality_reason(broken) == "unreadable file"
    with pytest.raises(ValueError, match="one \\(width, height\\) per path"):
        originality_rank([good], [])
    assert originality_rank([good], [(613, 459)]) == [0]


@pytest.mark.parametrize("quality", [30, 50, 75, 88, 95])
def test_jpeg_quality_read_from_the_table(tmp_path, picture, quality):
    path = _write(tmp_path, "q.jpg", picture, "JPEG", quality=quality)
    with Image.open(path) as im:
        assert jpeg_quality(im.quantization) == quality
    assert jpeg_quality(None) is None


def test_reencode_detector_on_varied_originals_and_their_jpeg_copies():
    """No original flagged; every decoded JPEG (q 60..95) flagged with its quality within 2."""
    originals = varied_originals(24)
    scores = [jpeg_lattice(luma(im)) for im in originals]
    assert all(s is not None and s[0] > REENCODE_THRESHOLD + 0.05 for s in scores), scores
    for quality in (60, 80, 90, 95):
        found = [jpeg_lattice(luma(through_jpeg(im, quality))) for im in originals]
        assert all(f is not None and f[0] < REENCODE_THRESHOLD - 0.03 for f in found), (quality, found)
        assert np.median([abs(f[1] - quality) for f in found if f]) <= 1
        assert all(abs(f[1] - quality) <= 2 for f in found if f), (quality, found)


def test_no_demo_image_is_taken_for_a_reencoded_one():
    lossless = [p for p in sorted(DEMO.rglob("*")) if p.suffix.lower() in (".png", ".gif", ".webp")]
    assert len(lossless) >= 20
    flagged = [p.name for p in lossless if originality(p).reencoded]
    assert flagged == []
    assert originality(DEMO / "beni_05_reencoded.jpg").quality == 60


def test_large_png_from_a_jpeg_is_read_on_the_grid_from_the_middle(tmp_path):
    big = anime_picture(11, (1811, 1637))
    resaved = _write(tmp_path, "big.png", through_jpeg(big, 90), "PNG")
    info = originality(resaved)
    assert info.reencoded and info.quality == 90
    assert not originality(_write(tmp_path, "orig.png", big, "PNG")).reencoded


def test_sharpness_compares_pictures_as_shown_with_exif_orientation(tmp_path, picture):
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways, shown upright
    sideways = picture.transpose(Image.Transpose.ROTATE_90)
    sharp = _write(tmp_path, "sharp.jpg", sideways, "JPEG", quality=90, exif=exif.tobytes())
    soft = picture.filter(ImageFilter.GaussianBlur(1.5))
    blurred = _write(tmp_path, "blurred.jpg", soft, "JPEG", quality=90, comment=b"x" * 60_000)
    assert originality_rank([blurred, sharp], [picture.size, picture.size]) == [1, 0]
