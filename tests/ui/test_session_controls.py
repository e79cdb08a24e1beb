"""The session box: project file out and back in, refusing any file that is not an upload; reopened headline."""

import json
import os
import shutil

import pytest
from gradio.utils import get_upload_folder

from waifuc_ui.ui.session_controls import load_project_file, project_file, reopened_headline
from waifuc_ui.ui.uploads import UploadRefusedError


def as_upload(path, tmp_name):
    """A copy of ``path`` where gradio's upload route puts files."""
    folder = os.path.join(get_upload_folder(), "waifuc-ui-test-" + tmp_name)
    os.makedirs(folder, exist_ok=True)
    return shutil.copy(path, os.path.join(folder, os.path.basename(path)))


def test_project_file_round_trip_through_an_upload(binder, tmp_path):
    a = binder.open("tab-a")
    a.session.tags.set_trigger_word("kiiro_lora")
    a.session.tags.add("smile")
    path = project_file(a)
    assert path.startswith(a.session.workspace.dir) and path.endswith("dataset.waifuc_ui.json")
    text = open(path, encoding="utf-8").read()
    assert a.session.workspace.dir not in text and json.loads(text)["tag_edits"]["trigger_word"] == "kiiro_lora"
    b = binder.open("tab-b")  # the same demo images
    upload = as_upload(path, tmp_path.name)
    try:
        headline = load_project_file(b, upload, binder.guard.root)
    finally:
        shutil.rmtree(os.path.dirname(upload), ignore_errors=True)
    assert headline.startswith("**Project loaded and run**: 8 of 8 project images found")
    assert b.session.tags.edits.trigger_word == "kiiro_lora" and b.session.inputs.ids == a.session.inputs.ids
    assert all("smile" in tags for tags in b.session.tags.all().values())


@pytest.mark.parametrize("target", ["other-session", "/etc/passwd", "", "missing-upload"])
def test_loading_a_project_reads_only_uploads(binder, tmp_path, target):
    a, b = binder.open("tab-a"), binder.open("tab-b")
    a_file = project_file(a)
    path = {"other-session": a_file, "missing-upload": os.path.join(get_upload_folder(), "nope", "x.json")}.get(
        target, target)
    before = b.session.pipeline.recipe.to_dict()
    with pytest.raises(UploadRefusedError) as err:
        load_project_file(b, path, binder.guard.root)
    assert "root:" not in str(err.value) and "Refused (nothing was read)" in str(err.value)
    assert os.path.isfile(a_file) and b.session.pipeline.recipe.to_dict() == before


def test_reopened_headline_names_the_sources(binder):
    ui = binder.open("tab")
    again, reopened = binder.open_key(ui.key)
    assert reopened and reopened_headline(again) == "**Your session was reopened**: 8 images in the session from demo"
