
import numpy as np
import pytest
from PIL import Image

from waifuc_ui.action import FilterAction
from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.pipeline import action_catalog
from waifuc_ui.session import ReviewModels, Session, Workspace
from waifuc_ui.session.characters import CCIP_REASON
from waifuc_ui.session.review import hamming_matrix
from waifuc_ui.session.review import lpips_pair_count as review_pairs


class CCIPAction(FilterAction):
    """Stands in for the real CCIPAction: keeps only the first two images it sees."""

    def __init__(self):
        self.seen = 0

    def reset(self):
        self.seen = 0

    def check(self, item):
        self.seen += 1
        return self.seen <= 2


class FilterSimilarAction(FilterAction):
    """Stands in for the LPIPS dedup: keeps everything."""

    def check(self, item):
        return True


def fake_session(registry, image_dir, **review_models):
    """A session whose CCIP and LPIPS steps are stand-ins; ``review_models``: the review's model calls."""
    classes = {n: s.cls for n, s in action_catalog().items()}
    classes.update(CCIPAction=CCIPAction, FilterSimilarAction=FilterSimilarAction)
    s = Session(Workspace(registry.workspaces.root), catalog=action_catalog(classes),
                review_models=ReviewModels(**review_models))
    s.inputs.add_folder(image_dir)
    return s


@pytest.fixture
def ccip_session(registry, image_dir):
    calls = []

    def labels(items, **kw):  # in00001, in00003 -> cluster 0; in00004 -> 1; in00005 -> noise
        calls.append((tuple(it.meta["item_id"] for it in items), kw["threshold"]))
        table = {"in00001": 0, "in00003": 0, "in00004": 1, "in00005": -1}
        if kw["threshold"] is not None and kw["threshold"] > 0.3:
            table["in00004"] = 0
        assert not any(it.is_loaded for it in items)  # features come from the cache, not pixels
        return [table[it.meta["item_id"]] for it in items]

    s = fake_session(registry, image_dir, ccip_labels=labels)
    s.calls = calls
    s.pipeline.add_step("MinSizeFilterAction", {"min_size": 256})  # drops in00002
    s.ccip_uid = s.pipeline.add_step("CCIPAction")
    s.runs.start()
    yield s
    s.close()


def test_ccip_clusters_biggest_first_noise_apart(ccip_session):
    s = ccip_session
    view = s.characters.clusters()
    assert s.calls == [(("in00001", "in00003", "in00004", "in00005"), None)]
    assert [(c.label, c.ids) for c in view.clusters] == [(0, ["in00001", "in00003"]), (1, ["in00004"])]
    assert view.noise == ["in00005"]
    assert view.target == ["in00001", "in00003"] and view.chosen == [0]  # what the action kept


def test_choose_clusters_and_move_images_drive_the_ccip_step(ccip_session):
    s = ccip_session
    s.characters.clusters()
    s.characters.choose([1])
    run = s.runs.start()
    step = run.step(s.ccip_uid)
    assert step.output_ids == ["in00004"]
    assert {k: v.reason for k, v in step.dropped.items()} == {"in00001": CCIP_REASON, "in00003": CCIP_REASON,
                                                              "in00005": CCIP_REASON}
    view = s.characters.move("in00005", into_target=True)
    assert view.target == ["in00004", "in00005"]
    s.characters.move("in00004", into_target=False)
    assert s.runs.start().output_ids() == ["in00005"]
    with pytest.raises(InvalidOptionError, match="invalid cluster: 7; valid choices: 0, 1"):
        s.characters.choose([7])
    with pytest.raises(InvalidOptionError, match="entered the CCIP step"):
        s.characters.move("in00002", into_target=True)
    s.characters.reset()
    assert s.runs.start().output_ids() == ["in00001", "in00003"]


def test_recluster_at_new_threshold_uses_cached_features(ccip_session):
    s = ccip_session
    view = s.characters.clusters(threshold=0.4)
    assert [(c.label, c.ids) for c in view.clusters] == [(0, ["in00001", "in00003", "in00004"])]
    assert s.calls[-1][1] == 0.4


def test_character_review_needs_a_ccip_step(session):
    session.pipeline.add_step("ModeConvertAction")
    session.runs.start()
    with pytest.raises(InvalidOptionError, match="add a CCIPAction step"):
        session.characters.clusters()


def test_lpips_pair_count_uses_the_aspect_ratio_rule():
    assert review_pairs([(400, 300), (800, 600), (100, 100), (101, 100), (50, 200)]) == 2
    assert review_pairs([(10, 10)]) == 0


def test_hamming_matrix_counts_bits():
    m = hamming_matrix([0, 0b1011, (1 << 64) - 1])
    assert m.tolist() == [[0, 3, 64], [3, 0, 61], [64, 61, 0]]


