"""The app's construction without a browser: public mode hides server folders, launch serves only workspaces; every
control a visitor can type into or click is editable (gradio draws an input component without ``interactive=True``
read-only unless a listener defined at build time reads it, and listeners drawn by gr.render do not count: the
"Update the last run after each parameter change" checkbox was greyed out for that reason); the handlers that refresh
a whole tab name every component they update."""

import gradio as gr

from waifuc_ui.ui import AppSettings, SessionBinder, build_app, launch_options
from waifuc_ui.ui.file_guard import FileGuardMiddleware
from waifuc_ui.ui.upload_budget import UploadBudgetMiddleware

INPUT_TYPES = {"checkbox", "checkboxgroup", "dropdown", "file", "number", "radio", "slider", "textbox"}


def labels(demo):
    return {getattr(block, "label", None) for block in demo.blocks.values()}


def test_local_app_offers_a_folder_and_no_upload_limit(tmp_path, dataset_dir):
    settings = AppSettings(workspace_root=tmp_path / "ws", demo_dir=dataset_dir)
    binder = SessionBinder(settings)
    demo = build_app(settings, binder)
    assert "Folder on this machine" in labels(demo)
    options = launch_options(settings, binder)
    assert "max_file_size" not in options
    assert options["allowed_paths"] == [binder.guard.root]
    assert binder.guard.root == str((tmp_path / "ws").resolve())


def test_public_app_never_asks_for_a_server_folder_and_limits_uploads(tmp_path, dataset_dir):
    settings = AppSettings(public=True, workspace_root=tmp_path / "ws", demo_dir=dataset_dir, max_file_size="5mb")
    binder = SessionBinder(settings)
    demo = build_app(settings, binder)
    assert "Folder on this machine" not in labels(demo)
    assert "Images (with .txt captions) or .zip archives" in labels(demo)
    options = launch_options(settings, binder)
    assert options["max_file_size"] == "5mb"
    assert options["allowed_paths"] == [binder.guard.root]
    middleware = options["app_kwargs"]["middleware"]
    assert [m.cls for m in middleware] == [FileGuardMiddleware, UploadBudgetMiddleware]
    assert middleware[1].kwargs["budget"].max_bytes == 4096 * 1024 ** 2
    assert binder.registry.public_mode is True
    states = [b for b in demo.blocks.values() if isinstance(b, gr.State) and b.delete_callback == binder.release]
    assert len(states) == 1 and states[0].time_to_live == float("inf")  # idle expiry is the registry's
    assert [b.value for b in demo.blocks.values() if isinstance(b, gr.Timer)] == [300]


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
    """The slider starts at 0, which is waifuc's OPTICS grouping, not a cut at 0: say so."""
    settings = AppSettings(workspace_root=tmp_path / "ws", demo_dir=dataset_dir)
    config = build_app(settings, SessionBinder(settings)).get_config_file()
    slider = next(c for c in config["components"] if c["props"].get("elem_id") == "ccip-threshold")
    assert slider["props"]["value"] == 0 and slider["props"]["info"].startswith("0 = waifuc's own grouping (OPTICS)")


def test_each_tab_refresh_and_the_page_fill_set_every_output_by_name(ui, page, handler):
    """gradio leaves an output missing from a handler's ``{component: value}`` as it was: the handlers that refresh a
    whole tab set each of their outputs, so no tab keeps showing another session's or an older run's values."""
    from waifuc_ui.ui.pipeline_tab import apply_preset
    from waifuc_ui.ui.run_tab import run_pipeline

    fill = handler("blocks", "on_fill")
    out = fill.fn(ui, 0)
    assert set(out) == set(fill.outputs)
    assert out[page.structure] == 1  # the step list is drawn
    assert out[page.source.summary] == "**Demo dataset**: 8 images came in, 1 file refused · 8 in the session"
    assert out[page.export.settings.name] == "dataset" and out[page.tags.trigger] == ""
    apply_preset(ui, "model-free clean-up")
    run_pipeline(ui)
    refreshed = {}
    for module, name in (("run_tab", "on_select"), ("characters_tab", "refresh"), ("duplicates_tab", "refresh"),
                         ("tags_tab", "refresh"), ("export_tab", "refresh")):
        block_fn = handler(module, name)
        refreshed[module] = block_fn.fn(ui)
        assert set(refreshed[module]) == set(block_fn.outputs), module
    assert refreshed["run_tab"][page.run.status].startswith("**Run finished**: 8 images in, 6 in the dataset")
    assert refreshed["characters_tab"][page.characters.summary].startswith("Run a pipeline with a CCIPAction step")
    dup_summary = refreshed["duplicates_tab"][page.duplicates.summary]
    assert dup_summary.startswith("**8 images**: every image of the session")
    assert "**1 duplicate group(s)**" in dup_summary
    assert refreshed["tags_tab"][page.tags.note] == "6 images in the dataset."
    assert refreshed["export_tab"][page.export.info].startswith("The dataset holds **6 images**")


def test_the_page_names_each_tab_by_its_components(page):
    """What other tabs and tests wire to is reached by attribute; the browser tests find the same components by id."""
    assert page.run.run_btn.elem_id == "run-btn" and page.export.checks.min_side.elem_id == "export-min-side"
    assert [c.elem_id for c in page.source.view_outputs] == ["source-summary", "refused-table", "source-gallery",
                                                             "source-page", "source-page-label"]
    assert list(page.export.settings.by_keyword()) == ["layout", "name", "kohya_folder", "quality"]
    assert page.source.folder is not None and page.export.folder is not None  # a local run


def test_the_app_sends_no_usage_analytics_and_asks_pypi_nothing(tmp_path, dataset_dir, monkeypatch):
    """Even with gradio's analytics switched on in the environment, the app opts out (no version-check thread)."""
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "True")
    settings = AppSettings(public=True, workspace_root=tmp_path / "ws", demo_dir=dataset_dir)
    demo = build_app(settings, SessionBinder(settings))
    assert demo.analytics_enabled is False
