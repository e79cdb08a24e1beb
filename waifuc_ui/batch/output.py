"""The output of a batch run: a new ``.zip`` or a new (or empty) folder; never overwritten. A kohya folder whose
repeats depend on the number of images is written under a placeholder name and renamed once the count is known."""

from __future__ import annotations

import os
import shutil
import zipfile
from collections.abc import Iterable

from ..core.errors import InvalidOptionError

PLACEHOLDER = "_waifuc_ui_kohya_folder_"


def check_output(output: str) -> str:
    """``output`` as an absolute path when nothing of the user's would be overwritten; InvalidOptionError else."""
    if not str(output or "").strip():
        raise InvalidOptionError("--output", output, fix="give a new .zip path or a new or empty folder")
    path = os.path.abspath(os.path.expanduser(output))
    if path.lower().endswith(".zip"):
        if os.path.exists(path):
            raise InvalidOptionError("--output", output, fix="the zip exists; give a new name (nothing is overwritten)")
        if not os.path.isdir(os.path.dirname(path)):
            raise InvalidOptionError("--output", output, fix="its folder does not exist; create it first")
    elif os.path.exists(path) and (not os.path.isdir(path) or os.listdir(path)):
        raise InvalidOptionError("--output", output, fix="give a new or empty folder, or a path ending in .zip "
                                 "(nothing is overwritten)")
    return path


def rename_folder(output: str, old: str, new: str) -> None:
    """Rename the top folder ``old`` of the output zip or folder to ``new`` (kohya's ``<repeats>_<name>``)."""
    if old == new:
        return
    if os.path.isdir(output):
        if os.path.isdir(os.path.join(output, old)):
            os.rename(os.path.join(output, old), os.path.join(output, new))
        return
    if not os.path.isfile(output):
        return
    tmp = output + ".renaming"
    with zipfile.ZipFile(output) as src, zipfile.ZipFile(tmp, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.startswith(old + "/"):
                info.filename = new + info.filename[len(old):]
            dst.writestr(info, data, compress_type=info.compress_type)
    os.replace(tmp, output)


def remove_tree(paths: Iterable[str]) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)
