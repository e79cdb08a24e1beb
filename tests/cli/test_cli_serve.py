"""``waifuc-ui serve`` starts the app the way ``python app.py`` does, on the address and port given."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_on_the_port_given(tmp_path):
    port = free_port()
    env = {**os.environ, "PYTHONPATH": ROOT, "WAIFUC_UI_WORKSPACE_ROOT": str(tmp_path / "ws"),
           "GRADIO_ANALYTICS_ENABLED": "False"}
    proc = subprocess.Popen([sys.executable, "-m", "waifuc_ui", "serve", "--host", "127.0.0.1", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        page = ""
        for _ in range(240):  # the app builds in a few seconds; a loaded machine may need a minute
            if proc.poll() is not None:
                raise AssertionError(f"serve exited with {proc.returncode}: {proc.stderr.read()[-2000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
                    page = answer.read().decode("utf-8", "replace")
                    break
            except OSError:
                time.sleep(0.5)
        assert "gradio" in page.lower() and "waifuc" in page.lower()  # the app, not any server
    finally:
        proc.terminate()
        proc.wait(timeout=30)
