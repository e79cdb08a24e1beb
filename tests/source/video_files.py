"""Tiny videos made with PyAV itself (h264 in mp4, vp9 in webm, mpeg4 in avi), and broken ones."""

from __future__ import annotations

import os

import av
import numpy as np

CODECS = {".mp4": "libx264", ".webm": "libvpx-vp9", ".avi": "mpeg4", ".mkv": "libx264", ".mov": "libx264"}


def can_encode(codec: str) -> bool:
    try:
        av.codec.Codec(codec, "w")
        return True
    except Exception:  # any failure means: this wheel does not encode it
        return False


def make_video(path, frames: list[tuple[int, int, int]] | int = 30, fps: int = 10, size=(64, 48),
               gop: int | None = None, codec: str | None = None) -> str:
    """A video of ``frames`` solid colours (or that many frames of a changing red ramp), ``fps`` frames a second."""
    path = str(path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    colours = frames if isinstance(frames, list) else [(i * 255 // max(1, frames - 1), 40, 90) for i in range(frames)]
    codec = codec or CODECS[os.path.splitext(path)[1]]
    with av.open(path, "w") as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        if gop:
            stream.options = {"g": str(gop)}
        for colour in colours:
            pixels = np.zeros((size[1], size[0], 3), np.uint8)
            pixels[:, :] = colour
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def make_audio_only(path) -> str:
    """An audio-only file (e.g. .mka: Matroska, a video container, with an audio stream and no video)."""
    path = str(path)
    with av.open(path, "w") as container:
        stream = container.add_stream("pcm_s16le", rate=8000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 800), np.int16), format="s16", layout="mono")
        frame.sample_rate = 8000
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def truncate(src: str, dst, keep: float = 0.5) -> str:
    data = open(src, "rb").read()
    with open(dst, "wb") as f:
        f.write(data[:int(len(data) * keep)])
    return str(dst)
