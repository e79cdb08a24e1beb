"""The launched app takes a video at the upload step: frames at the chosen interval, a broken video refused with
its reason in the table, the session's other images kept."""

from __future__ import annotations

import pytest

from tests.browser.test_export_exact import launch
from tests.source.video_files import make_video

pytestmark = pytest.mark.browser
TIMEOUT = 60_000


def interval_saved(seconds):
    """Matches the answer to the video options' change handler having kept ``seconds`` as the interval."""

    def match(response) -> bool:
        if "/run/predict" not in response.url:
            return False
        data = (response.request.post_data_json or {}).get("data") or [None]
        return data[0] == seconds

    return match


def test_video_upload_with_interval_and_a_broken_video(browser, tmp_path):
    from playwright.sync_api import expect

    video = make_video(tmp_path / "sent" / "ep01.webm", 30, fps=10)  # 3 s, every frame differs
    broken = tmp_path / "sent" / "cut.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42 not the rest")
    demo, binder, url, _originals, _tags = launch(tmp_path)
    try:
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page.set_default_timeout(TIMEOUT)
        page.goto(url)
        summary = page.locator("#source-summary")
        expect(summary).to_contain_text("Demo dataset: 5 images came in", timeout=TIMEOUT)
        page.get_by_label("Replace the current images").uncheck()
        page.locator("#video-options").get_by_text("Videos (mp4, mkv, webm").click()
        interval = page.locator("#video-interval input[type=number]")
        saved: list = []  # kept by a handler without visible output: wait for its answer
        page.on("response", lambda r: saved.append(r) if interval_saved(1)(r) else None)
        for _attempt in range(3):  # a change sent while the page was still busy can be lost under load: resend
            interval.fill("1")
            interval.press("Enter")
            for _ in range(80):
                if saved:
                    break
                page.wait_for_timeout(250)
            if saved:
                break
            interval.fill("2")  # a different value, so the next fill is a change again
        assert saved, "the interval change never reached the server"
        page.locator("#upload-files input[type=file]").set_input_files([video, str(broken)])
        expect(page.locator("#upload-files a[href*='cut.mp4']")).to_have_count(1)
        page.locator("#use-uploads").click()
        # 1 s between frames of a 3 s video: 3 frames (the default 0.5 s would give 6)
        expect(summary).to_contain_text("Upload of 2 files: 3 images came in, 1 file refused · 8 in the session")
        expect(page.locator("#refused-table")).to_contain_text("cut.mp4")
        expect(page.locator("#refused-table")).to_contain_text("not a video FFmpeg can read")
    finally:
        demo.close()
        binder.registry.close_all()
