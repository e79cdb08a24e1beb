"""ONNX sessions: provider choice and one cached, thread-safe opener."""

from __future__ import annotations


def current_provider() -> str:
    raise NotImplementedError


def open_session(path: str):
    raise NotImplementedError
