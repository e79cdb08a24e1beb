from waifuc_ui.core.tags import (
    KAOMOJIS,
    caption_text,
    escape_tag,
    parse_tag_text,
    remove_underline,
    same_tag,
    tags_to_text,
    unescape_tag,
)

TAGS = {"solo": 1.0, "1girl": 1.0, "skadi_(arknights)": 0.9, "long_hair": 0.95, "^_^": 0.5}


def test_kaomoji_list_is_the_reference_list():
    assert len(KAOMOJIS) == 19
    assert "^_^" in KAOMOJIS and "||_||" in KAOMOJIS and "(o)_(o)" in KAOMOJIS


def test_remove_underline_keeps_kaomoji():
    assert remove_underline("long_hair") == "long hair"
    assert remove_underline("^_^") == "^_^"
    assert remove_underline("o_o") == "o_o"


def test_default_sorts_by_score_then_name_and_escapes():
    assert tags_to_text(TAGS) == "1girl, solo, long_hair, skadi_\\(arknights\\), ^_^"


def test_all_site_tags_come_out_alphabetical():
    assert tags_to_text({"solo": 1.0, "absurdres": 1.0, "1girl": 1.0}) == "1girl, absurdres, solo"


def test_use_spaces_no_escape_include_score():
    text = tags_to_text(TAGS, use_spaces=True, use_escape=False, include_score=True)
    assert text == "(1girl:1.000), (solo:1.000), (long hair:0.950), (skadi (arknights):0.900), (^_^:0.500)"


def test_score_descend_false_keeps_insertion_order():
    assert tags_to_text(TAGS, score_descend=False) == "solo, 1girl, skadi_\\(arknights\\), long_hair, ^_^"


def test_backslash_is_escaped():
    assert escape_tag("a\\b(c)") == "a\\\\b\\(c\\)"
    assert unescape_tag(escape_tag("a\\b(c)")) == "a\\b(c)"


def test_list_of_tags_counts_as_score_one():
    assert tags_to_text(["b_tag", "a_tag"], include_score=True) == "(a_tag:1.000), (b_tag:1.000)"


def test_parse_round_trip_with_escapes_and_scores():
    for kw in ({}, {"include_score": True}, {"use_escape": False, "include_score": True}):
        parsed = parse_tag_text(tags_to_text(TAGS, **kw))
        assert set(parsed) == set(TAGS)
        if kw.get("include_score"):
            assert parsed == {t: round(s, 3) for t, s in TAGS.items()}


def test_parse_plain_text_strips_blanks_and_newlines():
    assert parse_tag_text(" 1girl ,solo,, long hair\n\nsmile ,\n") == {
        "1girl": 1.0, "solo": 1.0, "long hair": 1.0, "smile": 1.0}


def test_parse_keeps_escaped_parentheses_as_a_plain_tag():
    assert parse_tag_text("skadi_\\(arknights\\), \\(o\\)_\\(o\\)") == {"skadi_(arknights)": 1.0, "(o)_(o)": 1.0}


def test_parse_repeated_tag_keeps_highest_score():
    assert parse_tag_text("(a:0.2), a, (b:0.3), (b:0.7)") == {"a": 1.0, "b": 0.7}


def test_caption_text_trigger_first_and_not_duplicated():
    tags = {"solo": 1.0, "skadi (arknights)": 0.9, "1girl": 1.0}
    assert caption_text(tags, trigger_word="skadi_(arknights)") == "skadi_\\(arknights\\), 1girl, solo"
    assert caption_text(tags, trigger_word="ohwx") == "ohwx, 1girl, solo, skadi \\(arknights\\)"
    assert caption_text({}, trigger_word="ohwx") == "ohwx"
    assert caption_text(tags, trigger_word="  ") == tags_to_text(tags)
    assert same_tag("Long Hair", "long_hair") and not same_tag("long", "long_hair")


def test_odd_tag_collections_do_not_crash():
    from waifuc_ui.core.tags import normalise_tags

    assert normalise_tags(["b", "a"]) == {"b": 1.0, "a": 1.0}
    assert normalise_tags("a, (b:0.5)") == {"a": 1.0, "b": 0.5}
    assert normalise_tags({"a": "0.25", "b": None, 3: 1}) == {"a": 0.25, "b": 1.0, "3": 1.0}
    assert normalise_tags(None) == {}
    assert tags_to_text({"b": "x", "a": 0.5}) == "b, a"
