"""Split actions on the fake detectors: one box (cx=320, cy=320, w=200, h=100 at 640) scoring 0.9 on red."""

import pytest
from model_action_helpers import BLUE, RED, solid

from waifuc_ui.action.split_models import PersonSplitAction, ThreeStageSplitAction, scaled_square


def crops(out):
    return [(i.meta.get("filename"), i.image.size, i.meta.get("crop", {}).get("type")) for i in out]


def test_person_split_names_from_zero_and_drops_images_without_person(full_fake_hub, run):
    pairs = [(solid(RED, (640, 640)), {"filename": "a.png", "tags": {"x": 1.0}, "item_id": "7"}),
             (solid(BLUE, (640, 640)), {"filename": "b.png"})]
    out, report, _ = run(pairs, PersonSplitAction())
    assert crops(out) == [("a_person0.png", (200, 100), "person")]
    assert "tags" not in out[0].meta and out[0].meta["crop"]["score"] == pytest.approx(0.9)
    assert out[0].meta["item_id"] == "7"  # the parent's id: the app derives the crop's own
    assert [(d.filename, d.reason) for d in report.dropped] == [("b.png", "no person detected")]
    out, report, _ = run(pairs, PersonSplitAction(keep_original=True, keep_origin_tags=True))
    assert [i.meta["filename"] for i in out] == ["a.png", "a_person0.png", "b.png"]
    assert out[1].meta["tags"] == {"x": 1.0} and report.dropped == []


def test_person_split_confidence_change_needs_no_model_call(full_fake_hub, run, cache):
    pairs = [(solid(RED, (640, 640)), {"filename": "a.png"})]
    run(pairs, PersonSplitAction())
    writes = cache.stats.writes
    out, report, _ = run(pairs, PersonSplitAction(conf_threshold=0.95))
    assert out == [] and report.dropped[0].reason == "no person detected"
    assert cache.stats.writes == writes


def test_scaled_square_is_clamped_with_int_truncation():
    assert scaled_square((69, 42, 131, 58), 1.5, 200, 100) == (53, 3, 146, 96)
    assert scaled_square((7, 3, 13, 5), 1.5, 20, 8) == (5, 0, 14, 8)


def test_three_stage_split_outputs_names_sizes_and_order(full_fake_hub, run):
    pairs = [(solid(RED, (640, 640)), {"filename": "a.png", "tags": {"t": 1.0}})]
    out, _, _ = run(pairs, ThreeStageSplitAction(split_eyes=True))
    # person 200x100; halfbody (69, 42, 131, 58) in it; head square 93 -> (53, 3, 146, 96);
    # eye in the 93x93 head: box (32, 39, 61, 54) -> square 29*2.4 = 69.6 around (46.5, 46.5) -> (11, 11, 81, 81)
    assert crops(out) == [("a_person1.png", (200, 100), "person"), ("a_person1_halfbody.png", (62, 16), "halfbody"),
                          ("a_person1_head.png", (93, 93), "head"), ("a_person1_head_eye0.png", (70, 70), "eye")]
    assert all("tags" not in i.meta for i in out)


def test_three_stage_without_person_split_uses_the_original(full_fake_hub, run):
    pairs = [(solid(RED, (64, 48)), {"filename": "s.png"})]
    out, _, _ = run(pairs, ThreeStageSplitAction(split_person=False, keep_origin_tags=True))
    # the original stands for person 1: halfbody (22, 20, 42, 28); head square 30 clamped -> (17, 9, 47, 39)
    assert crops(out) == [("s.png", (64, 48), None), ("s_person1_halfbody.png", (20, 8), "halfbody"),
                          ("s_person1_head.png", (30, 30), "head")]


def test_three_stage_drops_an_image_without_person(full_fake_hub, run):
    out, report, _ = run([(solid(BLUE, (64, 48)), {"filename": "b.png"})], ThreeStageSplitAction())
    assert out == [] and report.dropped[0].reason == "no person detected"
