"""ONNX sessions: provider choice and one cached, thread-safe opener.

The provider comes from ``$WAIFUC_UI_ONNX_PROVIDER``, else ``$ONNX_MODE`` (imgutils' variable), else CUDA when
onnxruntime offers it, else CPU. Names: 'cpu', 'cuda'/'gpu', 'trt', or any onnxruntime provider name with or
without the ``ExecutionProvider`` suffix, any case. CPU is always appended as fallback.

ONNX Runtime's own errors (a damaged file, a graph that is not the expected model, a provider that fails) become
:class:`waifuc_ui.core.errors.ModelRunError` here, when a session is created and when it runs.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from waifuc_ui.core.errors import InvalidOptionError, ModelRunError

PROVIDER_ENV = 'WAIFUC_UI_ONNX_PROVIDER'
_ALIASES = {'gpu': 'CUDAExecutionProvider', 'trt': 'TensorrtExecutionProvider'}
_CPU = 'CPUExecutionProvider'


def requested_provider() -> str | None:
    """The provider asked for by the environment, or None for automatic."""
    return os.environ.get(PROVIDER_ENV) or os.environ.get('ONNX_MODE') or None


def resolve_provider(mode: str | None = None) -> str:
    """Full onnxruntime provider name for ``mode`` (or the environment, or automatic)."""
    import onnxruntime as ort
    available = ort.get_available_providers()
    mode = mode or requested_provider()
    if not mode:
        return 'CUDAExecutionProvider' if 'CUDAExecutionProvider' in available else _CPU
    wanted = _ALIASES.get(mode.lower(), mode).lower()
    for name in available:
        if wanted in (name.lower(), name.lower().removesuffix('executionprovider')):
            return name
    raise InvalidOptionError(
        'ONNX provider', mode, [p.removesuffix('ExecutionProvider').lower() for p in available],
        fix=f'Set {PROVIDER_ENV} (or ONNX_MODE) to one of these; CUDA needs `pip install onnxruntime-gpu` '
            f'and a working CUDA/cuDNN.')


def short_provider_name(provider: str) -> str:
    """'CUDAExecutionProvider' -> 'CUDA'."""
    return provider.removesuffix('ExecutionProvider')


def current_provider() -> str:
    """'CPU' or 'CUDA' (or another onnxruntime provider): what new sessions will run on."""
    return short_provider_name(resolve_provider())


_REDOWNLOAD = ('delete the file (it is in the Hugging Face cache, HF_HUB_CACHE, or under $WAIFUC_UI_MODEL_DIR) so '
               'the next run downloads it again; if it is a custom model, check it is the expected one')


class ModelSession:
    """An onnxruntime ``InferenceSession`` whose errors say which file failed and what to do (ModelRunError).
    Everything else (``get_inputs``, ``get_modelmeta``, ...) is the session's own."""

    def __init__(self, session: Any, path: str):
        self.session, self.path = session, path

    def run(self, output_names: Sequence[str] | None, feed: Mapping[str, Any]) -> list[Any]:
        try:
            return self.session.run(output_names, feed)
        except Exception as err:  # onnxruntime raises its own classes (Fail, InvalidArgument, ...) or RuntimeError
            shapes = ', '.join(f'{k} {getattr(v, "shape", "?")}' for k, v in feed.items())
            raise ModelRunError(f'ONNX Runtime could not run {os.path.basename(self.path)} on inputs {shapes} '
                                f'({type(err).__name__}: {err})', _REDOWNLOAD, path=self.path) from err

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)


class SessionCache:
    """One session per (model path, provider), created once even under concurrent first calls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[tuple[str, str], ModelSession] = {}

    def get(self, path: str, mode: str | None = None) -> ModelSession:
        provider = resolve_provider(mode)
        key = (os.path.abspath(path), provider)
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                session = ModelSession(_create_session(path, provider), path)
                self._sessions[key] = session
            return session

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()


def _create_session(path: str, provider: str) -> Any:
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if provider == _CPU:
        options.intra_op_num_threads = os.cpu_count() or 1
    providers = [provider] if provider == _CPU else [provider, _CPU]
    try:
        return ort.InferenceSession(path, options, providers=providers)
    except Exception as err:  # onnxruntime's Fail / InvalidProtobuf / NoSuchFile / EPFail ...
        fix = _REDOWNLOAD if provider == _CPU else f'set {PROVIDER_ENV}=cpu, or {_REDOWNLOAD}'
        raise ModelRunError(f'ONNX Runtime could not open the model file {path} on {short_provider_name(provider)} '
                            f'({type(err).__name__}: {err})', fix, path=path) from err


SESSIONS = SessionCache()


def open_session(path: str, mode: str | None = None) -> ModelSession:
    """The cached session for the model file at ``path``."""
    return SESSIONS.get(path, mode)
