"""Models arrive visibly: the status of a recipe reads sizes from the Hub without downloading; the run downloads
first, with progress and Stop; a stalled transfer skips its steps with the fix; sessions share one transfer.
The Hub is a local server speaking its file API (tests/inference/hubserver.py); the real client code runs."""

import threading

import pytest
from PIL import Image

from tests.fakehub import BLUE, RED
from waifuc_ui.inference.download import Downloader, DownloadProgress
from waifuc_ui.inference.hub import HubFile, is_local
from waifuc_ui.session import SessionRegistry
from waifuc_ui.session.runner import RunProgress

FACE = HubFile("deepghs/anime_face_detection", "face_detect_v1.4_s/model.onnx")


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "colours"
    path.mkdir()
    for n, colour in enumerate([RED, BLUE, RED]):
        Image.new("RGB", (96 + n, 64), colour).save(path / f"img{n}.png")
    return str(path)


def make_registry(tmp_path, **downloader_kw):
    return SessionRegistry(str(tmp_path / "ws"), cache_dir=str(tmp_path / "analysis"),
                           downloader=Downloader(**downloader_kw))


def size_by_name(server, name):
    """Size of the served file 'owner/repo/path' (model or dataset repo)."""
    owner, repo, path = name.split("/", 2)
    data = server.files.get((f"models/{owner}/{repo}", path)) or server.files[(f"datasets/{owner}/{repo}", path)]
    return len(data)


def served_size(server, files):
    return sum(len(server.files[(f"{f.repo_type}s/{f.repo_id}", f.filename)]) for f in files)


def test_choosing_the_character_preset_downloads_nothing_and_tells_the_sizes(tmp_path, live_hub, model_source):
    live_hub.add_cache(model_source)
    reg = SessionRegistry(str(tmp_path / "ws"), cache_dir=str(tmp_path / "analysis"))  # as the app makes it
    s = reg.create()
    s.pipeline.load_preset("character LoRA")
    report = s.runs.model_report()
    assert live_hub.count("GET", "/resolve/") == 0  # sizes come from HEAD requests only
    assert live_hub.count("HEAD", "/resolve/") > 5
    assert len(report) == 10 and all(st.download and not st.available for st in report.values())
    for uid, st in report.items():
        assert st.download_bytes == sum(size_by_name(live_hub, n) for n in st.missing) > 0, uid
        assert st.missing_sizes == tuple(size_by_name(live_hub, n) for n in st.missing)
    names = {n for st in report.values() for n in st.missing}
    assert "deepghs/ccip_onnx/ccip-caformer-24-randaug-pruned/model_feat.onnx" in names and len(names) >= 8
    assert live_hub.count("HEAD", "/resolve/") == len(names)  # each file asked once, even when two steps share it
    reg.close_all()


def test_run_downloads_first_with_progress_then_processes(tmp_path, live_hub, model_source, folder):
    live_hub.add_cache(model_source)
    reg = make_registry(tmp_path)
    s = reg.create()
    s.inputs.add_folder(folder)
    uid = s.pipeline.add_step("FaceCountAction", {"counts": [1]})
    assert s.runs.model_report()[uid].download
    events = []
    run = s.runs.start(progress=events.append, download_progress=events.append)
    assert run.status == "done" and run.steps[0].status == "done", run.steps[0].message
    assert run.steps[0].output_ids == ["in00001", "in00003"]  # the downloaded detector sees faces on red
    kinds = [type(e) for e in events]
    assert kinds.index(RunProgress) > kinds.index(DownloadProgress)
    assert DownloadProgress not in kinds[kinds.index(RunProgress):]  # all downloads before any processing
    model = [e for e in events if isinstance(e, DownloadProgress) and e.file == str(FACE)]
    assert model[-1].done == model[-1].total == served_size(live_hub, [FACE])
    assert live_hub.count("GET", FACE.filename) == 1 and is_local(FACE)
    assert s.runs.models.last.fetched == [FACE] and "Downloaded 1 model file(s)" in s.runs.models.last.summary()
    # the detector's optional files were asked before the run (absent on this Hub), not while processing
    assert live_hub.count("HEAD", "face_detect_v1.4_s/threshold.json") == 1
    before = len(live_hub.requests)
    s.pipeline.update_step(uid, params={"conf_threshold": 0.95})
    assert s.runs.start().steps[0].output_ids == [] and len(live_hub.requests) == before  # all local now
    reg.close_all()


