"""The character target is a set of images: the issue's scenario (32 images of one character + 7 others, tick the
cluster, move one out, apply; add 4 images, re-run; move the threshold) with the summary equal to the export."""

import os
import zipfile

import pytest
from PIL import Image

from waifuc_ui.action import FilterAction
from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.pipeline import action_catalog
from waifuc_ui.session import ReviewModels, Session, Workspace
from waifuc_ui.session.decisions import Decisions


class CCIPAction(FilterAction):
    """Stands in for waifuc's CCIPAction when it finds no cluster big enough: keeps nothing."""

    def check(self, item):
        return False


def character_of(name, threshold):
    """Cluster labels by file name: 'a*' is the character; at a threshold above 0.3 it splits in two (a00-a19,
    a20-...), and the others 'o0'-'o3' form a cluster. -1 is noise."""
    stem = os.path.splitext(name)[0]
    if stem.startswith("a"):
        return 1 if threshold and threshold > 0.3 and int(stem[1:]) >= 20 else 0
    if threshold and threshold > 0.3 and int(stem[1:]) < 4:
        return 2
    return -1


def write(folder, names):
    os.makedirs(folder, exist_ok=True)
    for n, name in enumerate(names):
        colour = (200, 10 + 5 * n, 30) if name.startswith("a") else (10, 10 + 20 * n, 200)
        Image.new("RGB", (64, 48), colour).save(os.path.join(folder, name))
    return folder


@pytest.fixture
def person(registry, tmp_path):
    calls = []

    def labels(items, **kw):
        calls.append(kw["threshold"])
        return [character_of(it.meta["filename"], kw["threshold"]) for it in items]

    classes = {n: s.cls for n, s in action_catalog().items()}
    classes.update(CCIPAction=CCIPAction)
    s = Session(Workspace(registry.workspaces.root), catalog=action_catalog(classes),
                review_models=ReviewModels(ccip_labels=labels))
    names = [f"a{n:02d}.png" for n in range(32)] + [f"o{n}.png" for n in range(7)]
    s.inputs.add_folder(write(str(tmp_path / "first"), names))
    s.uid = s.pipeline.add_step("CCIPAction")
    s.calls = calls
    s.runs.start()
    yield s
    s.close()


def exported(s):
    summary = s.export.zip(name="set")
    with zipfile.ZipFile(summary.path) as zf:
        images = sorted(n for n in zf.namelist() if n.endswith(".png"))
    assert summary.images == len(images)
    return images


def names_of(s, ids):
    return sorted(s.record(i).meta["filename"] for i in ids)


