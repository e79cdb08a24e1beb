"""Reviewed, SetTagsAction, RenameAction: decisions made by hand, applied in a stream by item keys."""

import pytest
from action_helpers import noise_image

from waifuc_ui.action import BaseAction, FilterAction, MinSizeFilterAction, RenameAction, Reviewed, SetTagsAction
from waifuc_ui.action.reviewed import HAND_DROP_REASON, base_key, stream_keys
from waifuc_ui.analysis import content_hash
from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.model import ImageItem


def items(*specs):
    """(name, seed, size) -> items; equal seeds and sizes give equal pixels."""
    return [ImageItem(noise_image(seed, size), {"filename": name}) for name, seed, size in specs]


def key(item, suffix=""):
    return base_key(item.meta["filename"], content_hash(item)) + suffix


class HoldAndReverse(BaseAction):
    """Holds everything, then yields in reverse order, dropping 'x*' items (a CCIP-like stateful step)."""

    def __init__(self):
        self.held = []

    def reset(self):
        self.held = []

    def iter_from(self, iter_):
        for item in iter_:
            self.held.append(item)
        for item in reversed(self.held):
            if item.meta["filename"].startswith("x"):
                self.drop(item, "held back")
            else:
                yield item


class Explodes(FilterAction):
    def check(self, item):
        raise AssertionError("a step with a selection is not run")


def names(out):
    return [i.meta["filename"] for i in out]


def test_items_leave_in_input_order_and_a_restore_passes_a_dropped_item(run):
    src = items(("a.png", 1, (64, 48)), ("x1.png", 2, (64, 48)), ("b.png", 3, (64, 48)), ("x2.png", 4, (64, 48)))
    out, report = run(src, Reviewed(HoldAndReverse()))
    assert names(out) == ["a.png", "b.png"]  # the inner step reversed them; the app shows input order
    assert [r.filename for r in report.dropped] == ["x1.png", "x2.png"]
    out, report = run(src, Reviewed(HoldAndReverse(), keep={key(src[3])}))
    assert names(out) == ["a.png", "b.png", "x2.png"]
    assert [(r.filename, r.reason) for r in report.dropped] == [("x1.png", "held back")]  # the restored: no record
    assert all("item_id" not in i.meta for i in out)  # the wrapper's marks do not leak


def test_hand_drops_and_upstream_drops_are_reported(run):
    src = items(("a.png", 1, (64, 48)), ("tiny.png", 2, (10, 10)), ("b.png", 3, (64, 48)))
    out, report = run(src, MinSizeFilterAction(20), Reviewed(MinSizeFilterAction(30), drop={key(src[2])}))
    assert names(out) == ["a.png"]
    assert [(r.filename, r.reason == HAND_DROP_REASON) for r in report.dropped] == [("tiny.png", False),
                                                                                   ("b.png", True)]


def test_a_selection_replaces_the_step_and_twins_have_their_own_keys(run):
    src = items(("t.png", 7, (64, 48)), ("a.png", 1, (64, 48)), ("t.png", 7, (64, 48)))
    keys = stream_keys((i.meta["filename"], content_hash(i)) for i in src)
    assert keys == [key(src[0]), key(src[1]), key(src[0], "#2")]
    out, report = run(src, Reviewed(Explodes(), select={keys[2]}, keep={keys[1]}, reason="not chosen"))
    assert names(out) == ["a.png", "t.png"]
    assert [(r.filename, r.reason) for r in report.dropped] == [("t.png", "not chosen")]
    out, report = run(src, Reviewed(Explodes(), reject={keys[0], keys[1]}, keep={keys[1]}, reason="duplicate"))
    assert names(out) == ["a.png", "t.png"] and [r.reason for r in report.dropped] == ["duplicate"]
    with pytest.raises(AssertionError, match="not run"):
        run(src, Reviewed(Explodes(), keep={keys[1]}))
    with pytest.raises(InvalidOptionError, match="not both"):
        Reviewed(Explodes(), select=keys, reject=keys)


def test_crops_are_keyed_by_their_own_pixels(run):
    class Halves(BaseAction):
        def iter(self, item):
            w, h = item.image.size
            for n, box in enumerate([(0, 0, w // 2, h), (w // 2, 0, w, h)]):
                yield item.with_image(item.image.crop(box), filename=f"half{n}.png")

    src = items(("a.png", 1, (64, 48)))
    second = ImageItem(src[0].image.crop((32, 0, 64, 48)), {"filename": "half1.png"})
    out, report = run(src, Reviewed(Halves(), drop={key(second)}))
    assert names(out) == ["half0.png"] and report.dropped[0].filename == "half1.png"


def test_tags_set_in_order_with_a_trigger_and_files_renamed_into_a_folder(run):
    src = items(("a.png", 1, (64, 48)), ("b.png", 2, (64, 48)))
    src[1].meta["tags"] = {"old": 0.5}
    tags = SetTagsAction({key(src[0]): ["z_tag", "a_tag"]}, trigger_word="trig")
    out, _ = run(src, tags, RenameAction({key(src[1]): "b_2.png"}, folder="5_char"))
    assert [list(i.meta["tags"].items()) for i in out] == [[("trig", 1.0), ("z_tag", 1.0), ("a_tag", 1.0)],
                                                          [("trig", 1.0), ("old", 0.5)]]
    assert names(out) == ["5_char/a.png", "5_char/b_2.png"]
    assert "tags" not in src[0].meta  # inputs are not changed


def test_a_restore_after_a_step_that_stopped_the_stream(run):
    from waifuc_ui.action import FirstNSelectAction

    src = items(("a.png", 1, (64, 48)), ("b.png", 2, (64, 48)), ("c.png", 3, (64, 48)))
    out, _ = run(src, Reviewed(FirstNSelectAction(1), keep={key(src[2])}))
    assert names(out) == ["a.png", "c.png"]  # as in the app, which offers every item the step never took


def test_a_one_at_a_time_step_streams_and_lets_dropped_images_go(run):
    import gc
    import weakref

    from waifuc_ui.core.report import collect_report

    made, pulled, alive = [], [], []

    def upstream():
        for n, size in enumerate([(10, 10), (10, 10), (10, 10), (64, 48), (64, 48), (64, 48)]):
            pulled.append(n)
            gc.collect()
            alive.append(sum(ref() is not None for ref in made[:-1]))  # all but the one the step just had
            item = ImageItem(noise_image(n, size), {"filename": f"{n}.png"})
            made.append(weakref.ref(item))
            yield item

    with collect_report() as report:
        stream = Reviewed(MinSizeFilterAction(20), keep={"none@0"}).iter_from(upstream())
        first = next(stream)
        gc.collect()
        # 3 is handed on once the step asks for 4 (it might have had more outputs), not at the end of the stream
        assert first.meta["filename"] == "3.png" and pulled == [0, 1, 2, 3, 4]
        assert alive == [0, 0, 0, 0, 0]  # dropped images are let go at once, not held until the end
        assert [r.filename for r in report.dropped] == ["0.png", "1.png", "2.png"]
        assert [i.meta["filename"] for i in stream] == ["4.png", "5.png"]
    held = Reviewed(HoldAndReverse()).iter_from(upstream())
    pulled.clear()
    next(held)
    assert pulled == [0, 1, 2, 3, 4, 5]  # a step that holds items: handed on once the stream ended
