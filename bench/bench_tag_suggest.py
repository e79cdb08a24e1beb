"""Speed of the Tags tab's suggestions (5,000 images, 3,000 distinct tags by default).

    /work/venv/bin/python bench/bench_tag_suggest.py [--images 5000] [--tags 3000] [--edits 20] [--browser]

Python: builds the suggestion list (``(tag, count)`` rows -> ``(label, tag)`` choices, most frequent first) from
the images' tag dicts, with and without replaying a log of edits (what ``session.tags.table()`` does after
edits), against a floor measured in the same run: counting the tags with ``collections.Counter``.

``--browser``: in Debian's Chromium, typing into a tag field holding every tag as a choice against typing into a
plain Textbox (the floor), and the time to send new choices to the Tags tab's six fields after an edit against
sending one Textbox value. Long tasks (> 50 ms on the main thread) are counted: that is what a stall is.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from waifuc_ui.session.tag_suggest import suggestions  # noqa: E402
from waifuc_ui.session.tagedit import TagEdits, tag_frequencies  # noqa: E402
from waifuc_ui.session.tagging import Tags  # noqa: E402


class FixedDataset:
    """The two Dataset methods Tags reads, over fixed metas (the run's output)."""

    def __init__(self, data: dict[str, dict[str, float]]):
        self._metas = {i: {"tags": t} for i, t in data.items()}

    def ids(self) -> list[str]:
        return list(self._metas)

    def metas(self) -> dict[str, dict]:
        return dict(self._metas)

WORDS = ["hair", "eyes", "long", "short", "red", "blue", "smile", "dress", "shirt", "hat", "open", "mouth", "ribbon",
         "bow", "skirt", "sleeves", "gloves", "thighhighs", "jacket", "holding", "sitting", "standing", "looking"]


def make_tags(n_tags: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    tags: set[str] = set()
    while len(tags) < n_tags:
        tags.add("_".join(rng.sample(WORDS, rng.randint(1, 3))) + ("" if rng.random() < 0.6 else f"_{len(tags)}"))
    return sorted(tags)


def make_dataset(n_images: int, tags: list[str], per_image: int = 30, seed: int = 1) -> dict[str, dict[str, float]]:
    """Zipf-like: a few tags on most images, a long tail on few (as a tagger's output looks)."""
    rng = random.Random(seed)
    weights = [1.0 / (k + 1) for k in range(len(tags))]
    out = {}
    for i in range(n_images):
        picked = dict.fromkeys(rng.choices(tags, weights, k=per_image))
        out[f"in{i:05d}"] = {t: round(rng.random(), 3) for t in picked}
    return out


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def python_bench(n_images: int, n_tags: int, n_edits: int) -> list[str]:
    tags = make_tags(n_tags)
    data = make_dataset(n_images, tags)
    distinct = len({t for d in data.values() for t in d})
    rng = random.Random(2)
    ids = list(data)
    edits = TagEdits()
    for k in range(n_edits):
        scope = None if k % 3 == 0 else rng.sample(ids, len(ids) // 4)
        [edits.add, edits.remove][k % 2](rng.choice(tags), scope)

    def floor():
        counts: Counter = Counter()
        for d in data.values():
            counts.update(d.keys())
        return counts

    def build():
        return suggestions(tag_frequencies(data.values()))

    def build_after_edits():
        return suggestions(tag_frequencies(edits.apply(i, d) for i, d in data.items()))

    tags_service = Tags(None, FixedDataset(data))  # type: ignore[arg-type]  # Tags reads only the dataset here
    tags_service.edits = edits

    def session_table():
        return suggestions(tags_service.table())

    t_floor, t_build, t_edits = best_of(floor), best_of(build), best_of(build_after_edits)
    def first():
        tags_service.__init__(None, tags_service._dataset)  # nothing remembered
        tags_service.edits = edits
        return session_table()

    def one_more_edit():
        edits.add(rng.choice(tags), rng.sample(ids, len(ids) // 4))
        return session_table()

    t_first = best_of(first, repeat=3)
    t_again = best_of(session_table)
    t_more = best_of(one_more_edit)
    choices = build()
    payload = len(json.dumps(choices, ensure_ascii=False).encode())
    def row(name: str, seconds: float) -> str:
        return f"  {name:44s} {seconds * 1000:8.1f} ms   ratio {seconds / t_floor:5.2f}"

    return [f"python: {n_images} images, {distinct} distinct tags, {n_edits} edits replayed",
            f"  {'floor: Counter over the tag dicts':44s} {t_floor * 1000:8.1f} ms",
            row("suggestions (counts, sort, labels)", t_build),
            row(f"the same after replaying {n_edits} edits", t_edits),
            row("session tags.table() + suggestions, first", t_first),
            row("the same again (edited tags remembered)", t_again),
            row("after one more edit (replayed on them)", t_more),
            f"  choices sent to one field: {len(choices)} ({payload / 1024:.0f} KiB JSON; six fields on the tab)"]


def browser_bench(n_tags: int) -> list[str]:
    import gradio as gr
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, free_port
    from waifuc_ui.ui.tag_picker import MAX_SUGGESTIONS, separator_marker, suggestion_values, tag_field

    tags = make_tags(n_tags)
    data = make_dataset(2000, tags)
    table = tag_frequencies(data.values())
    with gr.Blocks() as demo:
        marker = separator_marker()
        fields = [tag_field(f"field {k}", f"f{k}", multiselect=k < 3) for k in range(6)]
        plain = gr.Textbox(label="plain", elem_id="plain", interactive=True)
        fill, floor_btn = gr.Button("fill", elem_id="fill"), gr.Button("floor", elem_id="floor")
        capped = gr.Button("capped", elem_id="capped")
        done = gr.Textbox(elem_id="done")
        every = len(table)
        fill.click(lambda: {**suggestion_values(fields, marker, table, limit=every), done: f"filled {time.time_ns()}"},
                   None, [*fields, marker, done])
        capped.click(lambda: {**suggestion_values(fields, marker, table), done: f"capped {time.time_ns()}"}, None,
                     [*fields, marker, done])
        floor_btn.click(lambda: {plain: "x" * 10, done: f"floor {time.time_ns()}"}, None, [plain, done])
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True)
    lines = [f"browser: Chromium, {len(table)} choices in each of 6 tag fields"]
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/")
            page.locator("#done textarea, #done input").first.wait_for()
            page.evaluate("""() => { window.__long = []; new PerformanceObserver(list => {
                for (const e of list.getEntries()) window.__long.push(e.duration); })
                .observe({entryTypes: ['longtask']}); }""")

            def round_trip(button: str, text: str) -> float:
                before = page.locator("#done textarea, #done input").first.input_value()
                t0 = time.perf_counter()
                page.locator(f"#{button}").click()
                page.wait_for_function("([t, b]) => { const v = document.querySelector('#done textarea, #done input')"
                                       ".value; return v.startsWith(t) && v !== b; }", arg=[text, before])
                page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
                return time.perf_counter() - t0

            def updates(button: str, text: str) -> tuple[float, float]:
                """Best round trip of three, and the longest main-thread task seen meanwhile."""
                page.evaluate("() => { window.__long = []; }")
                best = min(round_trip(button, text) for _ in range(3))
                return best, max(page.evaluate("() => window.__long.slice()"), default=0)

            t_floor, _ = updates("floor", "floor")
            cap = min(len(table), MAX_SUGGESTIONS)
            for name, button, n in (("capped", "capped", cap), ("all", "fill", len(table))):  # fewer, then more
                t, worst = updates(button, button if button == "capped" else "filled")
                lines.append(f"  update  six fields with {n:5d} choices ({name}) {t * 1000:7.1f} ms vs one Textbox "
                             f"{t_floor * 1000:6.1f} ms   ratio {t / t_floor:5.2f}; longest task {worst:.0f} ms")
                updates("floor", "floor")
            page.locator("#fill").click()  # typing below: every tag in each field
            page.wait_for_timeout(3000)

            def typing(selector: str, text: str) -> list[float]:
                box = page.locator(selector)
                box.click()
                out = []
                for ch in text:
                    t0 = time.perf_counter()
                    page.keyboard.press(ch)
                    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
                    out.append(time.perf_counter() - t0)
                page.keyboard.press("Escape")
                return out

            text = "long hair"
            page.evaluate("() => { window.__long = []; }")
            floor = typing("#plain textarea, #plain input", text) + typing("#plain textarea, #plain input", text)
            long_floor = page.evaluate("() => window.__long.slice()")
            page.evaluate("() => { window.__long = []; }")
            multi = typing("#f0 input", text)
            single = typing("#f3 input", text)
            long_tag = page.evaluate("() => window.__long.slice()")
            shown = page.locator("#f3 input").input_value()
            med_floor = statistics.median(floor)
            for name, values in (("multiselect", multi), ("single", single)):
                lines.append(f"  typing  {name:11s} median {statistics.median(values) * 1000:6.1f} ms, max "
                             f"{max(values) * 1000:6.1f} ms per key vs Textbox median {med_floor * 1000:5.1f} ms"
                             f"   ratio {statistics.median(values) / med_floor:5.2f}")
            worst = max(long_tag, default=0)
            lines.append(f"  long tasks while typing: tag fields {len(long_tag)} (max {worst:.0f} ms), Textbox "
                         f"{len(long_floor)}; typed 'long hair' reads {shown!r}")
            browser.close()
    finally:
        demo.close()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=5000)
    parser.add_argument("--tags", type=int, default=3000)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--browser", action="store_true")
    args = parser.parse_args()
    for line in python_bench(args.images, args.tags, args.edits):
        print(line)
    if args.browser:
        for line in browser_bench(args.tags):
            print(line)


if __name__ == "__main__":
    main()
