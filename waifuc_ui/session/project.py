"""Project files: a session's recipe and everything a person chose, portable to another machine or a script.

A project is JSON with no server path in it. Images are referenced by their content hash (the analysis layer's
pixel hash) and original file name, under the item ids the session gave them; review choices, restores, hand drops
and tag edits refer to those ids. Loading a project into a session that holds the same images gives those images
the project's ids again, so the next run makes the same derived items and every choice lands where it was made.

In the app: Source tab, *Download the project* / *Load a project* (after uploading the same images). In a script::

    from waifuc_ui.session import SessionRegistry
    from waifuc_ui.session.project import load_project

    project = load_project("surtr.waifuc_ui.json")   # Project: recipe, decisions, tag_edits, trigger_word, ...
    session = SessionRegistry("work").create()
    session.inputs.add_folder("my_images")           # the same images the project was made from
    match = project.apply_to(session)                # match.missing: project images not found here
    session.runs.start()
    session.export.zip(**project.export_settings)
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..core.errors import InvalidOptionError
from ..pipeline.catalog import ActionSpec, action_catalog
from ..pipeline.recipe import PipelineRecipe
from .decisions import Decisions
from .parts import SessionParts
from .tagedit import TagEdits

FORMAT = "waifuc_ui.project"
VERSION = 1
#: Largest project file read (a project holds ids and choices, never images).
MAX_PROJECT_BYTES = 50_000_000
_INPUT_ID = re.compile(r"^in(\d+)$")


@dataclass(frozen=True)
class ProjectInput:
    """One input image of the project: its id there, pixel hash and original file name."""

    id: str
    content_hash: str
    name: str


@dataclass
class Project:
    """A loaded project file. ``decisions`` (restores, hand drops, review selections by step uid and item id),
    ``tag_edits`` (the ordered edit log and ``trigger_word``), ``review`` (duplicate keepers chosen by hand and
    the duplicate review applied to the final dataset), ``export_settings`` (export.zip keyword arguments)."""

    recipe: PipelineRecipe
    decisions: Decisions
    tag_edits: TagEdits
    inputs: list[ProjectInput] = field(default_factory=list)
    review: dict[str, Any] = field(default_factory=dict)
    export_settings: dict[str, Any] = field(default_factory=dict)
    sources: list[dict[str, Any]] = field(default_factory=list)

    @property
    def trigger_word(self) -> str:
        return self.tag_edits.trigger_word

    def apply_to(self, session: SessionParts) -> ProjectMatch:
        return apply_project(session, self)


@dataclass
class ProjectMatch:
    """How a project met a session's images: ``matched`` project id -> the session's former id, ``missing``
    project inputs not found, ``extra`` session images the project does not know (kept, after the others)."""

    matched: dict[str, str] = field(default_factory=dict)
    missing: list[ProjectInput] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{len(self.matched)} of {len(self.matched) + len(self.missing)} project images found"
        if self.missing:
            names = ", ".join(p.name for p in self.missing[:5]) + (" …" if len(self.missing) > 5 else "")
            text += f"; missing: {names} (upload them and load the project again)"
        if self.extra:
            text += f"; {len(self.extra)} image(s) of the session are not in the project (kept)"
        return text


def _portable_name(meta: Mapping[str, Any], fallback: str) -> str:
    name = str(meta.get("filename") or "") or fallback
    if os.path.isabs(name) or ".." in name.replace("\\", "/").split("/"):
        name = os.path.basename(name)
    return name


def _no_paths(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Export settings without values that are server paths (e.g. a local output folder)."""
    return {k: v for k, v in settings.items() if not (isinstance(v, str) and os.path.isabs(v))}


def project_of(session: SessionParts) -> dict[str, Any]:
    """The project dict of ``session`` (JSON-able, no server paths)."""
    inputs = []
    for i in session.inputs.ids:
        rec = session.store.get(i)
        inputs.append({"id": i, "content_hash": rec.content_hash, "name": _portable_name(rec.meta, i)})
    sources = [{k: v for k, v in entry.items() if not (k == "detail" and entry.get("kind") == "folder")}
               for entry in session.inputs.log]
    return {"format": FORMAT, "version": VERSION, "recipe": session.pipeline.recipe.to_dict(), "inputs": inputs,
            "decisions": session.pipeline.decisions.to_dict(), "review": session.duplicates.state(),
            "tag_edits": session.tags.edits.to_dict(), "export_settings": _no_paths(session.export.settings),
            "sources": sources}


def write_project(session: SessionParts, path: str) -> str:
    """Write ``session``'s project file to ``path``; returns the path."""
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(project_of(session), fh, ensure_ascii=False, indent=1)
    return path


