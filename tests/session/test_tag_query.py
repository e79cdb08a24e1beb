"""The Tags tab's filter (all of / any of / none of / untagged) and the count of images an edit changed."""

from waifuc_ui.session.tag_query import TagQuery, changed_ids, filter_ids, split_tags

TAGS = {"a": {"1girl": 1.0, "solo": 1.0, "red_hair": 0.9}, "b": {"1girl": 1.0, "blue_hair": 0.8},
        "c": {}, "d": {"1boy": 1.0, "solo": 1.0, "red_hair": 0.7}}


def test_split_tags_drops_blanks_and_repeats():
    assert split_tags(" solo, ,red_hair,solo ") == ("solo", "red_hair")
    assert split_tags(None) == () and split_tags(["x", " y "]) == ("x", "y")


def test_each_kind_of_filter():
    assert filter_ids(TAGS, TagQuery()) == ["a", "b", "c", "d"]
    assert filter_ids(TAGS, TagQuery.parse(all_of="solo, red_hair")) == ["a", "d"]
    assert filter_ids(TAGS, TagQuery.parse(any_of="blue_hair, 1boy")) == ["b", "d"]
    assert filter_ids(TAGS, TagQuery.parse(none_of="solo")) == ["b", "c"]
    assert filter_ids(TAGS, TagQuery.parse(untagged=True)) == ["c"]
    assert filter_ids(TAGS, TagQuery.parse(all_of="red_hair", none_of="1boy")) == ["a"]
    assert filter_ids(TAGS, TagQuery.parse(all_of="solo", untagged=True)) == []
    assert TagQuery.parse("solo", "x, y", "1boy", True).describe() == \
        "all of solo · any of x, y · none of 1boy · untagged"


def test_changed_ids_counts_only_the_images_that_differ():
    after = {**TAGS, "a": {"1girl": 1.0, "solo": 1.0, "long_hair": 0.9}, "c": {}}
    assert changed_ids(TAGS, after) == ["a"]
    reordered = {**TAGS, "b": {"blue_hair": 0.8, "1girl": 1.0}}
    assert changed_ids(TAGS, reordered) == ["b"]  # the caption order changed
