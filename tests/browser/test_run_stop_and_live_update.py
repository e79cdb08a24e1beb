"""Issue 15, the run controls under load: a stopped run says it stopped and what it kept so far (the Export tab
agrees), and Run pressed while a parameter change re-runs in the background waits for it, then gives one result.

A run long enough to act on is made of large generated images uploaded through the page (no test hook in the app):
every step decodes each image, and the last one (AlignMinSizeAction) shrinks each one anew when its size changes.
"""

from __future__ import annotations

import re
import zipfile

import pytest
from PIL import Image, ImageDraw

pytestmark = pytest.mark.browser
TIMEOUT = 120_000
#: Images and their side: enough that each step of the model-free preset takes seconds on a busy machine.
COUNT, SIDE = 24, 3000


@pytest.fixture(scope="module")
def big_zip(tmp_path_factory):
    """COUNT distinct SIDE×SIDE images (flat colours with a bar: small files, slow to decode and shrink)."""
    folder = tmp_path_factory.mktemp("big")
    path = folder / "big.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for k in range(COUNT):
            image = Image.new("RGB", (SIDE, SIDE), (10 * k, 255 - 10 * k, (70 * k) % 256))
            draw = ImageDraw.Draw(image)
            draw.rectangle((100 * k, 100 * (k % 5), 100 * k + 500, 100 * (k % 5) + 1200), fill=(255, 255, 255))
            draw.ellipse((2900 - 90 * k, 1500, 2900 - 90 * k + 600, 2600 - 40 * k), fill=(0, 0, 0))
            image_path = folder / f"big_{k:02d}.png"
            image.save(image_path, compress_level=1)
            zf.write(image_path, f"big/big_{k:02d}.png")
    return path


def open_with_big_images(browser, url, big_zip):
    """A page whose session holds only the big images (uploaded, replacing the demo)."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    expect(page.locator("#source-summary")).to_contain_text("13 images came in", timeout=TIMEOUT)
    page.locator("#upload-files input[type=file]").set_input_files(str(big_zip))
    expect(page.locator("#upload-files a[href*='big.zip']")).to_have_count(1, timeout=TIMEOUT)
    page.locator("#use-uploads").click()
    expect(page.locator("#source-summary")).to_contain_text(f"{COUNT} images came in, 0 files refused · {COUNT} in "
                                                            "the session", timeout=TIMEOUT)
    return context, page


def test_stop_says_stopped_and_what_it_kept_so_far_and_the_export_tab_agrees(app_url, browser, big_zip):
    from playwright.sync_api import expect

    url, _binder = app_url
    context, page = open_with_big_images(browser, url, big_zip)
    page.get_by_role("tab", name="3 · Run").click()
    page.locator("#run-btn").click()
    # stop once the first step is done (so something was kept) and before the last one ends
    expect(page.get_by_text(re.compile(r"Step [234]/4 · ")).first).to_be_visible(timeout=TIMEOUT)
    page.locator("#stop-btn").click()
    status = page.locator("#run-status")
    expect(status).to_contain_text("Run stopped", timeout=TIMEOUT)
    text = status.inner_text()
    found = re.search(r"Run stopped after (\d) of 4 step\(s\): (\d+) images in, (\d+) kept so far \(after (\d)\. ",
                      text)
    assert found, text
    ran, images_in, kept, last = (int(g) for g in found.groups())
    assert 1 <= ran <= 3 and last == ran and images_in == COUNT and 1 <= kept <= COUNT
    assert "in the dataset after" not in text and "Not a finished dataset" in text
    expect(page.locator("#stop-btn")).to_have_text("■ Stop", timeout=TIMEOUT)

    page.get_by_role("tab", name="7 · Export").click()
    info = page.locator("#export-info")
    expect(info).to_contain_text(f"The dataset holds {kept} images", timeout=TIMEOUT)
    expect(info).to_contain_text(f"The last run was stopped after {ran} of 4 step(s)", timeout=TIMEOUT)
    expect(info).to_contain_text("what those steps kept so far", timeout=TIMEOUT)
    context.close()


def test_run_pressed_during_a_live_update_waits_for_it_and_ends_in_one_result(app_url, browser, big_zip):
    from playwright.sync_api import expect

    url, _binder = app_url
    context, page = open_with_big_images(browser, url, big_zip)
    page.get_by_role("tab", name="3 · Run").click()
    page.locator("#run-btn").click()
    status = page.locator("#run-status")
    expect(status).to_contain_text("Run finished", timeout=TIMEOUT)
    finished = re.search(r"(\d+) in the dataset", status.inner_text())
    assert finished, status.inner_text()

    page.get_by_role("tab", name="2 · Pipeline").click()
    page.locator("#step-4-params").click()
    size = page.locator("#step-4-min_size input").first
    size.fill("640")
    size.press("Enter")  # every image is shrunk again: a background re-run of seconds
    live = page.locator("#live-result")
    expect(live).to_contain_text("Updating the last run with this change", timeout=TIMEOUT)
    page.get_by_role("tab", name="3 · Run").click()
    expect(live).to_contain_text("Updating the last run", timeout=TIMEOUT)  # still going when Run is pressed
    page.locator("#run-btn").click()
    expect(page.get_by_text("Waiting for the update of the last run").first).to_be_visible(timeout=TIMEOUT)
    expect(status).to_contain_text("Run finished", timeout=TIMEOUT)
    expect(status).to_contain_text(f"{finished.group(1)} in the dataset after 4 step(s)", timeout=TIMEOUT)
    assert page.locator(".toast-body").count() == 0  # no "while another run is going"
    expect(page.locator(".wrap.error")).to_have_count(0)
    page.get_by_role("tab", name="2 · Pipeline").click()
    expect(live).to_contain_text(f"Run updated (done): {COUNT} in → {finished.group(1)} in the dataset",
                                 timeout=TIMEOUT)

    # the one result: the last step's kept images carry the new size
    page.get_by_role("tab", name="3 · Run").click()
    page.locator("#step-choice input").click()
    page.get_by_role("option", name=re.compile(r"^4\. AlignMinSizeAction")).first.click()
    captions = page.locator("#after-gallery .caption-label")
    expect(captions.first).to_contain_text("640×640", timeout=TIMEOUT)
    sizes = {c.split(" · ")[-1] for c in captions.all_inner_texts()}
    assert sizes == {"640×640"}, sizes
    context.close()
