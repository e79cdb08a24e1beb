"""The picking rule of fast review (click, shift-click) and the key-to-button script."""

from __future__ import annotations

from waifuc_ui.ui.selection import READ_SHIFT_JS, head_script, key_class, pick_with_range

IDS = [f"im{k}" for k in range(10)]


def test_plain_click_toggles_and_anchors():
    picked, anchor = pick_with_range(IDS, [], 3, False, None)
    assert (picked, anchor) == (["im3"], "im3")
    picked, anchor = pick_with_range(IDS, picked, 5, False, anchor)
    assert (picked, anchor) == (["im3", "im5"], "im5")
    picked, anchor = pick_with_range(IDS, picked, 3, False, anchor)  # a second click unpicks, and anchors there
    assert (picked, anchor) == (["im5"], "im3")


def test_shift_click_picks_the_range_forward_and_backward_keeping_earlier_picks():
    picked, anchor = pick_with_range(IDS, ["im9"], 2, False, None)
    picked, anchor = pick_with_range(IDS, picked, 5, True, anchor)
    assert picked == ["im9", "im2", "im3", "im4", "im5"] and anchor == "im2"
    picked, anchor = pick_with_range(IDS, picked, 0, True, anchor)  # backwards from the same anchor
    assert picked == ["im9", "im2", "im3", "im4", "im5", "im0", "im1"] and anchor == "im2"
    assert len(set(picked)) == 7


def test_shift_click_never_unpicks_inside_the_range():
    picked, _ = pick_with_range(IDS, ["im2", "im4", "im6"], 6, True, "im2")
    assert picked == ["im2", "im4", "im6", "im3", "im5"]


def test_shift_click_without_a_usable_anchor_is_a_plain_click():
    assert pick_with_range(IDS, ["im1"], 4, True, None) == (["im1", "im4"], "im4")
    assert pick_with_range(IDS, ["im1"], 4, True, "elsewhere") == (["im1", "im4"], "im4")


def test_shift_click_on_the_anchor_keeps_it_picked():
    assert pick_with_range(IDS, ["im4"], 4, True, "im4") == (["im4"], "im4")


def test_index_outside_the_ids_changes_nothing():
    assert pick_with_range(IDS, ["im1", "im1"], 10, False, "im1") == (["im1"], "im1")
    assert pick_with_range(IDS, ["im1"], -1, True, "im1") == (["im1"], "im1")
    assert pick_with_range([], [], 0, False, None) == ([], None)


def test_key_classes_and_script():
    assert key_class("i") == "wui-key-i"
    assert key_class("Escape") == "wui-key-escape"
    assert key_class("ArrowRight") == "wui-key-arrowright"
    script = head_script()
    assert script.startswith("<script>") and script.rstrip().endswith("</script>")
    for needle in ("window.wuiShift", "'keydown'", "'.wui-key-'", "toLowerCase()", "isContentEditable",
                   "TEXTAREA|SELECT", "checkbox|radio", "e.ctrlKey || e.metaKey || e.altKey"):
        assert needle in script, needle
    assert "window.wuiShift" in READ_SHIFT_JS
