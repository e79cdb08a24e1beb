"""Overlap and blacklist filters (alea31415/tag_filtering files) and the WD14 underscore rule."""

import pytest

from tests.fakehub import put_tag_filtering
from waifuc_ui.core.errors import ModelUnavailableError
from waifuc_ui.inference import drop_blacklisted_tags, drop_overlap_tags
from waifuc_ui.inference.tag_filters import is_blacklisted, plural_form, remove_underline, singular_form


def test_overlap_drops_implied_keys_and_substrings_keeping_order(fake_hub):
    put_tag_filtering(fake_hub, overlap={'long_hair': ['very_long_hair'], 'breasts': ['medium_breasts']})
    tags = ['1girl', 'solo', 'long_hair', 'very_long_hair', 'red_hair', 'breasts', 'medium_breasts']
    assert drop_overlap_tags(tags) == ['1girl', 'solo', 'very_long_hair', 'red_hair', 'medium_breasts']
    scored = {'hair': 0.9, 'red_hair': 0.8, 'long hair': 0.7, 'very long hair': 0.6}
    # 'hair' is a substring of others; 'long hair' is a key (spaces -> underscores) implied by 'very_long_hair'
    assert drop_overlap_tags(scored) == {'red_hair': 0.8, 'very long hair': 0.6}


def test_blacklist_matches_words_spaces_and_plural(fake_hub):
    put_tag_filtering(fake_hub, blacklist=['cosplay', 'no eyewear', 'simple background'])
    tags = ['solo', 'cosplays', 'no_eyewear', 'Simple_Backgrounds', 'red_hair', 'background']
    assert drop_blacklisted_tags(tags) == ['solo', 'red_hair', 'background']
    assert drop_blacklisted_tags({'solo': 1.0, 'cosplay': 0.7}) == {'solo': 1.0}
    assert is_blacklisted('no eyewear') and not is_blacklisted('red_hair')


def test_custom_blacklist_without_presets_needs_no_file(fake_hub):
    # whole word sequences match (last word singular/plural): 'a_cat' is not 'cat'
    assert drop_blacklisted_tags(['cat', 'a_cat', 'Cats', 'dog'], use_presets=False, custom_blacklist=['cat']) == \
        ['a_cat', 'dog']
    with pytest.raises(ModelUnavailableError, match='blacklist_tags.txt'):
        drop_blacklisted_tags(['a'])
    with pytest.raises(TypeError):
        drop_blacklisted_tags({'a'}, use_presets=False)


def test_inflection():
    assert [plural_form(w) for w in ('cat', 'dress', 'bunny', 'hair', 'child')] == \
        ['cats', 'dresses', 'bunnies', 'hairs', 'children']  # inflect, as imgutils
    assert [singular_form(w) for w in ('cats', 'dresses', 'bunnies', 'glasses', 'feet', 'boss')] == \
        ['cat', 'dress', 'bunny', 'glass', 'foot', 'boss']


def test_remove_underline_keeps_kaomoji():
    assert remove_underline('long_hair') == 'long hair'
    assert remove_underline('^_^') == '^_^' and remove_underline('||_||') == '||_||'
    assert remove_underline('skadi_(arknights)') == 'skadi (arknights)'
