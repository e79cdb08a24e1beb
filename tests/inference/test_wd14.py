"""WD14 contract: canvas/mask quirks, BGR NHWC 0-255 tensor, strict thresholds, MCut, names, fmt, batching."""

import numpy as np
import pytest
from PIL import Image

from tests.fakehub import (
    BLUE,
    RED,
    WD14_RULES,
    WD14_TAGS,
    put_file,
    put_tag_filtering,
    put_wd14,
    record_feeds,
    selected_tags_csv,
    solid,
    wd14_model,
)
from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.inference import get_wd14_tags, get_wd14_tags_batch, wd14_decode, wd14_predict_batch
from waifuc_ui.inference.wd14 import mcut_threshold, prepare_image


def test_rgba_is_composited_on_a_white_square_then_bicubic_bgr():
    rgb = (np.arange(20 * 30 * 3).reshape(20, 30, 3) * 7 % 256).astype(np.uint8)
    alpha = np.where(np.arange(30)[None, :] % 2 == 0, 255, 0).repeat(20, 0).astype(np.uint8)
    img = Image.fromarray(np.dstack([rgb, alpha]), 'RGBA')
    canvas = np.full((30, 30, 3), 255, np.uint8)
    canvas[5:25] = np.where(alpha[..., None] == 255, rgb, 255)  # pasted at ((30-30)//2, (30-20)//2)
    expected = np.asarray(Image.fromarray(canvas).resize((448, 448), Image.BICUBIC), np.float32)[:, :, ::-1]
    np.testing.assert_array_equal(prepare_image(img, 448), expected)


def test_greyscale_uses_its_own_luminance_as_mask_and_palette_transparency_is_lost():
    black_l = Image.new('L', (10, 10), 0)
    assert (prepare_image(black_l, 10) == 255).all()  # dark pixels wash to white (reference quirk)
    pal = Image.new('P', (10, 10), 0)
    pal.putpalette([255, 0, 0] + [0, 0, 0] * 255)
    pal.info['transparency'] = 0
    out = prepare_image(pal, 10)
    assert out[0, 0].tolist() == [0.0, 0.0, 255.0]  # BGR red, not white


def test_feed_uses_model_input_name_nhwc_and_batches(fake_hub, monkeypatch):
    put_wd14(fake_hub, input_name='input_1:0')
    feeds = record_feeds(monkeypatch)
    preds = wd14_predict_batch([solid(RED), solid(BLUE), solid(RED)], batch_size=2)
    assert [list(f[1]) for f in feeds] == [['input_1:0'], ['input_1:0']]
    assert [f[1]['input_1:0'].shape for f in feeds] == [(2, 448, 448, 3), (1, 448, 448, 3)]
    assert feeds[0][0] == ['predictions_sigmoid']
    assert preds.shape == (3, 11) and preds.dtype == np.float32
    np.testing.assert_array_equal(preds[0], preds[2])


def test_default_output_and_values(fake_hub):
    put_wd14(fake_hub)
    rating, general, character = get_wd14_tags(solid(RED))
    assert list(rating) == ['general', 'sensitive', 'questionable', 'explicit']
    assert list(general) == ['1girl', 'red_theme', '^_^', 'long_hair', 'very_long_hair']  # CSV order
    assert general['1girl'] == float(np.float32(0.95)) and character == {'skadi_(arknights)': pytest.approx(0.95)}
    assert get_wd14_tags(solid(BLUE))[2] == {}


def test_thresholds_are_strict(fake_hub):
    put_wd14(fake_hub)
    row = np.array([0.1, 0.1, 0.1, 0.1, 0.5, np.nextafter(np.float32(0.5), 1), 0.2, 0.85, 0, 0, 0], np.float32)
    _, general, character = wd14_decode(row, general_threshold=0.5, character_threshold=float(np.float32(0.85)))
    assert list(general) == ['red_theme'] and character == {}


