import io
import os
import threading
import zipfile

import pytest
from PIL import Image

from waifuc_ui.core.errors import SourceError
from waifuc_ui.core.report import report_skip
from waifuc_ui.model import ImageItem
from waifuc_ui.session.ingest import default_demo_dir


class FlakySite:
    """Yields two images, refuses one, then fails like a site that starts refusing the crawl."""

    def __iter__(self):
        yield ImageItem(Image.new("RGB", (32, 32), "red"), {"filename": "site_1.png", "tags": {"a": 1.0}})
        report_skip("https://example/2.png", "not an image")
        yield ImageItem(Image.new("RGB", (32, 32), "blue"), {"filename": "site_3.png"})
        raise SourceError("HTTP 403: Cloudflare challenge; try later")


def test_add_source_keeps_items_before_a_source_error(registry):
    s = registry.create()
    res = s.inputs.add_source(FlakySite())
    assert res.ids == ["in00001", "in00002"] and s.inputs.ids == ["in00001", "in00002"]
    assert [(r.path, r.reason) for r in res.refused] == [("https://example/2.png", "not an image")]
    assert res.error == "HTTP 403: Cloudflare challenge; try later"
    assert res.summary() == ("2 images came in, 1 files refused; the source stopped: "
                             "HTTP 403: Cloudflare challenge; try later")
    rec = s.record("in00001")
    assert rec.meta == {"filename": "site_1.png", "tags": {"a": 1.0}}
    assert rec.file == s.workspace.path("inputs", "in00001.png")  # no file behind: saved losslessly


def test_add_source_limit_and_cancel(registry):
    s = registry.create()
    assert s.inputs.add_source(FlakySite(), max_items=1).summary() == "1 images came in, 0 files refused " \
                                                               "(stopped at the item limit)"
    stop = threading.Event()
    stop.set()
    res = s.inputs.add_source(FlakySite(), cancel=stop, replace=True)
    assert res.cancelled and res.ids == [] and s.inputs.ids == []


def test_source_error_with_nothing_in_is_raised(registry, tmp_path):
    s = registry.create()
    with pytest.raises(SourceError, match="does not exist"):
        s.inputs.add_folder(str(tmp_path / "missing"))


def test_uploads_images_and_zip_with_refusals(registry, tmp_path):
    s = registry.create()
    img = tmp_path / "loose.png"
    Image.new("RGB", (40, 30), "green").save(img)
    archive = tmp_path / "pack.zip"
    buf = io.BytesIO()
    Image.new("RGB", (20, 10), "red").save(buf, format="PNG")
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("sub/inner.png", buf.getvalue())
        z.writestr("../evil.png", buf.getvalue())
        z.writestr("notes.bin", b"\x00\x01garbage")
    res = s.inputs.add_uploads([str(img), str(archive)])
    assert sorted(s.record(i).meta["filename"] for i in res.ids) == ["inner.png", "loose.png"]
    reasons = {r.path: r.reason for r in res.refused}
    assert set(reasons) == {"pack.zip/../evil.png", "pack.zip/notes.bin"}
    for i in res.ids:  # the unpacked copies live in the workspace and are used in place
        assert s.workspace.contains(s.record(i).file)
        assert s.record(i).file.startswith(s.workspace.subdir("uploads"))


def test_demo_dataset_ingest(registry):
    if not os.path.isdir(default_demo_dir()):
        pytest.skip("assets/demo not generated")
    s = registry.create()
    res = s.inputs.load_demo()
    assert len(res.ids) == 48
    assert sorted(os.path.basename(r.path) for r in res.refused) == ["broken_truncated.jpg", "empty.png"]
    assert all(os.path.isfile(s.thumb(i)) for i in res.ids)


def test_thumbnails_for_unusual_modes(tmp_path):
    from waifuc_ui.session.store import make_thumbnail

    cases = {"I;16": Image.new("I;16", (600, 300), 40000), "CMYK": Image.new("CMYK", (300, 600), (0, 255, 0, 0)),
             "P": Image.new("P", (100, 50), 3), "LA": Image.new("LA", (512, 512), (10, 0))}
    for mode, image in cases.items():
        path = str(tmp_path / f"{mode.replace(';', '_')}.webp")
        make_thumbnail(image, path)
        with Image.open(path) as th:
            assert th.format == "WEBP" and max(th.size) == min(256, max(image.size)), mode
    with Image.open(tmp_path / "I_16.webp") as th:
        assert th.convert("L").getpixel((0, 0)) == 40000 >> 8  # scaled to 8 bits, not clipped white
