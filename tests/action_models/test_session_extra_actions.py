"""The new actions in an app session: background removal, upscaling of the small image only, head cover and
character copies run as steps, and the exported zip holds what they made."""

import os
import zipfile

import numpy as np
import pytest
from PIL import Image

from tests.fakehub import colour_detector, put_detector
from tests.fakehub_extra import put_cdc, put_isnetis
from waifuc_ui.session import SessionRegistry


@pytest.fixture
def session(tmp_path, fake_hub):
    put_isnetis(fake_hub)
    put_cdc(fake_hub, scale=2)
    put_detector(fake_hub, "heads", colour_detector(trigger="red", label="head"))
    folder = tmp_path / "src"
    os.makedirs(folder)
    Image.new("RGB", (640, 640), (255, 0, 0)).save(folder / "big.png")
    Image.new("RGB", (60, 40), (200, 0, 0)).save(folder / "small.png")
    reg = SessionRegistry(str(tmp_path / "ws"), ttl_seconds=60, cache_dir=str(tmp_path / "cache"))
    s = reg.create()
    s.inputs.add_folder(str(folder))
    yield s
    reg.close_all()


def test_steps_run_and_export(session, tmp_path):
    session.pipeline.add_step("HeadCoverAction", {"color": "#0000ff"})
    session.pipeline.add_step("UpscaleAction", {"min_size": 100})
    session.pipeline.add_step("BackgroundRemovalAction")
    run = session.runs.start()
    assert run.status == "done", run
    rows = [(r["step"], r["input"], r["kept"], r["dropped"]) for r in session.runs.counts()]
    assert rows == [("1. HeadCoverAction", 2, 2, 0), ("2. UpscaleAction", 2, 2, 0),
                    ("3. BackgroundRemovalAction", 2, 2, 0)]
    records = {session.record(i).meta["filename"]: session.record(i) for i in session.dataset.ids()}
    assert (records["small.png"].width, records["small.png"].height) == (120, 80)
    assert (records["big.png"].width, records["big.png"].height) == (640, 640)
    with Image.open(records["big.png"].file) as im:
        arr = np.asarray(im.convert("RGBA"))
    # the head (220..420 x 270..370) scaled 0.8 was painted blue; isnetis's mask is the red channel: alpha 0 there
    assert arr[320, 320, 3] == 0 and arr[10, 10, 3] == 255
    path = session.export.zip("save", name="extra").path
    with zipfile.ZipFile(path) as zf:
        sizes = {n: Image.open(zf.open(n)).size for n in zf.namelist() if n.endswith(".png")}
    assert sorted(sizes.values()) == [(120, 80), (640, 640)]
