"""A session survives a reload and a server restart (same workspace root), and only its own key opens it."""

from __future__ import annotations

import json
import os
import re

import pytest

from tests.browser.conftest import free_port, write_browser_dataset, write_upload_zip
from tests.browser.test_sessions_isolated import thumbnail_urls, workspace_id
from tests.fakehub import install_fake_hub

pytestmark = pytest.mark.browser
TIMEOUT = 60_000


def open_tab(page, name):
    page.get_by_role("tab", name=name).click()


def launch(settings, port):
    from waifuc_ui.ui import SessionBinder, build_app, launch_options

    binder = SessionBinder(settings)
    demo = build_app(settings, binder)
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True,
                **launch_options(settings, binder))
    return demo, binder


@pytest.fixture
def server(tmp_path, fake_hub):
    """start() launches the app on one port and workspace root; calling it again after stop() is a restart."""
    from waifuc_ui.ui import AppSettings

    install_fake_hub(fake_hub, families=("ccip", "lpips", "wd14"))
    write_browser_dataset(tmp_path / "demo")
    settings = AppSettings(workspace_root=(tmp_path / "workspaces").resolve(), demo_dir=tmp_path / "demo")
    port = free_port()
    running = {}

    class Server:
        url = f"http://127.0.0.1:{port}/"
        root = str(settings.workspace_root)

        def start(self):
            running["demo"], running["binder"] = launch(settings, port)
            return running["binder"]

        def stop(self):
            running.pop("demo").close()
            running.pop("binder").registry.release_all()  # the process ends: nothing is deleted

    srv = Server()
    yield srv
    if running:
        running["demo"].close()
        running["binder"].registry.close_all()


@pytest.fixture
def app_server(app_url):
    """The shared app (see conftest's ``app_url``) behind :func:`server`'s interface, for the tests that never
    restart it: start() gives its binder."""
    app_url_, binder = app_url

    class Running:
        url = app_url_
        root = str(binder.registry.workspaces.root)

        def start(self):
            return binder

    return Running()


def workspaces(root):
    return sorted(n for n in os.listdir(root) if os.path.isdir(os.path.join(root, n)))


def saved_name(root):
    """The zip name saved in the (only) session's state file, None when there is none."""
    (ws,) = workspaces(root)
    try:
        with open(os.path.join(root, ws, "session.json"), encoding="utf-8") as fh:
            return json.load(fh)["export_settings"].get("name")
    except FileNotFoundError:
        return None


def make_work(page, tmp_path, root):
    """Upload a zip (replacing the demo), run, add a tag to all, rewrite one image's tags, set the trigger word
    and an export name."""
    from playwright.sync_api import expect

    page.locator("#upload-files input[type=file]").set_input_files(str(write_upload_zip(tmp_path / "up.zip")))
    expect(page.locator("#upload-files a[href*='up.zip']")).to_have_count(1)
    page.locator("#use-uploads").click()
    expect(page.locator("#source-summary")).to_contain_text("2 images came in, 1 file refused · 2 in the session")
    open_tab(page, "3 · Run")
    page.locator("#run-btn").click()
    expect(page.locator("#run-status")).to_contain_text("Run finished: 2 images in")
    open_tab(page, "6 · Tags")
    page.locator("#tag-input input, #tag-input textarea").first.fill("smile")
    page.locator("#tag-add").click()
    expect(page.locator("#tags-note")).to_contain_text("Added smile to 2 image(s) (of all 2 images).")
    page.locator("#tags-gallery img").first.click()
    own = page.locator("#image-tags textarea")
    expect(own).to_have_value("smile")
    own.fill("red_eyes, smile, blush")
    page.locator("#save-image-tags").click()
    expect(page.locator("#tags-note")).to_contain_text("Saved the tags of")
    page.locator("#trigger-word input, #trigger-word textarea").first.fill("surtr_lora")
    page.get_by_role("button", name="Set trigger word").click()
    expect(page.locator("#tags-note")).to_contain_text("Trigger word: surtr_lora.")
    open_tab(page, "7 · Export")
    name = page.get_by_label("Zip name")
    name.fill("mine")
    name.press("Tab")
    for _ in range(100):  # the choice is saved by a handler without visible output: wait for the state file
        if saved_name(root) == "mine":
            break
        page.wait_for_timeout(50)


def check_work(page):
    """Everything make_work did is on the page again."""
    from playwright.sync_api import expect

    expect(page.locator("#source-summary")).to_contain_text("Your session was reopened: 2 images", timeout=TIMEOUT)
    expect(page.locator("#source-summary")).to_contain_text("last run restored")
    expect(page.locator("#refused-table")).to_contain_text("escape.png")
    urls = thumbnail_urls(page)
    assert len(urls) == 2 and all(page.request.get(u).status == 200 for u in urls)  # the file cookie is back
    open_tab(page, "3 · Run")
    expect(page.locator("#run-status")).to_contain_text("Run finished: 2 images in, 2 in the dataset")
    open_tab(page, "6 · Tags")
    table = page.locator("#tag-table")
    expect(table).to_contain_text("red_eyes")
    expect(table).to_contain_text("blush")
    expect(page.locator("#trigger-word input, #trigger-word textarea").first).to_have_value("surtr_lora")
    page.locator("#tags-gallery img").first.click()
    # (the order of one image's tags is another fix's matter: here, all three and no other)
    own = page.locator("#image-tags textarea")
    all_three = r"^(?=.*\bred_eyes\b)(?=.*\bblush\b)(?=.*\bsmile\b)[a-z_]+, [a-z_]+, [a-z_]+$"
    expect(own).to_have_value(re.compile(all_three))
    open_tab(page, "7 · Export")
    expect(page.get_by_label("Zip name")).to_have_value("mine")
    expect(page.locator("#export-info")).to_contain_text("trigger word surtr_lora")
    return urls


