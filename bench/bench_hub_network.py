"""How long the Hub's bad days cost: the reachability probe per network condition, a stalled or trickling transfer
until it gives up, and the download rate of a good transfer against a bare socket read of the same bytes (floor).

Every server listens on 127.0.0.1 (tests/inference/hubserver.py): refused (nothing listens), silent (accepts, never
answers), 503, good; transfers: stalled after 1 KB, trickling ~10 bytes/s, and a good 64 MB file.

    /work/venv/bin/python bench/bench_hub_network.py [--window 2] [--size-mb 64] [--hf-hub-download]

``--hf-hub-download`` also times huggingface_hub's own ``hf_hub_download`` on the stalled file (what the app did
before; it waits for its read timeout and retries five times).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ["HF_HUB_OFFLINE"] = "0"
os.environ["HF_HUB_CACHE"] = tempfile.mkdtemp(prefix="bench_hub_cache_")
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="bench_hub_home_")


class Env:
    """monkeypatch-like setter for go_online outside pytest."""

    def setenv(self, name, value):
        os.environ[name] = value

    def setattr(self, obj, name, value):
        setattr(obj, name, value)


def timed(fn):
    start = time.monotonic()
    try:
        out = fn()
    except Exception as err:  # the outcome is part of the measurement
        out = f"{type(err).__name__}: {err}"
    return time.monotonic() - start, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--window", type=float, default=2.0, help="stall window in seconds (the app uses 30)")
    parser.add_argument("--size-mb", type=int, default=64)
    parser.add_argument("--hf-hub-download", action="store_true")
    args = parser.parse_args()

    from tests.inference.hubserver import FakeHubServer, SilentPort, go_online, refused_url
    from waifuc_ui.inference import hub
    from waifuc_ui.inference.download import Downloader
    from waifuc_ui.inference.hub import HubFile

    env = Env()
    print("probe (limit 3 s):")
    silent = SilentPort()
    for name, url in (("refused", refused_url()), ("silent", silent.url)):
        go_online(env, url)
        seconds, out = timed(hub.probe_hub)
        print(f"  {name:8s} {seconds:6.2f} s  {out}")
    silent.close()
    for status in (503, 200):
        with FakeHubServer(root_status=status) as server:
            go_online(env, server.url)
            seconds, out = timed(hub.probe_hub)
            print(f"  HTTP {status} {seconds:6.2f} s  {out}")

    payload = os.urandom(args.size_mb << 20)
    small = payload[:200_000]
    print(f"transfers (stall window {args.window:g} s, minimum 1 KB/s):")
    with FakeHubServer() as server:
        go_online(env, server.url)
        for name, rule in (("stalled", dict(kind="stall", after=1024)),
                           ("trickle", dict(kind="trickle", after=1024, delay=0.1))):
            f = HubFile("bench/x", f"{name}.onnx")
            server.add(f.repo_id, f.filename, small)
            server.behave(f.filename, rule.pop("kind"), **rule)
            seconds, out = timed(lambda f=f: Downloader(stall_window=args.window).fetch(f))
            reason = str(out).split(" cache, and ", 1)[-1].split(". Fix:")[0]
            print(f"  {name:8s} gave up after {seconds:6.2f} s: {reason}")
        good = HubFile("bench/x", "good.onnx")
        server.add(good.repo_id, good.filename, payload)
        seconds, path = timed(lambda: Downloader(stall_window=args.window).fetch(good))
        assert isinstance(path, str) and os.path.getsize(path) == len(payload), path
        import httpx
        floor, _ = timed(lambda: sum(len(c) for c in httpx.stream(
            "GET", f"{server.url}/bench/x/resolve/main/good.onnx").__enter__().iter_raw()))
        print(f"  good {args.size_mb} MB: {seconds:.2f} s ({args.size_mb / seconds:.0f} MB/s); bare read of the same "
              f"bytes {floor:.2f} s; ratio {seconds / floor:.2f}")
        if args.hf_hub_download:
            from huggingface_hub import hf_hub_download
            f = HubFile("bench/x", "stalled.onnx")
            seconds, out = timed(lambda: hf_hub_download(f.repo_id, f.filename, endpoint=server.url,
                                                         cache_dir=tempfile.mkdtemp()))
            print(f"  hf_hub_download on the stalled file: {seconds:.1f} s ({str(out)[:80]})")


if __name__ == "__main__":
    main()
