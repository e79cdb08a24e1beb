"""The app's export is exact: one entry per image, its own caption, original bytes, no server path, tag order."""

import hashlib
import io
import os
import re
import tempfile
import zipfile

import numpy as np
import pytest
from PIL import Image

from waifuc_ui.core.errors import ExportError, InvalidOptionError
from waifuc_ui.session import Session, Workspace


def _noise(seed, size=(24, 20)):
    return Image.fromarray(np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))


def sha(data):
    return hashlib.sha256(data).hexdigest()


def _animation(path):
    frames = [Image.new("RGB", (30, 20), (k * 60, 20, 200 - k * 50)) for k in range(3)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=80, loop=0)


@pytest.fixture
def src(tmp_path):
    folder = tmp_path / "src"
    for n, rel in enumerate(["sub1/dup.png", "sub1/deeper/dup.png", "sub2/dup.png", "a.png"]):
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        _noise(n).save(folder / rel)
    _noise(9, size=(64, 48)).save(folder / "a.jpg", quality=98, subsampling=0)
    _animation(folder / "anim.gif")
    return folder


@pytest.fixture
def session(registry, src):
    s = registry.create()
    s.inputs.add_folder(str(src))
    return s


def by_source(session, src):
    """source path relative to ``src`` -> item id."""
    return {os.path.relpath(session.record(i).meta["path"], src).replace(os.sep, "/"): i for i in session.dataset.ids()}


def test_equal_names_each_get_their_own_entry_and_caption(session, src):
    ids = by_source(session, src)
    session.tags.set_item(ids["a.png"], "red_hair, sword")
    session.tags.set_item(ids["a.jpg"], "blue_hair, book")
    summary = session.export.zip()
    with zipfile.ZipFile(summary.path) as z:
        names = sorted(z.namelist())
        captions = {n: z.read(n).decode() for n in names if n.endswith(".txt")}
        images = {n: z.read(n) for n in names if not n.endswith(".txt")}
    # add_folder order: a.jpg, a.png, anim.gif, sub1/dup.png, sub1/deeper/dup.png, sub2/dup.png
    assert names == ["a.jpg", "a.txt", "a_1.png", "a_1.txt", "anim.png", "anim.txt", "deeper_dup.png",
                     "deeper_dup.txt", "dup.png", "dup.txt", "sub2_dup.png", "sub2_dup.txt"]
    assert captions["a_1.txt"] == "red_hair, sword" and captions["a.txt"] == "blue_hair, book"
    assert (summary.images, summary.failed) == (6, []) == (len(images), [])
    for name, rel in {"a.jpg": "a.jpg", "a_1.png": "a.png", "dup.png": "sub1/dup.png",
                      "deeper_dup.png": "sub1/deeper/dup.png", "sub2_dup.png": "sub2/dup.png"}.items():
        assert sha(images[name]) == sha((src / rel).read_bytes()), name
    assert summary.originals == 5 and summary.encoded == 1 and summary.stills == ["anim.png"]
    assert ("dup.png", "sub2_dup.png") in summary.renamed
    details = " ".join(summary.details())
    assert "5 image(s) kept their original bytes" in details and "as a still (first frame, PNG): anim.png" in details
    with Image.open(io.BytesIO(images["anim.png"])) as still, Image.open(src / "anim.gif") as gif:
        assert (still.format, getattr(still, "n_frames", 1)) == ("PNG", 1)
        assert np.array_equal(np.asarray(still.convert("RGB")), np.asarray(gif.convert("RGB")))


def test_a_step_that_changes_a_jpeg_re_encodes_it_at_quality_95(session, src):
    session.pipeline.add_step("AlignMinSizeAction", {"min_size": 30})  # only a.jpg (64x48) is larger
    session.runs.start()
    ids = by_source(session, src)
    changed = [i for i in session.dataset.ids() if session.record(i).origin != "input"]
    assert len(changed) == 1 and ids["a.png"] in session.dataset.ids()
    derived = Image.open(session.record(changed[0]).file).convert("RGB")
    buf = io.BytesIO()
    derived.save(buf, format="JPEG", quality=95)
    summary = session.export.zip()
    with zipfile.ZipFile(summary.path) as z:
        assert z.read("a.jpg") == buf.getvalue()
        assert sha(z.read("a_1.png")) == sha((src / "a.png").read_bytes())
    assert (summary.originals, summary.encoded) == (4, 2)  # a.jpg and the still of anim.gif encoded


