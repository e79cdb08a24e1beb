"""YOLO contract: tensor fed, NMS (+1 convention), strict conf, rescale/clip/round-half-even, layouts, caching."""

import numpy as np
import pytest
from PIL import Image

from tests.fakehub import BLUE, RED, colour_detector, put_detector, put_json, record_feeds, solid
from waifuc_ui.core.errors import ModelUnavailableError
from waifuc_ui.inference import detect_faces, detect_faces_batch, detect_heads, detect_person
from waifuc_ui.inference.detect import detect_candidates_batch
from waifuc_ui.inference.yolo import Candidates, YoloModel, _candidates, decode_candidates, nms, parse_names


def test_nms_uses_plus_one_areas_and_keeps_highest_first():
    boxes = np.array([[5, 0, 14, 9], [0, 0, 9, 9], [100, 100, 120, 120]], np.float32)
    scores = np.array([0.8, 0.9, 0.7], np.float32)
    # IoU with +1: 50 / (100 + 100 - 50) = 1/3 > 0.3 -> suppressed (without +1 it would be 36/126 < 0.3)
    assert nms(boxes, scores, 0.3) == [1, 2]
    assert nms(boxes, scores, 1 / 3) == [1, 0, 2]  # kept while IoU <= threshold


def cand(rows, old_size=(20, 20), new_size=(64, 64), labels=('face',), layout='nms', floor=0.0):
    return Candidates(np.asarray(rows, np.float32), layout, tuple(labels), old_size, new_size, floor)


def test_rescale_clips_and_rounds_half_to_even():
    # x0 = 8 -> 2.5 -> 2; x1 = 24 -> 7.5 -> 8; y0 = 40 -> 12.5 -> 12; y1 = 56 -> 17.5 -> 18
    assert decode_candidates(cand([[16, 48, 16, 16, 0.9]]), 0.25, 0.7) == [((2, 12, 8, 18), 'face', pytest.approx(0.9))]
    # beyond the canvas: clipped to [0, old size]
    assert decode_candidates(cand([[64, 0, 64, 40, 0.9]]), 0.25, 0.7)[0][0] == (10, 0, 20, 6)


def test_conf_is_strict_and_label_is_argmax_class():
    rows = [[16, 16, 8, 8, 0.5, 0.1], [40, 40, 8, 8, 0.3, 0.7]]
    out = decode_candidates(cand(rows, labels=('face', 'hand')), 0.5, 0.7)
    assert [(label, round(score, 6)) for _, label, score in out] == [('hand', 0.7)]
    assert isinstance(out[0][2], float)


def test_floor_then_decode_equals_direct_for_every_conf_with_ties():
    rng = np.random.default_rng(3)
    k = 300
    xy = rng.uniform(50, 590, (2, k))
    wh = rng.uniform(20, 120, (2, k))
    scores = rng.choice(np.array([0.2, 0.35, 0.5, 0.9, 1.0], np.float32), (2, k))  # many exact ties
    output = np.concatenate([xy, wh, scores]).astype(np.float32)
    model = YoloModel('m', None, ('a', 'b'), (640, 640), 'yolo', True)
    low = _candidates(output, model, 0.1, (333, 250), (640, 640))
    for conf in (0.1, 0.2, 0.3, 0.5, 0.95):
        direct = _candidates(output, model, conf, (333, 250), (640, 640))
        for iou in (0.3, 0.7):
            assert decode_candidates(low, conf, iou) == decode_candidates(direct, conf, iou)
    with pytest.raises(ValueError, match='below the candidates floor'):
        decode_candidates(low, 0.05, 0.7)


def test_names_metadata_is_parsed_as_literals_only():
    assert parse_names("{0: 'nipple_f', 1: 'penis', 2: 'pussy'}") == {0: 'nipple_f', 1: 'penis', 2: 'pussy'}
    with pytest.raises(ValueError):
        parse_names("{0: __import__('os').getcwd()}")


def test_tensor_is_bicubic_stretch_to_imgsz_read_as_width_height(fake_hub, monkeypatch):
    put_detector(fake_hub, 'faces', colour_detector(box=(48, 32, 20, 10)), imgsz=(96, 64))
    feeds = record_feeds(monkeypatch)
    img = Image.fromarray((np.arange(30 * 50 * 3).reshape(30, 50, 3) * 11 % 256).astype(np.uint8))
    detect_faces(img)
    (names, feed), = feeds
    assert names == ['output0'] and list(feed) == ['images']
    expected = np.asarray(img.resize((96, 64), Image.BICUBIC), np.float32).transpose(2, 0, 1)[None] / 255
    np.testing.assert_array_equal(feed['images'], expected)


def test_colour_detector_end_to_end(fake_hub):
    put_detector(fake_hub, 'faces', colour_detector(trigger='red', score=0.9))
    red, blue = solid(RED, (64, 48)), solid(BLUE, (64, 48))
    # box cx=320 w=200 -> x 220..420 of 640 -> 22..42 of 64; cy=320 h=100 -> 270..370 -> 20.25..27.75 of 48
    assert detect_faces(red) == [((22, 20, 42, 28), 'face', float(np.float32(0.9)))]
    assert detect_faces(blue) == []
    assert detect_faces(red, conf_threshold=0.95) == []


