"""How controls are drawn (app config, no browser). Every control a visitor can type into or click is editable:
gradio draws an input component without ``interactive=True`` read-only unless a listener defined at build time
reads it, and listeners drawn by gr.render do not count (the "Update the last run after each parameter change"
checkbox was greyed out for that reason)."""

from waifuc_ui.ui import AppSettings, SessionBinder, build_app

INPUT_TYPES = {"checkbox", "checkboxgroup", "dropdown", "file", "number", "radio", "slider", "textbox"}


def test_no_input_control_is_drawn_read_only(tmp_path, dataset_dir):
    settings = AppSettings(workspace_root=tmp_path / "ws", demo_dir=dataset_dir)
    config = build_app(settings, SessionBinder(settings)).get_config_file()
    read = {i for dep in config["dependencies"] for i in dep["inputs"]}
    read_only = [(c["type"], c["props"].get("label"), c["props"].get("elem_id")) for c in config["components"]
                 if c["type"] in INPUT_TYPES and c["props"].get("visible", True) is not False
                 and c["props"].get("interactive") is not True
                 and not (c["props"].get("interactive") is None and c["id"] in read)]
    assert read_only == []
    live = next(c for c in config["components"] if c["props"].get("elem_id") == "live-update")
    assert live["props"]["interactive"] is True


def test_script_is_shown_without_a_line_number_gutter(tmp_path, dataset_dir):
    """Drawn inside a closed accordion, the gutter's numbers did not line up with the code."""
    settings = AppSettings(workspace_root=tmp_path / "ws", demo_dir=dataset_dir)
    config = build_app(settings, SessionBinder(settings)).get_config_file()
    script = next(c for c in config["components"] if c["props"].get("elem_id") == "recipe-script")
    assert script["type"] == "code" and script["props"]["show_line_numbers"] is False


def test_character_threshold_says_what_is_shown_before_it_moves(tmp_path, dataset_dir):
    """The slider reads 0.18 while the first clustering is waifuc's OPTICS, not a cut at 0.18: say so."""
    settings = AppSettings(workspace_root=tmp_path / "ws", demo_dir=dataset_dir)
    config = build_app(settings, SessionBinder(settings)).get_config_file()
    slider = next(c for c in config["components"] if c["props"].get("elem_id") == "ccip-threshold")
    assert slider["props"]["info"].endswith("until you move it, waifuc's own clustering (OPTICS) is shown")
