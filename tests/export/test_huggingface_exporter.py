"""HuggingFaceExporter against a local Hub (tests/export/hub_upload_server.py): the real huggingface_hub upload code,
the files and bytes the server received, the private flag, the card, and refusals with their fix."""

from __future__ import annotations

import io
import json
import os
import zipfile

import pytest
from huggingface_hub import constants
from PIL import Image

from tests.export.hub_upload_server import HubUploadServer
from tests.inference.hubserver import go_online, refused_url
from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.core.item import ImageItem
from waifuc_ui.export import HuggingFaceExporter, TextualInversionExporter
from waifuc_ui.export.huggingface import CardInfo, HubPushError


def items(tmp_path):
    """Two images read from files (so the unchanged bytes can be compared) with tags."""
    out = []
    for name, colour, tags in (("a.png", "red", {"1girl": 1.0, "smile": 0.9}), ("b.png", "blue", {"1girl": 1.0})):
        path = tmp_path / "in" / name
        path.parent.mkdir(exist_ok=True)
        Image.new("RGB", (16, 12), colour).save(path)
        out.append(ImageItem(Image.open(path), {"filename": name, "tags": tags, "path": str(path)},
                             source_file=str(path)))
    return out


@pytest.fixture
def hub(monkeypatch, tmp_path):
    with HubUploadServer(tokens={"hf_write": "me", "hf_read": "me", "hf_other": "you"}, read_only=("hf_read",),
                         orgs={"club": ["me"]}) as server:
        go_online(monkeypatch, server.url)
        monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "no-token"))  # no stored login
        monkeypatch.delenv("HF_TOKEN", raising=False)
        yield server


def push(tmp_path, repository="me/surtr", **kwargs):
    kwargs.setdefault("hf_token", "hf_write")
    exporter = HuggingFaceExporter(repository, **kwargs)
    exporter.reset()
    return exporter.export_from(items(tmp_path))


def test_push_private_dataset_with_card_and_metadata(hub, tmp_path):
    seen = []
    card = CardInfo(title="Surtr", how=["uploaded 2 images", "steps: ModeConvertAction"],
                    recipe={"steps": [{"action": "ModeConvertAction"}]})
    result = push(tmp_path, card=card, progress=lambda f, t: seen.append((f, t)), expected=2,
                  score_descend=False)
    repo = hub.repos["datasets/me/surtr"]
    assert repo["private"] is True
    files = repo["files"]
    assert sorted(files) == ["README.md", "data/a.png", "data/a.txt", "data/b.png", "data/b.txt",
                             "data/metadata.jsonl"]
    assert files["data/a.png"] == (tmp_path / "in" / "a.png").read_bytes()  # unchanged image: its own bytes
    assert files["data/a.txt"] == b"1girl, smile"
    meta = [json.loads(line) for line in files["data/metadata.jsonl"].decode().splitlines()]
    assert meta == [{"file_name": "a.png", "text": "1girl, smile"}, {"file_name": "b.png", "text": "1girl"}]
    readme = files["README.md"].decode()
    assert readme.startswith("---\npretty_name: \"Surtr\"")
    assert '    - "data/metadata.jsonl"\n    - "data/**/*.png"\n---' in readme
    assert "| images | 2 |" in readme and "| with a caption | 2 |" in readme
    assert "| 1girl | 2 |" in readme and "| smile | 1 |" in readme
    assert "- uploaded 2 images" in readme and '"action": "ModeConvertAction"' in readme
    assert "| visibility when created | private |" in readme
    assert result.repo_id == "me/surtr" and result.images == 2 and result.private
    assert result.url == f"{hub.url}/datasets/me/surtr"
    assert repo["commits"] == [{"summary": "Upload 2 images with waifuc_ui", "files": sorted(files),
                                "sha": repo["sha"]}]
    calls = [(m, p.split("?")[0]) for m, p, _ in hub.requests if p != "/api/agent-harnesses"]
    assert calls == [("POST", "/api/repos/create"), ("GET", "/api/datasets/me/surtr"), ("POST", "/api/validate-yaml"),
                     ("POST", "/api/datasets/me/surtr/preupload/main"), ("POST", "/api/datasets/me/surtr/commit/main")]
    assert {tok for _m, p, tok in hub.requests if p != "/api/agent-harnesses"} == {"hf_write"}
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and "Pushed 2 images" in seen[-1][1]


def test_kohya_folder_trigger_word_and_own_namespace(hub, tmp_path):
    result = push(tmp_path, "surtr-ds", folder="5_surtr", trigger_word="surtr", score_descend=False,
                  card=CardInfo(trigger_word="surtr"))
    assert result.repo_id == "me/surtr-ds"
    files = hub.files("me/surtr-ds")
    assert "data/5_surtr/a.png" in files and files["data/5_surtr/a.txt"] == b"surtr, 1girl, smile"
    first = json.loads(files["data/metadata.jsonl"].decode().splitlines()[0])
    assert first == {"file_name": "5_surtr/a.png", "text": "surtr, 1girl, smile"}
    assert "| trigger word | `surtr` |" in files["README.md"].decode()


