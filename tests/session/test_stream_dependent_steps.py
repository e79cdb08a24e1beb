"""Steps that depend on the stream (order, counts, random state, earlier items) see the same stream in the app
as in a script: the runner memoises per item only actions that declare themselves per-item."""

import inspect

import pytest
from PIL import Image

import waifuc_ui.action as actions
from waifuc_ui.action import BaseAction, FilterAction, MinSizeFilterAction, RandomFilenameAction, Verdict
from waifuc_ui.action.base import is_per_item
from waifuc_ui.pipeline import action_catalog
from waifuc_ui.session import Session, Workspace
from waifuc_ui.source import LocalSource


def write_27(folder):
    """26 images of 64x64 and one of 16x16 (``m_small.png``, which a 32 px size filter drops)."""
    folder.mkdir()
    for k in range(26):
        Image.new("RGB", (64, 64), (9 * k, 255 - 9 * k, 100)).save(folder / f"img_{k:02d}.png")
    Image.new("RGB", (16, 16), (10, 10, 10)).save(folder / "m_small.png")
    return str(folder)


def test_random_names_after_a_restore_equal_the_script(registry, tmp_path):
    folder = write_27(tmp_path / "pics")
    s = registry.create()
    s.inputs.add_folder(folder)
    size_uid = s.pipeline.add_step("MinSizeFilterAction", {"min_size": 32})
    s.pipeline.add_step("RandomFilenameAction", {"seed": 1})
    first = s.runs.start()
    assert len(first.output_ids()) == 26
    small = next(i for i in s.inputs.ids if s.record(i).meta["filename"] == "m_small.png")
    assert list(first.step(size_uid).dropped) == [small]
    s.pipeline.restore(size_uid, small)
    run = s.runs.start()
    names = [run.output_metas()[i]["filename"] for i in run.output_ids()]
    assert len(names) == 27 and len(set(names)) == 27
    # the script over the same 27 images in the same order gives the same names
    script = [item.meta["filename"] for item in LocalSource(folder).attach(RandomFilenameAction(seed=1))]
    assert names == script


class CountingFilter(MinSizeFilterAction):
    """A user's subclass of a per-item action that counts items: it must not inherit per-item."""

    def __init__(self, min_size: int = 1):
        super().__init__(min_size)
        self.seen = 0

    def check(self, item):
        self.seen += 1
        return Verdict(self.seen % 2 == 1, reason=f"item {self.seen} of the stream")

    def reset(self):
        self.seen = 0


def test_user_subclass_of_a_per_item_action_is_stream_dependent(registry, tmp_path):
    assert MinSizeFilterAction.per_item is True and CountingFilter.per_item is False
    assert not is_per_item(CountingFilter(1)) and not is_per_item(object())
    classes = {n: spec.cls for n, spec in action_catalog().items()}
    classes["CountingFilter"] = CountingFilter
    s = Session(Workspace(registry.workspaces.root), catalog=action_catalog(classes))
    folder = write_27(tmp_path / "pics")
    s.inputs.add_folder(folder)
    size_uid = s.pipeline.add_step("MinSizeFilterAction", {"min_size": 32})
    s.pipeline.add_step("CountingFilter")
    s.runs.start()
    small = next(i for i in s.inputs.ids if s.record(i).meta["filename"] == "m_small.png")
    s.pipeline.restore(size_uid, small)  # m_small joins the stream at its sorted place (last): every other item kept
    run = s.runs.start()
    kept = [run.output_metas()[i]["filename"] for i in run.output_ids()]
    expected = [item.meta["filename"] for item in LocalSource(folder).attach(CountingFilter())]
    assert kept == expected and len(kept) == 14 and kept[-1] == "m_small.png"
    s.close()


#: Every action of waifuc_ui.action with its declaration, checked by reading each one (order, counts, random
#: state, earlier items). A new action must be added here after the same check.
DECLARED = {
    # per-item: the output for an item depends only on that item and the parameters
    "ModeConvertAction": True, "AlignMaxSizeAction": True, "AlignMinSizeAction": True, "AlignMaxAreaAction": True,
    "PaddingAlignAction": True, "MirrorAction": True, "FrameSplitAction": True, "MinSizeFilterAction": True,
    "MinAreaFilterAction": True, "TagDropAction": True, "TagRemoveUnderlineAction": True,
    "ProgressBarAction": True, "ArrivalAction": True,
    "NoMonochromeAction": True, "OnlyMonochromeAction": True, "ClassFilterAction": True, "RatingFilterAction": True,
    "FaceCountAction": True, "HeadCountAction": True, "PersonRatioAction": True, "PersonSplitAction": True,
    "ThreeStageSplitAction": True, "TaggingAction": True, "TagFilterAction": True,
    "BlacklistedTagDropAction": True, "TagOverlapDropAction": True,
    "BackgroundRemovalAction": True, "HeadCutOutAction": True, "UpscaleAction": True,
    # random per image (a 'random' colour, the denoise's filter draws): any draw is as good as another, so one
    # memoised per item is a correct answer
    "HeadCoverAction": True, "SafetyAction": True,
    # stream-dependent
    "HashDedupAction": False,  # compares with the items kept before
    "FilterSimilarAction": False,  # compares with the items kept before
    "CCIPAction": False,  # clusters the stream
    "RandomChoiceAction": False, "RandomFilenameAction": False, "BaseRandomAction": False,  # one RNG per stream
    "FirstNSelectAction": False, "SliceSelectAction": False,  # arrival positions
    "FileOrderAction": False,  # names are arrival positions
    "FileExtAction": False,  # unnamed items are numbered in arrival order
    "CharacterEnhanceAction": False,  # one seeded RNG per stream (rotations, modes, positions)
    # the script's decisions: keys number same-name, same-pixel twins in arrival order
    "Reviewed": False, "SetTagsAction": False, "RenameAction": False,
    # bases: undeclared, so stream-dependent
    "BaseAction": False, "FilterAction": False, "ProcessAction": False, "AnalyzedAction": False,
    "AnalyzedFilterAction": False, "AnalyzedProcessAction": False,
}


def test_every_action_declares_per_item_in_its_own_class():
    found = {name: cls for name, cls in vars(actions).items()
             if inspect.isclass(cls) and issubclass(cls, BaseAction)}
    assert sorted(found) == sorted(DECLARED)
    assert {name: cls.per_item for name, cls in found.items()} == DECLARED
    for name, cls in found.items():
        if DECLARED[name]:  # a per-item answer is never inherited: the class says it itself
            assert "per_item" in cls.__dict__, name


def test_catalog_reads_the_declaration_from_the_class():
    catalog = action_catalog()
    for name, spec in catalog.items():
        assert spec.stateful is (not DECLARED[name]), name
    assert catalog["RandomFilenameAction"].to_dict()["stateful"] is True


@pytest.mark.parametrize("declared", [True, False])
def test_a_user_action_can_declare_itself(declared):
    class Mine(FilterAction):
        per_item = declared

        def check(self, item):
            return True

    class Child(Mine):
        pass

    assert is_per_item(Mine()) is declared and is_per_item(Child()) is False
