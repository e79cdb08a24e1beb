import json
import os
import threading

import pytest

import waifuc_ui.session.store as store_module
from waifuc_ui.action import AnalyzedFilterAction, FilterAction, Verdict
from waifuc_ui.inference import HubFile
from waifuc_ui.pipeline import action_catalog
from waifuc_ui.session import Session, StepStatus, Workspace, persistence


def names(session, ids):
    return [session.record(i).meta["filename"] for i in ids]


def test_ingest_folder_records_ids_thumbs_and_refusals(session):
    assert session.inputs.ids == ["in00001", "in00002", "in00003", "in00004", "in00005"]
    assert names(session, session.inputs.ids) == ["a.png", "b.png", "c.png", "d.png", "e.png"]
    assert [(r.path.rsplit("/", 1)[-1], r.reason) for r in session.inputs.refused] == \
        [("bad.png", "not an image (unrecognised format)")]
    rec = session.record("in00004")
    assert (rec.width, rec.height, rec.mode) == (1200, 900, "RGB")
    assert rec.file.startswith(session.workspace.subdir("inputs")) and rec.file.endswith(".png")
    assert session.record("in00001").content_hash == session.record("in00003").content_hash
    assert session.record("in00001").content_hash != session.record("in00002").content_hash
    from PIL import Image
    with Image.open(rec.thumb) as th:
        assert th.format == "WEBP" and th.size == (256, 192)


def test_folder_ingest_refused_in_public_mode(registry, image_dir):
    registry.public_mode = True
    s = registry.create()
    with pytest.raises(ValueError, match="disabled in public mode"):
        s.inputs.add_folder(image_dir)
    from waifuc_ui.source import LocalSource
    with pytest.raises(ValueError, match="disabled in public mode"):
        s.inputs.add_source(LocalSource(image_dir))
    assert s.inputs.ids == []


def test_model_free_preset_run_exact_outcome(session):
    session.pipeline.load_preset("model-free clean-up")
    run = session.runs.start()
    assert run.status == "done"
    rows = [(r["step"], r["input"], r["kept"], r["dropped"]) for r in session.runs.counts()]
    assert rows == [("1. ModeConvertAction", 5, 5, 0), ("2. MinSizeFilterAction", 5, 4, 1),
                    ("3. HashDedupAction", 4, 3, 1), ("4. AlignMinSizeAction", 3, 3, 0)]
    size_step, dedup_step, align_step = run.steps[1], run.steps[2], run.steps[3]
    assert list(size_step.dropped) == ["in00002"]
    assert size_step.dropped["in00002"].score == 80 and size_step.dropped["in00002"].threshold == 256
    assert list(dedup_step.dropped) == ["in00003"] and dedup_step.dropped["in00003"].duplicate_of == "a.png"
    final = session.dataset.ids()
    assert final[0] == "in00001" and final[2] == "in00005"
    resized = session.record(final[1])
    assert resized.id.startswith("d") and resized.parent_id == "in00004" and resized.origin == align_step.uid
    assert (resized.width, resized.height) == (1066, 800)  # waifuc truncates: int(1200 * 800 / 900)
    assert resized.file.startswith(session.workspace.subdir("derived"))
    assert session.runs.drop_info("in00003") == [{"uid": dedup_step.uid, "step": "3. HashDedupAction",
                                             "reason": dedup_step.dropped["in00003"].reason, "score": 0,
                                             "threshold": dedup_step.dropped["in00003"].threshold,
                                             "duplicate_of": "a.png"}]


