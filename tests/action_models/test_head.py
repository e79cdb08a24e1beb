"""HeadCoverAction paints exactly the (scaled) head boxes; HeadCutOutAction keeps the band beside the face holding
the most body keypoints (DWPose), as waifuc."""

import numpy as np
import pytest
from PIL import Image

from tests.fakehub import colour_detector, put_detector
from tests.fakehub_extra import DWPOSE_K, put_dwpose
from waifuc_ui.action import HeadCoverAction, HeadCutOutAction
from waifuc_ui.inference.loaders import clear_caches

RED, BLUE, GREEN = (255, 0, 0), (0, 0, 255), (0, 255, 0)


def _heads(fake_hub, boxes, scores):
    put_detector(fake_hub, "heads", {"boxes": boxes, "scores": [[(s, -s, -s, 0.0)] for s in scores],
                                     "names": ["head"]})


def _painted(image, colour):
    arr = np.asarray(image)
    return np.all(arr == np.array(colour, np.uint8), axis=2)


def test_head_cover_paints_exactly_the_scaled_boxes(fake_hub, run):
    # at 640x640 the detector's input pixels are the image's: boxes (cx, cy, w, h)
    _heads(fake_hub, [(320.0, 320.0, 200.0, 100.0), (100.0, 500.0, 50.0, 60.0)], [0.9, 0.6])
    out, _, _ = run([(Image.new("RGB", (640, 640), RED), {"filename": "a.png"})],
                    HeadCoverAction(color="#00ff00", scale=0.8))
    mask = _painted(out[0].image, GREEN)
    expected = np.zeros((640, 640), bool)
    expected[280:360, 240:400] = True  # 220..420 x 270..370 scaled 0.8 about its centre
    expected[476:524, 80:120] = True  # 75..125 x 470..530 -> 80..120 x 476..524
    assert np.array_equal(mask, expected)
    assert np.all(_painted(out[0].image, RED) == ~expected)


def test_head_cover_threshold_and_random_colour(fake_hub, run):
    _heads(fake_hub, [(320.0, 320.0, 200.0, 100.0), (100.0, 500.0, 50.0, 60.0)], [0.9, 0.6])
    out, _, _ = run([(Image.new("RGB", (640, 640), RED), {})], HeadCoverAction(color="#00ff00", conf_threshold=0.7))
    assert _painted(out[0].image, GREEN).sum() == 80 * 160  # the 0.6 head is below the threshold
    out, _, _ = run([(Image.new("RGB", (640, 640), RED), {})], HeadCoverAction())
    arr = np.asarray(out[0].image)
    colours = {tuple(arr[300, 300]), tuple(arr[500, 100])}
    assert len(colours) == 1 and colours != {RED}  # one random colour per image
    out, _, _ = run([(Image.new("RGB", (640, 640), BLUE), {})], HeadCoverAction(color="#00ff00"))
    assert np.all(_painted(out[0].image, BLUE))  # no head: nothing painted


def _pose(fake_hub, body_points):
    """DWPose fake for the person box (120, 20, 520, 620): mmpose keypoint k at image point body_points[k]."""
    px, py, vals = [0] * DWPOSE_K, [0] * DWPOSE_K, [0.01] * DWPOSE_K
    for k, (x, y) in body_points.items():  # scale (562.5, 750), centre (320, 320): invert the decoding
        px[k] = round((x - 38.75) / 562.5 * 576)
        py[k] = round((y + 55) / 750 * 768)
        vals[k] = 0.9
    put_dwpose(fake_hub, px, py, vals)


def _cut_out_hub(fake_hub, face_trigger="red"):
    put_detector(fake_hub, "person", {"boxes": [(320.0, 320.0, 400.0, 600.0)], "scores": [[(0.9, -0.9, -0.9, 0.0)]],
                                      "names": ["person"]})
    face = colour_detector(trigger=face_trigger, box=(320.0, 100.0, 100.0, 100.0), label="face")
    put_detector(fake_hub, "faces", face)  # face box (270, 50, 370, 150)


def test_head_cut_out_keeps_the_band_with_most_keypoints(fake_hub, run):
    _cut_out_hub(fake_hub)
    _pose(fake_hub, {11: (300, 400), 12: (340, 400), 13: (300, 500), 14: (340, 500), 7: (100, 100)})
    out, report, _ = run([(Image.new("RGB", (640, 640), RED), {"filename": "p.png"})], HeadCutOutAction())
    assert len(out) == 1 and out[0].meta["filename"] == "p.png"
    assert out[0].image.size == (640, 490)  # below the face: (0, 150, 640, 640)


def test_head_cut_out_left_band_wins_when_it_holds_more(fake_hub, run):
    _cut_out_hub(fake_hub)
    _pose(fake_hub, {5: (100, 100), 7: (150, 120), 9: (200, 140), 11: (330, 400)})  # bands overlap: 3 left, 1 below
    out, _, _ = run([(Image.new("RGB", (640, 640), RED), {})], HeadCutOutAction())
    assert out[0].image.size == (270, 640)  # left of the face: (0, 0, 270, 640)


def test_head_cut_out_drops_with_reasons(fake_hub, run):
    _cut_out_hub(fake_hub, face_trigger="green")
    _pose(fake_hub, {11: (300, 400)})
    out, report, _ = run([(Image.new("RGB", (640, 640), RED), {"filename": "r.png"}),
                          (Image.new("RGB", (640, 640), BLUE), {"filename": "b.png"})], HeadCutOutAction())
    assert out == []
    reasons = {d.filename: d.reason for d in report.dropped}
    assert reasons == {"r.png": "no face detected", "b.png": "no person found for the pose model"}
    _cut_out_hub(fake_hub)
    clear_caches()  # files found once are remembered per process: forget the first face model
    out, report, _ = run([(Image.new("RGB", (640, 640), RED), {"filename": "r.png"})],
                         HeadCutOutAction(kp_threshold=0.95))
    assert out == [] and report.dropped[0].reason == "no body keypoint beside the face"


@pytest.mark.parametrize("cls", [HeadCoverAction, HeadCutOutAction])
def test_per_item_and_catalog_sliders(cls):
    from waifuc_ui.pipeline.catalog import action_catalog
    spec = action_catalog()[cls.__name__]
    assert cls.per_item is True and spec.model_backed
    kinds = {p.name: p.kind for p in spec.params}
    assert kinds["conf_threshold"] == "slider" and kinds["iou_threshold"] == "slider"
