"""DWPose (imgutils 0.19.0 dwpose_estimate): box -> affine input, SimCC argmax decoding, OpenPose-18 order."""

import numpy as np
from PIL import Image

from tests.fakehub import record_feeds
from tests.fakehub_extra import DWPOSE_K, put_dwpose
from waifuc_ui.inference.cv_ops import affine_from_points, warp_affine_linear

MEAN = np.array([123.675, 116.28, 103.53])
STD = np.array([58.395, 57.12, 57.375])


def test_affine_helpers():
    src = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    dst = np.array([[5.0, 5.0], [25.0, 5.0], [5.0, 25.0]])
    m = affine_from_points(src, dst)
    assert np.allclose(m, [[2, 0, 5], [0, 2, 5]])
    img = np.arange(12, dtype=np.float64).reshape(2, 2, 3)
    assert np.allclose(warp_affine_linear(img, np.array([[1.0, 0, 0], [0, 1.0, 0]]), (2, 2)), img)
    shifted = warp_affine_linear(np.array([[[0.0], [10.0]]]), np.array([[1.0, 0, -0.5], [0, 1.0, 0]]), (1, 1))
    assert np.allclose(shifted, 5.0)  # half a pixel between 0 and 10


def test_input_is_the_padded_box_normalised():
    from waifuc_ui.inference.pose import pose_input
    rgb = np.full((100, 100, 3), 200, np.uint8)
    x, centre, scale = pose_input(rgb, (0, 0, 100, 100), (288, 384))
    assert x.shape == (3, 384, 288) and x.dtype == np.float32
    assert np.allclose(centre, [50, 50])
    assert np.allclose(scale, [125, 125 / 0.75])  # x1.25, widened to the input's aspect 288/384
    assert np.allclose(x[:, 192, 144], (200 - MEAN) / STD, atol=1e-5)  # the box centre
    assert np.allclose(x[:, 0, 0], -MEAN / STD, atol=1e-5)  # outside the image: zero border


def test_keypoints_decode_and_reorder(fake_hub, monkeypatch):
    px, py, vals = [0] * DWPOSE_K, [0] * DWPOSE_K, [0.01] * DWPOSE_K
    px[6], py[6], vals[6] = 288, 600, 0.9  # mmpose 6 = left shoulder -> OpenPose 2
    px[5], py[5], vals[5] = 100, 200, 0.8  # mmpose 5 -> OpenPose 5
    px[0], py[0], vals[0] = 300, 300, 0.2  # the nose stays at 0
    put_dwpose(fake_hub, px, py, vals)
    from waifuc_ui.inference import dwpose_estimate
    feeds = record_feeds(monkeypatch)
    (person,) = dwpose_estimate(Image.new('RGB', (400, 400), 'white'), out_bboxes=[(100, 100, 200, 300)])
    assert feeds[0][1]['input'].shape == (1, 3, 384, 288)
    assert person.shape == (DWPOSE_K + 1, 3)
    sx, sy, cx, cy = 187.5, 250.0, 150.0, 200.0  # scale (125, 250) widened to (187.5, 250); box centre

    def at(p, q):
        return [p / 2 / 288 * sx + cx - sx / 2, q / 2 / 384 * sy + cy - sy / 2]

    assert np.allclose(person[2], at(288, 600) + [0.9], atol=1e-4)
    assert np.allclose(person[5], at(100, 200) + [0.8], atol=1e-4)
    assert np.allclose(person[0], at(300, 300) + [0.2], atol=1e-4)
    neck = (np.array(at(288, 600)) + np.array(at(100, 200))) / 2
    assert np.allclose(person[1], list(neck) + [1.0], atol=1e-4)  # both shoulders > 0.3
    assert abs(person[3][2] - 0.01) < 1e-6


def test_auto_detect_uses_the_person_detector(fake_hub):
    from tests.fakehub import colour_detector, put_detector
    put_dwpose(fake_hub, [0] * DWPOSE_K, [0] * DWPOSE_K, [0.5] * DWPOSE_K)
    put_detector(fake_hub, 'person', colour_detector(trigger='red', label='person'))
    from waifuc_ui.inference import dwpose_estimate, required_files
    assert {f.repo_id for f in required_files('dwpose_estimate')} == {'yzd-v/DWPose', 'deepghs/anime_person_detection'}
    assert len(dwpose_estimate(Image.new('RGB', (640, 640), (255, 0, 0)))) == 1
    assert dwpose_estimate(Image.new('RGB', (640, 640), (0, 0, 255))) == []
    assert len(dwpose_estimate(Image.new('RGB', (64, 64), (0, 0, 255)), auto_detect=False)) == 1
