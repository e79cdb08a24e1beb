"""Uploaded videos become frames: options, names the visitor knows, refusals, and the public quotas."""

from __future__ import annotations

import zipfile

import pytest
from PIL import Image

from tests.source.video_files import make_video
from waifuc_ui.core.report import collect_report
from waifuc_ui.session.quota import QuotaLedger, Quotas
from waifuc_ui.source import UploadSource
from waifuc_ui.source.upload import UploadAllowance
from waifuc_ui.source.video import VideoLimits
from waifuc_ui.source.video_upload import APP_SKIP_SIMILAR, VideoOptions


def sent(tmp_path):
    """What a browser sends: a video, an image and a broken 'video', each in its own folder as gradio does."""
    video = make_video(tmp_path / "sent" / "1" / "ep 01.mp4", 30, fps=10)
    image = tmp_path / "sent" / "2" / "cover.png"
    image.parent.mkdir(parents=True)
    Image.new("RGB", (8, 8), "red").save(image)
    broken = tmp_path / "sent" / "3" / "broken.webm"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"\x1aE\xdf\xa3 not really a webm")
    return [video, str(image), str(broken)]


def run(source):
    with collect_report() as report:
        items = list(source)
    return items, report


def test_video_frames_come_in_with_the_upload(tmp_path):
    source = UploadSource(sent(tmp_path), str(tmp_path / "work"))
    items, report = run(source)
    assert [i.meta["filename"] for i in items] == ["cover.png"] + [f"ep 01_time_{t:.3f}s.png"
                                                                   for t in (0.0, 0.5, 1.0, 1.5, 2.0, 2.5)]
    frame = items[1]
    assert frame.meta["video_file"] == "ep 01.mp4"  # the name the visitor knows, no server path
    assert frame.meta["group_id"] == "video_ep_01_mp4" and "path" not in frame.meta
    assert frame.source_file is None and frame.image.size == (64, 48)
    assert [(s.path, "not a video FFmpeg can read" in s.reason) for s in report.skipped] == [("broken.webm", True)]
    inspection = source.inspect()
    assert inspection.images[1] == "ep 01.mp4/ep 01_time_0.000s.png" and len(inspection.images) == 7


def test_options_reach_the_decoder(tmp_path):
    scenes = [(200, 30, 30)] * 15 + [(30, 200, 30)] * 15
    video = make_video(tmp_path / "sent" / "s.mkv", scenes, fps=10, gop=10)
    seen = []
    options = VideoOptions(min_frame_interval=0.2, skip_similar=APP_SKIP_SIMILAR, progress=seen.append)
    items, _ = run(UploadSource([video], str(tmp_path / "w1"), video=options))
    assert [round(i.meta["time"], 1) for i in items] == [0.0, 1.6]  # samples every 0.2 s; the cut is at 1.5 s
    assert seen[-1].name == "s.mkv" and seen[-1].kept == 2 and seen[-1].similar > 0
    assert seen[-1].fraction() > 0.9
    keys, _ = run(UploadSource([video], str(tmp_path / "w2"), video=VideoOptions(None, key_frames_only=True)))
    assert [round(i.meta["time"], 1) for i in keys] == [0.0, 1.0, 2.0]
    assert options.describe() == "a frame every 0.2 s, near-identical frames skipped"
    assert VideoOptions(None, True).describe() == "key frames"


def test_video_inside_a_zip(tmp_path):
    video = make_video(tmp_path / "v.mp4", 10, fps=10)
    archive = tmp_path / "sent" / "pack.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(video, "clips/v.mp4")
    items, report = run(UploadSource([str(archive)], str(tmp_path / "work")))
    assert [i.meta["filename"] for i in items] == ["v_time_0.000s.png", "v_time_0.500s.png"]
    assert items[0].meta["video_file"] == "pack.zip/clips/v.mp4" and report.skipped == []


def test_session_image_and_disk_quotas_count_frames(tmp_path):
    paths = sent(tmp_path)
    allowance = UploadAllowance(images=4, images_total=4)
    items, report = run(UploadSource(paths, str(tmp_path / "w1"), allowance=allowance))
    assert len(items) == 4 and allowance.used_images == 4  # the image + 3 frames
    reasons = {s.path: s.reason for s in report.skipped}
    assert "this session reached its limit of 4 images" in reasons["ep 01.mp4"]
    allowance = UploadAllowance(disk_bytes=sum(len(open(p, "rb").read()) for p in paths) + 2 * 64 * 48 * 3)
    items, report = run(UploadSource(paths, str(tmp_path / "w2"), allowance=allowance))
    assert len(items) == 3 and "disk quota" in {s.path: s.reason for s in report.skipped}["ep 01.mp4"]


def test_public_quotas_bound_video_length(tmp_path):
    quotas = Quotas.public()
    assert (quotas.video_seconds, quotas.video_decoded_frames) == (1800, 65_000)
    ledger = QuotaLedger(Quotas(video_seconds=2, video_decoded_frames=10))
    with ledger.upload() as options:
        assert options["video_limits"] == VideoLimits(2, 10, None, Quotas().max_pixels)
        items, report = run(UploadSource(sent(tmp_path), str(tmp_path / "work"), **options))
    assert [i.meta["filename"] for i in items] == ["cover.png"]
    reason = {s.path: s.reason for s in report.skipped}["ep 01.mp4"]
    assert "lasts 3 s" in reason and "up to 2 s" in reason and "ffmpeg" in reason
    assert ledger.images == 1


def test_session_video_seconds_span_uploads(tmp_path):
    """A session may decode so many seconds of video in all: the second 3 s video after 4 s are left is refused
    before decoding, with the seconds left and the fix; the ledger counts what was decoded."""
    ledger = QuotaLedger(Quotas(session_video_seconds=5))
    first = make_video(tmp_path / "a" / "one.mp4", 30, fps=10)  # 3 s
    second = make_video(tmp_path / "b" / "two.mp4", 30, fps=10)
    with ledger.upload() as options:
        items, report = run(UploadSource([first], str(tmp_path / "w1"), **options))
    assert len(items) == 6 and report.skipped == [] and round(ledger.video_seconds, 1) == 3.0
    with ledger.upload() as options:
        assert options["allowance"].video_seconds_left() == pytest.approx(2.0, abs=0.05)
        items, report = run(UploadSource([second], str(tmp_path / "w2"), **options))
    reason = {s.path: s.reason for s in report.skipped}["two.mp4"]
    assert items == [] and "lasts 3 s" in reason and "2 s of video left (of 5 s)" in reason and "ffmpeg" in reason
    assert round(ledger.video_seconds, 1) == 3.0  # nothing decoded, nothing charged
    assert ledger.summary().endswith("video 3 s of 5 s")
    ledger.video_seconds = 5.0
    with ledger.upload() as options:
        items, report = run(UploadSource([second], str(tmp_path / "w3"), **options))
    assert items == [] and "has decoded its 5 s of uploaded video" in report.skipped[0].reason


def test_a_video_stopped_by_the_image_quota_is_charged_up_to_where_it_stopped(tmp_path):
    video = make_video(tmp_path / "sent" / "long.mp4", 50, fps=10)  # 5 s: frames at 0, 0.5, ... 4.5
    allowance = UploadAllowance(images=3, images_total=3, video_seconds=100)
    items, _ = run(UploadSource([video], str(tmp_path / "w"), allowance=allowance))
    assert len(items) == 3 and allowance.used_video_seconds == pytest.approx(1.5)
