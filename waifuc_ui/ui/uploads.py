"""Which file values an upload handler may consume.

Every handler is callable over the API with any value, and gradio skips its own "was this uploaded by a user"
check for static paths, which include the workspace root. So a handler taking a gr.File / UploadButton value
accepts only files gradio's upload route received: regular files (no symlinks) inside gradio's upload folder,
listed in the app's set of received uploads, and never inside the workspace root. Anything else (another
session's thumbnail or zip, a server file) is refused with the reason, before a byte is read.

Handlers copy what they take and never delete or move an upload: identical uploads from two visitors share one
path in gradio's content-addressed upload folder, and gradio's ``delete_cache`` removes it later.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from ..core.errors import SourceError


class UploadRefusedError(SourceError):
    """A file value that is not an upload this app received (shown to the visitor with the reason)."""


def upload_folder() -> str:
    """gradio's upload folder (``GRADIO_TEMP_DIR`` or ``<temp>/gradio``), resolved."""
    from gradio.utils import get_upload_folder

    return os.path.realpath(get_upload_folder())


def received_upload_set() -> set[str] | None:
    """The paths gradio's upload route wrote for the running app (None outside a running app)."""
    from gradio.context import LocalContext

    blocks = LocalContext.blocks.get(None)
    received = getattr(blocks, "upload_file_set", None)
    return set(received) if received is not None else None


def value_path(value: Any) -> str:
    """The server path in a file value (a path string, gradio's NamedString / FileData, or a dict)."""
    if isinstance(value, dict):
        return str(value.get("path") or "")
    if isinstance(value, str):
        return value
    return str(getattr(value, "path", None) or getattr(value, "name", None) or "")


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def refusal(path: str, workspace_root: str, folder: str, received: set[str] | None) -> str:
    """Why ``path`` may not be consumed ('' when it may)."""
    if not path:
        return "no file path in the value"
    absolute = os.path.abspath(path)
    real = os.path.realpath(absolute)
    if _inside(real, os.path.realpath(workspace_root)) or _inside(absolute, os.path.abspath(workspace_root)):
        return "it is a file the app made for a session, not an upload: only files sent to the upload box are read"
    if not _inside(real, folder) or os.path.islink(absolute):
        return "it is not a file uploaded to this page: only files sent to the upload box are read"
    if not os.path.isfile(real):
        return "the uploaded copy is gone from the server (uploads are kept a few hours): upload it again"
    if received is not None and absolute not in received and real not in received \
            and real not in {os.path.realpath(p) for p in received}:
        return "it is not a file uploaded to this page: only files sent to the upload box are read"
    return ""


def consumable_uploads(values: Iterable[Any] | None, workspace_root: str) -> list[str]:
    """The resolved paths of ``values`` when every one is an upload this app received; else
    :class:`UploadRefusedError` naming each refused file and why (nothing is read then)."""
    folder, received = upload_folder(), received_upload_set()
    paths, refused = [], []
    for value in values or []:
        path = value_path(value)
        reason = refusal(path, workspace_root, folder, received)
        if reason:
            refused.append(f"{os.path.basename(path) or path!r}: {reason}")
        else:
            paths.append(os.path.realpath(path))
    if refused:
        raise UploadRefusedError("Refused (nothing was read): " + "; ".join(refused[:10])
                                 + (f"; and {len(refused) - 10} more" if len(refused) > 10 else ""))
    return paths


def consumable_upload(value: Any, workspace_root: str) -> str:
    """:func:`consumable_uploads` for one file value."""
    return consumable_uploads([value], workspace_root)[0]
