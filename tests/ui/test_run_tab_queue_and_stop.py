"""Run waits for the re-run a parameter change started instead of failing; a stopped run says it stopped and
what it kept so far (issue 15)."""

import threading

from waifuc_ui.ui.export_tab import dataset_line
from waifuc_ui.ui.pipeline_edits import apply_preset
from waifuc_ui.ui.run_tab import run_pipeline, run_summary, wait_for_running
from waifuc_ui.ui.views import run_state_note


def hold_a_run(ui):
    """Start a run of the session in a thread that stays in its first step until ``release`` is set."""
    started, release = threading.Event(), threading.Event()

    def progress(_p):
        started.set()
        release.wait(30)

    thread = threading.Thread(target=lambda: ui.session.runs.start(progress=progress))
    thread.start()
    assert started.wait(30)
    return thread, release


def waiter(ui):
    reports, result = [], []
    thread = threading.Thread(target=lambda: result.append(
        wait_for_running(ui, lambda _f, text: reports.append(text), poll=0.01)))
    thread.start()
    while not reports and thread.is_alive():
        thread.join(0.01)
    return thread, reports, result


def test_run_queues_behind_a_live_update_then_runs(ui):
    apply_preset(ui, "model-free clean-up")
    ui.cancel.clear()
    running, release = hold_a_run(ui)
    assert ui.session.runs.is_running
    thread, reports, result = waiter(ui)
    assert reports == ["Waiting for the update of the last run (after your change) to finish…"] and result == []
    release.set()
    running.join(30)
    thread.join(30)
    assert result == [True]
    assert run_pipeline(ui).status == "done" and len(ui.session.dataset.ids()) == 6


def test_stop_while_queued_starts_nothing(ui):
    apply_preset(ui, "model-free clean-up")
    ui.cancel.clear()
    running, release = hold_a_run(ui)
    thread, reports, result = waiter(ui)
    ui.cancel.set()
    thread.join(30)
    assert result == [False]
    release.set()
    running.join(30)
    assert wait_for_running(ui) is True  # nothing running: no wait


def test_a_stopped_run_says_stopped_and_what_it_kept_so_far(ui):
    apply_preset(ui, "model-free clean-up")

    def stop_after_first_step(p):
        if p.step_index >= 1:
            ui.cancel.set()

    ui.cancel.clear()
    result = ui.session.runs.start(progress=stop_after_first_step, cancel=ui.cancel)
    assert result.status == "cancelled"
    kept = result.steps[-1].kept_count
    text = run_summary(ui, result)
    assert text.startswith(f"**Run stopped** after {len(result.steps)} of 4 step(s): "
                           f"{len(result.input_ids)} images in, {kept} kept so far (after {result.steps[-1].label}).")
    assert "Not a finished dataset" in text and "in the dataset" not in text
    assert 1 <= len(result.steps) < 4
    # the Export tab and the Run tab (opened again) agree: stopped, the dataset is what was kept so far
    line = dataset_line(ui)
    assert line.startswith(f"The dataset holds **{kept} images**")
    assert f"**The last run was stopped** after {len(result.steps)} of 4 step(s)" in line
    assert line.endswith("*Build the zip* exports these images as they are.")
    assert run_state_note(ui.session).count("stopped") == 1


def test_a_finished_run_after_a_stop_has_no_stopped_note(ui):
    apply_preset(ui, "model-free clean-up")
    ui.cancel.set()
    assert ui.session.runs.start(cancel=ui.cancel).status == "cancelled"
    assert "stopped" in run_state_note(ui.session)
    ui.cancel.clear()
    assert run_pipeline(ui).status == "done"
    assert run_state_note(ui.session) == ""
    assert dataset_line(ui) == f"The dataset holds **{len(ui.session.dataset.ids())} images**; no trigger word set " \
                               "(Tags tab)."
