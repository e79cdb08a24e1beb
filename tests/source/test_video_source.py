"""VideoSource: waifuc's frame sampling and meta on PyAV, skipping of repeated frames, limits, broken files."""

from __future__ import annotations

import os

import pytest

from tests.source.video_files import can_encode, make_audio_only, make_video, truncate
from waifuc_ui.core.report import collect_report
from waifuc_ui.export import SaveExporter
from waifuc_ui.source import VideoSource
from waifuc_ui.source.video import BadVideoError, VideoLimits, probe_video


def frames(source):
    with collect_report() as report:
        items = list(source)
    return items, report


def test_interval_meta_and_names_like_waifuc(tmp_path):
    path = make_video(tmp_path / "ep01.mp4", 30, fps=10)  # 3 s
    items, report = frames(VideoSource(path))
    assert report.skipped == []
    assert [round(i.meta["time"], 3) for i in items] == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5]
    assert [i.meta["index"] for i in items] == [0, 5, 10, 15, 20, 25]
    assert [i.meta["filename"] for i in items][:2] == ["ep01_time_0.000s.png", "ep01_time_0.500s.png"]
    assert {i.meta["video_file"] for i in items} == {os.path.abspath(path)}
    assert items[0].image.size == (64, 48) and items[0].image.mode == "RGB"
    red = [i.image.getpixel((32, 24))[0] for i in items]
    assert red == sorted(red) and red[-1] - red[0] > 150  # the frames are the video's, in order


@pytest.mark.parametrize("interval, expected", [(None, 30), (0, 30), (1.0, 3), (0.25, 10)])
def test_interval_counts(tmp_path, interval, expected):
    path = make_video(tmp_path / "c.mp4", 30, fps=10)
    items, _ = frames(VideoSource(path, min_frame_interval=interval))
    assert len(items) == expected


def test_key_frames_only(tmp_path):
    path = make_video(tmp_path / "k.mp4", 30, fps=10, gop=10)  # a key frame each second
    items, _ = frames(VideoSource(path, min_frame_interval=None, key_frames_only=True))
    assert [round(i.meta["time"], 3) for i in items] == [0.0, 1.0, 2.0]
    assert [i.meta["index"] for i in items] == [0, 1, 2]  # waifuc counts the decoded (key) frames


def test_skip_similar_keeps_one_frame_per_still_scene(tmp_path):
    scenes = [(200, 30, 30)] * 12 + [(30, 200, 30)] * 8 + [(30, 30, 200)] * 10
    path = make_video(tmp_path / "s.mp4", scenes, fps=10)
    every, _ = frames(VideoSource(path, min_frame_interval=None))
    assert len(every) == 30  # off by default, as in waifuc
    seen = []
    kept, _ = frames(VideoSource(path, min_frame_interval=None, skip_similar=3.0, progress=seen.append))
    assert [round(i.meta["time"], 1) for i in kept] == [0.0, 1.2, 2.0]
    assert seen[-1].similar == 27 and seen[-1].kept == 3 and seen[-1].decoded == 30


@pytest.mark.parametrize("name, codec", [("v.webm", "libvpx-vp9"), ("v.avi", "mpeg4"), ("v.mkv", "libx264")])
def test_other_containers(tmp_path, name, codec):
    if not can_encode(codec):
        pytest.skip(f"this PyAV wheel does not encode {codec}")
    path = make_video(tmp_path / name, 20, fps=10)
    items, report = frames(VideoSource(path, min_frame_interval=0.5))
    assert report.skipped == []
    assert [round(i.meta["time"], 2) for i in items] == [0.0, 0.5, 1.0, 1.5]


def test_streamed_one_frame_at_a_time(tmp_path):
    path = make_video(tmp_path / "long.mp4", 60, fps=10)
    seen = []
    stream = iter(VideoSource(path, min_frame_interval=None, progress=seen.append))
    first = next(stream)
    assert first.meta["index"] == 0 and seen == []  # nothing decoded past the first frame yet
    next(stream)
    assert len(seen) == 1 and seen[0].decoded == 1
    assert seen[0].duration == pytest.approx(6.0, abs=0.2)
    stream.close()


def bad_files(tmp_path):
    good = make_video(tmp_path / "good.mp4", 30)
    mkv = make_video(tmp_path / "good.mkv", 30)
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video")
    return {
        "empty": (str(empty), "empty (0 bytes)"),
        "not a video": (str(text), "not a video FFmpeg can read"),
        "truncated mp4": (truncate(good, tmp_path / "cut.mp4"), "not a video FFmpeg can read"),
        "no video stream": (make_audio_only(tmp_path / "sound.mka"), "no video stream (it holds: audio)"),
        "missing": (str(tmp_path / "gone.mp4"), "file not found"),
    }, mkv