def test_rerun_after_param_change_recomputes_only_that_step(session, monkeypatch):
    session.pipeline.load_preset("model-free clean-up")
    first = session.runs.start()
    derived_before = first.steps[3].output_ids[1]
    decoded = []
    real_open = store_module.open_file
    monkeypatch.setattr(store_module, "open_file", lambda p: decoded.append(p) or real_open(p))
    second = session.runs.start()
    assert [s.computed for s in second.steps] == [0, 0, 0, 0] and decoded == []
    assert second.output_ids() == first.output_ids()
    uid = session.pipeline.recipe.steps[3].uid
    session.pipeline.update_step(uid, params={"min_size": 850})
    third = session.runs.start()
    assert [s.computed for s in third.steps] == [0, 0, 0, 3]
    assert len(decoded) == 3  # only the items entering the changed step
    new_id = third.steps[3].output_ids[1]
    assert new_id != derived_before and session.record(new_id).size == (1133, 850)
    session.pipeline.update_step(uid, params={"min_size": 800})
    assert session.runs.start().steps[3].output_ids[1] == derived_before  # deterministic derived ids


def test_restore_and_drop_by_hand_persist_across_runs(session):
    session.pipeline.load_preset("model-free clean-up")
    session.runs.start()
    size_uid = session.pipeline.recipe.steps[1].uid
    session.pipeline.restore(size_uid, "in00002")
    session.pipeline.drop_by_hand(size_uid, "in00005")
    run = session.runs.start()
    step = run.steps[1]
    assert step.output_ids == ["in00001", "in00002", "in00003", "in00004"]
    assert step.forced_keep == ["in00002"] and step.forced_drop == ["in00005"]
    assert step.dropped["in00005"].reason == "dropped by hand"
    session.pipeline.update_step(size_uid, params={"min_size": 300})  # still applied after a parameter change
    run = session.runs.start()
    assert run.steps[1].output_ids == ["in00001", "in00002", "in00003", "in00004"]
    session.pipeline.undo_decision(size_uid, "in00002")
    assert "in00002" not in session.runs.start().steps[1].output_ids


def test_progress_and_cancel_leave_session_consistent(session):
    session.pipeline.load_preset("model-free clean-up")
    seen = []
    cancel = threading.Event()

    def progress(p):
        seen.append((p.step_index, p.step_name, p.done, p.total))
        if p.step_index == 1 and p.done == 2:
            cancel.set()

    run = session.runs.start(progress=progress, cancel=cancel)
    assert run.status == "cancelled" and run.message == "stopped during 2. MinSizeFilterAction"
    assert [s.label for s in run.steps] == ["1. ModeConvertAction"]
    assert seen[0] == (0, "1. ModeConvertAction", 0, 5) and (0, "1. ModeConvertAction", 5, 5) in seen
    assert session.dataset.ids() == run.steps[0].output_ids
    full = session.runs.start()  # usable again, and step 1 comes from the memo
    assert full.status == "done" and full.steps[0].computed == 0 and len(full.steps) == 4


class NeedsModelFilter(FilterAction):
    """A filter whose model is not on this machine."""

    def required_files(self):
        return [HubFile("nobody/missing-model", "model.onnx")]

    def check(self, item):
        raise AssertionError("must not run without its model")


class ExplodingFilter(FilterAction):
    """Raises on blue images (a bug or an unreadable image); keeps the others. Declared per-item, so the
    runner may isolate the bad item."""

    per_item = True

    def check(self, item):
        if item.image.getpixel((0, 0)) == (20, 20, 220):
            raise RuntimeError("boom")
        return Verdict(True)


class CountingExplodingFilter(ExplodingFilter):
    """ExplodingFilter that notes every item it checks (class-level: the runner works on copies)."""

    per_item = True
    seen: list = []

    def check(self, item):
        type(self).seen.append(item.meta["item_id"])
        return super().check(item)


BLUE = (20, 20, 220)


class BlueRefusingModelFilter(AnalyzedFilterAction):
    """A model-backed filter whose "model" refuses any batch holding the blue image; keeps everything else."""

    per_item = True
    batches: list = []

    def analysis_key(self):
        return {"func": "test_blue_refusing_model"}

    def analyze(self, images):
        type(self).batches.append(["blue" if im.convert("RGB").getpixel((0, 0)) == BLUE else "other"
                                   for im in images])
        if any(im.convert("RGB").getpixel((0, 0)) == BLUE for im in images):
            raise RuntimeError("model refuses")
        return [{"ok": 1.0} for _ in images]

    def verdict(self, item, analysis):
        return Verdict(True)