def test_save_layout_captions_from_sidecars(hub, tmp_path):
    push(tmp_path, layout="save", private=False)
    repo = hub.repos["datasets/me/surtr"]
    assert repo["private"] is False
    assert "data/.a_meta.json" in repo["files"]
    meta = [json.loads(line) for line in repo["files"]["data/metadata.jsonl"].decode().splitlines()]
    assert meta[0] == {"file_name": "a.png", "text": "1girl, smile"}


def test_waifuc_form_zip_in_repo(hub, tmp_path):
    exporter = HuggingFaceExporter("me/packed", "package.zip", TextualInversionExporter, kwargs={"use_spaces": True},
                                   hf_token="hf_write")
    exporter.reset()
    result = exporter.export_from(items(tmp_path))
    files = hub.files("me/packed")
    assert sorted(files) == ["README.md", "package.zip"] and result.files == ["README.md", "package.zip"]
    with zipfile.ZipFile(io.BytesIO(files["package.zip"])) as archive:
        assert sorted(archive.namelist()) == ["a.png", "a.txt", "b.png", "b.txt", "metadata.jsonl"]
    assert "packed in `package.zip`" in files["README.md"].decode()


def test_lfs_upload_path(hub, tmp_path, monkeypatch):
    hub.lfs = True
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)  # the LFS basic transfer this server speaks
    push(tmp_path)
    assert sorted(p for m, p, _ in hub.requests if m == "PUT")  # the PNGs went through LFS
    assert len([p for m, p, _ in hub.requests if m == "PUT"]) == 2
    assert hub.files("me/surtr")["data/b.png"] == (tmp_path / "in" / "b.png").read_bytes()


def test_second_push_commits_again_and_keeps_the_visibility(hub, tmp_path):
    assert push(tmp_path, private=False).private is False
    again = push(tmp_path, private=True)  # the repository exists: its visibility stays, and the result says so
    repo = hub.repos["datasets/me/surtr"]
    assert len(repo["commits"]) == 2 and repo["private"] is False and again.private is False
    assert "to the public dataset me/surtr" in again.text()


@pytest.mark.parametrize("token, repository, words", [
    ("hf_wrong", "me/surtr", "the Hub refused the token (401 Unauthorized"),
    ("hf_read", "me/surtr", "may not write to 'me/surtr' (403 Forbidden"),
    ("hf_other", "me/surtr", "may not write to 'me/surtr' (403 Forbidden"),
    ("hf_write", "me/_under", "refused the repository 'me/_under' (400"),
])
def test_refusals_say_what_to_do_and_change_nothing(hub, tmp_path, token, repository, words):
    with pytest.raises(HubPushError) as err:
        push(tmp_path, repository, hf_token=token)
    text = str(err.value)
    assert words in text and "Fix:" in text and "Nothing in your session was changed" in text
    assert (tmp_path / "in" / "a.png").is_file()
    assert all(not repo["files"] for repo in hub.repos.values())


def test_org_namespace_allowed(hub, tmp_path):
    push(tmp_path, "club/shared")
    assert hub.repos["datasets/club/shared"]["private"] is True


def test_bad_name_refused_before_any_request(hub, tmp_path):
    with pytest.raises(InvalidOptionError, match="repository"):
        HuggingFaceExporter("me/bad name!", hf_token="hf_write")
    with pytest.raises(InvalidOptionError, match="layout"):
        HuggingFaceExporter("me/ok", layout="folder")
    assert hub.requests == []


def test_no_token_and_no_hub(hub, tmp_path, monkeypatch):
    with pytest.raises(HubPushError, match="not signed in"):
        push(tmp_path, hf_token=None)
    assert hub.requests == []
    monkeypatch.setenv("HF_TOKEN", "hf_write")  # waifuc's fallback
    assert push(tmp_path, hf_token=None).repo_id == "me/surtr"
    go_online(monkeypatch, refused_url())
    with pytest.raises(HubPushError, match="cannot reach the Hub"):
        (tmp_path / "again").mkdir()
        push(tmp_path / "again")


def test_empty_export_pushes_nothing(hub, tmp_path):
    exporter = HuggingFaceExporter("me/empty", hf_token="hf_write")
    exporter.reset()
    with pytest.raises(Exception, match="no image was exported"):
        exporter.export_from([])
    assert hub.repos == {} and not os.listdir(tmp_path)


def test_a_push_error_carries_its_problem_fix_and_status_as_fields():
    """The UI reads fields, never the text (the problem once held the whole composed message)."""
    err = HubPushError("the Hub refused the token", "sign in again", status=401)
    assert (err.problem, err.fix, err.status) == (
        "the Hub refused the token", "sign in again. Nothing in your session was changed.", 401)
    assert str(err) == "the Hub refused the token. Fix: sign in again. Nothing in your session was changed."
