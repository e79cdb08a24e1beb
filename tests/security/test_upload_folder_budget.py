"""gradio's upload route takes files from any client, before any session handler can count them: in public mode
the upload folder as a whole is bounded (507 when full), so posting files without ever ingesting them cannot fill
the server's disk."""

from __future__ import annotations

import dataclasses

import httpx

from waifuc_ui.session.quota import Quotas
from waifuc_ui.ui.upload_budget import UploadBudget


def post(url: str, name: str, size: int) -> httpx.Response:
    return httpx.post(url + "gradio_api/upload", files={"files": (name, b"\0" * size, "image/png")}, timeout=30)


def test_uploads_without_a_session_stop_at_the_upload_folder_bound(launch, tmp_path, monkeypatch):
    uploads = tmp_path / "gradio-uploads"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(uploads))
    quotas = dataclasses.replace(Quotas.public(), upload_folder_bytes=1_000_000)
    app = launch(public=True, quotas=quotas)
    answers = [post(app.url, f"junk{k}.png", 300_000) for k in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 507, 507]  # 3 x 300 KB fit in 1 MB, a 4th not
    assert "upload space is full" in answers[3].text
    written = sum(f.stat().st_size for f in uploads.rglob("*") if f.is_file())
    assert 900_000 <= written <= 1_000_000


def test_the_folder_is_measured_again_so_a_cleaned_folder_takes_uploads_again(tmp_path):
    folder = tmp_path / "up"
    folder.mkdir()
    now = [0.0]
    budget = UploadBudget(str(folder), 1000, refresh_s=5, clock=lambda: now[0])
    (folder / "a").write_bytes(b"x" * 900)
    assert not budget.admit(200) and budget.admit(100)  # 900 on disk + 100 fits, 200 does not
    (folder / "a").unlink()  # gradio's cache clean-up removed it
    assert not budget.admit(200)  # not measured again yet: 1000 counted
    now[0] = 6.0
    assert budget.admit(200)


def test_local_runs_have_no_upload_folder_bound():
    assert Quotas.local().upload_folder_bytes is None and Quotas.public().upload_folder_bytes == 4096 * 1024 ** 2
