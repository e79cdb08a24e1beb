from waifuc_ui.core.report import DropRecord, SkippedFile
from waifuc_ui.session.runner import RunProgress
from waifuc_ui.ui.views import (
    SKIPPED_KIND,
    counts_frame,
    drop_caption,
    drop_details,
    gallery_page,
    ingest_summary,
    progress_fraction,
    progress_text,
    refused_table,
)


def test_counts_frame_is_long_and_ordered():
    frame = counts_frame([{"step": "1. ModeConvertAction", "kept": 8, "dropped": 0},
                          {"step": "2. MinSizeFilterAction", "kept": 7, "dropped": 1}])
    assert frame.to_dict("records") == [
        {"step": "01 ModeConvertAction", "kind": "kept", "images": 8},
        {"step": "01 ModeConvertAction", "kind": "dropped", "images": 0},
        {"step": "02 MinSizeFilterAction", "kind": "kept", "images": 7},
        {"step": "02 MinSizeFilterAction", "kind": "dropped", "images": 1}]
    assert str(frame["images"].dtype) == "int64"


def test_progress_text_and_fraction():
    p = RunProgress(step_index=1, step_count=4, step_name="2. NoMonochromeAction", done=10, total=40)
    assert progress_text(p) == "Step 2/4 · NoMonochromeAction · 10/40 images"
    assert progress_fraction(p) == (1 + 0.25) / 4
    assert progress_fraction(RunProgress(3, 4, "x", 0, 0)) == 1.0


def test_drop_details_names_step_reason_score_threshold():
    rows = [{"step": "2. MinSizeFilterAction", "reason": "short side 30 px < 256 px", "score": 30.0,
             "threshold": 256.0, "duplicate_of": None},
            {"step": "3. HashDedupAction", "reason": "exact duplicate", "score": 0.0, "threshold": None,
             "duplicate_of": "in00001"}]
    text = drop_details(rows, "tiny.png")
    assert text.splitlines() == [
        "**tiny.png** was dropped:",
        "- by **2. MinSizeFilterAction**: short side 30 px < 256 px (score 30, threshold 256)",
        "- by **3. HashDedupAction**: exact duplicate (score 0); duplicate of `in00001`"]
    same = [{"step": "3. HashDedupAction", "reason": "exact duplicate of aoi_01.png", "score": None,
             "threshold": None, "duplicate_of": "aoi_01.png"}]
    assert drop_details(same, "b.png").splitlines()[1] == "- by **3. HashDedupAction**: exact duplicate of aoi_01.png"
    assert drop_details([], "a.png") == "**a.png** was not dropped by any step."
    assert drop_caption(DropRecord("s", "f", "x" * 50)) == "x" * 39 + "…"


def test_refused_table_and_summary():
    frame = refused_table([SkippedFile("/up/a/broken.jpg", "truncated image data")])
    assert frame.values.tolist() == [["broken.jpg", "truncated image data"]]
    assert ingest_summary(1, 2, 5, "Upload") == "**Upload**: 1 image came in, 2 files refused · 5 in the session"


def test_gallery_page_serves_thumbnails_from_the_workspace(ui):
    ids = ui.session.inputs.ids
    entries, on_page, number, label = gallery_page(ui.session, ids, page=2, page_size=3)
    assert on_page == ids[3:6] and number == 2
    assert label == "page 2 of 3 · 8 images"
    for path, caption in entries:
        assert ui.session.workspace.contains(path)
        assert path.endswith(".webp")
        assert " · " in caption


def test_dataset_size_text_counts_one_image_right(ui):
    from waifuc_ui.ui.views import dataset_size_text

    assert dataset_size_text(ui.session) == "8 images in the dataset"
    ui.session.inputs.ids = ui.session.inputs.ids[:1]
    assert dataset_size_text(ui.session) == "1 image in the dataset"


def test_skipped_step_is_its_own_kind():
    frame = counts_frame([{"step": "1. ModeConvertAction", "kept": 8, "dropped": 0, "status": "done"},
                          {"step": "2. CCIPAction", "kept": 8, "dropped": 0, "status": "unavailable"}])
    assert frame.to_dict("records") == [
        {"step": "01 ModeConvertAction", "kind": "kept", "images": 8},
        {"step": "01 ModeConvertAction", "kind": "dropped", "images": 0},
        {"step": "02 CCIPAction", "kind": SKIPPED_KIND, "images": 8},
        {"step": "02 CCIPAction", "kind": "dropped", "images": 0}]
