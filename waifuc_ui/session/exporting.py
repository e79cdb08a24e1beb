"""Export of the session's dataset: one zip (or, on a local run, a folder) through the library's exporters.

The app's export is exactly one library call, so a script reproduces it (see :meth:`Export.options`)::

    ZipExporter(path, layout="textual_inversion", folder="<repeats>_<concept>" or "",
                ignore_error_when_export=True, flatten=True, trainer_formats=True, quality=95,
                score_descend=False, trigger_word=word or None)        # layout="save": no score_descend/trigger
    .export_from(items)

``items`` are :meth:`Export.items`: each final item's meta (without the session's ``item_id``) with
``meta['tags']`` = the run's tags after the tag edits, in the session's order (see
:meth:`~waifuc_ui.session.tagedit.TagEdits.apply`; for the save layout the trigger word is put first as a tag with
score 1.0). Names follow :mod:`waifuc_ui.export.naming` (flattened: the folder a file came from is used only to
tell apart equal names), an image no step changed leaves with its original bytes, an animation as a PNG still.

Exporting only reads the session: items, files and decisions stay as they are; every export writes a new file.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.errors import ExportError, InvalidOptionError
from ..core.item import ImageItem
from ..core.jsondata import json_safe
from ..pipeline.recipe import PipelineRecipe
from .dataset import Dataset
from .editing import PipelineEditor
from .store import ItemStore, open_file
from .tagging import Tags
from .workspace import Workspace, folder_bytes

if TYPE_CHECKING:
    from .checks import DatasetCheck

LAYOUTS = ("textual_inversion", "save")
LAYOUT_NAMES = {"textual_inversion": "image + .txt caption", "save": "image + JSON sidecar"}
#: Rule of thumb for the suggestion: about this many training steps per epoch (images x repeats), 10 epochs.
TARGET_STEPS_PER_EPOCH = 200
DEFAULT_QUALITY = 95


@dataclass
class ExportSummary:
    """``path`` of the zip (or folder); ``images`` exported (= image files written), ``failed`` (name, reason)
    pairs; ``zip_bytes``; the kohya folder repeats suggested for about TARGET_STEPS_PER_EPOCH steps per epoch
    (``suggested_repeats``); ``originals`` images copied byte for byte, ``encoded`` images encoded at ``quality``
    (JPEG/WebP), ``renamed`` (wanted, written) names, ``reformatted`` (wanted, written) format changes, ``stills``
    animated images written as their first frame."""

    path: str
    layout: str
    images: int
    failed: list[tuple]
    zip_bytes: int
    suggested_repeats: int
    originals: int = 0
    encoded: int = 0
    quality: int = DEFAULT_QUALITY
    renamed: list[tuple[str, str]] = field(default_factory=list)
    reformatted: list[tuple[str, str]] = field(default_factory=list)
    stills: list[str] = field(default_factory=list)

    def text(self) -> str:
        """E.g. ``"40 images (image + .txt caption), 12.3 MB; kohya: about 5 repeats per image (~200 steps per
        epoch)"`` (+ ``"; 1 failed"``)."""
        return (f"{self.images} image{'s' if self.images != 1 else ''} ({LAYOUT_NAMES.get(self.layout, self.layout)}), "
                f"{human_size(self.zip_bytes)}; "
                f"kohya: about {self.suggested_repeats} repeats per image "
                f"(~{self.images * self.suggested_repeats} steps per epoch)"
                + (f"; {len(self.failed)} failed" if self.failed else ""))

    def details(self) -> list[str]:
        """One line per thing the user should know about the files: bytes kept, re-encoded, renamed, stills."""
        lines = []
        if self.originals or self.encoded:
            lines.append(f"{self.originals} image(s) kept their original bytes; {self.encoded} were encoded "
                         f"(a step changed them, or their EXIF rotation was applied; JPEG/WebP at quality "
                         f"{self.quality})")
        if self.stills:
            lines.append(f"{len(self.stills)} animated image(s) exported as a still (first frame, PNG): "
                         + ", ".join(self.stills[:10]) + (" ..." if len(self.stills) > 10 else "")
                         + " (add FrameSplitAction to the pipeline to export every frame)")
        if self.reformatted:
            lines.append("format changed to one trainers read: "
                         + ", ".join(f"{a} -> {b}" for a, b in self.reformatted[:10])
                         + (" ..." if len(self.reformatted) > 10 else ""))
        if self.renamed:
            lines.append(f"{len(self.renamed)} name(s) were taken by another image and renamed: "
                         + ", ".join(f"{a} -> {b}" for a, b in self.renamed[:10])
                         + (" ..." if len(self.renamed) > 10 else ""))
        return lines


