"""A project file comes from anywhere (shared, hand-edited): its image ids must be the app's own kind, each once.
Duplicates silently threw away every image but one; ids like '../../x' or 'd000…' (a derived item's shape) went
into the session as item ids."""

from __future__ import annotations

import json

import pytest

from tests.security.conftest import Visitor, file_value, upload


@pytest.mark.parametrize("ids", [
    lambda n: ["in00001"] * n,                                   # every image under one id
    lambda n: [f"../../../../tmp/x{k}" for k in range(n)],
    lambda n: [f"d{k:016x}" for k in range(n)],                  # shaped like derived items' ids
], ids=["duplicate", "traversal", "derived-shape"])
def test_a_project_with_foreign_image_ids_is_refused_and_the_session_kept(app, tmp_path, ids):
    alice = Visitor(app).open()
    saved = alice.client.predict(api_name="/on_save_1")
    project = json.load(open(saved["value"]["path"] if "value" in saved else saved["path"]))
    project["inputs"] = [dict(entry, id=new) for entry, new in zip(project["inputs"], ids(len(project["inputs"])))]
    hostile = tmp_path / "shared.waifuc_ui.json"
    hostile.write_text(json.dumps(project))

    bob = Visitor(app).open()
    before = list(app.binder.registry.get(bob.id).inputs.ids)
    assert len(before) == 13
    answer = bob.call_raw("/on_load_project", file_value(upload(app, str(hostile))))
    assert not answer["success"] and "in00001" in answer["output"]["error"]
    assert app.binder.registry.get(bob.id).inputs.ids == before  # all 13 images still there, same ids


def test_a_project_with_broken_export_settings_changes_nothing(app, tmp_path):
    """It was applied (recipe, choices) and then failed on its layout, leaving the session half replaced and every
    later script refused."""
    alice = Visitor(app).open()
    assert alice.call_raw("/on_add", "ModeConvertAction", -1)["success"]  # -1: at the end
    saved = alice.client.predict(api_name="/on_save_1")
    project = json.load(open(saved["value"]["path"] if "value" in saved else saved["path"]))
    project["export_settings"] = {"layout": "nope", "quality": 95}
    hostile = tmp_path / "shared.waifuc_ui.json"
    hostile.write_text(json.dumps(project))

    bob = Visitor(app).open()
    session = app.binder.registry.get(bob.id)
    recipe, settings = session.pipeline.recipe_json(), dict(session.export.settings)
    assert recipe != app.binder.registry.get(alice.id).pipeline.recipe_json()
    answer = bob.call_raw("/on_load_project", file_value(upload(app, str(hostile))))
    assert not answer["success"] and "layout" in answer["output"]["error"]
    assert session.pipeline.recipe_json() == recipe and session.export.settings == settings
    assert "ZipExporter(" in bob.client.predict(api_name="/script_text")


def test_a_project_with_a_broken_review_changes_nothing(app, tmp_path):
    alice = Visitor(app).open()
    assert alice.call_raw("/on_add", "ModeConvertAction", -1)["success"]  # -1: at the end
    saved = alice.client.predict(api_name="/on_save_1")
    project = json.load(open(saved["value"]["path"] if "value" in saved else saved["path"]))
    project["review"] = {"keepers": ["in00001"], "final_excluded": {}}
    hostile = tmp_path / "shared.waifuc_ui.json"
    hostile.write_text(json.dumps(project))

    bob = Visitor(app).open()
    session = app.binder.registry.get(bob.id)
    recipe, ids = session.pipeline.recipe_json(), list(session.inputs.ids)
    answer = bob.call_raw("/on_load_project", file_value(upload(app, str(hostile))))
    assert not answer["success"] and "keepers" in answer["output"]["error"]
    assert session.pipeline.recipe_json() == recipe and session.inputs.ids == ids
