"""blacklist word forms are those of imgutils (hbutils ``singular_form``/``plural_form``, i.e. ``inflect``)."""

import pytest

from waifuc_ui.inference.tag_filters import drop_blacklisted_tags, plural_form, singular_form


@pytest.mark.parametrize('word, singular, plural', [
    ('scarves', 'scarf', 'scarve'),      # inflect's own quirk on a plural
    ('scarf', 'scarf', 'scarves'),
    ('hooves', 'hoof', 'hoove'),
    ('glasses', 'glass', 'glass'),
    ('girls', 'girl', 'girl'),
    ('hair', 'hair', 'hairs'),
    ('status', 'status', 'statuses'),
    ('potato', 'potato', 'potatoes'),
])
def test_word_forms_equal_inflect(word, singular, plural):
    assert (singular_form(word), plural_form(word)) == (singular, plural)


def test_custom_blacklist_matches_irregular_plurals_like_the_reference():
    tags = {'red_scarf': 0.9, 'scarves': 0.8, 'hoof': 0.7, 'red_hair': 0.6}
    assert drop_blacklisted_tags(tags, use_presets=False, custom_blacklist=['red scarves', 'scarf', 'hooves']) \
        == {'red_hair': 0.6}