def written_names(wanted: list[str], log: Any) -> list[str]:
    """The names ``wanted`` files were written under: after a format change (``anim.gif`` -> ``anim.png``) and a
    rename for a name already taken (``log``: the exporter's log of both)."""
    reformatted: dict[str, str] = dict(log.reformatted)
    renamed: dict[str, str] = dict(log.renamed)
    out: list[str] = []
    for name in wanted:
        name = reformatted.get(name, name)
        out.append(renamed.get(name, name))
    return out


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


def kohya_folder_name(concept: str, n_images: int) -> str:
    """``"<repeats>_<concept>"`` for kohya, '' without a concept."""
    if not concept.strip():
        return ""
    clean = re.sub(r"[^A-Za-z0-9_ .-]+", "_", concept.strip()).strip(" .") or "concept"
    return f"{suggested_repeats(n_images)}_{clean}"


def zip_stem(name: str) -> str:
    """The zip's file name without ``.zip``: ``name`` reduced to letters, digits, ``_ . -`` ('dataset' if empty)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(name or "")).strip("._") or "dataset"


class Export:
    """Exports of the session's dataset. ``settings``: the export tab's choices (layout, zip name, kohya folder...),
    remembered by :meth:`zip` and saved with the session; ``quality``: JPEG/WebP quality of re-encoded images."""

    def __init__(self, workspace: Workspace, store: ItemStore, dataset: Dataset, tags: Tags,
                 pipeline: PipelineEditor, *, public_mode: bool):
        self._workspace = workspace
        self._store = store
        self._dataset = dataset
        self._tags = tags
        self._pipeline = pipeline
        self._public_mode = public_mode
        self.settings: dict[str, Any] = {}
        self.quality = DEFAULT_QUALITY

    def items(self, folder: str = "", *, layout: str = "textual_inversion") -> list[ImageItem]:
        """The final dataset as lazy items (see the module doc), named as the run named them: the exporter makes the
        names unique and puts them in the kohya folder (``ZipExporter(folder=...)``), so ``folder`` (the former
        name prefix) no longer changes the items."""
        store = self._store
        ids = self._dataset.ids()
        metas = self._dataset.metas()
        tags = self._tags.all()
        trigger = self._tags.trigger_word if layout == "save" else ""
        input_hash = {r.file: r.content_hash for r in store.records() if r.origin == "input"}
        items = []
        for i in ids:
            rec = store.get(i)
            meta = {k: v for k, v in metas[i].items() if k != "item_id"}
            meta["tags"] = dict(tags[i])
            if trigger:
                meta["tags"] = {trigger: 1.0, **{k: v for k, v in meta["tags"].items() if k != trigger}}
            unchanged = input_hash.get(rec.file) == rec.content_hash
            items.append(ImageItem(meta=meta, loader=_loader(rec.file, unchanged),
                                   content_hash=rec.content_hash))
        return items

    def options(self, layout: str = "textual_inversion", kohya_folder: str = "",
                         **options: Any) -> dict[str, Any]:
        """The keyword arguments of the ZipExporter call (besides the path) this export makes."""
        if layout not in LAYOUTS:
            raise InvalidOptionError("layout", layout, LAYOUTS, "choose an export layout from the list")
        out: dict[str, Any] = {"layout": layout,
                               "folder": kohya_folder_name(kohya_folder, len(self._dataset.ids())),
                               "ignore_error_when_export": True, "flatten": True, "trainer_formats": True,
                               "quality": self.quality}
        if layout == "textual_inversion":
            out["score_descend"] = False
            out["trigger_word"] = self._tags.trigger_word or None
        out.update(options)
        return out

    def zip(self, layout: str | None = None, name: str | None = None, kohya_folder: str | None = None,
            **options: Any) -> ExportSummary:
        """Write ``exports/<secret folder>/<name>.zip``. ``layout``: 'textual_inversion' (image + .txt, the default)
        or 'save' (image + JSON sidecar); ``options`` go to the exporter (e.g. use_spaces, quality). The trigger word
        comes first in .txt captions and is added as a tag (score 1.0) in sidecars. ``kohya_folder`` (e.g. the
        character name) puts the files in a kohya ``<repeats>_<name>/`` folder with the suggested repeats. The
        arguments given are remembered in ``settings``."""
        from ..export import ZipExporter

        given = {"layout": layout, "name": name, "kohya_folder": kohya_folder}
        self.settings = json_safe({**{k: v for k, v in given.items() if v is not None}, **options})
        layout = layout or "textual_inversion"
        kwargs = self.options(layout, kohya_folder or "", **options)
        safe = zip_stem(name or "dataset")
        # served by URL: the zip sits in a folder named by a secret (the download keeps the name <name>.zip)
        path = self._workspace.private_path("exports", safe + ".zip")
        exporter = ZipExporter(path, hide_paths=self._private_roots(), **kwargs)
        return self._run_export(exporter, layout, path)

    def folder(self, directory: str, layout: str = "textual_inversion", kohya_folder: str = "",
                      **options: Any) -> ExportSummary:
        """Write the dataset into ``directory`` on this machine (a new or empty folder). Refused in public mode:
        a visitor never names a server folder."""
        from ..export.save import SaveExporter
        from ..export.textual_inversion import TextualInversionExporter

        self.refuse_folder(directory)
        if not str(directory or "").strip():
            raise InvalidOptionError("export folder", directory, fix="give the path of a new or empty folder")
        directory = os.path.abspath(os.path.expanduser(str(directory).strip()))
        if os.path.exists(directory) and not os.path.isdir(directory):
            raise ExportError(f"export folder {directory!r} is a file", "give the path of a new or empty folder")
        if os.path.isdir(directory) and os.listdir(directory):
            raise ExportError(f"export folder {directory!r} is not empty",
                              "give a new or empty folder, so no file of yours is overwritten")
        kwargs = self.options(layout, kohya_folder, **options)
        kwargs.pop("layout")
        folder = kwargs.pop("folder", None)
        target = os.path.join(directory, folder) if folder else directory
        cls = TextualInversionExporter if layout == "textual_inversion" else SaveExporter
        return self._run_export(cls(target, hide_paths=self._private_roots(), **kwargs), layout, directory)

    def refuse_folder(self, directory: str = "") -> None:
        """Raise (with the fix) in public mode: a visitor never names a folder of the server to write to."""
        if self._public_mode:
            raise InvalidOptionError("export folder", directory,
                                     fix="writing to a server folder is disabled in public mode (on a Space); "
                                         "build the zip and download it instead")

    def _private_roots(self) -> list[str]:
        return [self._workspace.root, self._workspace.dir]

    def _run_export(self, exporter: Any, layout: str, path: str) -> ExportSummary:
        from ..core.report import collect_report

        exporter.reset()
        with collect_report() as report:
            exporter.export_from(self.items(layout=layout), report=report)
        log = exporter.log
        size = os.path.getsize(path) if os.path.isfile(path) else folder_bytes(path)
        return ExportSummary(path, layout, report.exported, [(f.path, f.reason) for f in report.export_failed],
                             size, suggested_repeats(report.exported), log.originals, log.encoded,
                             exporter_quality(exporter), list(log.renamed), list(log.reformatted),
                             list(log.stills) + [n for n in written_names(self._stilled_by_steps(), log)
                                                 if n not in log.stills])

    def _stilled_by_steps(self) -> list[str]:
        """Names of final images whose input was animated and that a step (e.g. ModeConvertAction) turned into
        its first frame before the export saw it, unless a FrameSplit step made frames on purpose."""
        recipe: PipelineRecipe = self._pipeline.recipe
        if any(step.enabled and step.action == "FrameSplitAction" for step in recipe.steps):
            return []
        store, names = self._store, []
        metas = self._dataset.metas()
        for i in self._dataset.ids():
            rec = origin = store.get(i)
            while origin.parent_id is not None:
                origin = store.get(origin.parent_id)
            if origin.n_frames > 1 and rec.n_frames <= 1:
                names.append(os.path.basename(str(metas[i].get("filename") or i)))
        return names

    def checks(self, min_side: int = 512) -> list[DatasetCheck]:
        """What a trainer would regret in the final dataset (see :mod:`waifuc_ui.session.checks`)."""
        from .checks import dataset_checks

        ids = self._dataset.ids()
        records = {i: self._store.get(i) for i in ids}
        return dataset_checks(ids, {i: r.size for i, r in records.items()}, self._tags.all(),
                              {i: r.content_hash for i, r in records.items()},
                              self._tags.trigger_word, int(min_side))

    def script_options(self) -> dict[str, Any]:
        """The export arguments of the equivalent script, from the saved ``settings`` (layout, kohya_folder,
        quality, archive)."""
        export = {k: v for k, v in self.settings.items() if k in ("layout", "kohya_folder", "quality")}
        try:
            export["quality"] = int(export["quality"])
        except (KeyError, TypeError, ValueError):
            export.pop("quality", None)  # not set, or not a number: the export's default
        if self.settings.get("name"):
            export["archive"] = zip_stem(self.settings["name"]) + ".zip"
        return export


def exporter_quality(exporter: Any) -> int:
    inner = getattr(exporter, "options", None)
    if isinstance(inner, dict):
        return int(inner.get("quality", DEFAULT_QUALITY))
    return int(getattr(exporter, "quality", DEFAULT_QUALITY))


def _loader(path: str, unchanged: bool):
    """Open the stored file; an image a step changed forgets its file's format (the exporter then picks the
    format from the name and encodes), an unchanged one keeps it (its bytes can go out as they are)."""
    def load():
        image = open_file(path)
        if not unchanged:
            image.format = None
        return image
    return load

