"""The Pipeline and Run tabs' handlers with the Hub a local server (tests/inference/hubserver.py) and nothing cached:
sizes before the run, download progress in the Run tab's progress text, and edits that never download."""


from waifuc_ui.ui.pipeline_edits import add_step, apply_preset, set_param, update_last_run
from waifuc_ui.ui.pipeline_model_notes import pipeline_status
from waifuc_ui.ui.run_tab import run_pipeline, run_summary

FACE = "deepghs/anime_face_detection/face_detect_v1.4_s/model.onnx"
FACE_N = "face_detect_v1.4_n/model.onnx"


def test_sizes_first_then_the_run_downloads_with_progress_and_edits_never_download(ui, live_hub, model_source):
    live_hub.add_cache(model_source)
    face_s = live_hub.files[("models/deepghs/anime_face_detection", "face_detect_v1.4_s/model.onnx")]
    live_hub.add("deepghs/anime_face_detection", FACE_N, face_s)  # another level, on the Hub only
    size = len(live_hub.files[("models/deepghs/anime_face_detection", "face_detect_v1.4_s/model.onnx")])
    apply_preset(ui, "model-free clean-up")
    uid = add_step(ui, "FaceCountAction")
    text = pipeline_status(ui)
    assert f"**1 model file(s), {size / 1e3:.1f} KB, will be downloaded from the Hub when you press Run**" in text
    assert f"- **5. FaceCountAction**: `{FACE}` ({size / 1e3:.1f} KB)" in text
    assert live_hub.count("GET", "/resolve/") == 0

    seen = []
    result = run_pipeline(ui, lambda frac, text: seen.append((frac, text)))
    assert result.status == "done" and result.steps[-1].status == "done", result.steps[-1].message
    downloads = [t for _, t in seen if t.startswith("Downloading model file")]
    steps = [t for _, t in seen if t.startswith("Step ")]
    assert downloads and steps
    assert [t for _, t in seen].index(steps[0]) > [t for _, t in seen].index(downloads[-1])
    assert any(f"· {FACE} · {size / 1e3:.1f} KB of {size / 1e3:.1f} KB · " in t for t in downloads)
    assert all(0.0 <= f <= 1.0 for f, t in seen if t in downloads and f is not None)
    summary = run_summary(ui, result, ui.session.runs.models.last)
    assert "Downloaded 1 model file(s) (0.5 KB)" in summary
    assert pipeline_status(ui) == "All models needed by the 1 model-backed step(s) are available."

    # an edit that needs another model: the live re-run skips the step instead of downloading inside the edit
    set_param(ui, uid, "level", "n")
    before = live_hub.count("GET", "/resolve/")
    line = update_last_run(ui, True)
    assert line.startswith("Run updated (done)") and live_hub.count("GET", "/resolve/") == before
    assert ui.session.runs.last.steps[-1].status == "unavailable"
    assert f"deepghs/anime_face_detection/{FACE_N}" in ui.session.runs.last.steps[-1].message
    assert "Run downloads them first" in ui.session.runs.last.steps[-1].message
    assert "will be downloaded from the Hub when you press Run" in pipeline_status(ui)