def test_batch_is_one_call_per_batch(fake_hub, monkeypatch):
    put_detector(fake_hub, 'faces', colour_detector())
    red, blue = solid(RED, (64, 48)), solid(BLUE, (64, 48))
    feeds = record_feeds(monkeypatch)
    out = detect_faces_batch([red, blue, red], batch_size=2)
    assert [f[1]['images'].shape[0] for f in feeds] == [2, 1]
    assert [len(d) for d in out] == [1, 0, 1] and out[0] == detect_faces(red)


def test_allow_dynamic_rounds_sides_up_to_32_and_rescales(fake_hub, monkeypatch):
    put_detector(fake_hub, 'faces', colour_detector(box=(64, 32, 64, 32)), static=False)
    feeds = record_feeds(monkeypatch)
    small = detect_faces(solid(RED, (100, 50)), allow_dynamic=True)
    big = detect_faces(solid(RED, (1000, 500)), allow_dynamic=True)
    assert [f[1]['images'].shape[2:] for f in feeds] == [(64, 128), (320, 640)]
    assert small == [((25, 12, 75, 38), 'face', pytest.approx(0.9))]  # 32..96 of 128 -> 25..75 of 100
    assert big[0][0] == (50, 25, 150, 75)  # 32..96 of 640 -> 50..150 of 1000


def test_rtdetr_layout_uses_normalised_boxes(fake_hub):
    spec = {'boxes': [(0.5, 0.5, 0.2, 0.1)], 'scores': [[(0.9, -0.9, -0.9, 0.0)]], 'names': ['face']}
    put_detector(fake_hub, 'faces', spec, layout='rtdetr')
    put_json(fake_hub, 'deepghs/anime_face_detection', 'face_detect_v1.4_s/model_type.json', {'model_type': 'rtdetr'})
    assert detect_faces(solid(RED, (64, 48))) == [((26, 22, 38, 26), 'face', pytest.approx(0.9))]


def test_end_to_end_layout_ignores_user_iou(fake_hub):
    spec = {'boxes': [(0, 0, 99, 99), (0, 50, 99, 149)], 'scores': [[(0.9, 0, 0, 0)], [(0.8, 0, 0, 0)]],
            'names': ['a', 'b']}
    put_detector(fake_hub, 'faces', spec, layout='e2e', e2e_classes=[0, 1])
    out = detect_faces(solid(RED, (640, 640)), iou_threshold=0.1)  # IoU 1/3: kept under the fixed 0.7
    assert [(box, label) for box, label, _ in out] == [((0, 0, 99, 99), 'a'), ((0, 50, 99, 149), 'b')]


def test_parameters_are_keyword_only():
    with pytest.raises(TypeError):
        detect_faces(solid(), 's')


def test_head_model_naming(fake_hub):
    put_detector(fake_hub, 'heads', colour_detector(label='head'))
    assert detect_heads(solid(RED, (64, 48)))[0][1] == 'head'  # default head_detect_v2.0_s
    with pytest.raises(ModelUnavailableError, match="'head_detect_v0_n'"):
        detect_heads(solid(RED), model_name=None, level='n')


def test_candidates_api_matches_wrapper(fake_hub):
    put_detector(fake_hub, 'person', colour_detector(label='person', score=0.45))
    imgs = [solid(RED, (64, 48)), solid(BLUE, (64, 48))]
    cands = detect_candidates_batch('person', imgs, floor=0.05)
    for conf in (0.3, 0.44, 0.46):
        assert [decode_candidates(c, conf, 0.5) for c in cands] == \
            [detect_person(im, conf_threshold=conf) for im in imgs]


def test_nms_at_a_floor_then_filtering_equals_nms_at_conf_without_ties():
    rng = np.random.default_rng(11)
    k = 200
    output = np.concatenate([rng.uniform(50, 590, (2, k)), rng.uniform(20, 150, (2, k)),
                             rng.uniform(0, 1, (1, k))]).astype(np.float32)  # continuous scores: no ties
    model = YoloModel('m', None, ('a',), (640, 640), 'yolo', True)
    at_floor = decode_candidates(_candidates(output, model, 0.05, (640, 480), (640, 640)), 0.05, 0.5)
    for conf in (0.2, 0.5, 0.8):
        direct = decode_candidates(_candidates(output, model, conf, (640, 480), (640, 640)), conf, 0.5)
        assert [d for d in at_floor if d[2] > conf] == direct


def test_conf_none_reads_threshold_json_else_025(fake_hub):
    put_detector(fake_hub, 'faces', colour_detector(score=0.3))
    red = solid(RED, (64, 48))
    assert len(detect_faces(red, conf_threshold=None)) == 1  # 0.3 > 0.25 fallback
    put_json(fake_hub, 'deepghs/anime_face_detection', 'face_detect_v1.4_s/threshold.json',
             {'f1_score': 0.8, 'threshold': 0.35})
    assert detect_faces(red, conf_threshold=None) == []
