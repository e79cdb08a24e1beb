"""imgutils' ``remove_underline`` strips the tag before the kaomoji check and the replacement
(imgutils/tagging/format.py), so ``tags_to_text(use_spaces=True)`` and WD14 ``no_underline`` names are stripped."""

from waifuc_ui.core.tags import remove_underline, tags_to_text
from waifuc_ui.inference.tag_filters import remove_underline as model_remove_underline


def test_remove_underline_strips_first():
    assert remove_underline(' long_hair ') == 'long hair'
    assert remove_underline(' ^_^') == '^_^'
    assert model_remove_underline(' ^_^ ') == '^_^' and model_remove_underline('\tred_eyes') == 'red eyes'


def test_tags_to_text_with_spaces_strips_tags():
    assert tags_to_text({' long_hair ': 0.9, ' ^_^': 0.8}, use_spaces=True) == 'long hair, ^_^'
    assert tags_to_text({' long_hair ': 0.9}) == ' long_hair '  # without use_spaces the tag is written as is
