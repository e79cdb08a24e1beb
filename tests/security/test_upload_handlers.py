"""Upload handlers consume only files gradio's upload route received, copy them, and delete nothing.

Session B names A's files (the export zip, a thumbnail) as FileData values: gradio lets them through because the
workspace root is a static path, so the handler itself must refuse them."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import zipfile

from PIL import Image

from tests.browser.conftest import picture
from tests.security.conftest import Visitor, file_value, upload


def digest(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_another_sessions_zip_and_thumbnail_are_refused_and_kept(app):
    alice, bob = Visitor(app).open(), Visitor(app).open()
    zip_path = alice.build_zip()
    thumb = alice.thumbs[0]
    before = {p: digest(p) for p in (zip_path, thumb)}
    bob_inputs = bob.input_count()
    assert bob_inputs == 13 and zip_path.startswith(alice.dir + os.sep)

    for path in (zip_path, thumb):
        answer = bob.call_raw("/on_upload", [file_value(path)], True)
        assert not answer["success"] and "not an upload" in answer["output"]["error"]
    assert bob.input_count() == bob_inputs  # nothing of Alice's came in, Bob's images are untouched
    assert not any(name.startswith("upload_") for name in os.listdir(os.path.join(bob.dir, "uploads")))
    assert {p: digest(p) for p in (zip_path, thumb)} == before  # Alice's files are still there, unchanged


def test_a_recipe_file_of_another_session_is_not_read(app):
    alice, bob = Visitor(app).open(), Visitor(app).open()
    alice_session = app.binder.registry.get(alice.id)
    alice_session.pipeline.add_step("ModeConvertAction")
    alice_recipe = os.path.join(alice.dir, "exports", "alice_recipe.json")  # any JSON in Alice's workspace
    with open(alice_recipe, "w", encoding="utf-8") as f:
        f.write(alice_session.pipeline.recipe_json())
    recipe_before = app.binder.registry.get(bob.id).pipeline.recipe_json()
    assert recipe_before != alice_session.pipeline.recipe_json()
    answer = bob.call_raw("/on_load_recipe", file_value(alice_recipe))
    assert not answer["success"] and "not an upload" in answer["output"]["error"]
    assert app.binder.registry.get(bob.id).pipeline.recipe_json() == recipe_before
    assert os.path.isfile(alice_recipe)


def test_identical_uploads_from_two_sessions_both_come_in(app, tmp_path):
    folder = tmp_path / "same"
    folder.mkdir()
    pack = folder / "pack.zip"
    with zipfile.ZipFile(pack, "w") as zf:
        for k in range(3):
            buffer = io.BytesIO()
            picture((40, 180, 60), k).save(buffer, format="PNG")
            zf.writestr(f"green_{k}.png", buffer.getvalue())
    alice, bob = Visitor(app).open(), Visitor(app).open()
    # both upload the same bytes under the same name, then both press "Use uploaded files"
    received = [upload(app, str(pack)) for _ in (alice, bob)]
    assert received[0] == received[1]  # gradio's upload folder is content-addressed: one shared path
    for visitor, path in zip((alice, bob), received):
        answer = visitor.call_raw("/on_upload", [file_value(path)], True)
        assert answer["success"], answer
        summary, refused, gallery, *_ = answer["output"]["data"]
        assert summary == "**Upload of 1 file**: 3 images came in, 0 files refused · 3 in the session"
        assert refused["data"] == [] and len(gallery) == 3
        assert visitor.input_count() == 3
    assert os.path.isfile(received[0])  # the upload is left for gradio's cache clean-up
    for visitor in (alice, bob):
        session = app.binder.registry.get(visitor.id)
        sizes = sorted(Image.open(session.record(i).file).size for i in session.inputs.ids)
        assert sizes == [(320, 300)] * 3


def test_files_outside_the_upload_folder_are_refused(app, tmp_path):
    """Paths gradio itself would serve (its temp folder, the working folder) are not uploads either."""
    from gradio.utils import get_upload_folder

    bob = Visitor(app).open()
    for path in ("/etc/passwd", os.path.abspath("README.md"), os.path.join(app.root, bob.id, "inputs")):
        answer = bob.call_raw("/on_upload", [file_value(path)], True)
        assert not answer["success"]
    # a file in gradio's upload folder that its upload route did not receive (e.g. an output gradio cached for
    # another session) is not an upload either
    cached = os.path.join(get_upload_folder(), os.urandom(16).hex(), "someone_elses.png")
    os.makedirs(os.path.dirname(cached))
    try:
        picture((200, 40, 40), 1).save(cached)
        answer = bob.call_raw("/on_upload", [file_value(cached)], True)
        assert not answer["success"] and "not a file uploaded to this page" in answer["output"]["error"]
        assert os.path.isfile(cached)
    finally:
        shutil.rmtree(os.path.dirname(cached), ignore_errors=True)
    assert bob.input_count() == 13
