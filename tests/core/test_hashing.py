"""The content hash (exact input identity) and the pixel-equality hash (same picture), defined in core.hashing."""

import numpy as np
from PIL import Image

from waifuc_ui.core.hashing import content_hash, image_hash, pixel_hash
from waifuc_ui.core.item import ImageItem


def noise_image(seed, size=(64, 48)):
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, size=(size[1], size[0], 3), dtype=np.uint8))


def test_pixel_hash_ignores_format_palette_and_opaque_alpha():
    image = noise_image(1)
    assert pixel_hash(image) == pixel_hash(image.convert("RGBA"))  # all opaque
    assert pixel_hash(Image.new("L", (3, 3), 7)) == pixel_hash(Image.new("RGB", (3, 3), (7, 7, 7)))
    translucent = image.convert("RGBA")
    translucent.putpixel((0, 0), (1, 2, 3, 4))
    assert pixel_hash(translucent) != pixel_hash(image)
    assert pixel_hash(image) != pixel_hash(noise_image(1, size=(64, 49)))
    assert len(pixel_hash(image)) == 32


def test_image_hash_depends_on_pixels_mode_size_and_palette():
    a = Image.new("RGB", (4, 3), (10, 20, 30))
    assert image_hash(a) == image_hash(a.copy())
    assert len(image_hash(a)) == 32
    assert image_hash(a) != image_hash(Image.new("RGB", (3, 4), (10, 20, 30)))
    assert image_hash(a) != image_hash(a.convert("RGBA"))
    b = a.copy()
    b.putpixel((0, 0), (10, 20, 31))
    assert image_hash(a) != image_hash(b)
    p1 = Image.new("P", (2, 2), 0)
    p1.putpalette([0, 0, 0] * 256)
    p2 = p1.copy()
    p2.putpalette([255, 0, 0] + [0, 0, 0] * 255)
    assert image_hash(p1) != image_hash(p2)


def test_content_hash_sets_and_reuses_item_hash_without_loading():
    loads = []

    def loader():
        loads.append(1)
        return Image.new("RGB", (2, 2))

    lazy = ImageItem(loader=loader, content_hash="f" * 32)
    assert content_hash(lazy) == "f" * 32 and loads == []
    item = ImageItem(Image.new("RGB", (2, 2)))
    h = content_hash(item)
    assert item.content_hash == h == image_hash(item.image)


def test_the_two_hashes_answer_different_questions():
    """An RGB image and its opaque RGBA copy: the same picture, but not the same input to every step."""
    rgb = noise_image(3)
    rgba = rgb.convert("RGBA")
    assert pixel_hash(rgb) == pixel_hash(rgba)
    assert image_hash(rgb) != image_hash(rgba)
    grey = Image.new("L", (3, 3), 7)
    assert pixel_hash(grey) == pixel_hash(grey.convert("RGB")) and image_hash(grey) != image_hash(grey.convert("RGB"))


def test_pixel_hash_scales_16_bit_grey_like_the_8_bit_copy():
    deep = Image.fromarray(np.array([[0, 257 * 40, 65535]], dtype=np.uint16))
    assert deep.mode == "I;16"
    assert pixel_hash(deep) == pixel_hash(Image.fromarray(np.array([[0, 40, 255]], dtype=np.uint8)))


def test_content_hash_is_stable_across_releases():
    """Stored analysis caches and project files are keyed by it: its value for a fixed image must not change."""
    image = Image.new("RGB", (2, 1), (10, 20, 30))
    assert image_hash(image) == "dfc2892886343e1e42ed1cffc1d0bf26"
