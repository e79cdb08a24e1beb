from PIL import Image

from waifuc_ui.action import FrameSplitAction, MirrorAction
from waifuc_ui.model import ImageItem


def test_mirror_yields_origin_then_flip_with_names(run):
    image = Image.new("RGB", (2, 1), (255, 0, 0))
    image.putpixel((1, 0), (0, 0, 255))
    out, _ = run([ImageItem(image, {"filename": "a/b.png", "tags": {"solo": 1.0}})], MirrorAction())
    assert [i.meta["filename"] for i in out] == ["a/b_origin.png", "a/b_mirror.png"]
    assert out[0].image.getpixel((0, 0)) == (255, 0, 0)
    assert out[1].image.getpixel((0, 0)) == (0, 0, 255)
    assert out[1].meta["tags"] == {"solo": 1.0}
    named, _ = run([ImageItem(image, {"filename": "c.png"})], MirrorAction(names=("o", "m")))
    assert [i.meta["filename"] for i in named] == ["c_o.png", "c_m.png"]
    unnamed, _ = run([ImageItem(image, {})], MirrorAction())
    assert [i.meta for i in unnamed] == [{}, {}]


def _gif(tmp_path, colors):
    frames = [Image.new("RGB", (4, 4), c) for c in colors]
    path = tmp_path / "anim.gif"
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=40, loop=0)
    return Image.open(path)


def test_frame_split_names_frames_and_resets_the_source_image(run, tmp_path):
    image = _gif(tmp_path, [(255, 0, 0), (0, 255, 0), (0, 0, 255)])
    out, _ = run([ImageItem(image, {"filename": "anim.gif"})], FrameSplitAction())
    assert [i.meta["filename"] for i in out] == ["anim_frame_0.gif", "anim_frame_1.gif", "anim_frame_2.gif"]
    assert [i.meta["frame_id"] for i in out] == [0, 1, 2]
    assert [i.image.convert("RGB").getpixel((0, 0)) for i in out] == [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
    assert all(getattr(i.image, "n_frames", 1) == 1 for i in out)
    assert image.tell() == 0  # waifuc left it on the last frame


def test_frame_split_passes_single_frames_and_unnamed_items(run, tmp_path):
    still = ImageItem(Image.new("RGB", (2, 2)), {"filename": "s.png"})
    anim = ImageItem(_gif(tmp_path, [(1, 1, 1), (200, 200, 200)]), {})
    out, _ = run([still, anim], FrameSplitAction())
    assert [i.meta for i in out] == [{"filename": "s.png"}, {"frame_id": 0}, {"frame_id": 1}]
