"""Every handler reachable over the API, with any value: none makes the server read a server folder or a file
outside the visitor's own workspace."""

from __future__ import annotations

import json

import httpx

from tests.security.conftest import Visitor, file_value, upload


def dependencies(app):
    config = httpx.get(app.url + "config").json()
    components = {c["id"]: c for c in config["components"]}
    return config["dependencies"], components


def test_public_mode_has_no_handler_taking_a_server_folder(app, tmp_path):
    """The local-folder field and its handler do not exist in public mode: not as a named endpoint, not as an
    unnamed one (fn_index), and the demo/upload handlers take no path text."""
    deps, components = dependencies(app)
    labels = {(components[i].get("props") or {}).get("label") for d in deps for i in d["inputs"]}
    assert "Folder on this machine" not in labels
    assert not any(d.get("api_name") == "on_folder" for d in deps)
    info = httpx.get(app.url + "gradio_api/info").json()
    assert "/on_folder" not in info["named_endpoints"] and not info["unnamed_endpoints"]
    # the only free-text inputs are tags, names and the zip/kohya names (sanitised), never a path that is read:
    # text boxes, and the tag fields (dropdowns that suggest the dataset's tags and take a typed one)
    def free_text(component):
        props = component.get("props") or {}
        return ((component["type"] == "textbox" and props.get("visible", True))
                or (component["type"] == "dropdown" and props.get("allow_custom_value")))

    text_inputs = sorted({(components[i].get("props") or {}).get("label") for d in deps for i in d["inputs"]
                          if free_text(components[i])})
    assert text_inputs == ["Add a tag to the list", "All of", "Any of", "None of", "Replace with", "Tag",
                           "Tags of the selected image (comma separated)", "Trigger word", "Zip name",
                           "kohya folder (optional)"]


def test_every_file_input_refuses_a_path_inside_the_workspace_root(app):
    """Each handler with a File / UploadButton input is tried with another session's file."""
    alice, bob = Visitor(app).open(), Visitor(app).open()
    target = alice.thumbs[0]
    deps, components = dependencies(app)
    file_handlers = [d for d in deps if any(components[i]["type"] in ("file", "uploadbutton") for i in d["inputs"])]
    assert sorted(d["api_name"] for d in file_handlers) == ["on_load_project", "on_load_recipe", "on_upload"]
    for dep in file_handlers:
        values = []
        for i in dep["inputs"]:
            kind = components[i]["type"]
            if kind == "state":
                continue
            if kind in ("file", "uploadbutton"):
                multiple = (components[i].get("props") or {}).get("file_count") == "multiple"
                values.append([file_value(target)] if multiple else file_value(target))
            else:
                values.append(True)
        recipe = app.binder.registry.get(bob.id).pipeline.recipe_json()
        answer = bob.call_raw("/" + dep["api_name"], *values)
        assert not answer["success"], dep["api_name"]  # refused by gradio (file type) or by the handler
        assert app.binder.registry.get(bob.id).pipeline.recipe_json() == recipe
    assert bob.input_count() == 13


def test_the_export_name_fields_cannot_leave_the_workspace(app):
    alice = Visitor(app).open()
    for name in ("../../../../tmp/evil", "/etc/cron.d/x", "..", "a/../../b"):
        download = alice.client.predict("textual_inversion", name, "../../up", 95, 512, None,
                                        api_name="/on_build")[1]
        path = download["value"]["path"] if "value" in download else download["path"]
        assert path.startswith(alice.dir + "/exports/") and path.count("/") == alice.dir.count("/") + 3


def test_a_model_name_cannot_point_the_server_at_a_file_outside_the_model_folder(app, tmp_path, monkeypatch):
    """A recipe (uploaded as a visitor can) naming a model '../../../outside/evil' must not make the server
    find or open ``<outside>/evil/model.onnx``."""
    models = tmp_path / "models"
    (models / "deepghs" / "monochrome_detect").mkdir(parents=True)
    evil = tmp_path / "outside" / "evil"
    evil.mkdir(parents=True)
    (evil / "model.onnx").write_bytes(b"not for visitors")
    (evil / "meta.json").write_text("{}")
    monkeypatch.setenv("WAIFUC_UI_MODEL_DIR", str(models))
    recipe = tmp_path / "recipe.json"
    recipe.write_text(json.dumps({"steps": [{"action": "NoMonochromeAction",
                                             "params": {"model_name": "../../../outside/evil"}}]}))
    bob = Visitor(app).open()
    answer = bob.call_raw("/on_load_recipe", file_value(upload(app, str(recipe))))
    assert answer["success"], answer
    status = next(v for v in answer["output"]["data"] if isinstance(v, str) and "step" in v)
    assert "cannot run" in status and "are available" not in status
