"""kohya-style bucket preview: the bucket list and each image's bucket, scale and crop, checked by hand."""

import pytest

from waifuc_ui.export.buckets import bucket_resolutions, buckets_markdown, fit_bucket, preview_buckets

BUCKETS_512 = [(256, 832), (256, 896), (256, 960), (256, 1024), (320, 704), (320, 768), (384, 640), (448, 576),
               (512, 512), (576, 448), (640, 384), (704, 320), (768, 320), (832, 256), (896, 256), (960, 256),
               (1024, 256)]


def test_bucket_list_at_512_is_kohyas():
    # worked out by hand from make_bucket_resolutions((512, 512), 256, 1024, 64)
    assert bucket_resolutions(512) == BUCKETS_512
    assert (1024, 1024) in bucket_resolutions(1024) and max(w for w, _ in bucket_resolutions(1024)) == 1024


def test_one_image_scale_and_crop():
    fit = fit_bucket(320, 300, BUCKETS_512)  # ratio 1.067: nearest is 512x512, scaled by 512/300
    assert fit.bucket == (512, 512) and fit.resized == (546, 512)
    assert fit.scale == pytest.approx(512 / 300) and fit.upscaled_a_lot
    assert fit.cropped == pytest.approx(1 - 512 / 546) and not fit.cropped_a_lot
    wide = fit_bucket(1600, 900, BUCKETS_512)  # ratio 1.78: 640x384 (1.67) beats 704x320 (2.2)
    assert wide.bucket == (640, 384) and wide.resized == (683, 384) and wide.scale == pytest.approx(384 / 900)
    assert not wide.upscaled_a_lot and not wide.cropped_a_lot
    exact = fit_bucket(448, 576, BUCKETS_512)  # its own size is a bucket
    assert exact.bucket == (448, 576) and exact.scale == 1 and exact.cropped == 0
    tall = fit_bucket(300, 1200, BUCKETS_512)  # ratio 0.25 = 256x1024: scaled by 256/300, nothing cropped
    assert tall.bucket == (256, 1024) and tall.resized == (256, 1024) and tall.cropped == pytest.approx(0)


def test_preview_counts_and_flags():
    sizes = [("a", (320, 300)), ("b", (1600, 900)), ("c", (1000, 1000)), ("d", (600, 1000)), ("e", (2000, 500))]
    preview = preview_buckets(sizes, 512)
    # d: ratio 0.6 -> 384x640 (0.6); e: ratio 4 -> 1024x256 (4.0)
    assert preview.counts == [((512, 512), 2), ((384, 640), 1), ((640, 384), 1), ((1024, 256), 1)]
    assert preview.upscaled == ["a"] and preview.cropped == []
    text = buckets_markdown(preview, 5)
    assert "**5 image(s) in 4 bucket(s) at 512×512**" in text and "| 512×512 | 2 |" in text
    with pytest.raises(ValueError, match="below kohya's smallest bucket"):
        preview_buckets(sizes, 128)


def test_a_strongly_cropped_image_is_flagged():
    fit = fit_bucket(1000, 640, [(512, 512)])  # one bucket only: a 1.56 ratio squeezed into a square
    assert fit.bucket == (512, 512) and fit.resized == (800, 512) and fit.cropped == pytest.approx(0.36)
    assert fit.cropped_a_lot
