"""App speed: (1) re-filtering 1,000 analysed images after a threshold change, (2) start time to first page.

(1) A session holds N synthetic images (default 1,000) with a ClassFilterAction step whose classifier is a tiny
fake model in a temporary Hub cache (tests/fakehub.py), so the first run analyses every image once. Then the
threshold moves (``session.pipeline.update_step`` + ``session.runs.start``: decisions only, model outputs from the
analysis cache) and one gallery page of the step is built. Floors measured in the same run: a memoised re-run with
nothing changed (the runner's bookkeeping alone) and a bare Python loop comparing N cached scores with the threshold.

(2) ``build_app`` + ``launch`` + the first GET of the page, against a one-Markdown gr.Blocks launched the same way.

    /work/venv/bin/python bench/bench_app.py [--images 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HUB_CACHE"] = tempfile.mkdtemp(prefix="bench_app_hub_")
os.environ["WAIFUC_UI_CACHE_DIR"] = tempfile.mkdtemp(prefix="bench_app_analysis_")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import httpx  # noqa: E402
from PIL import Image  # noqa: E402

from tests.fakehub import install_fake_hub  # noqa: E402


def make_images(folder: str, n: int) -> None:
    """``n`` small distinct images (colour varies, so the fake classifier's scores spread)."""
    os.makedirs(folder, exist_ok=True)
    for k in range(n):
        colour = ((k * 37) % 256, (k * 91) % 256, (k * 53) % 256)
        image = Image.new("RGB", (96, 80), colour)
        image.paste((255 - colour[0], 255, 255), (k % 60, k % 50, k % 60 + 20, k % 50 + 20))
        image.save(os.path.join(folder, f"img_{k:05d}.png"))


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bench_refilter(n: int, repeat: int) -> None:
    from waifuc_ui.session import SessionRegistry
    from waifuc_ui.ui.views import gallery_page

    install_fake_hub(os.environ["HF_HUB_CACHE"], families=("classify",))
    work = tempfile.mkdtemp(prefix="bench_app_")
    make_images(os.path.join(work, "images"), n)
    registry = SessionRegistry(os.path.join(work, "ws"))
    session = registry.create()
    t0 = time.perf_counter()
    session.inputs.add_folder(os.path.join(work, "images"), replace=True)
    ingest = time.perf_counter() - t0
    uid = session.pipeline.add_step("ClassFilterAction", {"classes": ["illustration", "bangumi"], "threshold": 0.3})
    t0 = time.perf_counter()
    first = session.runs.start()
    analyse = time.perf_counter() - t0
    assert first.status == "done", first.message
    step = first.step(uid)
    thresholds = iter([0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8] * (repeat + 1))

    def refilter():
        session.pipeline.update_step(uid, params={"threshold": next(thresholds)})
        session.runs.start()

    refilter_s = best_of(refilter, repeat)
    rerun_s = best_of(session.runs.start, repeat)
    kept_after = len(session.runs.last.step(uid).output_ids)
    page_s = best_of(lambda: gallery_page(session, session.runs.step_view(uid).after, 1), repeat)
    scores = [((k * 7919) % 1000) / 1000 for k in range(n)]
    loop_s = best_of(lambda: [s >= 0.5 for s in scores], repeat)
    print(f"[refilter] {n} images: ingest {ingest:.2f} s, first run (analysis) {analyse:.2f} s "
          f"({len(step.output_ids)} kept at 0.3, {kept_after} at the last threshold)")
    print(f"[refilter] threshold change -> run: {refilter_s * 1000:.1f} ms  "
          f"(floor: memoised no-change run {rerun_s * 1000:.1f} ms, ratio {refilter_s / rerun_s:.2f}; "
          f"bare compare loop {loop_s * 1000:.3f} ms)")
    print(f"[refilter] first analysing run / threshold change: {analyse / refilter_s:.0f}x")
    print(f"[refilter] one gallery page of the step (48 thumbnails): {page_s * 1000:.2f} ms")
    registry.close_all()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def time_to_first_page(make_demo, launch_kwargs) -> float:
    t0 = time.perf_counter()
    demo = make_demo()
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True, **launch_kwargs())
    response = httpx.get(f"http://127.0.0.1:{port}/", timeout=60)
    elapsed = time.perf_counter() - t0
    assert response.status_code == 200
    demo.close()
    return elapsed


def bench_start(repeat: int) -> None:
    import gradio as gr

    from waifuc_ui.ui import AppSettings, SessionBinder, build_app, launch_options

    settings = AppSettings(workspace_root=tempfile.mkdtemp(prefix="bench_app_ws_"))
    binders = []

    def make_app():
        binders.append(SessionBinder(settings))
        return build_app(settings, binders[-1])

    def make_floor():
        with gr.Blocks() as demo:
            gr.Markdown("floor")
        return demo

    app_s = [time_to_first_page(make_app, lambda: launch_options(settings, binders[-1])) for _ in range(repeat)]
    floor_s = [time_to_first_page(make_floor, dict) for _ in range(repeat)]
    app, floor = statistics.median(app_s), statistics.median(floor_s)
    print(f"[start] build_app + launch + first GET: {app:.2f} s (median of {repeat}); "
          f"floor (one-Markdown Blocks): {floor:.2f} s; ratio {app / floor:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    bench_refilter(args.images, args.repeat)
    bench_start(min(args.repeat, 3))


if __name__ == "__main__":
    main()
