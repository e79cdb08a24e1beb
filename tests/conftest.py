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
# gradio's Blocks otherwise ask PyPI for gradio's latest version and post usage analytics, and gradio_client
# sends telemetry through huggingface_hub: no network in tests
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"


def _share_httpx_ssl_context() -> None:
    """Every ``httpx.Client`` builds an SSL context from certifi's bundle (40-120 ms of CPU each, thousands in a run:
    web-source clients, HTTP test helpers, gradio_client). Tests only speak plain HTTP to 127.0.0.1, so the default
    context is built once per process and shared; any other ``verify``/``cert`` is built as httpx does."""
    import functools

    from httpx._transports import default

    build = default.create_ssl_context

    @functools.cache
    def default_context(cafile: str | None, capath: str | None):
        return build(verify=True, cert=None, trust_env=True)

    def create_ssl_context(verify=True, cert=None, trust_env=True):
        if verify is True and cert is None and trust_env:
            return default_context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
        return build(verify=verify, cert=cert, trust_env=trust_env)

    default.create_ssl_context = create_ssl_context


_share_httpx_ssl_context()

# Fixtures every folder may use: the tiny ONNX models on a fake Hub cache, and the local Hub file server.
pytest_plugins = ["tests.fakehub", "tests.fakehub_extra", "tests.inference.hubserver"]

# With pytest-xdist (scripts/test.sh: -n N --dist loadgroup) the tests of these folders run in one worker: the
# Ray tests (tests/batch/conftest.py's ray_cluster) start one local Ray cluster for the run, not one per worker.
ONE_WORKER_FOLDERS = ("tests/batch/",)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup`` with :data:`ONE_WORKER_FOLDERS` as groups (xdist_group marks are not seen with pytest 9:
    xdist 3.8 renames the node id through an attribute pytest 9 no longer reads). Other tests go one by one."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class FolderGroupScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            folder = next((f for f in ONE_WORKER_FOLDERS if nodeid.startswith(f)), None)
            return folder or super()._split_scope(nodeid)

    return FolderGroupScheduling(config, log)
