"""Test-wide setup: no network, an empty temporary Hugging Face cache.

HF_HUB_OFFLINE and HF_HUB_CACHE are read when huggingface_hub is imported,
so they are set here, before any test module imports it.
"""

import os
import tempfile

_HF_TMP = tempfile.mkdtemp(prefix="waifuc_ui_hf_")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_HOME"] = os.path.join(_HF_TMP, "home")
os.environ["HF_HUB_CACHE"] = os.path.join(_HF_TMP, "hub")
os.environ.pop("HF_TOKEN", None)
os.environ.setdefault("WAIFUC_UI_CACHE_DIR", os.path.join(_HF_TMP, "analysis"))

# Fixtures every folder may use: the tiny ONNX models on a fake Hub cache, and the local Hub file server.
pytest_plugins = ["tests.fakehub", "tests.fakehub_extra", "tests.inference.hubserver"]
