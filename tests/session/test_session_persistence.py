"""A session saved in its workspace reopens exactly, in this process or a new one, and only with its own secret."""

import json
import os
import time

import pytest

from waifuc_ui.session import SessionRegistry, persistence
from waifuc_ui.session.project import load_project, write_project

SECRET = "s3cret-of-alice-0123456789abcdef"


def new_registry(root, cache):
    """What a restarted server builds: a new registry (new memory) on the same workspace root."""
    return SessionRegistry(root, ttl_seconds=3600, cache_dir=cache)


def build_session(registry, image_dir):
    """Inputs from a folder, a preset, a run, a restore and a hand drop, duplicate keeper, tag edits, trigger
    word and an export."""
    s = registry.create(SECRET)
    s.inputs.add_folder(image_dir)
    s.pipeline.load_preset("model-free clean-up")
    s.runs.start()
    size_uid, dedup_uid, align_uid = (st.uid for st in s.pipeline.recipe.steps[1:4])
    s.pipeline.restore(size_uid, "in00002")  # the small image, dropped by MinSizeFilter
    s.pipeline.drop_by_hand(dedup_uid, "in00005")
    s.runs.start()
    s.duplicates.groups()
    s.duplicates.set_keeper("in00003")  # the copy of a.png is kept instead of a.png
    s.duplicates.apply()
    s.runs.start()
    final = s.dataset.ids()
    s.tags.add("solo")
    s.tags.set_item(final[0], "red_hair, sword, 1girl")
    s.tags.replace("solo", "alone")
    s.tags.set_trigger_word("surtr_lora")
    s.export.zip(layout="save", name="mine", kohya_folder="surtr")
    s.save()
    return s


def snapshot(s):
    """Everything a person sees or made in the session."""
    run = s.runs.last
    return {
        "inputs": list(s.inputs.ids),
        "records": [r.to_dict() for r in s.store.snapshot()],
        "refused": [(r.path, r.reason) for r in s.inputs.refused],
        "recipe": s.pipeline.recipe.to_dict(),
        "decisions": s.pipeline.decisions.to_dict(),
        "review": s.duplicates.state(),
        "tag_edits": s.tags.edits.to_dict(),
        "export": s.export.settings,
        "log": s.inputs.log,
        "final": s.dataset.ids(),
        "tags": s.tags.all(),
        "stale": s.runs.is_stale,
        "counts": s.runs.counts(),
        "steps": [(v.before, v.after, {i: (d.reason, d.score, d.duplicate_of) for i, d in v.dropped.items()})
                  for v in (s.runs.step_view(st.uid) for st in run.steps)],
        "drop_info": s.runs.drop_info("in00005"),
    }


def test_session_reopens_exactly_after_a_restart(tmp_path, image_dir):
    root, cache = str(tmp_path / "ws"), str(tmp_path / "cache")
    first = new_registry(root, cache)
    s = build_session(first, image_dir)
    before = snapshot(s)
    assert before["final"] and before["export"] == {"layout": "save", "name": "mine", "kohya_folder": "surtr"}
    assert before["tags"][before["final"][0]] == {"red_hair": 1.0, "sword": 1.0, "1girl": 1.0}
    first.release_all()  # the process ends; nothing is deleted

    second = new_registry(root, cache)
    again = second.reopen(s.id, SECRET)
    assert again is not None and again is not s
    assert snapshot(again) == before
    assert again.tags.edits.trigger_word == "surtr_lora"
    # the reopened session works on: an edit, a re-run (memo empty, same result), an export
    again.tags.remove("alone")
    assert again.runs.start().status == "done" and again.dataset.ids() == before["final"]
    assert again.export.zip(**again.export.settings).images == len(before["final"])


def test_reopen_in_the_same_process_gives_the_live_session(registry, image_dir):
    s = registry.create(SECRET)
    assert registry.reopen(s.id, SECRET) is s


@pytest.mark.parametrize("secret", ["", None, "wrong-secret", SECRET + "x", 12])
def test_a_wrong_or_absent_secret_opens_nothing(tmp_path, image_dir, secret):
    root, cache = str(tmp_path / "ws"), str(tmp_path / "cache")
    first = new_registry(root, cache)
    s = build_session(first, image_dir)
    assert first.reopen(s.id, secret) is None
    first.release_all()
    assert new_registry(root, cache).reopen(s.id, secret) is None
    assert os.path.isdir(s.workspace.dir)  # a failed attempt deletes nothing


def test_another_sessions_secret_never_opens_it(tmp_path):
    root, cache = str(tmp_path / "ws"), str(tmp_path / "cache")
    first = new_registry(root, cache)
    alice, bob = first.create("alice-secret-aaaaaaaaaaaaaaaa"), first.create("bob-secret-bbbbbbbbbbbbbbbbbb")
    first.release_all()
    second = new_registry(root, cache)
    assert second.reopen(alice.id, "bob-secret-bbbbbbbbbbbbbbbbbb") is None
    assert second.reopen(bob.id, "bob-secret-bbbbbbbbbbbbbbbbbb").id == bob.id
    for bad_id in ("../" + alice.id, "..", alice.id + "/..", "x" * 8):
        assert second.reopen(bad_id, "alice-secret-aaaaaaaaaaaaaaaa") is None


