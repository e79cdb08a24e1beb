"""VideoSource speed: frames from a synthetic episode-like video, against PyAV decoding every frame (the floor).

The video (made here with PyAV, h264 in mp4) has shots of a few seconds: a still picture with light noise, then a
pan. Measured in the same run, in rounds: the floor (``container.decode`` of every frame with VideoSource's decoder
settings, nothing converted), VideoSource with
waifuc's defaults (a frame every 0.5 s), with near-identical frames skipped (the app's default), and key frames
only. Each line prints seconds, frames kept and the ratio to the floor.

    /work/venv/bin/python bench/bench_video.py [--seconds 60] [--size 640x360] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import av  # noqa: E402 - after the path set-up
import numpy as np  # noqa: E402

from waifuc_ui.source.video import VideoSource  # noqa: E402
from waifuc_ui.source.video_upload import APP_SKIP_SIMILAR  # noqa: E402


def make_episode(path: str, seconds: int, width: int, height: int, fps: int = 24) -> None:
    """Shots of 4 s: 3 s of a still (noise of +-2 levels), then 1 s of a pan; a key frame every 2 s."""
    rng = np.random.default_rng(0)
    with av.open(path, "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"g": str(2 * fps), "preset": "veryfast"}
        base = None
        for n in range(seconds * fps):
            t = n / fps
            if n % (4 * fps) == 0:
                base = rng.integers(0, 256, (height // 8, width // 8, 3), dtype=np.uint8).repeat(8, 0).repeat(8, 1)
            assert base is not None
            picture = np.roll(base, int((t % 4 - 3) * 40), axis=1) if t % 4 >= 3 else base
            noisy = np.clip(picture.astype(np.int16) + rng.integers(-2, 3, picture.shape), 0, 255).astype(np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(noisy, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def floor(path: str) -> tuple[float, int]:
    start = time.perf_counter()
    with av.open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        n = sum(1 for _ in container.decode(stream))
    return time.perf_counter() - start, n


def timed(source: VideoSource) -> tuple[float, int]:
    start = time.perf_counter()
    n = sum(1 for _ in source)
    return time.perf_counter() - start, n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--size", default="640x360")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    width, height = map(int, args.size.split("x"))
    path = os.path.join(tempfile.mkdtemp(prefix="bench_video_"), "episode.mp4")
    make_episode(path, args.seconds, width, height)
    cases = {
        "floor: PyAV decodes every frame": lambda: floor(path),
        "VideoSource, a frame every 0.5 s (waifuc)": lambda: timed(VideoSource(path)),
        "... and near-identical frames skipped (app)": lambda: timed(VideoSource(path, skip_similar=APP_SKIP_SIMILAR)),
        "... key frames only": lambda: timed(VideoSource(path, None, True)),
    }
    runs: dict[str, list[tuple[float, int]]] = {name: [] for name in cases}
    for _ in range(args.repeat):  # rounds, so a busy moment of the machine touches every case alike
        for name, run in cases.items():
            runs[name].append(run())
    results = {name: (statistics.median(r[0] for r in rs), rs[0][1]) for name, rs in runs.items()}
    base = results["floor: PyAV decodes every frame"][0]
    print(f"{args.seconds} s of {width}x{height} h264 at 24 fps, median of {args.repeat} rounds")
    for name, (seconds, frames) in results.items():
        print(f"{name:48s} {seconds:6.2f} s  {frames:5d} frames  x{seconds / base:.2f} of the floor")


if __name__ == "__main__":
    main()