@pytest.mark.parametrize("case", ["empty", "not a video", "truncated mp4", "no video stream", "missing"])
def test_bad_video_is_refused_with_reason(tmp_path, case):
    cases, _ = bad_files(tmp_path)
    path, words = cases[case]
    with pytest.raises(BadVideoError) as err:
        probe_video(path)
    assert words in str(err.value) and str(tmp_path) not in err.value.reason  # no server path in the reason
    items, report = frames(VideoSource(path))
    assert items == []
    assert len(report.skipped) == 1 and words in report.skipped[0].reason
    assert report.skipped[0].path == os.path.abspath(path)


def test_truncated_stream_keeps_frames_before_and_says_so(tmp_path):
    whole = make_video(tmp_path / "whole.mkv", 60, fps=10)  # mkv: frames before the cut stay readable
    items, report = frames(VideoSource(truncate(whole, tmp_path / "cut.mkv", 0.5), min_frame_interval=None))
    assert 0 < len(items) < 60
    assert len(report.skipped) == 1 and "truncated" in report.skipped[0].reason
    assert f"the {len(items)} frames before" in report.skipped[0].reason


def test_bad_video_in_a_pipeline_is_a_record_not_a_crash(tmp_path):
    cases, _ = bad_files(tmp_path)
    good = make_video(tmp_path / "ok.mp4", 20)
    source = VideoSource(cases["not a video"][0]) + VideoSource(good) + VideoSource(cases["empty"][0])
    report = source.export(SaveExporter(str(tmp_path / "out"), no_meta=True))
    assert report.exported == 4
    assert sorted(os.listdir(tmp_path / "out")) == [f"ok_time_{t:.3f}s.png" for t in (0.0, 0.5, 1.0, 1.5)]
    assert [os.path.basename(s.path) for s in report.skipped] == ["notes.mp4", "empty.mp4"]


def test_limits(tmp_path):
    path = make_video(tmp_path / "l.mp4", 30, fps=10)
    items, report = frames(VideoSource(path, limits=VideoLimits(max_seconds=2)))
    assert items == [] and "lasts 3 s" in report.skipped[0].reason and "up to 2 s" in report.skipped[0].reason
    items, report = frames(VideoSource(path, limits=VideoLimits(max_frames=4)))
    assert len(items) == 4 and "stopped at 4 frames" in report.skipped[0].reason
    items, report = frames(VideoSource(path, limits=VideoLimits(max_frames=6)))
    assert len(items) == 6 and report.skipped == []  # exactly enough: no note
    items, report = frames(VideoSource(path, min_frame_interval=None, limits=VideoLimits(max_decoded=12)))
    assert len(items) == 12 and "12 decoded frames" in report.skipped[0].reason
    items, report = frames(VideoSource(path, limits=VideoLimits(max_pixels=64 * 48 - 1)))
    assert items == [] and "64x48" in report.skipped[0].reason


def test_from_directory_and_bad_option(tmp_path):
    make_video(tmp_path / "b.mp4", 10)
    make_video(tmp_path / "sub" / "a.mp4", 10)
    (tmp_path / "cover.png").write_bytes(b"x")
    names = sorted(i.meta["filename"] for i in VideoSource.from_directory(str(tmp_path)))
    assert names == ["a_time_0.000s.png", "a_time_0.500s.png", "b_time_0.000s.png", "b_time_0.500s.png"]
    assert len(list(VideoSource.from_directory(str(tmp_path), recursive=False))) == 2
    with pytest.raises(ValueError, match="min_frame_interval"):
        VideoSource("x.mp4", min_frame_interval=-1)


def test_lists_and_playlists_never_open_other_files(tmp_path):
    """An upload that is an ffconcat list or an HLS playlist would make FFmpeg open the files or URLs it names."""
    segment = make_video(tmp_path / "other" / "seg.mkv", 10)
    (tmp_path / "seg.mkv").write_bytes(open(segment, "rb").read())
    cases = {"list.mp4": "ffconcat version 1.0\nfile 'seg.mkv'\n",
             "abs.mp4": f"ffconcat version 1.0\nfile '{segment}'\n",
             "play.mp4": f"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n{segment}\n#EXT-X-ENDLIST\n"}
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
        items, report = frames(VideoSource(tmp_path / name))
        assert items == [] and len(report.skipped) == 1, name
        assert ("not a video container" in report.skipped[0].reason
                or "not a video FFmpeg can read" in report.skipped[0].reason), name
    items, report = frames(VideoSource(tmp_path / "list.mp4"))
    assert "'concat' file" in report.skipped[0].reason