def test_mcut_general_and_character_floor(fake_hub):
    assert mcut_threshold(np.array([0.9, 0.2, 0.8, 0.3])) == pytest.approx(0.55)
    put_wd14(fake_hub, tags=WD14_TAGS + [('other_(char)', 4)], rules=WD14_RULES + [(0, 0, 0, 0)])
    row = np.array([0, 0, 0, 0, 0.9, 0.8, 0.3, 0.12, 0.2, 0.25, 0.05, 0.02], np.float32)
    _, general, character = wd14_decode(row, general_mcut_enabled=True, character_mcut_enabled=True)
    assert list(general) == ['1girl', 'red_theme']  # largest gap 0.8 -> 0.3: threshold 0.55
    assert character == {}  # mcut 0.07 is raised to the 0.15 floor, 0.12 is below it
    row[7] = 0.4
    assert list(wd14_decode(row, character_mcut_enabled=True)[2]) == ['skadi_(arknights)']


def test_no_underline_keeps_kaomoji_and_drop_overlap_touches_general_only(fake_hub):
    put_wd14(fake_hub)
    put_tag_filtering(fake_hub)
    _, general, character = get_wd14_tags(solid(RED), no_underline=True, drop_overlap=True)
    assert list(general) == ['1girl', 'red theme', '^_^', 'very long hair']
    assert list(character) == ['skadi (arknights)']


def test_fmt_variants(fake_hub):
    put_wd14(fake_hub)
    red = solid(RED)
    tags = get_wd14_tags(red, fmt='tag')
    assert list(tags)[-1] == 'skadi_(arknights)' and '1girl' in tags and 'general' not in tags
    emb = get_wd14_tags(red, fmt='embedding')
    assert emb.dtype == np.float32 and emb.tolist() == [1, 2, 3, 4, 5, 6, 7, 8]
    out = get_wd14_tags(red, fmt={'c': 'character', 'p': ('prediction',)})
    assert list(out['c']) == ['skadi_(arknights)'] and out['p'][0].shape == (11,)
    with pytest.raises(ValueError, match='embedding'):
        wd14_decode(np.zeros(11, np.float32), fmt='embedding')


def test_batch_equals_single_and_decode_equals_get(fake_hub):
    put_wd14(fake_hub)
    images = [solid(RED), solid(BLUE), solid((200, 30, 30), (20, 90))]
    batch = get_wd14_tags_batch(images, general_mcut_enabled=True, batch_size=2)
    preds = wd14_predict_batch(images, batch_size=2)
    for im, b, p in zip(images, batch, preds):
        single = get_wd14_tags(im, general_mcut_enabled=True)
        assert wd14_decode(p, general_mcut_enabled=True) == b  # same batch split -> identical numbers
        for got, want in zip(b, single):  # batch vs batch-of-one may differ in the last float bits
            assert list(got) == list(want) and list(got.values()) == pytest.approx(list(want.values()), abs=1e-5)


def test_tags_csv_read_with_pandas_and_categories(fake_hub):
    tags = [('safe', 9), ('a_b', 0), ('hero_(x)', 4), ('x_x', 0)]
    from waifuc_ui.inference.specs import wd14_files
    model_file, csv_file = wd14_files('ViT')
    put_file(fake_hub, model_file.repo_id, model_file.filename,
             wd14_model([(0, 0, 0, 0.9)] * 4).SerializeToString())
    put_file(fake_hub, csv_file.repo_id, csv_file.filename, selected_tags_csv(tags))
    assert get_wd14_tags(solid(), model_name='ViT', no_underline=True) == \
        ({'safe': pytest.approx(0.9)}, {'a b': pytest.approx(0.9), 'x_x': pytest.approx(0.9)},
         {'hero (x)': pytest.approx(0.9)})


def test_unknown_model_name_lists_the_ten_names():
    with pytest.raises(InvalidOptionError) as info:
        get_wd14_tags(solid(), model_name='SwinV3')
    for name in ('SwinV2_v3', 'EVA02_Large', 'MOAT', 'ConvNextV2'):
        assert repr(name) in str(info.value)
