"""Original bytes when nothing changed; JPEG quality for changed images; animations as a PNG still."""

import hashlib
import io

import numpy as np
from export_helpers import ListSource, listing
from PIL import Image

from waifuc_ui.action import FrameSplitAction, ProcessAction
from waifuc_ui.core.report import collect_report
from waifuc_ui.export import SaveExporter, TextualInversionExporter
from waifuc_ui.model import ImageItem
from waifuc_ui.source import LocalSource


def _noise(seed, size=(64, 48), mode="RGB"):
    arr = np.random.default_rng(seed).integers(0, 256, (size[1], size[0], len(mode)), dtype=np.uint8)
    return Image.fromarray(arr if len(mode) > 1 else arr[..., 0], mode)


def sha(data):
    return hashlib.sha256(data).hexdigest()


def jpeg_bytes(image, **kw):
    buf = io.BytesIO()
    image.save(buf, format="JPEG", **kw)
    return buf.getvalue()


class Crop(ProcessAction):
    def process(self, item):
        return item.with_image(item.image.crop((0, 0, 40, 30)))


def test_untouched_images_leave_with_their_original_bytes(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    _noise(1).save(src / "aoi_02.jpg", quality=98, subsampling=0)  # larger than a q75 re-encode
    _noise(2).save(src / "p.png", optimize=True)
    _noise(3).save(src / "w.webp", quality=90)
    out = tmp_path / "out"
    report = LocalSource(str(src)).export(TextualInversionExporter(str(out)))
    assert report.exported == 3
    for name in ("aoi_02.jpg", "p.png", "w.webp"):
        assert sha((out / name).read_bytes()) == sha((src / name).read_bytes()), name


def test_renamed_but_untouched_image_keeps_its_bytes_when_the_format_stays(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    _noise(1).save(src / "a.jpg", quality=97)
    item = next(iter(LocalSource(str(src))))
    moved = item.with_meta(filename="renamed.jpeg")  # same image object, new name
    as_png = item.with_meta(filename="converted.png")  # FileExtAction-style: the format changes
    ListSource([moved, as_png]).export(SaveExporter(str(tmp_path / "out"), no_meta=True))
    assert (tmp_path / "out/renamed.jpeg").read_bytes() == (src / "a.jpg").read_bytes()
    with Image.open(tmp_path / "out/converted.png") as png:
        assert png.format == "PNG"


def test_changed_jpeg_is_encoded_at_quality_95_by_default_and_settable(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    _noise(1).save(src / "a.jpg", quality=98)
    LocalSource(str(src)).attach(Crop()).export(TextualInversionExporter(str(tmp_path / "q95")))
    LocalSource(str(src)).attach(Crop()).export(TextualInversionExporter(str(tmp_path / "q80"), quality=80))
    cropped = Image.open(src / "a.jpg").crop((0, 0, 40, 30))
    assert (tmp_path / "q95/a.jpg").read_bytes() == jpeg_bytes(cropped, quality=95)
    assert (tmp_path / "q80/a.jpg").read_bytes() == jpeg_bytes(cropped, quality=80)
    # save_cfg (FileExtAction's quality) still wins over the default
    item = ImageItem(cropped, {"filename": "b.jpg", "save_cfg": {"quality": 60}})
    ListSource([item]).export(SaveExporter(str(tmp_path / "cfg"), no_meta=True))
    assert (tmp_path / "cfg/b.jpg").read_bytes() == jpeg_bytes(cropped, quality=60)


def _animation(path, frames=3):
    images = [Image.new("P", (30, 20), k * 40) for k in range(frames)]
    for k, im in enumerate(images):
        im.putpalette([c for v in range(256) for c in ((v * 5 + k) % 256, v, 255 - v)])
    images[0].save(path, save_all=True, append_images=images[1:], duration=100, loop=0)
    return path


def test_animated_input_leaves_as_a_first_frame_png_for_trainers(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    _animation(src / "anim.gif")
    exporter = TextualInversionExporter(str(tmp_path / "out"))
    with collect_report() as report:
        exporter.export_from(LocalSource(str(src)), report=report)
    assert listing(tmp_path / "out") == ["anim.png", "anim.txt"] and report.exported == 1
    with Image.open(tmp_path / "out/anim.png") as png, Image.open(src / "anim.gif") as gif:
        assert (png.format, getattr(png, "n_frames", 1)) == ("PNG", 1)
        assert np.array_equal(np.asarray(png.convert("RGB")), np.asarray(gif.convert("RGB")))
    assert exporter.log.stills == ["anim.png"] and exporter.log.reformatted == [("anim.gif", "anim.png")]


def test_frame_split_frames_each_leave_as_png(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    _animation(src / "anim.gif", frames=3)
    LocalSource(str(src)).attach(FrameSplitAction()).export(TextualInversionExporter(str(tmp_path / "out")))
    assert listing(tmp_path / "out") == [f"anim_frame_{k}.{e}" for k in range(3) for e in ("png", "txt")]
    with Image.open(tmp_path / "out/anim_frame_2.png") as frame, Image.open(src / "anim.gif") as gif:
        gif.seek(2)
        assert np.array_equal(np.asarray(frame.convert("RGB")), np.asarray(gif.convert("RGB")))


def test_save_exporter_keeps_frames_and_formats_as_named(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    _animation(src / "anim.gif")
    LocalSource(str(src)).export(SaveExporter(str(tmp_path / "out"), no_meta=True))
    with Image.open(tmp_path / "out/anim.gif") as gif:
        assert gif.n_frames == 3


def test_transparency_never_goes_into_jpeg_unless_asked(tmp_path):
    rgba = _noise(4, mode="RGBA")
    opaque = rgba.copy()
    opaque.putalpha(255)
    items = [ImageItem(rgba, {"filename": "t.jpg"}), ImageItem(opaque, {"filename": "o.jpg"}),
             ImageItem(rgba, {"filename": "asked.jpg", "save_cfg": {"format": "JPEG"}})]
    ListSource(items).export(SaveExporter(str(tmp_path / "out"), no_meta=True))
    assert listing(tmp_path / "out") == ["asked.jpg", "o.jpg", "t.png"]
    with Image.open(tmp_path / "out/t.png") as t:
        assert t.mode == "RGBA" and np.array_equal(np.asarray(t), np.asarray(rgba))


def test_exif_rotated_jpeg_is_encoded_upright_not_copied(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to show
    _noise(5, size=(40, 20)).save(src / "r.jpg", exif=exif.tobytes(), quality=95)
    LocalSource(str(src)).export(TextualInversionExporter(str(tmp_path / "out")))
    with Image.open(tmp_path / "out/r.jpg") as out:
        assert out.size == (20, 40)
    assert (tmp_path / "out/r.jpg").read_bytes() != (src / "r.jpg").read_bytes()
