import time
from tests.browser.conftest import write_browser_dataset
from tests.fakehub import install_fake_hub


def test_dbg(tmp_path, fake_hub):
    from waifuc_ui.ui import AppSettings, SessionBinder
    from waifuc_ui.ui.characters_tab import clusters
    from waifuc_ui.ui.pipeline_tab import add_step, apply_preset
    from waifuc_ui.ui.run_tab import run_pipeline
    install_fake_hub(fake_hub, families=("ccip", "lpips", "wd14"))
    demo_dir = tmp_path / "demo"
    write_browser_dataset(demo_dir)
    settings = AppSettings(workspace_root=(tmp_path / "workspaces").resolve(), demo_dir=demo_dir)
    binder = SessionBinder(settings)
    ui = binder.open("t")
    apply_preset(ui, "model-free clean-up")
    add_step(ui, "CCIPAction")
    run_pipeline(ui)
    print(ui.session.last_run.status, ui.session.counts())
    t = time.time()
    view = clusters(ui)
    print("clusters", time.time() - t, [(c.label, c.size) for c in view.clusters], len(view.noise))
    t = time.time()
    view = clusters(ui)
    print("again", time.time() - t)
    assert 0
