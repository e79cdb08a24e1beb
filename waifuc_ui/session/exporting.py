"""Export of the session's dataset into one zip (textual-inversion .txt captions or JSON sidecars).

Exporting only reads the session: items, files and decisions stay as they are; every export writes a new zip
under the workspace's ``exports`` folder.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from ..errors import InvalidOptionError
from ..model import ImageItem

LAYOUTS = ("textual_inversion", "save")
LAYOUT_NAMES = {"textual_inversion": "image + .txt caption", "save": "image + JSON sidecar"}
#: Rule of thumb for the suggestion: about this many training steps per epoch (images x repeats), 10 epochs.
TARGET_STEPS_PER_EPOCH = 200


@dataclass
class ExportSummary:
    """``path`` of the zip; ``images`` exported, ``failed`` (name, reason) pairs; ``zip_bytes``; the kohya folder
    repeats suggested for about TARGET_STEPS_PER_EPOCH steps per epoch (``suggested_repeats``)."""

    path: str
    layout: str
    images: int
    failed: List[tuple]
    zip_bytes: int
    suggested_repeats: int

    def text(self) -> str:
        """E.g. ``"40 images (image + .txt caption), 12.3 MB; kohya: about 5 repeats per image (~200 steps per
        epoch)"``."""
        return (f"{self.images} image{'s' if self.images != 1 else ''} ({LAYOUT_NAMES.get(self.layout, self.layout)}), "
                f"{human_size(self.zip_bytes)}; "
                f"kohya: about {self.suggested_repeats} repeats per image "
                f"(~{self.images * self.suggested_repeats} steps per epoch)"
                + (f"; {len(self.failed)} failed" if self.failed else ""))


def human_size(n_bytes: int) -> str:
    """``"840 bytes"``, ``"12.5 KB"``, ``"3.4 MB"``, ``"1.2 GB"`` (powers of 1000, as file managers show)."""
    if n_bytes < 1000:
        return f"{n_bytes} bytes"
    for unit, scale in (("KB", 1e3), ("MB", 1e6)):
        if n_bytes < scale * 1000:
            return f"{n_bytes / scale:.1f} {unit}"
    return f"{n_bytes / 1e9:.1f} GB"


def suggested_repeats(n_images: int) -> int:
    return min(100, max(1, round(TARGET_STEPS_PER_EPOCH / n_images))) if n_images else 0


def unique_filenames(names: List[Optional[str]]) -> List[str]:
    """File names made unique by ``_2``, ``_3`` ... before the extension; missing names -> ``{n}.png``."""
    seen: Dict[str, int] = {}
    out = []
    for n, name in enumerate(names, 1):
        name = name or f"{n}.png"
        body, ext = os.path.splitext(name)
        candidate, k = name, 1
        while candidate.lower() in seen:
            k += 1
            candidate = f"{body}_{k}{ext}"
        seen[candidate.lower()] = 1
        out.append(candidate)
    return out


class ExportMixin:
    def export_items(self, folder: str = "") -> List[ImageItem]:
        """The final dataset as lazy items: edited tags, unique file names (inside ``folder`` when given)."""
        ids = self.final_ids()  # type: ignore[attr-defined]
        metas = self.final_metas()  # type: ignore[attr-defined]
        names = unique_filenames([os.path.basename(str(metas[i].get("filename") or "")) or None for i in ids])
        if folder:
            names = [f"{folder}/{n}" for n in names]
        tags = self.all_tags()  # type: ignore[attr-defined]
        items = []
        for i, name in zip(ids, names):
            meta = dict(metas[i])
            meta["filename"] = name
            meta["tags"] = tags[i]
            items.append(self.store.item(i, meta))  # type: ignore[attr-defined]
        return items

    def export_zip(self, layout: str = "textual_inversion", name: str = "dataset", kohya_folder: str = "",
                   **options: Any) -> ExportSummary:
        """Write ``exports/<secret token>/<name>.zip``. ``layout``: 'textual_inversion' (image + .txt) or 'save' (image + JSON
        sidecar); ``options`` go to the exporter (e.g. use_spaces). The trigger word comes first in .txt captions
        and is added as a tag (score 1.0) in sidecars. ``kohya_folder`` (e.g. the character name) puts the files in
        a kohya ``<repeats>_<name>/`` folder with the suggested repeats. File names are flattened and made unique."""
        from ..export import ZipExporter
        from ..report import collect_report

        if layout not in LAYOUTS:
            raise InvalidOptionError("layout", layout, LAYOUTS, "choose an export layout from the list")
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._") or "dataset"
        # served by URL: the zip sits in a folder named by a secret (the download keeps the name <name>.zip)
        path = self.workspace.private_path("exports", safe + ".zip")  # type: ignore[attr-defined]
        trigger = self.tag_edits.trigger_word  # type: ignore[attr-defined]
        folder = ""
        if kohya_folder.strip():
            concept = re.sub(r"[^A-Za-z0-9_ .-]+", "_", kohya_folder.strip()).strip(" .") or "concept"
            folder = f"{suggested_repeats(len(self.final_ids()))}_{concept}"  # type: ignore[attr-defined]
        items = self.export_items(folder)
        if layout == "textual_inversion":
            options.setdefault("trigger_word", trigger or None)
        elif trigger:
            for item in items:
                item.meta["tags"] = {trigger: 1.0, **{k: v for k, v in item.meta["tags"].items() if k != trigger}}
        exporter = ZipExporter(path, layout=layout, ignore_error_when_export=True, **options)
        exporter.reset()
        with collect_report() as report:
            exporter.export_from(items, report=report)
        return ExportSummary(path, layout, report.exported, [(f.path, f.reason) for f in report.export_failed],
                             os.path.getsize(path), suggested_repeats(report.exported))
