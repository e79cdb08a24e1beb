import json
import os
import zipfile

import pytest

from waifuc_ui.action import ProcessAction
from waifuc_ui.pipeline import action_catalog
from waifuc_ui.session import Session, Workspace
from waifuc_ui.session.exporting import suggested_repeats
from waifuc_ui.session.tagedit import TagEdits, tag_frequencies

SITE_TAGS = {
    "in00001": {"1girl": 1.0, "red_hair": 1.0, "aoi_(demo)": 1.0},
    "in00003": {"1girl": 1.0, "red_hair": 1.0},
    "in00004": {"1girl": 1.0, "smile": 0.8},
}


class FakeTagger(ProcessAction):
    """Stands in for TaggingAction: gives fixed tags per input id (a new meta, same pixels)."""

    def process(self, item):
        return item.with_meta(tags=dict(SITE_TAGS.get(item.meta["item_id"], {})))


@pytest.fixture
def tagged(registry, image_dir):
    classes = {n: s.cls for n, s in action_catalog().items()}
    classes["FakeTagger"] = FakeTagger
    s = Session(Workspace(registry.workspaces.root), catalog=action_catalog(classes))
    s.inputs.add_folder(image_dir)
    s.pipeline.add_step("MinSizeFilterAction", {"min_size": 256})
    s.pipeline.add_step("FakeTagger")
    s.runs.start()
    yield s
    s.close()


def test_tagging_keeps_item_ids_and_the_frequency_table(tagged):
    assert tagged.dataset.ids() == ["in00001", "in00003", "in00004", "in00005"]
    assert tagged.tags.table() == [("1girl", 3), ("red_hair", 2), ("aoi_(demo)", 1), ("smile", 1)]
    assert tagged.tags.table(ids=["in00004", "in00002"]) == [("1girl", 1), ("smile", 1)]


def test_batch_edits_on_selection_or_all_are_non_destructive(tagged):
    tagged.tags.add("solo", ids=["in00001", "in00005"])
    tagged.tags.replace("red_hair", "crimson_hair")
    tagged.tags.remove("1girl", ids=["in00004"])
    assert tagged.tags.of("in00001") == {"1girl": 1.0, "aoi_(demo)": 1.0, "solo": 1.0, "crimson_hair": 1.0}
    assert tagged.tags.of("in00004") == {"smile": 0.8}
    assert tagged.tags.of("in00005") == {"solo": 1.0}
    assert tagged.dataset.metas()["in00001"]["tags"] == SITE_TAGS["in00001"]  # the run's tags are untouched
    tagged.runs.start()  # edits are replayed after a re-run
    assert tagged.tags.of("in00003") == {"1girl": 1.0, "crimson_hair": 1.0}
    assert tagged.tags.undo() and tagged.tags.of("in00004") == {"1girl": 1.0, "smile": 0.8}


def test_per_image_tags_and_character_tags(tagged):
    tagged.tags.set_item("in00005", "cat, outdoors")
    assert tagged.tags.of("in00005") == {"cat": 1.0, "outdoors": 1.0}
    removed = tagged.tags.drop_character_tags(names=["aoi_(demo)", "beni_(demo)"])
    assert removed == ["aoi_(demo)"]
    assert "aoi_(demo)" not in tagged.tags.of("in00001")


def test_character_tags_without_label_file_is_an_error_not_a_guess(tagged):
    from waifuc_ui.core.errors import ModelUnavailableError

    with pytest.raises((ModelUnavailableError, NotImplementedError)):
        tagged.tags.drop_character_tags()
    assert "aoi_(demo)" in tagged.tags.of("in00001")


def test_export_textual_inversion_zip_with_trigger_word(tagged):
    tagged.tags.set_trigger_word(" aoi ")
    tagged.tags.remove("1girl", ids=["in00003"])
    before = sorted(os.listdir(tagged.workspace.subdir("inputs")))
    summary = tagged.export.zip(layout="textual_inversion", name="my set")
    assert summary.path == tagged.workspace.private_path("exports", "my_set.zip")
    assert os.path.basename(os.path.dirname(summary.path)) != "exports"  # a secret folder in between
    assert (summary.images, summary.failed, summary.suggested_repeats) == (4, [], 50)
    assert summary.zip_bytes == os.path.getsize(summary.path)
    with zipfile.ZipFile(summary.path) as z:
        assert sorted(z.namelist()) == ["a.png", "a.txt", "c.png", "c.txt", "d.png", "d.txt", "e.png", "e.txt"]
        assert z.read("a.txt").decode() == "aoi, 1girl, red_hair, aoi_\\(demo\\)"  # the tags' own order
        assert z.read("c.txt").decode() == "aoi, red_hair"
        assert z.read("d.txt").decode() == "aoi, 1girl, smile"
        assert z.read("e.txt").decode() == "aoi"
    assert sorted(os.listdir(tagged.workspace.subdir("inputs"))) == before  # nothing deleted
    assert tagged.dataset.ids() == ["in00001", "in00003", "in00004", "in00005"]


