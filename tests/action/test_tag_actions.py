from PIL import Image

from waifuc_ui.action import TagDropAction, TagRemoveUnderlineAction
from waifuc_ui.model import ImageItem


def _item(tags):
    return ImageItem(Image.new("RGB", (1, 1)), {"filename": "a.png", "tags": tags})


def test_tag_drop_removes_given_tags_in_either_spelling():
    tags = {"solo": 1.0, "long_hair": 0.9, "watermark": 0.8, "blue eyes": 0.7}
    out = TagDropAction(["watermark", "long hair", "blue_eyes"])(_item(tags))
    assert out.meta["tags"] == {"solo": 1.0}
    assert tags == {"solo": 1.0, "long_hair": 0.9, "watermark": 0.8, "blue eyes": 0.7}  # input untouched


def test_tag_drop_without_tags_adds_nothing():
    item = ImageItem(Image.new("RGB", (1, 1)), {"filename": "a.png"})
    assert TagDropAction(["x"])(item).meta == {"filename": "a.png"}


def test_remove_underline_keeps_kaomoji_and_order_and_merges():
    out = TagRemoveUnderlineAction()(_item({"long_hair": 0.9, "^_^": 0.6, "o_o": 0.5, "long hair": 0.95, "solo": 1.0}))
    assert list(out.meta["tags"].items()) == [("long hair", 0.95), ("^_^", 0.6), ("o_o", 0.5), ("solo", 1.0)]


def test_tags_stored_as_a_list_are_handled():
    out = TagDropAction(["b"])(_item(["a_x", "b"]))
    assert out.meta["tags"] == {"a_x": 1.0}
    assert TagRemoveUnderlineAction()(_item(["a_x"])).meta["tags"] == {"a x": 1.0}