def test_no_server_path_in_any_exported_file(session, src, registry, tmp_path):
    session.pipeline.add_step("AlignMinSizeAction", {"min_size": 30})
    session.runs.start()
    for layout in ("save", "textual_inversion"):
        summary = session.export.zip(layout=layout, name=layout, kohya_folder="aoi")
        with zipfile.ZipFile(summary.path) as z:
            blob = b"\n".join(z.read(n) + n.encode() for n in z.namelist())
        roots = {str(tmp_path), str(src), registry.workspaces.root, session.workspace.dir, tempfile.gettempdir()}
        for root in roots:
            for secret in {root, os.path.realpath(root), re.sub(r"[\W_]+", "_", root).strip("_")}:
                assert secret.encode() not in blob, (layout, secret)
        assert b"in00001" not in blob  # nor the session's internal ids


def test_tag_order_is_kept_through_edits_undo_and_export(session, src):
    ids = by_source(session, src)
    item = ids["sub2/dup.png"]
    session.tags.set_item(item, "zeta, alpha, mid_tag")
    session.tags.add("beta", ids=[item])
    session.tags.replace("alpha", "omega")
    assert list(session.tags.of(item)) == ["zeta", "omega", "mid_tag", "beta"]
    session.tags.add("extra")
    assert session.tags.undo()
    assert list(session.tags.of(item)) == ["zeta", "omega", "mid_tag", "beta"]
    session.tags.set_trigger_word("aoi")
    with zipfile.ZipFile(session.export.zip().path) as z:
        assert z.read("sub2_dup.txt").decode() == "aoi, zeta, omega, mid_tag, beta"
    with zipfile.ZipFile(session.export.zip(layout="save").path) as z:
        import json
        assert list(json.loads(z.read(".sub2_dup_meta.json"))["tags"]) == ["aoi", "zeta", "omega", "mid_tag", "beta"]


def test_export_folder_writes_the_same_files_and_is_refused_in_public_mode(session, tmp_path):
    summary = session.export.folder(str(tmp_path / "dataset"), kohya_folder="aoi")
    written = sorted(os.listdir(tmp_path / "dataset" / "33_aoi"))
    with zipfile.ZipFile(session.export.zip(kohya_folder="aoi").path) as z:
        assert [n.split("/", 1)[1] for n in sorted(z.namelist())] == written
    assert summary.images == 6
    with pytest.raises(ExportError, match="not empty"):
        session.export.folder(str(tmp_path / "dataset"))
    public = Session(Workspace(str(tmp_path / "pub")), public_mode=True)
    try:
        with pytest.raises(InvalidOptionError, match="disabled in public mode"):
            public.export.folder(str(tmp_path / "elsewhere"))
        assert not (tmp_path / "elsewhere").exists()
    finally:
        public.close()


def test_an_animation_a_step_turned_into_one_frame_is_named_as_a_still(session):
    """ModeConvertAction keeps only the first frame of an animated GIF: the export must still say so (it saw a
    single frame only); a FrameSplit step makes frames on purpose, then nothing is said."""
    session.pipeline.add_step("ModeConvertAction")
    session.runs.start()
    summary = session.export.zip()
    with zipfile.ZipFile(summary.path) as z:
        names = z.namelist()
    # named as written: a GIF cannot hold the converted image, so it left as PNG (the summary once said anim.gif)
    assert summary.stills == ["anim.png"] and "anim.png" in names and "anim.gif" not in names
    assert "exported as a still (first frame, PNG): anim.png" in " ".join(summary.details())
    session.pipeline.add_step("FrameSplitAction", position=0)
    session.runs.start()
    assert session.export.zip().stills == []
