from PIL import Image

from waifuc_ui.action import ModeConvertAction
from waifuc_ui.model import ImageItem


def test_rgba_is_composited_on_white_then_converted():
    image = Image.new("RGBA", (2, 1), (255, 0, 0, 0))
    image.putpixel((1, 0), (0, 0, 255, 128))
    out = ModeConvertAction()(ImageItem(image, {"filename": "a.png"}))
    assert out.image.mode == "RGB"
    assert out.image.getpixel((0, 0)) == (255, 255, 255)
    assert out.image.getpixel((1, 0)) == (127, 127, 255)
    assert out.meta == {"filename": "a.png"}


def test_palette_transparency_and_custom_background_and_mode():
    image = Image.new("P", (1, 1), 0)
    image.putpalette([10, 20, 30] + [0] * 765)
    image.info["transparency"] = 0
    out = ModeConvertAction(mode="L", force_background="black")(ImageItem(image))
    assert out.image.mode == "L" and out.image.getpixel((0, 0)) == 0


def test_force_background_none_keeps_alpha():
    image = Image.new("LA", (1, 1), (100, 50))
    out = ModeConvertAction(mode="RGBA", force_background=None)(ImageItem(image))
    assert out.image.getpixel((0, 0)) == (100, 100, 100, 50)


def test_animated_image_becomes_its_first_frame(tmp_path):
    frames = [Image.new("RGB", (4, 4), c) for c in ((255, 0, 0), (0, 255, 0))]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=50)
    image = Image.open(path)
    image.seek(1)  # left on another frame, as waifuc's FrameSplitAction did
    out = ModeConvertAction()(ImageItem(image))
    assert getattr(out.image, "n_frames", 1) == 1
    assert out.image.getpixel((0, 0)) == (255, 0, 0)
