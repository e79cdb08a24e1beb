"""ONNX sessions: provider choice and one cached, thread-safe opener.

The provider comes from ``$WAIFUC_UI_ONNX_PROVIDER``, else ``$ONNX_MODE`` (imgutils' variable), else CUDA when
onnxruntime offers it, else CPU. Names: 'cpu', 'cuda'/'gpu', 'trt', or any onnxruntime provider name with or
without the ``ExecutionProvider`` suffix, any case. CPU is always appended as fallback.
"""

from __future__ import annotations

import os
import threading

from waifuc_ui.core.errors import InvalidOptionError

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


class SessionCache:
    """One InferenceSession per (model path, provider), created once even under concurrent first calls."""

    def __init__(self):
        self._lock = threading.Lock()
        self._sessions: dict[tuple[str, str], object] = {}

    def get(self, path: str, mode: str | None = None):
        provider = resolve_provider(mode)
        key = (os.path.abspath(path), provider)
        with self._lock:
            session = self._sessions.get(key)
            if session is None:
                session = _create_session(path, provider)
                self._sessions[key] = session
            return session

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()


def _create_session(path: str, provider: str):
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if provider == _CPU:
        options.intra_op_num_threads = os.cpu_count() or 1
    providers = [provider] if provider == _CPU else [provider, _CPU]
    return ort.InferenceSession(path, options, providers=providers)


SESSIONS = SessionCache()


def open_session(path: str, mode: str | None = None):
    """The cached onnxruntime session for the model file at ``path``."""
    return SESSIONS.get(path, mode)