def test_stop_during_the_download_cancels_the_run(tmp_path, live_hub, model_source, folder):
    live_hub.add_cache(model_source)
    live_hub.behave(FACE.filename, "trickle", after=50, delay=0.05)
    reg = make_registry(tmp_path, stall_window=60.0, min_rate=1)
    s = reg.create()
    s.inputs.add_folder(folder)
    s.pipeline.add_step("FaceCountAction", {"counts": [1]})
    cancel = threading.Event()
    run = s.runs.start(cancel=cancel, download_progress=lambda p: cancel.set())
    assert run.status == "cancelled" and run.message == "stopped while downloading the models" and run.steps == []
    assert not is_local(FACE) and s.runs.models.last.cancelled
    reg.close_all()


def test_stalled_download_skips_its_step_with_the_fix(tmp_path, live_hub, model_source, folder):
    live_hub.add_cache(model_source)
    live_hub.behave(FACE.filename, "stall", after=50)
    reg = make_registry(tmp_path, stall_window=1.0)
    s = reg.create()
    s.inputs.add_folder(folder)
    s.pipeline.add_step("ModeConvertAction")
    uid = s.pipeline.add_step("FaceCountAction", {"counts": [1]})
    run = s.runs.start()
    assert run.status == "done" and [st.status for st in run.steps] == ["done", "unavailable"]
    message = run.steps[1].message
    assert "no useful progress (under 1 KB/s for 1 s" in message
    assert "`hf download deepghs/anime_face_detection face_detect_v1.4_s/model.onnx`" in message
    assert run.unavailable[uid].fix == message and len(s.dataset.ids()) == 3
    assert "could not be downloaded" in s.runs.models.last.summary()
    reg.close_all()


def test_two_sessions_share_one_transfer(tmp_path, live_hub, model_source, folder):
    live_hub.add_cache(model_source)
    live_hub.behave(FACE.filename, "slow", chunk=20, delay=0.03)
    reg = make_registry(tmp_path)
    sessions = [reg.create(), reg.create()]
    seen = {0: [], 1: []}
    runs = {}

    def go(n):
        sessions[n].inputs.add_folder(folder)
        sessions[n].pipeline.add_step("FaceCountAction", {"counts": [1]})
        runs[n] = sessions[n].runs.start(download_progress=seen[n].append)
    threads = [threading.Thread(target=go, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert runs[0].steps[0].output_ids == runs[1].steps[0].output_ids == ["in00001", "in00003"]
    assert live_hub.count("GET", FACE.filename) == 1
    for n in (0, 1):
        face = [p.done for p in seen[n] if p.file == str(FACE)]
        assert face and face[-1] == served_size(live_hub, [FACE])
    reg.close_all()


def test_a_model_name_that_leaves_the_repository_is_refused_without_any_request(tmp_path, live_hub, folder):
    live_hub.add("deepghs/monochrome_detect", "m/model.onnx", b"x")
    reg = make_registry(tmp_path)
    s = reg.create()
    s.inputs.add_folder(folder)
    uid = s.pipeline.add_step("NoMonochromeAction", {"model_name": "../../../../etc"})
    status = s.runs.model_report()[uid]
    assert not status.will_run and 'never ".." or an absolute path' in status.fix
    run = s.runs.start()
    assert run.steps[0].status == "unavailable" and len(s.dataset.ids()) == 3
    assert not [r for r in live_hub.requests if "/resolve/" in r[1]]
    reg.close_all()
