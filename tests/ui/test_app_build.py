"""The app's construction without a browser: public mode hides server folders, launch serves only workspaces."""

import gradio as gr

from waifuc_ui.ui import AppSettings, SessionBinder, build_app, launch_options
from waifuc_ui.ui.file_guard import FileGuardMiddleware
from waifuc_ui.ui.upload_budget import UploadBudgetMiddleware


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