def read_project(source: str | os.PathLike | dict[str, Any],
                 catalog: Mapping[str, ActionSpec] | None = None) -> Project:
    """A Project from a path, JSON text or dict; InvalidOptionError saying what is wrong otherwise."""
    data: Any = source
    label = "text"
    if isinstance(source, (str, os.PathLike)) and not str(source).lstrip().startswith("{"):
        label = os.path.basename(str(source))
        try:
            if os.path.getsize(source) > MAX_PROJECT_BYTES:
                raise InvalidOptionError("project file", os.path.basename(str(source)),
                                         fix=f"a project file is at most {MAX_PROJECT_BYTES // 1_000_000} MB")
            with open(source, encoding="utf-8") as fh:
                data = fh.read()
        except OSError as err:
            raise InvalidOptionError("project file", str(source),
                                     fix=f"give a readable file ({err.strerror})") from None
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as err:
            raise InvalidOptionError("project file", label, fix=f"it is not JSON (line {err.lineno}); choose a "
                                     "*.waifuc_ui.json file downloaded from the app") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidOptionError("project file", label,
                                 fix="choose a project file downloaded from the app (format waifuc_ui.project)")
    if data.get("version") != VERSION:
        raise InvalidOptionError("project version", data.get("version"), [VERSION],
                                 "download the project again with this version of waifuc_ui")
    catalog = catalog if catalog is not None else action_catalog()
    try:
        inputs = [ProjectInput(str(d["id"]), str(d["content_hash"]), str(d.get("name", ""))) for d in data["inputs"]]
        bad = _bad_input_id([p.id for p in inputs])
        if bad is not None:  # duplicates would drop images; other shapes are not this app's input ids
            raise InvalidOptionError("project file", label, fix=f"its image id {bad[:40]!r} is not unique or not of "
                                     "the form in00001; download the project again from the app")
        export_settings = _checked_export_settings(dict(data.get("export_settings") or {}), label)
        review = dict(data.get("review") or {})
        odd = next((k for k in ("keepers", "final_excluded") if not isinstance(review.get(k) or {}, dict)), None)
        if odd is not None:  # checked here: apply_project must not fail half-way
            raise InvalidOptionError("project file", label, fix=f"review.{odd} must map image ids to image ids")
        return Project(PipelineRecipe.from_dict(data["recipe"], catalog), Decisions.from_dict(data["decisions"]),
                       TagEdits.from_dict(data["tag_edits"]), inputs, review, export_settings,
                       list(data.get("sources") or []))
    except InvalidOptionError:
        raise
    except (KeyError, TypeError, ValueError) as err:
        raise InvalidOptionError("project file", "broken", fix=f"the file is incomplete ({err!r}); download the "
                                 "project again") from None


def _checked_export_settings(settings: dict[str, Any], label: str) -> dict[str, Any]:
    """``settings`` when the export can use them (checked before anything of the project is applied)."""
    from .exporting import LAYOUTS

    if settings.get("layout") not in (None, *LAYOUTS):
        raise InvalidOptionError("layout in the project file", settings.get("layout"), LAYOUTS,
                                 f"fix export_settings.layout in {label} or download the project again")
    odd = next((k for k, v in settings.items() if not isinstance(v, (str, int, float, bool, type(None)))), None)
    if odd is not None:
        raise InvalidOptionError("project file", label, fix=f"export_settings.{odd} must be a plain value")
    return settings


def load_project(path: str | os.PathLike) -> Project:
    """Read a project file for a script: ``project.recipe`` (a PipelineRecipe), ``project.decisions``,
    ``project.tag_edits`` / ``project.trigger_word``, ``project.inputs``; ``project.apply_to(session)``."""
    return read_project(path)


def _number(item_id: str) -> int:
    m = _INPUT_ID.match(item_id)
    return int(m.group(1)) if m else 0


def match_inputs(project: Project, records: list[Any]) -> ProjectMatch:
    """Pair project inputs with session input records: same pixels and name first, then same pixels."""
    by_both: dict[tuple[str, str], list[str]] = {}
    by_hash: dict[str, list[str]] = {}
    for rec in records:
        by_both.setdefault((rec.content_hash, _portable_name(rec.meta, rec.id)), []).append(rec.id)
        by_hash.setdefault(rec.content_hash, []).append(rec.id)
    taken: set = set()
    match = ProjectMatch()

    def pick(candidates: list[str]) -> str | None:
        return next((c for c in candidates if c not in taken), None)

    pending = []
    for p in project.inputs:
        found = pick(by_both.get((p.content_hash, p.name), []))
        if found is None:
            pending.append(p)
        else:
            taken.add(found)
            match.matched[p.id] = found
    for p in pending:
        found = pick(by_hash.get(p.content_hash, []))
        if found is None:
            match.missing.append(p)
        else:
            taken.add(found)
            match.matched[p.id] = found
    match.extra = [r.id for r in records if r.id not in taken]
    return match


def _bad_input_id(ids: list[str]) -> str | None:
    """The first id that is repeated or not shaped like this app's input ids (None when all are fine)."""
    seen: set[str] = set()
    for i in ids:
        if not _INPUT_ID.match(i) or i in seen:
            return i
        seen.add(i)
    return None


def apply_project(session: SessionParts, project: Project) -> ProjectMatch:
    """Give ``session``'s images the project's ids and install its recipe and choices (the last run is cleared:
    run again to see them). Images the project does not know keep coming in, after the project's, with new ids."""
    records = [session.store.get(i) for i in session.inputs.ids]
    match = match_inputs(project, records)
    counter = max([session.store.counter] + [_number(p.id) for p in project.inputs])
    new_records, new_ids = [], []
    order = {p.id: n for n, p in enumerate(project.inputs)}
    for project_id in sorted(match.matched, key=order.__getitem__):
        new_records.append(replace(session.store.get(match.matched[project_id]), id=project_id))
        new_ids.append(project_id)
    extra_ids = []
    for old in match.extra:
        counter += 1
        new = f"in{counter:05d}"
        new_records.append(replace(session.store.get(old), id=new))
        extra_ids.append(new)
    match.extra = extra_ids
    session.store.restore(new_records, counter)  # derived records of the old ids are dropped with them
    session.runs.runner.memo.clear()
    session.inputs.ids = new_ids + extra_ids
    session.pipeline.recipe = project.recipe.validated(session.catalog)
    session.pipeline.decisions = Decisions.from_dict(project.decisions.to_dict())
    session.tags.edits = TagEdits.from_dict(project.tag_edits.to_dict())
    session.duplicates.load_state(project.review)
    session.characters.view = None
    session.export.settings = dict(project.export_settings)
    session.runs.forget()
    return match