def test_state_files_are_versioned_relative_and_hold_only_the_secrets_hash(registry, image_dir):
    s = build_session(registry, image_dir)
    texts = {}
    for name in (persistence.STATE_FILE, persistence.ITEMS_FILE, persistence.RUN_FILE):
        with open(os.path.join(s.workspace.dir, name), encoding="utf-8") as fh:
            texts[name] = fh.read()
        data = json.loads(texts[name])
        assert (data["format"], data["version"]) == ("waifuc_ui.session", 1)
    state = json.loads(texts[persistence.STATE_FILE])
    assert state["secret_sha256"] == persistence.hash_secret(SECRET)
    assert all(SECRET not in t for t in texts.values())
    records = json.loads(texts[persistence.ITEMS_FILE])["records"]
    assert records[0]["file"] == "inputs/in00001.png" and records[0]["thumb"].startswith("thumbs/in00001_")
    assert s.workspace.dir not in texts[persistence.ITEMS_FILE]
    assert not [n for n in os.listdir(s.workspace.dir) if n.endswith(".tmp")]


def test_save_writes_only_when_something_changed(registry):
    s = registry.create(SECRET)
    assert s.save() is False  # create() saved it already
    path = os.path.join(s.workspace.dir, persistence.STATE_FILE)
    inode = os.stat(path).st_ino
    s.tags.set_trigger_word("abc")
    assert s.save() is True and os.stat(path).st_ino != inode  # replaced, not rewritten in place
    assert s.save() is False
    assert json.load(open(path))["tag_edits"]["trigger_word"] == "abc"


def test_an_idle_session_expires_on_disk_after_a_restart(tmp_path):
    root, cache = str(tmp_path / "ws"), str(tmp_path / "cache")
    first = new_registry(root, cache)
    s = first.create(SECRET)
    first.release_all()
    old = time.time() - 7200
    for path in (s.workspace.dir, os.path.join(s.workspace.dir, persistence.STATE_FILE)):
        os.utime(path, (old, old))
    second = new_registry(root, cache)
    assert second.reopen(s.id, SECRET) is None
    assert second.workspaces.remove_orphans() == [s.id] and not os.path.exists(s.workspace.dir)


def test_a_broken_state_file_gives_no_session(tmp_path):
    root, cache = str(tmp_path / "ws"), str(tmp_path / "cache")
    first = new_registry(root, cache)
    s = first.create(SECRET)
    first.release_all()
    path = os.path.join(s.workspace.dir, persistence.STATE_FILE)
    data = json.load(open(path))
    data["version"] = 99
    json.dump(data, open(path, "w"))
    assert new_registry(root, cache).reopen(s.id, SECRET) is None
    with pytest.raises(persistence.StateError, match="format version 99"):
        persistence.read_json(path, "state")


def test_project_file_moves_the_work_to_another_session_with_the_same_images(tmp_path, registry, image_dir):
    s = build_session(registry, image_dir)
    path = write_project(s, str(tmp_path / "p.waifuc_ui.json"))
    text = open(path, encoding="utf-8").read()
    assert s.workspace.dir not in text and image_dir not in text and str(tmp_path) not in text
    project = load_project(path)
    assert project.recipe.to_dict() == s.pipeline.recipe.to_dict()
    assert project.decisions.to_dict() == s.pipeline.decisions.to_dict() and project.trigger_word == "surtr_lora"
    assert [(p.id, p.name) for p in project.inputs] == [("in00001", "a.png"), ("in00002", "b.png"),
                                                        ("in00003", "c.png"), ("in00004", "d.png"),
                                                        ("in00005", "e.png")]

    other = SessionRegistry(str(tmp_path / "elsewhere"), cache_dir=str(tmp_path / "cache")).create()
    files = sorted(os.path.join(image_dir, n) for n in os.listdir(image_dir))
    for f in reversed(files):  # same images, another order: other ids
        other.inputs.add_uploads([f])
    assert other.record("in00001").meta["filename"] == "e.png"
    match = other.load_project(path)
    assert len(match.matched) == 5 and not match.missing and not match.extra
    other.runs.start()

    def named(session):
        return [(session.record(i).meta["filename"], session.tags.all()[i]) for i in session.dataset.ids()]

    assert named(other) == named(s)
    assert other.tags.edits.trigger_word == "surtr_lora" and other.export.settings == s.export.settings


def test_uploaded_files_are_referenced_relative_to_the_workspace(tmp_path, image_dir):
    import zipfile

    archive = tmp_path / "up.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in ("a.png", "b.png", "bad.png"):
            zf.write(os.path.join(image_dir, name), f"pics/{name}")
    root, cache = str(tmp_path / "ws"), str(tmp_path / "cache")
    first = new_registry(root, cache)
    s = first.create(SECRET)
    s.inputs.add_uploads([str(archive)])
    s.pipeline.load_preset("model-free clean-up")
    s.runs.start()
    s.save()
    assert any(r.meta.get("path", "").startswith(s.workspace.dir) for r in s.store.snapshot())
    for name in (persistence.STATE_FILE, persistence.ITEMS_FILE, persistence.RUN_FILE):
        with open(os.path.join(s.workspace.dir, name), encoding="utf-8") as fh:
            assert s.workspace.dir not in fh.read(), name
    before = snapshot(s)
    first.release_all()
    assert snapshot(new_registry(root, cache).reopen(s.id, SECRET)) == before