class BrokenDecisionFilter(BlueRefusingModelFilter):
    """Its model takes every image, but its decision breaks on the blue one (a bug in the step itself)."""

    per_item = True

    def analysis_key(self):
        return {"func": "test_broken_decision"}

    def analyze(self, images):
        return [{"blue": im.convert("RGB").getpixel((0, 0)) == BLUE} for im in images]

    def verdict(self, item, analysis):
        if analysis["blue"]:
            raise RuntimeError("decision bug")
        return Verdict(True)


def custom_session(registry, image_dir):
    classes = {n: s.cls for n, s in action_catalog().items()}
    classes.update(NeedsModelFilter=NeedsModelFilter, ExplodingFilter=ExplodingFilter,
                   CountingExplodingFilter=CountingExplodingFilter, BlueRefusingModelFilter=BlueRefusingModelFilter,
                   BrokenDecisionFilter=BrokenDecisionFilter)
    s = Session(Workspace(registry.workspaces.root), catalog=action_catalog(classes))
    s.inputs.add_folder(image_dir)
    return s


def test_unavailable_model_step_is_reported_and_skipped(registry, image_dir):
    s = custom_session(registry, image_dir)
    s.pipeline.add_step("ModeConvertAction")
    uid = s.pipeline.add_step("NeedsModelFilter")
    s.pipeline.add_step("MinSizeFilterAction", {"min_size": 256})
    report = s.runs.model_report()
    assert list(report) == [uid] and report[uid].needs_models and not report[uid].available
    assert report[uid].fix
    run = s.runs.start()
    assert run.status == "done" and list(run.unavailable) == [uid]
    assert [st.status for st in run.steps] == ["done", "unavailable", "done"]
    assert run.steps[1].output_ids == run.steps[1].input_ids
    for text in (report[uid].fix, run.steps[1].message):  # before the run and after its download attempt
        assert "HF_HUB_OFFLINE is set" in text and "`hf download nobody/missing-model model.onnx`" in text
    assert len(s.dataset.ids()) == 4
    s.close()


def test_an_item_that_breaks_an_action_is_dropped_with_the_error(registry, image_dir):
    s = custom_session(registry, image_dir)
    s.pipeline.add_step("ExplodingFilter")
    run = s.runs.start()
    assert run.status == "done" and run.steps[0].output_ids == ["in00001", "in00003", "in00004", "in00005"]
    assert run.steps[0].dropped["in00002"].reason == "error in ExplodingFilter: RuntimeError: boom"
    s.close()


def test_a_plain_step_sees_each_item_once_even_when_one_breaks(registry, image_dir, monkeypatch):
    """Items of a per-item step without the analysis engine each go through their own stream: the bad one becomes
    its drop, and no item is run twice (nothing is retried)."""
    monkeypatch.setattr(CountingExplodingFilter, "seen", [])
    s = custom_session(registry, image_dir)
    s.pipeline.add_step("CountingExplodingFilter")
    run = s.runs.start()
    assert CountingExplodingFilter.seen == ["in00001", "in00002", "in00003", "in00004", "in00005"]
    assert run.steps[0].dropped["in00002"].reason == "error in CountingExplodingFilter: RuntimeError: boom"
    s.close()


def test_a_model_step_is_streamed_once_and_its_engine_isolates_the_refused_image(registry, image_dir, monkeypatch):
    """The engine retries a refused batch image by image; the runner adds no retry of its own around it."""
    monkeypatch.setattr(BlueRefusingModelFilter, "batches", [])
    s = custom_session(registry, image_dir)
    s.pipeline.add_step("BlueRefusingModelFilter")
    run = s.runs.start()
    assert run.status == StepStatus.DONE
    assert run.steps[0].output_ids == ["in00001", "in00003", "in00004", "in00005"]
    assert run.steps[0].dropped["in00002"].reason == \
        "the model could not take this image: RuntimeError: model refuses"
    batches = BlueRefusingModelFilter.batches
    refused = [n for n, batch in enumerate(batches) if "blue" in batch]
    assert len(batches[refused[0]]) > 1 and batches[refused[1]] == ["blue"]  # in its batch, then alone: no more
    assert len(refused) == 2 and sum(len(b) for b in batches) == 4 + len(batches[refused[0]])  # 4 distinct images
    s.close()