def test_a_reload_brings_the_session_back(app_server, browser, tmp_path):
    from playwright.sync_api import expect

    server = app_server
    binder = server.start()
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(server.url)
    expect(page.locator("#source-summary")).to_contain_text("Demo dataset: 13 images came in", timeout=TIMEOUT)
    make_work(page, tmp_path, server.root)
    before = workspaces(server.root)
    assert len(before) == 1
    page.reload()
    urls = check_work(page)
    assert workspaces(server.root) == before and binder.live_count() == 1
    assert {workspace_id(u, server.root) for u in urls} == set(before)


def test_a_restarted_server_reopens_the_session_with_the_browsers_key(server, browser, tmp_path):
    from playwright.sync_api import expect

    server.start()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(server.url)
    expect(page.locator("#source-summary")).to_contain_text("Demo dataset: 13 images came in", timeout=TIMEOUT)
    make_work(page, tmp_path, server.root)
    before = workspaces(server.root)
    server.stop()
    binder = server.start()  # a new process on the same root: nothing in memory
    assert binder.live_count() == 0
    page.reload()
    urls = check_work(page)
    assert {workspace_id(u, server.root) for u in urls} == set(before) == set(workspaces(server.root))

    # a browser without the key, and one whose key carries a wrong secret, get new sessions on the demo
    stranger = browser.new_context().new_page()
    stranger.goto(server.url)
    expect(stranger.locator("#source-summary")).to_contain_text("Demo dataset: 13 images", timeout=TIMEOUT)
    assert {workspace_id(u, server.root) for u in thumbnail_urls(stranger)} != set(before)

    forger = browser.new_context().new_page()
    config = forger.request.get(server.url + "config").json()
    load_fn = next(d["id"] for d in config["dependencies"] if any(t[1] == "load" for t in d["targets"]))

    def wrong_secret(route):  # the page's load event carries a key naming the owner's session, wrong secret
        body = route.request.post_data_json or {}
        if body.get("fn_index") == load_fn:
            body["data"] = [{"id": before[0], "secret": "not-the-secret"}]
        route.continue_(post_data=json.dumps(body))

    forger.route(re.compile(r".*/queue/join.*"), wrong_secret)
    forger.goto(server.url)
    expect(forger.locator("#source-summary")).to_contain_text("Demo dataset: 13 images", timeout=TIMEOUT)
    forged_ws = {workspace_id(u, server.root) for u in thumbnail_urls(forger)}
    assert forged_ws != set(before)
    # the owner's session is untouched by both
    page.reload()
    check_work(page)


def test_project_file_and_new_session(app_server, browser, tmp_path):
    """Download the project, start over (the old workspace is deleted), upload the same images, load the
    project: the tag edits, the trigger word and the export name are back."""
    from playwright.sync_api import expect

    server = app_server
    server.start()
    page = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True).new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(server.url)
    expect(page.locator("#source-summary")).to_contain_text("Demo dataset: 13 images came in", timeout=TIMEOUT)
    make_work(page, tmp_path, server.root)
    (old_ws,) = workspaces(server.root)

    open_tab(page, "1 · Source")
    page.get_by_text("Your session: kept on the server").click()
    page.locator("#project-save").click()
    link = page.locator("#project-download a[download]").first
    expect(link).to_have_attribute("download", "mine.waifuc_ui.json")
    with page.expect_download() as info:
        link.click()
    project_path = tmp_path / "mine.waifuc_ui.json"
    info.value.save_as(project_path)
    project = json.loads(project_path.read_text())
    assert project["format"] == "waifuc_ui.project" and project["tag_edits"]["trigger_word"] == "surtr_lora"
    assert sorted(os.path.basename(p["name"]) for p in project["inputs"]) == ["green_0.png", "green_1.png"]
    assert server.root not in project_path.read_text()

    page.locator("#new-session").click()
    page.locator("#new-session-yes").click()
    expect(page.locator("#source-summary")).to_contain_text("Demo dataset: 13 images came in", timeout=TIMEOUT)
    assert old_ws not in workspaces(server.root) and len(workspaces(server.root)) == 1

    page.locator("#upload-files input[type=file]").set_input_files(str(tmp_path / "up.zip"))
    expect(page.locator("#upload-files a[href*='up.zip']")).to_have_count(1)
    page.locator("#use-uploads").click()
    expect(page.locator("#source-summary")).to_contain_text("2 images came in, 1 file refused · 2 in the session")
    page.locator("#project-load input[type=file]").set_input_files(str(project_path))
    expect(page.locator("#source-summary")).to_contain_text("Project loaded and run: 2 of 2 project images found")
    open_tab(page, "6 · Tags")
    expect(page.locator("#tag-table")).to_contain_text("red_eyes")
    expect(page.locator("#trigger-word input, #trigger-word textarea").first).to_have_value("surtr_lora")
    open_tab(page, "7 · Export")
    expect(page.get_by_label("Zip name")).to_have_value("mine")
    # and the new session is the one the browser reopens
    page.reload()
    expect(page.locator("#source-summary")).to_contain_text("Your session was reopened: 2 images", timeout=TIMEOUT)