def test_duplicates_without_dedup_step_use_phash_and_apply_at_the_end(session):
    session.pipeline.add_step("ModeConvertAction")
    session.runs.start()
    view = session.duplicates.groups(threshold=0)
    assert (view.uid, view.method, view.threshold) == ("final", "phash", 0.0)
    assert [(g.ids, g.keeper, g.exact) for g in view.groups] == [(["in00001", "in00003"], "in00001", True)]
    assert [g.ids for g in view.exact_groups] == [["in00001", "in00003"]]
    session.duplicates.set_keeper("in00003")
    session.duplicates.apply()
    assert session.dataset.ids() == ["in00002", "in00003", "in00004", "in00005"]
    again = session.duplicates.groups(threshold=0)
    assert again.groups[0].keeper == "in00003"  # the hand choice survives regrouping
    session.duplicates.reset()
    assert len(session.dataset.ids()) == 5 and session.duplicates.groups(threshold=0).groups[0].keeper == "in00001"


def test_duplicate_review_on_a_hash_dedup_step_keeps_largest_by_default(session):
    session.pipeline.add_step("HashDedupAction", {"max_distance": 0})
    session.runs.start()
    view = session.duplicates.groups(threshold=64)  # everything is one group at 64 bits
    assert view.uid == session.pipeline.recipe.steps[0].uid and view.method == "phash"
    assert view.groups[0].ids[0] == "in00004" and view.groups[0].keeper == "in00004"  # 1200x900 is the largest
    assert sorted(view.groups[0].ids) == ["in00001", "in00002", "in00003", "in00004", "in00005"]
    session.duplicates.apply()
    step = session.runs.start().steps[0]
    assert step.output_ids == ["in00004"]
    # the reason names the file kept, never an internal id
    assert step.dropped["in00002"].reason == "duplicate of d.png (kept by review)"
    assert step.dropped["in00002"].duplicate_of == "d.png"
    session.duplicates.reset()
    assert session.runs.start().steps[0].output_ids == ["in00001", "in00002", "in00004", "in00005"]


def test_lpips_duplicate_review_uses_the_injected_grouping(registry, image_dir):
    seen = {}

    def groups(items, threshold):
        seen["ids"] = [it.meta["item_id"] for it in items]
        seen["threshold"] = threshold
        return [[0, 3]]  # in00001 (and its exact copy in00003) with in00005

    s = fake_session(registry, image_dir, lpips_groups=groups)
    uid = s.pipeline.add_step("FilterSimilarAction")
    s.runs.start()
    view = s.duplicates.groups(threshold=0.3)
    assert seen == {"ids": ["in00001", "in00002", "in00004", "in00005"], "threshold": 0.3}  # exact copies once
    assert view.method == "lpips" and view.uid == uid
    assert [(g.ids, g.keeper, g.exact) for g in view.groups] == [(["in00005", "in00001", "in00003"], "in00005",
                                                                   False)]
    assert [g.ids for g in view.exact_groups] == [["in00001", "in00003"]]
    s.close()


def test_duplicate_method_can_be_forced_and_is_checked(registry, image_dir):
    s = fake_session(registry, image_dir, lpips_groups=lambda items, threshold: [[0, 1]])
    s.pipeline.add_step("FilterSimilarAction")
    s.runs.start()
    assert s.duplicates.groups().method == "lpips"
    view = s.duplicates.groups(threshold=0, method="phash")
    assert view.method == "phash" and [g.ids for g in view.groups] == [["in00001", "in00003"]]
    with pytest.raises(InvalidOptionError, match="invalid duplicate method: 'clip'"):
        s.duplicates.groups(method="clip")
    s.close()


def test_lpips_groups_at_every_size_without_a_switch_to_hashes(registry, image_dir):
    seen = []
    s = fake_session(registry, image_dir, lpips_groups=lambda items, threshold: seen.append(len(items)) or [[0, 1]])
    s.pipeline.add_step("FilterSimilarAction")
    s.runs.start()
    view = s.duplicates.groups(threshold=0.3)
    # a, b, d, e (the copy c counts once): 6 pairs of close ratios, grouped by LPIPS (exact at any size)
    assert view.method == "lpips" and view.note == "" and seen == [4]
    assert s.duplicates.groups(method="phash").method == "phash"  # hashing only when asked or without LPIPS step
    s.close()


def test_the_keeper_at_the_same_size_is_the_lossless_original_not_its_jpeg(registry, tmp_path):
    """A PNG original and its JPEG re-encode (same size, more bytes): the old rule (largest, then most bytes) kept
    the JPEG."""
    rng = np.random.default_rng(0)
    folder = tmp_path / "pair"
    folder.mkdir()
    picture = Image.fromarray(rng.integers(0, 256, (64, 64, 3), dtype=np.uint8).repeat(4, 0).repeat(4, 1))
    picture.save(folder / "a_original.png")
    picture.save(folder / "b_copy.jpg", quality=100)
    assert (folder / "b_copy.jpg").stat().st_size > (folder / "a_original.png").stat().st_size
    s = registry.create()
    s.inputs.add_folder(str(folder))
    s.runs.start()
    (group,) = s.duplicates.groups(threshold=4, method="phash").groups
    names = {i: s.record(i).meta["filename"] for i in group.ids}
    assert sorted(names.values()) == ["a_original.png", "b_copy.jpg"]
    assert names[group.keeper] == "a_original.png"