def test_an_error_in_a_model_steps_decision_fails_the_run(registry, image_dir):
    """Outside the model call, an error of an engine-backed step is the step's own (a bug): the run stops there with
    the reason, as for stream-dependent steps, instead of being retried item by item."""
    s = custom_session(registry, image_dir)
    s.pipeline.add_step("BrokenDecisionFilter")
    run = s.runs.start()
    assert run.status == StepStatus.FAILED and run.steps[0].status == StepStatus.FAILED
    assert run.message == "1. BrokenDecisionFilter failed: RuntimeError: decision bug"
    s.close()


def test_statuses_are_one_enum_saved_as_their_values(registry, image_dir):
    s = custom_session(registry, image_dir)
    s.pipeline.add_step("NeedsModelFilter")
    s.pipeline.add_step("ExplodingFilter")
    run = s.runs.start()
    assert [type(st.status) for st in run.steps] == [StepStatus, StepStatus] and type(run.status) is StepStatus
    assert [st.status for st in run.steps] == [StepStatus.UNAVAILABLE, StepStatus.DONE]
    assert s.runs.counts()[0]["status"] == "unavailable"  # a str: compares and prints as its value
    s.save()
    with open(os.path.join(s.workspace.dir, persistence.RUN_FILE), encoding="utf-8") as fh:
        saved = json.load(fh)["run"]
    assert saved["status"] == "done" and [st["status"] for st in saved["steps"]] == ["unavailable", "done"]
    again = Session.load(s.workspace, catalog=s.catalog)
    assert [st.status for st in again.runs.last.steps] == [StepStatus.UNAVAILABLE, StepStatus.DONE]
    assert type(again.runs.last.steps[0].status) is StepStatus and again.runs.last.status is StepStatus.DONE
    s.close()


def test_second_concurrent_run_is_refused(session):
    session.pipeline.add_step("ModeConvertAction")
    assert session.runs.lock.acquire()
    try:
        with pytest.raises(ValueError, match="wait for the current run"):
            session.runs.start()
    finally:
        session.runs.lock.release()


def test_is_stale_tracks_recipe_decisions_and_inputs(session, image_dir):
    assert session.runs.is_stale
    uid = session.pipeline.add_step("MinSizeFilterAction", {"min_size": 256})
    session.runs.start()
    assert not session.runs.is_stale
    session.pipeline.update_step(uid, params={"min_size": 300})
    assert session.runs.is_stale
    session.runs.start()
    session.pipeline.restore(uid, "in00002")
    assert session.runs.is_stale
    session.runs.start()
    assert not session.runs.is_stale
    session.inputs.add_folder(image_dir)
    assert session.runs.is_stale and len(session.inputs.ids) == 10


def test_memo_is_bounded_and_evicts_oldest(session):
    from waifuc_ui.session.runner import StepMemo

    session.runs.runner.memo = StepMemo(max_items=6, max_streams=1)
    uid = session.pipeline.add_step("MinSizeFilterAction", {"min_size": 256})
    session.pipeline.add_step("HashDedupAction")
    session.runs.start()
    memo = session.runs.runner.memo
    assert len(memo.per_item) == 5 and len(memo.stream) == 1
    session.pipeline.update_step(uid, params={"min_size": 300})
    session.runs.start()
    assert len(memo.per_item) == 6 and len(memo.stream) == 1
    assert all(key[0] == session.pipeline.recipe.steps[0].config_key for key in list(memo.per_item)[1:])


def test_is_running_is_true_only_during_a_run(session):
    """Stop asks it: after the run ended, Stop leaves the run's result on the page."""
    session.pipeline.load_preset("model-free clean-up")
    seen = []
    session.runs.start(progress=lambda p: seen.append(session.runs.is_running))
    assert seen and all(seen) and not session.runs.is_running
