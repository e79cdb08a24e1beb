from waifuc_ui.ui.paging import clamp_page, page_count, page_label, page_slice


def test_page_count_rounds_up_and_is_never_zero():
    assert page_count(0, 10) == 1
    assert page_count(10, 10) == 1
    assert page_count(11, 10) == 2
    assert page_count(2000, 48) == 42


def test_page_slice_clamps_out_of_range_pages():
    entries = list(range(25))
    assert page_slice(entries, 1, 10) == (list(range(10)), 1)
    assert page_slice(entries, 3, 10) == ([20, 21, 22, 23, 24], 3)
    assert page_slice(entries, 9, 10) == ([20, 21, 22, 23, 24], 3)
    assert page_slice(entries, 0, 10) == (list(range(10)), 1)
    assert page_slice(entries, None, 10) == (list(range(10)), 1)
    assert clamp_page(2.0, 25, 10) == 2


def test_page_label_counts_images():
    assert page_label(2, 200, 48) == "page 2 of 5 · 200 images"
    assert page_label(1, 1, 48) == "page 1 of 1 · 1 image"
