"""CharacterEnhanceAction: the detected box lands at the drawn position on the background, named copies,
reproducible with a seed, dropped with the reason when nothing is detected."""

import numpy as np
import pytest
from PIL import Image

from tests.fakehub import colour_detector, put_detector
from waifuc_ui.action import CharacterEnhanceAction
from waifuc_ui.action.enhance import squeeze_with_transparency

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def _always_head(fake_hub):
    put_detector(fake_hub, "heads", {"boxes": [(320.0, 320.0, 200.0, 100.0)], "scores": [[(0, 0, 0, 0.9)]],
                                     "names": ["head"]})


def _character():
    """Transparent 640x640 with an opaque red block exactly where the fake finds the head (220, 270, 420, 370)."""
    arr = np.zeros((640, 640, 4), np.uint8)
    arr[270:370, 220:420] = (255, 0, 0, 255)
    return Image.fromarray(arr, "RGBA")


def test_squeeze_crops_to_the_opaque_part_like_imgutils():
    arr = np.zeros((40, 50, 4), np.uint8)
    arr[5:25, 10:30, 3] = 255
    assert squeeze_with_transparency(Image.fromarray(arr, "RGBA")).size == (19, 19)  # max row/col excluded


def test_box_lands_at_the_drawn_position_on_the_background(fake_hub, run):
    _always_head(fake_hub)
    bg = Image.new("RGB", (300, 200), GREEN)
    action = CharacterEnhanceAction(repeats=3, modes=["head"], degree_range=None, backgrounds=[bg], seed=4)
    out, report, _ = run([(_character(), {"filename": "c.png"})], action)
    assert [it.meta["filename"] for it in out] == ["c_e0.png", "c_e1.png", "c_e2.png"]
    for it in out:
        enhance = it.meta["enhance"]
        assert enhance["mode"] == "head" and enhance["degree"] is None
        arr = np.asarray(it.image)
        assert it.image.mode == "RGBA"
        px, py = enhance["position_x"], enhance["position_y"]
        red = np.all(arr[..., :3] == RED, axis=2)
        ys, xs = np.where(red)
        # the box grown by 1.2 x U(0.98, 1.10) is cropped from (dx0, dy0): the red block starts inside it
        assert 220 - int(320 - 100 * 1.2 * 1.1) + px >= xs.min() >= px
        assert ys.min() >= py and xs.max() - xs.min() == 199 and ys.max() - ys.min() == 99
        assert np.all(arr[~red][:, :3] == GREEN)  # everything else is the background
        assert it.image.width >= 200 and it.image.width <= int(200 * 1.2 * 1.1 * 1.8) + 1


def test_seed_reproduces_and_nothing_detected_is_a_drop(fake_hub, run):
    put_detector(fake_hub, "heads", colour_detector(trigger="red", label="head"))
    put_detector(fake_hub, "halfbody", colour_detector(trigger="red", label="halfbody"))
    image = Image.new("RGB", (640, 640), RED)
    first, _, _ = run([(image, {"filename": "r.png"})], CharacterEnhanceAction(2, seed=7, degree_range=(-5, 5)))
    second, _, _ = run([(image, {"filename": "r.png"})], CharacterEnhanceAction(2, seed=7, degree_range=(-5, 5)))
    assert len(first) == 2 and [it.meta["enhance"] for it in first] == [it.meta["enhance"] for it in second]
    assert all(np.array_equal(np.asarray(a.image), np.asarray(b.image)) for a, b in zip(first, second))
    assert {it.meta["enhance"]["mode"] for it in first} <= {"head", "halfbody"}
    assert all(-5 <= it.meta["enhance"]["degree"] <= 5 for it in first)  # small: white corners stay few
    out, report, _ = run([(Image.new("RGB", (640, 640), BLUE), {"filename": "b.png"})],
                         CharacterEnhanceAction(repeats=2, seed=1))
    assert out == [] and report.dropped[0].reason == "no halfbody / head detected in any copy"


def test_options_and_catalog():
    from waifuc_ui.core.errors import InvalidOptionError
    from waifuc_ui.pipeline.catalog import action_catalog
    with pytest.raises(InvalidOptionError, match="face"):
        CharacterEnhanceAction(modes=["face"])
    assert CharacterEnhanceAction(modes=[]).modes == ["halfbody", "head"]
    assert [f.repo_id for f in CharacterEnhanceAction(modes=["person"]).required_files()] == \
        ["deepghs/anime_person_detection"]
    spec = action_catalog()["CharacterEnhanceAction"]
    assert CharacterEnhanceAction.per_item is False and spec.model_backed and spec.category == "split"
