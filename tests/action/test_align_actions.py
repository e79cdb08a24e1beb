import pytest
from action_helpers import noise_image
from PIL import Image

from waifuc_ui.action import AlignMaxAreaAction, AlignMaxSizeAction, AlignMinSizeAction, PaddingAlignAction
from waifuc_ui.action.align import fit_shape, max_area_shape, max_size_shape, min_size_shape
from waifuc_ui.model import ImageItem


def test_max_size_long_side_is_exact_where_waifuc_gave_799():
    # waifuc: r = 1013/800; int(1013/r) == 799
    assert int(1013 / (1013 / 800)) == 799
    assert max_size_shape(1013, 500, 800) == (800, 394)
    assert max_size_shape(500, 1013, 800) == (394, 800)
    assert max_size_shape(800, 10, 800) == (800, 10)


def test_max_size_pixels_equal_pil_resize():
    image = noise_image(1, (1013, 500))
    out = AlignMaxSizeAction(800)(ImageItem(image, {"filename": "x.png"}))
    assert out.image.size == (800, 394)
    assert out.image.tobytes() == image.resize((800, 394)).tobytes()
    assert out.meta == {"filename": "x.png"}


def test_small_image_passes_unchanged():
    item = ImageItem(noise_image(2, (300, 200)))
    assert AlignMaxSizeAction(800)(item) is item
    assert AlignMinSizeAction(800)(item) is item
    assert AlignMaxAreaAction(800)(item) is item


def test_min_size_scales_the_short_side_down_never_up():
    assert min_size_shape(1200, 900, 600) == (800, 600)
    assert min_size_shape(900, 1200, 600) == (600, 800)
    assert min_size_shape(1001, 3, 600) == (1001, 3)
    image = noise_image(3, (1200, 900))
    out = AlignMinSizeAction(600)(ImageItem(image))
    assert out.image.tobytes() == image.resize((800, 600)).tobytes()


def test_max_area_uses_rounded_up_sides():
    # 2000x1000, size 1000: r = sqrt(2e6)/1000 = 1.41421..., 2000/r = 1414.2 -> 1415, 1000/r = 707.1 -> 708
    assert max_area_shape(2000, 1000, 1000) == (1415, 708)
    assert max_area_shape(4000, 4000, 1000) == (1000, 1000)  # exact: no float overshoot to 1001
    assert max_area_shape(1000, 1000, 1000) == (1000, 1000)
    out = AlignMaxAreaAction(1000)(ImageItem(noise_image(4, (2000, 1000))))
    assert out.image.size == (1415, 708)


def test_padding_fits_centres_and_may_upscale():
    assert fit_shape(100, 50, 512, 512) == (512, 256)
    assert fit_shape(50, 100, 512, 512) == (256, 512)
    image = Image.new("RGB", (100, 50), (255, 0, 0))
    out = PaddingAlignAction((512, 512), color="blue")(ImageItem(image))
    assert out.image.mode == "RGB" and out.image.size == (512, 512)
    assert out.image.getpixel((256, 0)) == (0, 0, 255)      # padding above
    assert out.image.getpixel((256, 128)) == (255, 0, 0)    # first image row: (512-256)//2 = 128
    assert out.image.getpixel((256, 127)) == (0, 0, 255)
    assert out.image.getpixel((256, 383)) == (255, 0, 0)
    assert out.image.getpixel((256, 384)) == (0, 0, 255)


def test_padding_pastes_through_alpha_and_restores_mode():
    image = Image.new("RGBA", (10, 10), (255, 0, 0, 0))
    out = PaddingAlignAction((20, 10), color="white")(ImageItem(image))
    assert out.image.mode == "RGBA"
    assert out.image.getpixel((10, 5)) == (255, 255, 255, 255)
    grey = PaddingAlignAction((20, 10))(ImageItem(Image.new("L", (10, 10), 0)))
    assert grey.image.mode == "L" and grey.image.getpixel((0, 0)) == 255 and grey.image.getpixel((10, 5)) == 0


def test_padding_of_palette_and_16bit_images_gives_rgb():
    pal = Image.new("P", (4, 4), 1)
    pal.putpalette([0, 0, 0, 200, 10, 10] + [0] * 762)
    out = PaddingAlignAction((8, 4))(ImageItem(pal))
    assert out.image.mode == "RGB" and out.image.getpixel((4, 2)) == (200, 10, 10)
    deep = PaddingAlignAction((8, 4))(ImageItem(Image.new("I;16", (4, 4), 1000)))
    assert deep.image.mode == "RGB" and deep.image.size == (8, 4)


@pytest.mark.parametrize("bad", [0, -5, 2.5, "800", True])
def test_bad_sizes_are_refused(bad):
    with pytest.raises(ValueError, match="positive whole number"):
        AlignMaxSizeAction(bad)


def test_whole_float_sizes_from_a_ui_and_square_padding():
    assert AlignMaxSizeAction(800.0).max_size == 800
    out = PaddingAlignAction(16)(ImageItem(Image.new("RGB", (8, 4))))
    assert out.image.size == (16, 16)


def test_padding_pixels_equal_the_pil_recipe():
    image = noise_image(7, (90, 60), mode="RGBA")
    out = PaddingAlignAction((128, 100), color="black")(ImageItem(image))
    # fit: width-limited, 128 x 60*128//90 = 85; offsets (0, 7)
    resized = image.resize((128, 85))
    expected = Image.new("RGBA", (128, 100), (0, 0, 0, 255))
    expected.paste(resized, (0, 7), resized)
    assert out.image.tobytes() == expected.tobytes()
