"""The Source tab's video handling: the controls' values, progress per video, a video upload through the handler."""

from __future__ import annotations

import pytest

from tests.source.video_files import make_video
from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.source.video import VideoProgress
from waifuc_ui.source.video_upload import APP_SKIP_SIMILAR
from waifuc_ui.ui.source_tab import load_uploads
from waifuc_ui.ui.video_options import video_options, video_progress


def test_values_become_options():
    options = video_options((1.5, False, True))
    assert (options.min_frame_interval, options.key_frames_only, options.skip_similar) == (1.5, False, APP_SKIP_SIMILAR)
    every = video_options((0, True, False))
    assert (every.min_frame_interval, every.key_frames_only, every.skip_similar) == (None, True, None)
    for bad in (-1, "soon", 61):
        with pytest.raises(InvalidOptionError, match="seconds between frames"):
            video_options((bad, False, True))
    default = video_options(None)  # an API call that leaves the State unset
    assert (default.min_frame_interval, default.key_frames_only, default.skip_similar) == (0.5, False, APP_SKIP_SIMILAR)


def test_progress_is_throttled_per_video():
    calls = []
    tell = video_progress(lambda fraction, desc: calls.append((fraction, desc)), every=3600)
    for n in range(50):
        tell(VideoProgress("ep.mp4", n / 10, 10.0, n, n // 5, 2))
    tell(VideoProgress("other.mkv", 1.0, None, 1, 1, 0))
    assert calls == [(0.0, "ep.mp4: 0 s of 10 s, 0 frames, 2 near-identical skipped"),
                     (None, "other.mkv: 1 s, 1 frames")]


def test_video_upload_through_the_handler(ui, binder, tmp_path, monkeypatch):
    folder = tmp_path / "gradio-uploads"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(folder))
    video = make_video(folder / "abc" / "clip.webm", 20, fps=10)
    calls = []
    options = video_options((1.0, False, False), progress=lambda f, desc: calls.append(desc))
    view = load_uploads(ui, [video], replace=True, workspace_root=binder.guard.root, video=options)
    metas = [ui.session.record(i).meta for i in ui.session.inputs.ids]
    assert [m["filename"] for m in metas] == ["clip_time_0.000s.png", "clip_time_1.000s.png"]
    assert {m["video_file"] for m in metas} == {"clip.webm"}
    assert view.summary.startswith("**Upload of 1 file**: 2 images came in")
    assert calls and calls[0].startswith("clip.webm: 0 s of 2 s")
    for image_id in ui.session.inputs.ids:
        assert ui.session.workspace.contains(ui.session.record(image_id).file)
