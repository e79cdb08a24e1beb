"""Tag suggestions: labels with counts, most frequent first, spellings with spaces or underscores, and the refusal
of a tag no image has."""

import pytest

from waifuc_ui.session.tag_query import TagQuery
from waifuc_ui.session.tag_suggest import (
    TagIndex,
    UnknownTagError,
    existing_tag,
    known_query,
    known_spelling,
    new_or_existing_tag,
    suggestions,
    word_separator,
)
from waifuc_ui.session.tagedit import tag_frequencies

TAGS = {"a": {"1girl": 1.0, "long_hair": 0.9, "smile": 0.6}, "b": {"1girl": 1.0, "long_hair": 0.8},
        "c": {"1girl": 1.0, "blue_eyes": 0.7}, "d": {}}


def test_suggestions_most_frequent_first_ties_by_name_with_counts():
    table = tag_frequencies(TAGS.values())
    assert suggestions(table) == [("1girl · 3", "1girl"), ("long_hair · 2", "long_hair"),
                                  ("blue_eyes · 1", "blue_eyes"), ("smile · 1", "smile")]
    assert suggestions(reversed(table), limit=2) == [("1girl · 3", "1girl"), ("long_hair · 2", "long_hair")]
    assert suggestions([]) == []


def test_spaces_and_underscores_are_the_same_tag():
    counts = dict(tag_frequencies(TAGS.values()))
    assert known_spelling("long hair", counts) == "long_hair"
    assert known_spelling(" long_hair ", counts) == "long_hair"
    assert known_spelling("long", counts) is None
    assert known_spelling("blue eyes", {"blue eyes": 4}) == "blue eyes"
    assert known_spelling("blue_eyes", {"blue eyes": 4}) == "blue eyes"
    assert new_or_existing_tag("long hair", counts) == "long_hair"  # an add joins the existing tag
    assert new_or_existing_tag(" sitting ", counts) == "sitting"  # a new tag stays allowed


def test_word_separator_follows_the_dataset():
    assert word_separator(["long_hair", "blue_eyes", "1girl"]) == "_"
    assert word_separator(["long hair", "blue eyes", "red_eyes"]) == " "
    assert word_separator([]) == "_"


def test_a_tag_no_image_has_is_refused_with_its_name():
    counts = dict(tag_frequencies(TAGS.values()))
    assert existing_tag("long hair", counts) == "long_hair"
    with pytest.raises(UnknownTagError, match=r"no image has tag `long`\. Fix: pick a tag from the suggestions"):
        existing_tag("long", counts)
    query = TagQuery.parse(all_of="long hair", any_of="smile, 1girl", none_of="blue eyes")
    assert known_query(query, counts) == TagQuery(("long_hair",), ("smile", "1girl"), ("blue_eyes",))
    with pytest.raises(UnknownTagError, match="no image has any of the tags `cat`, `dog`") as info:
        known_query(TagQuery.parse(all_of="cat, long_hair", none_of="dog"), counts)
    assert info.value.tags == ("cat", "dog")
    assert known_query(TagQuery.parse(untagged=True), counts) == TagQuery(untagged=True)


def test_counts_follow_edits_and_the_order_changes_with_them():
    from waifuc_ui.session.tagedit import TagEdits

    edits = TagEdits()
    edits.add("smile", ["b", "c", "d"])
    edits.replace("long_hair", "very_long_hair", ["a"])
    edited = [edits.apply(i, t) for i, t in TAGS.items()]
    assert suggestions(tag_frequencies(edited)) == [
        ("smile · 4", "smile"), ("1girl · 3", "1girl"), ("blue_eyes · 1", "blue_eyes"),
        ("long_hair · 1", "long_hair"), ("very_long_hair · 1", "very_long_hair")]
    edits.undo()
    edits.undo()
    assert suggestions(tag_frequencies(edits.apply(i, t) for i, t in TAGS.items()))[0] == ("1girl · 3", "1girl")


def test_the_index_finds_typed_text_anywhere_most_frequent_first():
    index = TagIndex.of([("hair_ribbon", 1), ("smile", 4), ("long_hair", 7), ("short_hair", 3), ("very_long_hair", 2),
                         ("blue_eyes", 5)])
    assert index.matches("hair", 10) == [("long_hair", 7), ("short_hair", 3), ("very_long_hair", 2),
                                         ("hair_ribbon", 1)]
    assert index.matches("hair", 2) == [("long_hair", 7), ("short_hair", 3)]  # the most frequent of the matches
    assert index.matches("long ha", 10) == [("long_hair", 7), ("very_long_hair", 2)]  # a space as an underscore
    assert index.matches("LONG_Hair", 10) == [("long_hair", 7), ("very_long_hair", 2)]
    assert index.matches("", 3) == [("long_hair", 7), ("blue_eyes", 5), ("smile", 4)]  # nothing typed: the top
    assert index.matches(None, 1) == [("long_hair", 7)]
    assert index.matches("hair", 10, exclude={"long_hair", "hair_ribbon"}) == [("short_hair", 3),
                                                                              ("very_long_hair", 2)]
    assert index.matches("cat", 10) == []
    assert index.matches("long ", 10) == [("long_hair", 7), ("very_long_hair", 2)]  # "long_", not "long"
    assert index.matches("eyes ", 10) == []
    assert TagIndex().matches("", 10) == [] and TagIndex().separator == "_"


def test_the_index_of_a_dataset_written_with_spaces():
    index = TagIndex.of([("long hair", 3), ("blue eyes", 2), ("1girl", 3)])
    assert index.rows == (("1girl", 3), ("long hair", 3), ("blue eyes", 2))  # ties by name
    assert index.separator == " "
    assert index.matches("long_h", 5) == [("long hair", 3)]  # an underscore finds the spaced tag
    assert suggestions(index.matches("i", 5)) == [("1girl · 3", "1girl"), ("long hair · 3", "long hair")]


def test_the_index_stays_a_bounded_answer_at_thousands_of_tags():
    table = [(f"tag_{k:04d}", 5000 - k) for k in range(3000)]
    index = TagIndex.of(reversed(table))
    assert index.matches("", 40) == table[:40]
    found = index.matches("_1", 40)
    assert len(found) == 40 and found[0] == ("tag_1000", 4000) and found == sorted(found, key=lambda kv: -kv[1])
    assert index.matches("tag_2999", 40) == [("tag_2999", 2001)]
