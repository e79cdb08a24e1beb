"""Speed of the Tags tab's suggestions (5,000 images, 3,000 distinct tags by default).

    /work/venv/bin/python bench/bench_tag_suggest.py [--images 5000] [--tags 3000] [--edits 20] [--browser]

Python: builds the suggestion list (``(tag, count)`` rows -> ``(label, tag)`` choices, most frequent first) from
the images' tag dicts, with and without replaying a log of edits (what ``session.tags.table()`` does after
edits), against a floor measured in the same run: counting the tags with ``collections.Counter``.

``--browser``: in Debian's Chromium, the last design (every tag a choice of each of the Tags tab's six fields,
filtered in the page) against this one (the server keeps the tags and answers each key with the best matches):
the update after an edit against sending one Textbox value, and the time per key until the list shows the right
suggestions against typing into a plain Textbox. Long tasks (> 50 ms on the main thread) are what a freeze is.
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
from collections.abc import Callable
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from waifuc_ui.session.tag_suggest import TagIndex, suggestions  # noqa: E402
from waifuc_ui.session.tagedit import TagEdits, tag_frequencies  # noqa: E402
from waifuc_ui.session.tagging import Tags  # noqa: E402
from waifuc_ui.ui.tag_picker import MAX_SHOWN  # noqa: E402


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
    table = tags_service.table()
    t_index = best_of(lambda: TagIndex.of(table))
    index = TagIndex.of(table)
    prefixes = ["long_hair"[:k] for k in range(1, 10)] + ["", "zzz"]

    def per_key():
        return [suggestions(index.matches(p, MAX_SHOWN)) for p in prefixes]

    t_keys = best_of(per_key) / len(prefixes)
    answer = len(json.dumps(suggestions(index.matches("", MAX_SHOWN)), ensure_ascii=False).encode())

    def row(name: str, seconds: float) -> str:
        return f"  {name:44s} {seconds * 1000:8.1f} ms   ratio {seconds / t_floor:5.2f}"

    return [f"python: {n_images} images, {distinct} distinct tags, {n_edits} edits replayed",
            f"  {'floor: Counter over the tag dicts':44s} {t_floor * 1000:8.1f} ms",
            row("suggestions (counts, sort, labels)", t_build),
            row(f"the same after replaying {n_edits} edits", t_edits),
            row("session tags.table() + suggestions, first", t_first),
            row("the same again (edited tags remembered)", t_again),
            row("after one more edit (replayed on them)", t_more),
            f"  before: choices sent to each of six fields after an edit: {len(choices)} "
            f"({payload / 1024:.0f} KiB JSON)",
            row("after: TagIndex of the table, after an edit", t_index),
            row(f"after: one key's answer (best {MAX_SHOWN}, labelled)", t_keys),
            f"  after: choices sent per key or focus: at most {MAX_SHOWN} ({answer / 1024:.1f} KiB JSON); after an "
            f"edit: none"]


def browser_bench(n_images: int, n_tags: int) -> list[str]:
    """Before (every tag sent as a choice to each field, filtered in the page) against after (the server answers
    each key with the best matches), both against the same floors: a Textbox's value for an update, typing into a
    Textbox for keys."""
    import gradio as gr
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, free_port
    from waifuc_ui.ui.tag_picker import (
        FIELD_CLASS,
        separator_marker,
        suggestion_values,
        tag_field,
        tag_store,
        wire_tag_fields,
    )

    table = tag_frequencies(make_dataset(n_images, make_tags(n_tags)).values())
    index = TagIndex.of(table)
    legacy_cap = 1000  # the last design's cap per field
    with gr.Blocks() as demo:
        marker, store = separator_marker(), tag_store()
        # before: three multiselect and three single dropdowns holding the choices, as the Tags tab had them
        old = [gr.Dropdown(choices=[], value=[] if k < 3 else None, multiselect=k < 3, allow_custom_value=True,
                           filterable=True, interactive=True, label=f"old {k}", elem_id=f"old{k}",
                           elem_classes=[FIELD_CLASS]) for k in range(6)]
        new = [tag_field(f"new {k}", f"new{k}") for k in range(6)]
        wire_tag_fields(new, store, one_tag_fields=new[3:5])
        plain = gr.Textbox(label="plain", elem_id="plain", interactive=True)
        done = gr.Textbox(elem_id="done")
        buttons = {name: gr.Button(name, elem_id=name) for name in ("floor", "old_cap", "old_all", "new_edit")}

        def stamp(name: str) -> str:
            return f"{name} {time.time_ns()}"

        buttons["floor"].click(lambda: {plain: "x" * 10, done: stamp("floor")}, None, [plain, done])
        def send_every_tag(name: str, limit: int | None) -> Callable[[], dict[Any, Any]]:
            def send() -> dict[Any, Any]:
                out: dict[Any, Any] = {f: gr.Dropdown(choices=suggestions(table, limit)) for f in old}
                out[done] = stamp(name)
                return out
            return send

        buttons["old_cap"].click(send_every_tag("old_cap", legacy_cap), None, [*old, done])
        buttons["old_all"].click(send_every_tag("old_all", None), None, [*old, done])
        buttons["new_edit"].click(lambda: {**suggestion_values(new, marker, store, table), done: stamp("new_edit")},
                                  None, [*new, marker, store, done])
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True)
    lines = [f"browser: Chromium, {n_images} images, {len(table)} distinct tags; before = every tag a choice of "
             f"each of 6 fields, after = the server's best {MAX_SHOWN} matches per key"]
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/")
            page.locator("#done textarea, #done input").first.wait_for()
            page.evaluate("""() => { window.__long = []; new PerformanceObserver(list => {
                for (const e of list.getEntries()) window.__long.push(e.duration); })
                .observe({entryTypes: ['longtask']}); }""")
            frames = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"

            def round_trip(button: str) -> float:
                before = page.locator("#done textarea, #done input").first.input_value()
                t0 = time.perf_counter()
                page.locator(f"#{button}").click()
                page.wait_for_function("([t, b]) => { const v = document.querySelector('#done textarea, #done input')"
                                       ".value; return v.startsWith(t + ' ') && v !== b; }", arg=[button, before])
                page.evaluate(frames)
                return time.perf_counter() - t0

            def update(button: str) -> tuple[float, float]:
                """Best round trip of three, and the longest main-thread task seen meanwhile (the freeze)."""
                page.evaluate("() => { window.__long = []; }")
                best = min(round_trip(button) for _ in range(3))
                return best, max(page.evaluate("() => window.__long.slice()"), default=0)

            text = "long hair"

            def typing(field: str, expected: list[list[str]] | None = None) -> list[float]:
                """Per key: to the next frame (the list filtered in the page), or until the field's options are the
                server's answer for the text typed so far (``expected``)."""
                page.locator(f"#{field} input, #{field} textarea").first.click()
                page.evaluate(frames)
                out = []
                for k, ch in enumerate(text):
                    t0 = time.perf_counter()
                    page.keyboard.press(ch)
                    if expected is not None:
                        page.wait_for_function(
                            "([f, want]) => JSON.stringify([...document.querySelectorAll(`#${f} [role=option]`)]"
                            ".map(o => o.getAttribute('aria-label'))) === JSON.stringify(want)",
                            arg=[field, expected[k]], polling="raf")
                    page.evaluate(frames)
                    out.append(time.perf_counter() - t0)
                page.keyboard.press("Escape")
                page.locator(f"#{field} input, #{field} textarea").first.fill("")
                page.keyboard.press("Escape")
                page.evaluate("() => document.activeElement?.blur()")  # leave the field (its list closes)
                page.evaluate(frames)
                return out

            def keys(field: str, expected: list[list[str]] | None = None) -> tuple[list[float], list[float]]:
                page.evaluate("() => { window.__long = []; }")
                values = typing(field, expected)
                return values, page.evaluate("() => window.__long.slice()")

            # measured in this order: the floors and "after" on a page whose fields hold few choices, then
            # "before", whose thousands of choices slow every later event of the page (the floor again shows it)
            t_floor, long_floor = update("floor")
            after_update = update("new_edit")
            answers = [[label for label, _ in suggestions(index.matches(text[:k + 1], MAX_SHOWN))]  # a space is "_"
                       for k in range(len(text))]
            floor_keys, long_floor_keys = keys("plain")
            floor_keys += keys("plain")[0]
            after_keys = [keys("new0", answers), keys("new3", answers)]
            before_updates = [update("old_cap"), update("old_all")]
            t_floor_full, long_floor_full = update("floor")
            page.wait_for_timeout(2000)
            before_keys = [keys("old0"), keys("old3")]

            lines.append(f"  update after an edit; floor: one Textbox value {t_floor * 1000:6.1f} ms "
                         f"(longest task {long_floor:.0f} ms)")
            rows = [(f"before, {min(legacy_cap, len(table))} choices in each field", before_updates[0]),
                    (f"before, all {len(table)} choices in each field", before_updates[1]),
                    ("after, tag index kept on the server", after_update),
                    ("the floor again, once before's fields hold every tag", (t_floor_full, long_floor_full))]
            for name, (t, worst) in rows:
                lines.append(f"    {name:52s} {t * 1000:7.1f} ms   ratio {t / t_floor:6.2f}; longest task "
                             f"{worst:5.0f} ms")
            med_floor = statistics.median(floor_keys)
            lines.append(f"  typing {text!r}, per key; floor: a Textbox, median {med_floor * 1000:5.1f} ms "
                         f"({len(long_floor_keys)} long tasks)")
            for name, (values, long_tasks) in (("before, multiselect filtering every tag", before_keys[0]),
                                               ("before, single dropdown filtering every tag", before_keys[1]),
                                               ("after, multiselect until the server's answer", after_keys[0]),
                                               ("after, one-tag field until the server's answer", after_keys[1])):
                med = statistics.median(values)
                lines.append(f"    {name:47s} median {med * 1000:6.1f} ms, max {max(values) * 1000:6.1f} ms   "
                             f"ratio {med / med_floor:5.2f}; {len(long_tasks)} long tasks (max "
                             f"{max(long_tasks, default=0):.0f} ms)")
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
        for line in browser_bench(args.images, args.tags):
            print(line)


if __name__ == "__main__":
    main()