def test_export_save_layout_writes_sidecars(tagged):
    tagged.tags.set_trigger_word("aoi")
    summary = tagged.export.zip(layout="save")
    with zipfile.ZipFile(summary.path) as z:
        names = sorted(z.namelist())
        assert names == [".a_meta.json", ".c_meta.json", ".d_meta.json", ".e_meta.json", "a.png", "c.png", "d.png",
                         "e.png"]
        meta = json.loads(z.read(".d_meta.json"))
    assert meta["tags"] == {"aoi": 1.0, "1girl": 1.0, "smile": 0.8} and meta["filename"] == "d.png"


def test_export_rejects_unknown_layout(tagged):
    with pytest.raises(ValueError, match="invalid layout: 'kohya'; valid choices: 'textual_inversion', 'save'"):
        tagged.export.zip(layout="kohya")


def test_helpers():
    assert [suggested_repeats(n) for n in (0, 1, 3, 40, 1000)] == [0, 100, 67, 5, 1]
    edits = TagEdits()
    edits.set_tags("x", {"a": 1.0})
    edits.add("b", ids=["x"])
    assert edits.apply("x", {"z": 0.5}) == {"a": 1.0, "b": 1.0} and edits.apply("y", {"z": 0.5}) == {"z": 0.5}
    assert tag_frequencies([{"b": 1, "a": 1}, {"a": 1}]) == [("a", 2), ("b", 1)]


def test_export_into_a_kohya_folder(tagged):
    summary = tagged.export.zip(kohya_folder="aoi chan")
    with zipfile.ZipFile(summary.path) as z:
        assert sorted(z.namelist()) == [f"50_aoi chan/{n}" for n in ("a.png", "a.txt", "c.png", "c.txt", "d.png",
                                                                     "d.txt", "e.png", "e.txt")]


def test_select_images_by_tags(tagged):
    assert tagged.tags.ids_with(include=["1girl"]) == ["in00001", "in00003", "in00004"]
    assert tagged.tags.ids_with(include=["1girl"], exclude=["smile"]) == ["in00001", "in00003"]
    assert tagged.tags.ids_with(exclude=["1girl"]) == ["in00005"]


def test_tag_edits_keep_the_order():
    edits = TagEdits()
    run_tags = {"solo": 1.0, "1girl": 1.0, "smile": 0.4, "blush": 0.9}  # a site's order, then tagger scores
    assert list(edits.apply("x", run_tags)) == ["solo", "1girl", "blush", "smile"]  # by score, ties as given
    edits.replace("1girl", "girl")
    edits.add("new")
    assert list(edits.apply("x", run_tags)) == ["solo", "girl", "blush", "smile", "new"]
    edits.set_tags("x", {"smile": 0.4, "solo": 1.0})
    edits.add("late", ids=["x"])
    assert list(edits.apply("x", run_tags)) == ["smile", "solo", "late"]
    edits.undo()
    assert list(edits.apply("x", run_tags)) == ["smile", "solo"]


def test_saving_an_images_tags_keeps_the_order_and_known_scores(tagged):
    tagged.tags.set_item("in00004", "smile, cat, 1girl")
    assert list(tagged.tags.of("in00004").items()) == [("smile", 0.8), ("cat", 1.0), ("1girl", 1.0)]
    with zipfile.ZipFile(tagged.export.zip().path) as z:
        assert z.read("d.txt").decode() == "smile, cat, 1girl"


def test_remembered_tags_follow_every_edit_undo_and_run(tagged):
    """Tags.all() remembers each item's edited tags; an undo followed by another edit (same log length), a log
    replaced whole, a re-run, or a caller changing the returned dicts never shows stale tags."""
    def fresh():
        return {i: tagged.tags.edits.apply(i, m.get("tags") or {}) for i, m in tagged.dataset.metas().items()}

    first = tagged.tags.all()
    first["in00001"]["scribble"] = 1.0  # the caller's copy
    assert "scribble" not in tagged.tags.of("in00001") and "scribble" not in tagged.tags.all()["in00001"]
    tagged.tags.add("smile", ids=["in00001"])
    assert tagged.tags.table()[:3] == [("1girl", 3), ("red_hair", 2), ("smile", 2)]
    tagged.tags.replace("red_hair", "crimson_hair", ids=["in00003"])  # replayed on the remembered tags
    tagged.tags.remove("1girl")
    assert tagged.tags.all() == fresh() and tagged.tags.table()[0] == ("smile", 2)
    tagged.tags.undo()
    tagged.tags.undo()
    tagged.tags.undo()
    tagged.tags.add("frown", ids=["in00001"])  # same number of edits as before the undo
    assert "frown" in tagged.tags.all()["in00001"] and "smile" not in tagged.tags.all()["in00001"]
    tagged.tags.edits = TagEdits.from_dict({"ops": [{"op": "remove", "ids": None, "tag": "1girl"}]})
    assert ("1girl", 3) not in tagged.tags.table()
    tagged.runs.start()  # new run tags: the remembered ones are not reused
    assert tagged.tags.table() == [("red_hair", 2), ("aoi_(demo)", 1), ("smile", 1)]
    assert tagged.tags.all() == fresh()
