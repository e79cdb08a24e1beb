"""waifuc_ui.core.image_io: every bad input is a BadImageError with an exact reason; good ones decode fully."""

import io
import struct
import zlib

import pytest
from PIL import Image

from waifuc_ui.core.errors import WaifucUIError
from waifuc_ui.core.image_io import DEFAULT_MAX_PIXELS, BadImageError, open_image_bytes, open_image_file


def _encode(image, fmt, **kwargs):
    buf = io.BytesIO()
    image.save(buf, fmt, **kwargs)
    return buf.getvalue()


def _png_header_only(width, height):
    """A PNG whose header claims width x height but whose data is a few bytes (a bomb's shape)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


def _animation(fmt, colors=("red", "lime", "blue")):
    frames = [Image.new("RGB", (40, 30), c) for c in colors]
    return _encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100, loop=0)


def _reason(data, **kwargs):
    with pytest.raises(BadImageError) as info:
        open_image_bytes(data, "x", **kwargs)
    return info.value.reason


def test_bad_image_error_is_a_waifuc_ui_error_with_name_and_reason():
    err = BadImageError("a.png", "zero-byte file")
    assert isinstance(err, WaifucUIError)
    assert (err.name, err.reason, str(err)) == ("a.png", "zero-byte file", "a.png: zero-byte file")


def test_zero_byte_file_and_bytes(tmp_path):
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(BadImageError) as info:
        open_image_file(empty)
    assert info.value.reason == "zero-byte file"
    assert info.value.name == str(empty)
    assert _reason(b"") == "zero-byte file"


def test_non_image_is_refused(tmp_path):
    text = tmp_path / "notes.png"
    text.write_text("this is not an image\n")
    with pytest.raises(BadImageError) as info:
        open_image_file(text)
    assert info.value.reason == "not an image (unrecognised format)"


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(BadImageError) as info:
        open_image_file(tmp_path / "nope.png")
    assert info.value.reason.startswith("cannot read file: ")
    with pytest.raises(BadImageError) as info:
        open_image_file(tmp_path)
    assert info.value.reason == "is a folder, not a file"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "BMP", "TIFF"])
def test_truncated_data_is_an_error_not_a_half_image(fmt):
    data = _encode(Image.linear_gradient("L").convert("RGB"), fmt)
    assert _reason(data[: len(data) // 2]) == "truncated image data"


def test_corrupt_webp_is_refused():
    data = _encode(Image.new("RGB", (64, 64), "red"), "WEBP")
    assert _reason(data[: len(data) - 30]).startswith("corrupt image data: ")


def test_truncated_animation_is_refused_even_if_frame_0_is_whole():
    data = _animation("GIF")
    assert _reason(data[:-20]) == "truncated image data"


def test_pixel_limit_is_checked_from_the_header_before_decoding():
    # the data is a few bytes: only the header can tell the size, decoding would say 'truncated'
    bomb = _png_header_only(20000, 10000)
    assert _reason(bomb) == f"image of 200000000 pixels exceeds the limit of {DEFAULT_MAX_PIXELS} pixels"
    assert _reason(_png_header_only(300, 200), max_pixels=50_000) == \
        "image of 60000 pixels exceeds the limit of 50000 pixels"
    assert _reason(_png_header_only(300, 200), max_pixels=None) == "truncated image data"
    # the global limit of Pillow is untouched
    assert Image.MAX_IMAGE_PIXELS == 89478485


def test_pixel_limit_accepts_exactly_the_limit():
    data = _encode(Image.new("RGB", (300, 200), "red"), "PNG")
    assert open_image_bytes(data, max_pixels=60_000).size == (300, 200)


def test_frame_limit():
    assert _reason(_animation("GIF"), max_frames=2) == \
        "animated image of 3 frames exceeds the limit of 2 frames"


def test_exif_orientation_is_applied_and_format_kept(tmp_path):
    image = Image.new("RGB", (60, 20), "white")
    image.paste((255, 0, 0), (0, 0, 10, 20))  # red stripe on the left
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 CW to display
    path = tmp_path / "rotated.jpg"
    image.save(path, "JPEG", exif=exif, quality=95)
    opened = open_image_file(path)
    assert opened.size == (20, 60)
    assert opened.format == "JPEG"
    red, green, blue = opened.getpixel((10, 3))  # the left stripe is now on top
    assert red > 200 and green < 60 and blue < 60
    assert opened.getexif().get(0x0112) in (None, 1)


@pytest.mark.parametrize("mode,fmt,kwargs", [
    ("I;16", "PNG", {}),
    ("CMYK", "JPEG", {}),
    ("L", "PNG", {}),
    ("RGBA", "PNG", {}),
    ("LA", "PNG", {}),
])
def test_modes_are_kept_as_stored(mode, fmt, kwargs):
    image = Image.new(mode, (32, 16))
    data = _encode(image, fmt, **kwargs)
    opened = open_image_bytes(data)
    assert opened.mode == mode
    assert opened.size == (32, 16)


def test_palette_with_transparency_is_kept():
    image = Image.new("P", (16, 16), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.paste(0, (0, 0, 8, 16))
    data = _encode(image, "PNG", transparency=0)
    opened = open_image_bytes(data)
    assert opened.mode == "P"
    assert opened.info["transparency"] == 0
    assert opened.getpixel((0, 0)) == 0 and opened.getpixel((15, 0)) == 1


@pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
def test_animated_images_keep_their_frames(tmp_path, fmt):
    path = tmp_path / f"anim.{fmt.lower()}"
    path.write_bytes(_animation(fmt))
    opened = open_image_file(path)
    assert opened.n_frames == 3
    assert opened.tell() == 0
    colours = []
    for index in range(3):
        opened.seek(index)
        colours.append(opened.convert("RGB").getpixel((5, 5)))
    assert [max(range(3), key=c.__getitem__) for c in colours] == [0, 1, 2]  # red, lime, blue
    # the file is not held open: it can be deleted and the frames still read
    path.unlink()
    opened.seek(1)
    assert opened.convert("RGB").getpixel((5, 5))[1] > 200


def test_single_frame_file_is_decoded_and_closed(tmp_path):
    path = tmp_path / "a.png"
    Image.new("RGB", (8, 8), "blue").save(path)
    opened = open_image_file(str(path))
    path.unlink()
    assert opened.getpixel((0, 0)) == (0, 0, 255)
    assert opened.format == "PNG"


def test_header_cut_short_is_truncated_not_a_file_system_error(tmp_path):
    data = _encode(Image.new("RGB", (300, 200), "red"), "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[:40])
    with pytest.raises(BadImageError) as info:
        open_image_file(path)
    assert info.value.reason == "truncated image data"
