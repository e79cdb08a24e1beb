"""Rules that keep exporters from touching their inputs or writing outside their folder.

* :func:`safe_relative_name` turns ``meta['filename']`` (which may come from an untrusted
  sidecar) into a path that stays inside the output folder: ``..``, ``.``, empty and absolute
  parts are dropped and backslashes count as separators.
* :func:`refuse_input_overwrite` raises when a write would land on the file an item was read from.
* :func:`refuse_clear_over_input` raises when ``clear=True`` would delete a file an item was read from;
  :func:`refuse_clear_over_reported_inputs` does the same for inputs the run skipped or dropped.
"""

from __future__ import annotations

import os

from ..core.errors import ExportError
from ..core.item import ImageItem
from ..core.report import RunReport


def safe_relative_name(filename: str | None) -> str | None:
    """``'a/../../b.png'`` -> ``'a/b.png'`` (os separators); None when nothing usable remains."""
    if not filename:
        return None
    parts = [p for p in str(filename).replace("\\", "/").split("/") if p not in ("", ".", "..")]
    if parts and len(parts[0]) == 2 and parts[0][1] == ":":  # a Windows drive such as 'C:'
        parts = parts[1:]
    parts = [p.replace("\x00", "") for p in parts if p.replace("\x00", "")]
    return os.path.join(*parts) if parts else None


def _real(path: str) -> str:
    return os.path.normcase(os.path.realpath(os.path.abspath(path)))


def is_inside(path: str, folder: str) -> bool:
    """True when ``path`` is ``folder`` or lies under it (symlinks resolved)."""
    real_path, real_folder = _real(path), _real(folder)
    return real_path == real_folder or real_path.startswith(real_folder.rstrip(os.sep) + os.sep)


def same_file(a: str, b: str) -> bool:
    """True when two paths name the same file (symlinks and hard links resolved)."""
    try:
        if os.path.exists(a) and os.path.exists(b):
            return os.path.samefile(a, b)
    except OSError:
        pass
    return _real(a) == _real(b)


def input_paths(item: ImageItem) -> list[str]:
    """The files the item may have been read from: ``meta['path']`` and, for a loaded image that
    PIL opened from a file, that file (a sidecar's ``path`` can be stale after a copy)."""
    paths = []
    if item.meta.get("path"):
        paths.append(str(item.meta["path"]))
    if item.is_loaded:
        opened = getattr(item.image, "filename", None)
        if isinstance(opened, str) and opened and opened not in paths:
            paths.append(opened)
    return paths


def refuse_input_overwrite(target: str, item: ImageItem) -> None:
    """Raise ExportError when ``target`` is the item's own input file (see :func:`input_paths`)."""
    if any(same_file(target, source) for source in input_paths(item)):
        raise ExportError(
            f"refusing to write {target!r}: it is the input file this item was read from, and "
            f"waifuc_ui never overwrites input images",
            "export to another folder, or rename the items first (e.g. FileExtAction or RandomFilenameAction)")


def refuse_clear_over_input(output_dir: str, item: ImageItem) -> None:
    """Raise ExportError when ``clear=True`` on ``output_dir`` would delete the item's input file."""
    for source in input_paths(item):
        if is_inside(source, output_dir):
            raise ExportError(
                f"refusing clear=True on {output_dir!r}: it holds {source!r}, an input of this run, and "
                f"waifuc_ui never deletes input images (nothing was deleted)",
                "export to a new folder, or use clear=False")


def refuse_clear_over_reported_inputs(output_dir: str, stale: set[str], report: RunReport | None) -> None:
    """Raise ExportError when an input this run skipped or dropped (so the exporter never saw it)
    lies in ``output_dir``: a skipped path inside it, a drop record's ``path`` inside it, or a drop
    record's filename equal to a file about to be deleted (``stale``, relative paths)."""
    if report is None:
        return
    suspects = [s.path for s in report.skipped if is_inside(s.path, output_dir)]
    for record in report.dropped:
        path = record.path
        name = safe_relative_name(record.filename)
        if path and is_inside(path, output_dir):
            suspects.append(path)
        elif not path and name is not None and name in stale:
            suspects.append(os.path.join(output_dir, name))
    if suspects:
        raise ExportError(
            f"refusing clear=True on {output_dir!r}: {suspects[0]!r} (and {len(suspects) - 1} more) may be an "
            f"input of this run that was skipped or dropped, and waifuc_ui never deletes input images "
            f"(nothing was deleted; this run's files were written)", "export to a new folder, or use clear=False")
