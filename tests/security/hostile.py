"""Hostile uploads, built small for tests or full size for bench/bench_public_load.py.

* :func:`overlapping_zip`: one compressed body listed ``copies`` times in the central directory (same name, same
  offset): every entry unpacks the same data (the "500 entries, one body" bomb of issue 9).
* :func:`huge_png`: a WxH RGBA PNG written row by row (never held in memory here); zeros compress ~1000:1.
* :func:`long_gif`: an animated GIF of ``frames`` frames, consecutive frames different (Pillow would merge equal ones).
* :func:`low_entropy_bytes`: data that deflates about ``ratio``:1 (to build a bomb that passes a ratio check).
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from pathlib import Path

from PIL import Image


def low_entropy_bytes(size: int, ratio: int = 50, seed: int = 0) -> bytes:
    """``size`` bytes: runs of zeros with a random byte every ``ratio`` bytes (deflates roughly ``ratio``:1)."""
    rng = random.Random(seed)
    out = bytearray(size)
    for index in range(0, size, ratio):
        out[index] = rng.randrange(256)
    return bytes(out)


def overlapping_zip(path: Path, copies: int, body: bytes, name: str = "a.bmp",
                    compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A zip whose central directory lists one entry ``copies`` times (all at offset 0)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        zf.writestr(name, body)
    data = buf.getvalue()
    eocd = data.rindex(b"PK\x05\x06")
    cd_start, = struct.unpack("<L", data[eocd + 16:eocd + 20])
    central = data[cd_start:eocd] * copies
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, copies, copies, len(central), cd_start, 0)
    path.write_bytes(data[:cd_start] + central + end)
    return path


def _chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">L", len(payload)) + kind + payload + struct.pack(">L", zlib.crc32(kind + payload))


def huge_png(path: Path, width: int, height: int) -> Path:
    """A valid RGBA PNG of ``width`` x ``height`` transparent pixels, streamed to disk."""
    deflate = zlib.compressobj(9)
    row = bytes(1 + 4 * width)  # filter byte 0 + pixels
    with open(path, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">2L5B", width, height, 8, 6, 0, 0, 0)))
        pending = bytearray()
        for _ in range(height):
            pending += deflate.compress(row)
            if len(pending) > 1 << 16:
                out.write(_chunk(b"IDAT", bytes(pending)))
                pending.clear()
        pending += deflate.flush()
        out.write(_chunk(b"IDAT", bytes(pending)) + _chunk(b"IEND", b""))
    return path


def long_gif(path: Path, frames: int, size: int = 64) -> Path:
    """An animated GIF of ``frames`` frames (a moving square on grey)."""
    images = []
    for index in range(frames):
        image = Image.new("P", (size, size), 0)
        image.putpalette([128, 128, 128, 255, 0, 0, 0, 0, 255] + [0] * (256 * 3 - 9))
        x = index % (size - 8)
        image.paste(1 + index % 2, (x, x // 2, x + 8, x // 2 + 8))
        images.append(image)
    images[0].save(path, save_all=True, append_images=images[1:], duration=40, loop=0, optimize=False)
    return path


def ordinary_jpeg(path: Path, index: int, size: tuple = (640, 480)) -> Path:
    """A photo-like JPEG (gradient plus noise, different per ``index``)."""
    rng = random.Random(index)
    base = Image.linear_gradient("L").resize(size).convert("RGB")
    tint = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    noise = Image.effect_noise(size, 40).convert("RGB")
    Image.blend(Image.blend(base, tint, 0.5), noise, 0.2).save(path, "JPEG", quality=88)
    return path
