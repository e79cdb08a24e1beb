import pytest
from PIL import Image

from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.export.imagefile import prepare_for_format, resolve_format, save_image


def test_format_comes_from_explicit_then_extension_then_image_format():
    jpeg_image = Image.new("RGB", (2, 2))
    jpeg_image.format = "JPEG"
    assert resolve_format("a.png", jpeg_image) == ("PNG", "a.png")  # renamed to .png: PNG content
    assert resolve_format("a.png", jpeg_image, "webp") == ("WEBP", "a.png")
    assert resolve_format("a", jpeg_image) == ("JPEG", "a.jpg")
    assert resolve_format("a.v2", Image.new("RGB", (2, 2))) == ("PNG", "a.v2.png")
    assert resolve_format("a.psd", Image.new("RGB", (2, 2))) == ("PNG", "a.psd.png")  # Pillow cannot write PSD
    assert resolve_format("a.png", jpeg_image, "jpg") == ("JPEG", "a.png")
    with pytest.raises(InvalidOptionError, match="'PNG'"):
        resolve_format("a.png", jpeg_image, "pngg")


@pytest.mark.parametrize("mode,fmt,expected_mode", [
    ("RGBA", "JPEG", "RGB"), ("LA", "JPEG", "L"), ("P", "JPEG", "RGB"), ("CMYK", "PNG", "RGB"),
    ("I;16", "JPEG", "L"), ("I", "PNG", "I;16"), ("F", "BMP", "L"), ("RGBA", "BMP", "RGBA"),
    ("LA", "WEBP", "RGBA"), ("L", "WEBP", "RGB"), ("RGB", "JPEG", "RGB"), ("I;16", "PNG", "I;16"),
])
def test_modes_the_format_cannot_hold_are_converted(mode, fmt, expected_mode, tmp_path):
    image = Image.new(mode, (4, 4))
    prepared = prepare_for_format(image, fmt)
    assert prepared.mode == expected_mode
    path = save_image(image, str(tmp_path / f"x.{fmt.lower()}"))
    assert Image.open(path).format == fmt


def test_alpha_goes_on_white_for_jpeg(tmp_path):
    image = Image.new("RGBA", (8, 8), (255, 0, 0, 0))
    assert prepare_for_format(image, "JPEG").getpixel((0, 0)) == (255, 255, 255)


def test_animated_images_keep_their_frames(tmp_path):
    frames = [Image.new("P", (4, 4), i) for i in range(3)]
    for f in frames:
        f.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0] + [0] * 759)
    src = tmp_path / "in.gif"
    frames[0].save(src, save_all=True, append_images=frames[1:], duration=30)
    out = save_image(Image.open(src), str(tmp_path / "out.gif"))
    assert Image.open(out).n_frames == 3
    webp = save_image(Image.open(src), str(tmp_path / "out.webp"))
    assert Image.open(webp).n_frames == 3
    still = save_image(Image.open(src), str(tmp_path / "out.jpg"))
    assert getattr(Image.open(still), "n_frames", 1) == 1
