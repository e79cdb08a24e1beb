"""Test-wide setup: no network, an empty temporary Hugging Face cache, gradio's upload folder of our own.

HF_HUB_OFFLINE and HF_HUB_CACHE are read when huggingface_hub is imported, GRADIO_TEMP_DIR partly when gradio is,
so they are set here, before any test module imports them. Each pytest process (each xdist worker too) gets its own
folders: nothing on disk is shared between processes.
"""

import os
import tempfile

import pytest

_HF_TMP = tempfile.mkdtemp(prefix="waifuc_ui_hf_")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HOME"] = os.path.join(_HF_TMP, "home")
os.environ["HF_HUB_CACHE"] = os.path.join(_HF_TMP, "hub")
os.environ.pop("HF_TOKEN", None)
os.environ.setdefault("WAIFUC_UI_CACHE_DIR", os.path.join(_HF_TMP, "analysis"))
os.environ["GRADIO_TEMP_DIR"] = os.path.join(_HF_TMP, "gradio")  # public-mode upload budgets measure this folder

# Fixtures every folder may use: the tiny ONNX models on a fake Hub cache, and the local Hub file server.
pytest_plugins = ["tests.fakehub", "tests.fakehub_extra", "tests.inference.hubserver"]

# With pytest-xdist (scripts/test.sh: --dist loadgroup), tests using one of these fixtures run in one worker: one
# local Ray cluster for the whole run, not one per worker.
XDIST_GROUPS = {"ray_cluster": "ray"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        for fixture, group in XDIST_GROUPS.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(pytest.mark.xdist_group(group))
