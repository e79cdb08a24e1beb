"""A session's files are served only to its own cookie, on every route gradio has that serves files and in every
spelling of the path; and a leaked URL tells nothing about the session's other files."""

from __future__ import annotations

import os
import re
from urllib.parse import quote

from tests.security.conftest import Visitor, get


def spellings(path: str, cwd: str):
    """The ways a request can name ``path`` to gradio's file routes."""
    rel = os.path.relpath(path, cwd)
    double = quote(quote(path, safe=""), safe="")
    yield f"/gradio_api/file={path}"
    yield f"/gradio_api/file/{path.lstrip('/')}"
    yield f"/gradio_api/file/{path}"
    yield f"/file={path}"
    yield f"/file/{path.lstrip('/')}"
    yield f"/gradio_api/file={quote(path, safe='')}"                    # %2F
    yield f"/gradio_api/file/{quote(path.lstrip('/'), safe='')}"
    yield f"/gradio_api/file={double}"                                  # %252F
    yield f"/gradio_api/file=/{path}"                                   # //root/...
    yield f"/gradio_api/file={os.path.dirname(path)}/./../{os.path.basename(os.path.dirname(path))}/" \
          f"{os.path.basename(path)}"
    yield f"/gradio_api/file={rel}"                                     # relative to the server's folder
    yield f"/gradio_api/file/{quote(rel, safe='')}"
    yield "/gradio_api/file=" + "".join(f"%{b:02X}" for b in path.encode())  # every byte encoded
    yield f"/gradio_api/file={path.replace('/', '%2f')}"


def test_no_route_or_spelling_serves_a_session_file_to_another_session_or_no_cookie(app):
    alice, bob = Visitor(app).open(), Visitor(app).open()
    zip_path = alice.build_zip()
    thumb = alice.thumbs[0]
    with open(zip_path, "rb") as f:
        zip_bytes = f.read()
    # the owner gets her files
    for path in (thumb, zip_path):
        assert get(app, f"/gradio_api/file={path}", alice.cookies).status_code == 200
    assert get(app, f"/gradio_api/file={zip_path}", alice.cookies).content == zip_bytes

    served = []
    for path in (thumb, zip_path):
        for url in spellings(path, os.getcwd()):
            for cookies in ({}, bob.cookies, {f"wfui_{alice.id}": "guess"}):
                for method in ("GET", "HEAD"):
                    answer = get(app, url, cookies, method)
                    if answer.status_code < 400 or zip_bytes[:64] in answer.content:
                        served.append((method, url, sorted(cookies), answer.status_code))
    assert served == []


def test_the_workspace_root_and_unknown_workspaces_are_not_served(app):
    alice = Visitor(app).open()
    marker = os.path.join(alice.dir, ".waifuc_ui_workspace")
    for url in (f"/gradio_api/file={marker}", f"/gradio_api/file/{marker}",
                f"/gradio_api/file={app.root}", f"/gradio_api/file={app.root}/{'A' * 22}/thumbs/x.webp"):
        assert get(app, url, alice.cookies).status_code in (403, 404), url
    # everything else the page needs still answers
    assert get(app, "/gradio_api/info").status_code == 200
    assert get(app, "/config").status_code == 200


def test_file_names_cannot_be_guessed_from_one_url(app):
    """Thumbnails and zips carry a random part: knowing one URL (and the workspace id) gives no other name."""
    alice, bob = Visitor(app).open(), Visitor(app).open()
    names = [os.path.basename(p) for p in alice.thumbs]
    bob_names = [os.path.basename(p) for p in bob.thumbs]
    pattern = re.compile(r"^in\d{5}_([A-Za-z0-9_-]{16,})\.webp$")
    secrets_a = [pattern.match(n).group(1) for n in names]
    secrets_b = [pattern.match(n).group(1) for n in bob_names]
    assert len(set(secrets_a + secrets_b)) == len(names) + len(bob_names) == 26  # all different
    zip_path = alice.build_zip()
    folder = os.path.basename(os.path.dirname(zip_path))
    assert os.path.basename(zip_path) == "dataset.zip" and re.fullmatch(r"[0-9a-f]{32}", folder)
    assert folder not in bob.build_zip()
    # with the owner's own cookie, the obvious guesses from a leaked thumbnail URL find nothing
    session = alice.app.binder.registry.get(alice.id)
    for guess in (f"{alice.dir}/thumbs/in00002.webp", f"{alice.dir}/exports/dataset.zip",
                  session.record(session.inputs.ids[1]).file):  # inputs are never served, even to the owner
        assert get(app, f"/gradio_api/file={guess}", alice.cookies).status_code in (403, 404)
