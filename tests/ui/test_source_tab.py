import os

import gradio as gr
import pytest

from waifuc_ui.ui.source_tab import load_demo, load_folder, load_uploads, source_view
from waifuc_ui.ui.uploads import UploadRefusedError


def test_demo_view_counts_and_refusals(ui, binder):
    view = load_demo(ui, str(binder.settings.demo_dir))
    assert view.summary == "**Demo dataset**: 8 images came in, 1 file refused · 8 in the session"
    assert view.refused["file"].tolist() == ["broken.jpg"]
    assert len(view.gallery) == 8 and view.page == 1
    assert ui.page_ids["source"] == ui.session.inputs.ids


@pytest.fixture
def gradio_upload_folder(upload_zip, monkeypatch):
    """The folder of ``upload_zip`` is gradio's upload folder (where its upload route puts files)."""
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(upload_zip.parent))
    return upload_zip.parent


def test_upload_zip_adds_images_lists_refusals_and_keeps_the_upload(ui, binder, upload_zip, gradio_upload_folder):
    view = load_uploads(ui, [str(upload_zip)], replace=True, workspace_root=binder.guard.root)
    names = sorted(ui.session.record(i).meta["filename"] for i in ui.session.inputs.ids)
    assert names == ["cyan.png", "green.png"]
    assert view.summary.startswith("**Upload of 1 file**: 2 images came in")
    reasons = dict(zip(view.refused["file"], view.refused["reason"]))
    assert any("escape.png" in f for f in reasons)  # the `..` entry was refused with a reason
    assert upload_zip.exists()  # copied, never deleted: another visitor may have uploaded the same bytes
    for image_id in ui.session.inputs.ids:
        assert ui.session.workspace.contains(ui.session.record(image_id).file)


def test_upload_adds_to_current_images_when_not_replacing(ui, binder, upload_zip, gradio_upload_folder):
    load_uploads(ui, [str(upload_zip)], replace=False, workspace_root=binder.guard.root)
    assert len(ui.session.inputs.ids) == 10


def test_upload_without_files_says_what_to_do(ui, binder):
    with pytest.raises(gr.Error, match="drop images or .zip archives"):
        load_uploads(ui, [], replace=True, workspace_root=binder.guard.root)


def test_upload_of_a_path_outside_the_upload_folder_is_refused_and_left_alone(ui, binder, upload_zip,
                                                                             gradio_upload_folder, dataset_dir):
    thumb = ui.session.thumb(ui.session.inputs.ids[0])
    before = len(ui.session.inputs.ids)
    for path in (thumb, str(dataset_dir / "red.png"), "/etc/passwd"):
        with pytest.raises(UploadRefusedError, match="Refused"):
            load_uploads(ui, [path], replace=True, workspace_root=binder.guard.root)
    assert len(ui.session.inputs.ids) == before and os.path.isfile(thumb)


def test_folder_refused_in_public_mode_and_read_locally(ui, dataset_dir):
    with pytest.raises(gr.Error, match="disabled on this public deployment"):
        load_folder(ui, str(dataset_dir), replace=True, allowed=False)
    view = load_folder(ui, str(dataset_dir), replace=True, allowed=True)
    assert view.summary.startswith(f"**Folder {dataset_dir}**: 8 images came in, 1 file refused")


def test_source_view_pages(ui):
    ui.session.inputs.ids = ui.session.inputs.ids * 10  # 80 entries
    view = source_view(ui, "x", page=2)
    assert view.page == 2 and len(view.gallery) == 32
    assert view.page_label == "page 2 of 2 · 80 images"
    assert all(os.path.exists(path) for path, _ in view.gallery)
