"""Tagging on the fake WD14 SwinV2_v3 (red images get red_theme and skadi_(arknights); see tests/fakehub.py)."""

import pytest
from model_action_helpers import BLUE, RED, solid

from waifuc_ui.action.tagging import BlacklistedTagDropAction, TagFilterAction, TaggingAction, TagOverlapDropAction
from waifuc_ui.core.errors import InvalidOptionError

RED_TAGS = {"1girl": 0.95, "red_theme": 0.95, "^_^": 0.5, "long_hair": 0.7, "very_long_hair": 0.36,
            "skadi_(arknights)": 0.95}


def approx_tags(tags):
    return {k: round(v, 4) for k, v in tags.items()}


def test_tagging_sets_general_and_character_tags(full_fake_hub, run):
    out, _, _ = run([(solid(RED), {"filename": "r.png"}), (solid(BLUE), {"filename": "b.png"})], TaggingAction())
    assert approx_tags(out[0].meta["tags"]) == RED_TAGS
    assert list(out[0].meta["tags"]) == ["1girl", "red_theme", "^_^", "long_hair", "very_long_hair",
                                         "skadi_(arknights)"]  # CSV order, general then character
    assert approx_tags(out[1].meta["tags"]) == {"1girl": 0.95, "blue_theme": 0.95, "^_^": 0.5, "long_hair": 0.7,
                                                 "very_long_hair": 0.36}


def test_site_tags_win_unless_forced(full_fake_hub, run, cache):
    pairs = [(solid(RED), {"filename": "r.png", "tags": {"site_tag": 1.0}})]
    out, _, _ = run(pairs, TaggingAction())
    assert out[0].meta["tags"] == {"site_tag": 1.0}
    assert cache.stats.writes == 0 and cache.stats.misses == 0  # no analysis at all
    out, _, _ = run(pairs, TaggingAction(force=True))
    assert approx_tags(out[0].meta["tags"]) == RED_TAGS


def test_threshold_changes_reuse_the_cached_prediction(full_fake_hub, run, cache):
    pairs = [(solid(RED), {"filename": "r.png"})]
    run(pairs, TaggingAction())
    writes = cache.stats.writes
    out, _, _ = run(pairs, TaggingAction(character_threshold=1.01, general_threshold=0.6))
    assert approx_tags(out[0].meta["tags"]) == {"1girl": 0.95, "red_theme": 0.95, "long_hair": 0.7}
    assert cache.stats.writes == writes


def test_unsupported_and_unknown_methods_say_what_to_use():
    with pytest.raises(InvalidOptionError, match="deepdanbooru is not available"):
        TaggingAction("deepdanbooru")
    with pytest.raises(InvalidOptionError) as err:
        TaggingAction("wd15")
    assert "'wd14_v3_swinv2'" in str(err.value) and "'mldanbooru'" in str(err.value)
    with pytest.raises(InvalidOptionError, match="general_thresold"):
        TaggingAction(general_thresold=0.3)


def test_tag_filter_requires_or_rejects_tags(full_fake_hub, run):
    pairs = [(solid(RED), {"filename": "r.png"}), (solid(BLUE), {"filename": "b.png"})]
    out, report, _ = run(pairs, TagFilterAction(["red_theme"], method="wd14_v3_swinv2"))
    assert [i.meta["filename"] for i in out] == ["r.png"]
    assert "red_theme" in out[0].meta["tags"]  # the tagged item is yielded
    assert report.dropped[0].reason == "tag 'red_theme' missing or below its minimum"
    out, report, _ = run(pairs, TagFilterAction({"skadi_(arknights)": 0.5}, method="wd14_v3_swinv2", reversed=True))
    assert [i.meta["filename"] for i in out] == ["b.png"]
    assert report.dropped[0].score == pytest.approx(0.95, abs=1e-4)


def test_blacklist_and_overlap_drop_tags(full_fake_hub, run):
    pairs = [(solid(RED), {"tags": {"cosplay": 1.0, "no_eyewear": 0.9, "long_hair": 0.8, "very_long_hair": 0.7}})]
    out, _, _ = run(pairs, BlacklistedTagDropAction())
    assert out[0].meta["tags"] == {"long_hair": 0.8, "very_long_hair": 0.7}
    out, _, _ = run(pairs, TagOverlapDropAction())
    assert out[0].meta["tags"] == {"cosplay": 1.0, "no_eyewear": 0.9, "very_long_hair": 0.7}


def test_tag_list_actions_fail_before_pulling_when_lists_are_missing(fake_hub, cache):
    from model_action_helpers import CountingSource

    from waifuc_ui.core.errors import ModelUnavailableError

    action = TagOverlapDropAction()
    assert [f.filename for f in action.required_files()] == ["overlap_tags_simplified.json"]
    source = CountingSource([(solid(RED), {"tags": {"a": 1.0}})])
    with pytest.raises(ModelUnavailableError):
        list(source.attach(BlacklistedTagDropAction()))
    assert source.pulled == 0
