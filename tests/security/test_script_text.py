"""The Python script the Pipeline tab shows is code the user runs on their own machine: text a visitor controls
(a recipe or project file shared by someone else, a model name, a run's error message) must stay text in it."""

from __future__ import annotations

import ast
import json

from tests.security.conftest import Visitor, file_value, upload

PAYLOAD = 'x""";__import__("pathlib").Path("PWNED").touch();"""'


def test_a_recipes_text_cannot_close_the_scripts_docstring(app, tmp_path, monkeypatch):
    monkeypatch.setenv("WAIFUC_UI_MODEL_DIR", str(tmp_path / "models"))  # no model here: the run notes it
    recipe = tmp_path / "shared_recipe.json"
    recipe.write_text(json.dumps({"steps": [{"action": "NoMonochromeAction", "params": {"model_name": PAYLOAD}},
                                            {"action": "ModeConvertAction", "params": {}}]}))
    visitor = Visitor(app).open()
    assert visitor.call_raw("/on_load_recipe", file_value(upload(app, str(recipe))))["success"]
    assert visitor.call_raw("/on_run")["success"]
    script = visitor.client.predict(api_name="/script_text")
    tree = ast.parse(script)  # still valid Python
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert "__import__" not in names  # the payload is not code
    docstring = ast.get_docstring(tree)
    assert "skipped in the app" in docstring and PAYLOAD in docstring  # the note is kept, as text
    assert [type(node).__name__ for node in tree.body[:2]] == ["Expr", "ImportFrom"]
