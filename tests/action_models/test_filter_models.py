import pytest
from model_action_helpers import BLUE, DARK, LIGHT, RED, items_of, names

from waifuc_ui.action.filter_models import (
    ClassFilterAction,
    FaceCountAction,
    HeadCountAction,
    NoMonochromeAction,
    OnlyMonochromeAction,
    PersonRatioAction,
    RatingFilterAction,
)
from waifuc_ui.core.errors import InvalidOptionError, ModelUnavailableError


def test_monochrome_filters_split_dark_and_light(full_fake_hub, run):
    pairs = items_of(DARK, LIGHT, DARK)  # fake: monochrome score = 1 - brightness
    out, report, _ = run(pairs, NoMonochromeAction())
    assert names(out) == ["c1.png"]
    assert [(d.step, d.filename, d.reason) for d in report.dropped] == [
        ("NoMonochromeAction", "c0.png", "monochrome"), ("NoMonochromeAction", "c2.png", "monochrome")]
    assert report.dropped[0].score == pytest.approx(1 - 20 / 255, abs=1e-3)
    out, report, _ = run(pairs, OnlyMonochromeAction())
    assert names(out) == ["c0.png", "c2.png"]
    assert report.dropped[0].reason == "not monochrome"


def test_class_filter_is_case_insensitive_and_uses_threshold(full_fake_hub, run):
    pairs = items_of(RED, BLUE, RED)  # fake: comic 0.9 on red, illustration 0.6 otherwise
    out, report, _ = run(pairs, ClassFilterAction(["Comic"]))
    assert names(out) == ["c0.png", "c2.png"]
    (drop,) = report.dropped
    assert drop.filename == "c1.png" and drop.reason.startswith("illustration") and drop.score == pytest.approx(0.6)
    out, report, _ = run(pairs, ClassFilterAction(["illustration", "COMIC"], threshold=0.65))
    assert names(out) == ["c0.png", "c2.png"]
    assert report.dropped[0].reason == "illustration score below threshold"
    assert report.dropped[0].threshold == 0.65


def test_unknown_class_lists_the_models_labels_before_pulling_anything(full_fake_hub, run):
    with pytest.raises(InvalidOptionError) as err:
        run(items_of(RED), ClassFilterAction(["3D", "photo"]))
    msg = str(err.value)
    assert "'photo'" in msg and "'3d', 'bangumi', 'comic', 'illustration', 'not_painting'" in msg
    assert "case-insensitively" in msg


def test_rating_filter(full_fake_hub, run):
    out, report, _ = run(items_of(RED, BLUE), RatingFilterAction(["safe", "r15"]))
    assert names(out) == ["c1.png"]
    assert report.dropped[0].reason.startswith("r18") and report.dropped[0].score == pytest.approx(0.8)


def test_face_count_rules_and_threshold_change_without_model_call(full_fake_hub, run, cache):
    pairs = items_of(RED, BLUE, RED)  # fake: one face (score 0.9) on red images only
    out, report, _ = run(pairs, FaceCountAction(1))
    assert names(out) == ["c0.png", "c2.png"]
    assert report.dropped[0].reason == "0 faces (wanted in [1])"
    assert (report.dropped[0].score, report.dropped[0].threshold) == (0.0, None)  # a count, not a confidence
    writes = cache.stats.writes
    assert writes == 2  # two distinct images analysed once each
    out, _, _ = run(pairs, FaceCountAction(min_count=0, max_count=0))
    assert names(out) == ["c1.png"]
    out, report, _ = run(pairs, FaceCountAction(1, conf_threshold=0.95))  # above the box score: no face
    assert names(out) == [] and report.dropped[0].reason == "0 faces (wanted in [1])"
    out, _, _ = run(pairs, FaceCountAction(1, iou_threshold=0.3))
    assert names(out) == ["c0.png", "c2.png"]
    assert cache.stats.writes == writes  # thresholds and counts changed: no new analysis


def test_face_count_matches_the_model_functions(full_fake_hub, run):
    from model_action_helpers import solid

    from waifuc_ui import inference as models

    out, _, _ = run(items_of(RED), FaceCountAction(1))
    assert len(models.detect_faces(solid(RED))) == 1 and models.detect_faces(solid(BLUE)) == []


def test_head_count_honours_level_and_fails_before_pulling_when_model_missing(full_fake_hub, run):
    out, _, source = run(items_of(RED, BLUE), HeadCountAction(1))  # head_detect_v2.0_s is installed
    assert names(out) == ["c0.png"]
    action = HeadCountAction(1, level="m")
    assert action.model_name == "head_detect_v2.0_m"
    with pytest.raises(ModelUnavailableError) as err:
        run(items_of(RED, BLUE), action)
    assert "head_detect_v2.0_m" in str(err.value)


def test_missing_model_fails_before_any_item_is_pulled(fake_hub, cache):
    from model_action_helpers import CountingSource

    source = CountingSource(items_of(RED, BLUE))
    with pytest.raises(ModelUnavailableError):
        list(source.attach(NoMonochromeAction()))
    assert source.pulled == 0


def test_person_ratio_uses_box_area_share(full_fake_hub, run):
    # fake box at 640: cx=320 cy=320 w=200 h=100 -> on 64x48: (22, 20, 42, 28), area 160 of 3072
    out, report, _ = run(items_of(RED, BLUE), PersonRatioAction(ratio=0.05))
    assert names(out) == ["c0.png"]
    assert report.dropped[0].reason == "0 persons (wanted exactly 1)"
    out, report, _ = run(items_of(RED), PersonRatioAction())
    assert out == [] and report.dropped[0].reason == "person too small"
    assert report.dropped[0].score == pytest.approx(160 / 3072) and report.dropped[0].threshold == 0.4


def test_direct_check_call_like_waifuc(full_fake_hub, cache):
    from model_action_helpers import solid

    from waifuc_ui.model import ImageItem

    action = ClassFilterAction(["comic"])
    assert action(ImageItem(solid(RED))) is True
    assert action(ImageItem(solid(BLUE))) is False
