"""Four visitors at once on a public deployment, each with 100 ordinary images and one hostile upload.

    python bench/bench_public_load.py [--images 100] [--keep]

Launches ``app.py`` in public mode (WAIFUC_UI_PUBLIC=1, a temporary workspace root and gradio upload folder) in a
subprocess on 127.0.0.1, warms it up with one small upload, measures the floor (the idle server's memory), then
drives four gradio_client sessions concurrently. Each uploads, in one request, 100 ordinary JPEGs plus one hostile
upload of issue 9:

    bomb   a ~60 KB zip whose 500 entries share one compressed body (1.05 GB if unpacked)
    pixels a 657 KB PNG of 13000 x 13000 RGBA (676 MB decoded)
    frames a GIF of 2,000 frames
    bytes  two 150 MB files in the same request (over the 200 MB per-request limit)

Prints each session's result (images in, the hostile file's refusal reason), the server's peak memory (VmHWM of
/proc/<pid>/status) next to the floor, and the disk used (workspaces + gradio's upload folder, peak and final).
The target of issue 9: peak memory under 1.5 GB. ``--near-limit`` adds to each session a 5000 x 5000 RGBA PNG
(allowed, 100 MB decoded), so four large decodes compete for the server's decode slots.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.security.hostile import huge_png, long_gif, low_entropy_bytes, ordinary_jpeg, overlapping_zip  # noqa: E402
from waifuc_ui.session.workspace import folder_bytes  # noqa: E402

TARGET_BYTES = 1.5e9


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status_kb(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def tree_bytes(*folders: Path) -> int:
    return sum(folder_bytes(str(folder)) for folder in folders)


def make_files(work: Path, images: int) -> dict:
    started = time.perf_counter()
    sets = {}
    for k in range(4):
        folder = work / f"session{k}"
        folder.mkdir(parents=True)
        sets[k] = [ordinary_jpeg(folder / f"s{k}_{i:03d}.jpg", 1000 * k + i, size=(768, 768)) for i in range(images)]
    hostile = work / "hostile"
    hostile.mkdir()
    noise = [hostile / "noise1.jpg", hostile / "noise2.jpg"]
    for path in noise:
        with open(path, "wb") as f:
            for _ in range(150):
                f.write(os.urandom(1 << 20))
    kinds = {
        "bomb": [overlapping_zip(hostile / "bomb.zip", 500, low_entropy_bytes(2_100_000, 120))],
        "pixels": [huge_png(hostile / "huge.png", 13000, 13000)],
        "frames": [long_gif(hostile / "long.gif", 2000, 128)],
        "bytes": noise,
    }
    print(f"files built in {time.perf_counter() - started:.1f} s: " + ", ".join(
        f"{kind} {sum(p.stat().st_size for p in paths) / 1e6:.2f} MB" for kind, paths in kinds.items()))
    return {"ordinary": sets, "hostile": kinds}


def launch(work: Path) -> tuple:
    port = free_port()
    env = dict(os.environ, WAIFUC_UI_PUBLIC="1", WAIFUC_UI_WORKSPACE_ROOT=str(work / "workspaces"),
               GRADIO_TEMP_DIR=str(work / "gradio_tmp"), GRADIO_SERVER_NAME="127.0.0.1",
               GRADIO_SERVER_PORT=str(port), GRADIO_ANALYTICS_ENABLED="False", HF_HUB_OFFLINE="1",
               WAIFUC_UI_CACHE_DIR=str(work / "analysis"), PYTHONUNBUFFERED="1")
    env.pop("SPACE_ID", None)
    log = open(work / "server.log", "w")
    server = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=str(ROOT), env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 120
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the app exited with {server.returncode}; see {work / 'server.log'}")
        try:
            if httpx.get(url + "config", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    else:
        server.kill()
        raise SystemExit("the app did not start within 120 s")
    return server, url


def upload(url: str, paths, clients: list) -> tuple:
    """One visitor's upload; the client is kept in ``clients`` (a closed client ends its session, whose workspace
    the app then deletes, which would hide the disk it used)."""
    from gradio_client import Client, handle_file

    client = Client(url, verbose=False, download_files=False)
    clients.append(client)
    client.predict(None, api_name="/on_open")
    started = time.perf_counter()
    summary, table, *_ = client.predict(files=[handle_file(str(p)) for p in paths], rep=True, api_name="/on_upload")
    return summary, {row[0]: row[1] for row in table["data"]}, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=100, help="ordinary images per session (default 100)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--near-limit", action="store_true",
                        help="each session also uploads a 5000 x 5000 RGBA PNG, just under the pixel limit (100 MB "
                             "decoded): shows the decode slots bounding four large decodes at once")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_public_load_"))
    server = None
    try:
        files = make_files(work, args.images)
        if args.near_limit:
            for k in range(4):
                files["ordinary"][k].insert(0, huge_png(work / f"session{k}" / f"large{k}.png", 5000, 5000 - k))
        server, url = launch(work)
        folders = (work / "workspaces", work / "gradio_tmp")
        warm = files["ordinary"][0][-3:]  # small ones: the floor is the idle server
        clients: list = []
        summary, _, _ = upload(url, [shutil.copy(p, work / f"warm_{p.name}") for p in warm], clients)
        time.sleep(1.0)
        floor = status_kb(server.pid, "VmHWM") * 1024
        floor_rss = status_kb(server.pid, "VmRSS") * 1024
        print(f"warm-up: {summary}")
        disk_peak = [tree_bytes(*folders)]
        stop = threading.Event()

        def watch_disk() -> None:
            while not stop.wait(0.5):
                disk_peak[0] = max(disk_peak[0], tree_bytes(*folders))

        watcher = threading.Thread(target=watch_disk, daemon=True)
        watcher.start()
        results = {}
        plan = dict(zip(range(4), ["bomb", "pixels", "frames", "bytes"]))

        def visitor(k: int) -> None:
            hostile = files["hostile"][plan[k]]
            paths = [hostile[0], *files["ordinary"][k], *hostile[1:]]
            try:
                results[k] = upload(url, paths, clients)
            except Exception as err:  # report, do not hide
                results[k] = (f"FAILED: {type(err).__name__}: {err}", {}, 0.0)

        started = time.perf_counter()
        threads = [threading.Thread(target=visitor, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        stop.set()
        watcher.join()
        peak = status_kb(server.pid, "VmHWM") * 1024
        disk_final = tree_bytes(*folders)
        disk_peak[0] = max(disk_peak[0], disk_final)

        for k in range(4):
            summary, refused, seconds = results[k]
            print(f"session {k} ({plan[k]:6s}) {seconds:6.1f} s  {summary.strip()}")
            for name, reason in refused.items():
                print(f"    refused {name}: {reason}")
        print(f"four sessions in {wall:.1f} s")
        print(f"server memory: floor {floor / 1e6:.0f} MB (idle after warm-up; RSS {floor_rss / 1e6:.0f} MB), "
              f"peak {peak / 1e6:.0f} MB = {peak / floor:.2f}x the floor, +{(peak - floor) / 1e6:.0f} MB; "
              f"target < {TARGET_BYTES / 1e9:.1f} GB: {'met' if peak < TARGET_BYTES else 'NOT met'}")
        print(f"disk used (workspaces + gradio uploads): peak {disk_peak[0] / 1e6:.0f} MB, "
              f"final {disk_final / 1e6:.0f} MB")
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
