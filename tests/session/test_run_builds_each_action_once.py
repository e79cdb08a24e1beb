"""A run builds each step's action once: the model download before the run and the runner share them."""

import waifuc_ui.session.models as models_module
import waifuc_ui.session.runner as runner_module


def test_a_run_builds_each_enabled_step_once(session, monkeypatch):
    built = []
    for module in (models_module, runner_module):
        real = module.build_action
        monkeypatch.setattr(module, "build_action", lambda step, catalog, real=real: built.append(step.uid)
                            or real(step, catalog))
    session.pipeline.load_preset("model-free clean-up")
    uids = [s.uid for s in session.pipeline.recipe.enabled_steps()]
    run = session.runs.start()
    assert run.status == "done" and [s.uid for s in run.steps] == uids
    assert sorted(built) == sorted(uids)
    built.clear()
    assert session.runs.start(fetch_models=False).status == "done"  # a live update: the runner builds them itself
    assert sorted(built) == sorted(uids)