def test_tick_move_out_apply_add_images_and_move_the_threshold(person, tmp_path):
    s = person
    view = s.characters.clusters()
    assert view.target == [] and not view.by_person and view.chosen == []
    assert [(c.label, c.size) for c in view.clusters] == [(0, 32)] and len(view.noise) == 7

    view = s.characters.choose([0])
    assert view.by_person and view.chosen == [0] and len(view.target) == 32
    a05 = next(i for i in view.target if s.record(i).meta["filename"] == "a05.png")
    view = s.characters.move(a05, into_target=False)
    assert len(view.target) == 31 and view.chosen == [0]  # the tick agrees: 31 of 32 are in
    assert view.clusters[0].in_target == 31
    view = s.characters.apply()
    assert len(view.target) == 31 and not view.pending
    assert len(exported(s)) == 31 == len(s.dataset.ids())
    assert "a05.png" not in names_of(s, s.dataset.ids())

    # 4 more images: 3 of the character, 1 other; a run from anywhere, then the review
    s.inputs.add_folder(write(str(tmp_path / "more"), ["a40.png", "a41.png", "a42.png", "o9.png"]))
    s.runs.start()
    view = s.characters.clusters(keep_params=True)
    assert names_of(s, view.suggested) == ["a40.png", "a41.png", "a42.png", "o9.png"]
    # the new ones follow their cluster, and the run (the Run tab's too, not only Apply) already holds them
    assert len(view.target) == 34 and not view.pending
    assert len(exported(s)) == 34 == len(s.dataset.ids())
    view = s.characters.apply()
    assert len(view.target) == 34 and not view.pending
    assert "a05.png" not in names_of(s, s.dataset.ids())  # the move out held

    # another threshold: the character splits in two clusters, the choice stays the same images
    view = s.characters.clusters(threshold=0.4)
    assert [(c.label, c.size, c.in_target) for c in view.clusters] == [(0, 20, 19), (1, 15, 15), (2, 4, 0)]
    assert view.chosen == [0, 1] and len(view.target) == 34 and not view.pending
    view = s.characters.choose([0])  # untick cluster 1: its 15 images leave, cluster 0 keeps its move
    assert len(view.target) == 19 and view.chosen == [0]
    view = s.characters.apply()
    assert len(exported(s)) == 19 == len(view.target)
    assert s.characters.clusters(keep_params=True).threshold == 0.4  # the clustering is remembered

    # back to waifuc's own clustering: the same images, not another choice
    view = s.characters.clusters(threshold=None)
    assert len(view.target) == 19 and view.clusters[0].in_target == 19
    assert view.chosen == [0]  # ticked: most of its 35 images are in the target

    s.characters.reset()  # waifuc's own choice, one click away
    s.runs.start()
    view = s.characters.clusters()
    assert not view.by_person and view.target == [] and s.dataset.ids() == []
    assert s.characters.can_undo_reset()
    view = s.characters.undo_reset()  # and the person's choice one click back
    assert view.by_person and len(view.target) == 19 and view.threshold is None  # the grouping last shown
    assert len(s.characters.apply().target) == 19 == len(s.dataset.ids())
    assert not s.characters.can_undo_reset()


def test_the_choice_is_kept_by_image_key_and_saved(person):
    s = person
    s.characters.clusters()
    s.characters.take(-1, into_target=True)  # the whole noise, in one action
    choice = s.characters.choice()
    assert len(choice.inside) == 7 and len(choice.outside) == 32
    assert all("@" in k and k.split("@")[0].endswith(".png") for k in choice.inside)
    again = Decisions.from_dict(s.pipeline.decisions.to_dict()).characters[s.uid]
    assert again == choice
    view = s.characters.apply()
    assert len(exported(s)) == 7 == len(view.target)


def test_apply_never_empties_the_dataset_without_a_confirmation(person):
    s = person
    view = s.characters.choose([0])
    s.characters.apply()
    assert len(s.dataset.ids()) == 32
    view = s.characters.move(view.target, into_target=False)  # many images in one action
    assert view.target == []
    with pytest.raises(InvalidOptionError, match="confirm that every image"):
        s.characters.apply()
    assert len(s.dataset.ids()) == 32  # nothing ran
    s.characters.apply(confirm_empty=True)
    assert s.dataset.ids() == []


def test_the_choice_and_its_grouping_survive_a_save_and_reload(person):
    s = person
    s.characters.clusters(threshold=0.4)
    view = s.characters.choose([1])  # at 0.4: a20..a31 (12 images) only
    view = s.characters.move(view.cluster(0)[:2], into_target=True)  # and two of a00..a19
    s.characters.apply()
    assert len(s.dataset.ids()) == 14
    assert s.save()
    again = Session.load(s.workspace, catalog=s.catalog, review_models=ReviewModels(ccip_labels=lambda items, **kw: [
        character_of(it.meta["filename"], kw["threshold"]) for it in items]))
    view = again.characters.clusters(keep_params=True)
    assert view.threshold == 0.4 and view.by_person and len(view.target) == 14 and not view.pending
    assert [(c.label, c.in_target) for c in view.clusters] == [(0, 2), (1, 12), (2, 0)] and view.chosen == [1]
    assert names_of(again, view.target) == names_of(s, s.dataset.ids())
