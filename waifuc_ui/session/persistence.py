"""A session's state on disk, in its workspace, so a reload or a server restart reopens it exactly.

Three JSON files, each written atomically (temp file + ``os.replace``) and carrying ``format`` and ``version``:

    session.json   small, rewritten whenever it changes: the secret's hash, inputs and refused files, where the
                   inputs came from, recipe, review choices, restores and hand drops, tag edits, trigger word,
                   export settings; it names the run file's token (written last: the commit point)
    items.json     the item records (inputs and what steps made); every path inside the workspace (files,
                   thumbnails, an unpacked upload's source path) is stored relative to it, so the root may move;
                   rewritten only when records were added (records never change)
    run.json       the last run (step by step: ids, drops, metas), rewritten only after a new run

The last run is stored, not re-run on reopen: reopening is instant and shows exactly what was shown, also for steps
that depend on random state. Its metas are stored JSON-safe (:func:`waifuc_ui.core.jsondata.json_safe`).

The workspace folder's and ``session.json``'s modification times are the session's last use on disk (so idle
expiry also works for sessions no process has open). Only a SHA-256 of the session's secret is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import time
import uuid
from dataclasses import asdict
from typing import Any

from ..core import files
from ..core.jsondata import json_safe, stable_json
from ..core.report import DropRecord, SkippedFile, logger
from ..pipeline.catalog import ModelStatus
from .runner import RunResult, StepResult, StepStatus
from .store import ItemRecord, meta_key

FORMAT = "waifuc_ui.session"
VERSION = 1
STATE_FILE = "session.json"
ITEMS_FILE = "items.json"
RUN_FILE = "run.json"
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class StateError(ValueError):
    """A state file that cannot be read back (wrong format or version, broken JSON, foreign paths)."""


def valid_session_id(session_id: Any) -> bool:
    """True for strings shaped like workspace ids (checked before any path is built from a browser's value)."""
    return isinstance(session_id, str) and bool(_ID_RE.match(session_id))


def hash_secret(secret: str) -> str:
    """SHA-256 hex of a session secret (the secrets are 256 random bits: no slow KDF needed)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def secret_matches(secret: Any, stored_hash: str | None) -> bool:
    return isinstance(secret, str) and bool(secret) and bool(stored_hash) and \
        hmac.compare_digest(hash_secret(secret), str(stored_hash))


# -- files ---------------------------------------------------------------------------------------------------------
def write_json_atomic(path: str, data: Any) -> str:
    """Write a state file (core's atomic JSON write: private to the server's user, on disk before the move: a reader
    never sees half a file; a crash leaves the previous version). Returns the text written."""
    return files.write_json_atomic(path, data, mode=0o600, durable=True)


def read_json(path: str, kind: str) -> dict[str, Any]:
    """A state file written by :func:`write_json_atomic` with the expected ``kind``; StateError otherwise."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError) as err:
        raise StateError(f"cannot read {os.path.basename(path)}: {err}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("kind") != kind:
        raise StateError(f"{os.path.basename(path)} is not a waifuc_ui {kind} file")
    if data.get("version") != VERSION:
        raise StateError(f"{os.path.basename(path)} has format version {data.get('version')!r}; this waifuc_ui "
                         f"reads version {VERSION}")
    return data


def _header(kind: str) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "kind": kind}


def last_used(workspace_dir: str) -> float:
    """The session's last use on disk (wall clock): the newest of the folder's and the state file's mtimes."""
    times = []
    for path in (workspace_dir, os.path.join(workspace_dir, STATE_FILE)):
        try:
            times.append(os.path.getmtime(path))
        except OSError:
            pass
    return max(times) if times else 0.0


def mark_used(workspace_dir: str) -> None:
    """Set the on-disk last use to now (the folder and the state file)."""
    now = time.time()
    for path in (os.path.join(workspace_dir, STATE_FILE), workspace_dir):
        try:
            os.utime(path, (now, now))
        except OSError:
            pass


# -- records -------------------------------------------------------------------------------------------------------
def _relative(path: str, root: str) -> str:
    real = os.path.realpath(path)
    if not real.startswith(root + os.sep):
        raise StateError(f"file {path!r} is outside the workspace")
    return os.path.relpath(real, root).replace(os.sep, "/")


def _inside(rel: str, root: str) -> str:
    full = os.path.realpath(os.path.join(root, str(rel)))
    if not full.startswith(root + os.sep):
        raise StateError(f"path {rel!r} in the state file leaves the workspace")
    return full


def _split_path(value: Any, root: str) -> tuple[Any, str | None]:
    """(value to store, its workspace-relative form): a path inside the workspace is stored relative only."""
    if isinstance(value, str) and os.path.isabs(value):
        real = os.path.realpath(value)
        if real.startswith(root + os.sep):
            return None, os.path.relpath(real, root).replace(os.sep, "/")
    return value, None


def _join_path(rel: Any, root: str) -> str | None:
    try:
        return _inside(rel, root)
    except StateError:
        return None


def record_to_dict(record: ItemRecord, root: str) -> dict[str, Any]:
    """The record with its files, and a source ``path`` inside the workspace (an unpacked upload), relative."""
    d = record.to_dict()
    d["file"], d["thumb"] = _relative(record.file, root), _relative(record.thumb, root)
    value, rel = _split_path(d["meta"].get("path"), root)
    if rel is not None:
        d["meta"].pop("path")
        d["meta_path"] = rel
    return d


def record_from_dict(d: dict[str, Any], root: str) -> ItemRecord:
    fields = dict(d)
    fields["file"], fields["thumb"] = _inside(d["file"], root), _inside(d["thumb"], root)
    rel = fields.pop("meta_path", None)
    if rel is not None:
        fields["meta"] = {**fields["meta"], "path": _join_path(rel, root)}
    return ItemRecord(**fields)


# -- the last run ----------------------------------------------------------------------------------------------------
def _drop_to_dict(record: DropRecord, root: str) -> dict[str, Any]:
    d = json_safe(asdict(record))
    d["path"], rel = _split_path(d.get("path"), root)
    if rel is not None:
        d["path_in_workspace"] = rel
    return d


def _drop_from_dict(d: dict[str, Any], root: str) -> DropRecord:
    fields = dict(d)
    rel = fields.pop("path_in_workspace", None)
    if rel is not None:
        fields["path"] = _join_path(rel, root)
    return DropRecord(**fields)


#: Key under which a run meta's workspace-relative ``path`` is stored (not a key any source writes).
_META_PATH_KEY = "_waifuc_ui_path_in_workspace"


def _metas_out(meta: dict[str, Any], root: str) -> dict[str, Any]:
    out = json_safe(meta)
    value, rel = _split_path(out.get("path"), root)
    if rel is not None:
        out.pop("path")
        out[_META_PATH_KEY] = rel
    return out


def _metas_in(meta: dict[str, Any], root: str) -> dict[str, Any]:
    out = dict(meta)
    rel = out.pop(_META_PATH_KEY, None)
    if rel is not None:
        out["path"] = _join_path(rel, root)
    return out


def run_to_dict(run: RunResult, root: str) -> dict[str, Any]:
    """The run with its metas stored once each (steps that do not change a meta share it); paths inside the
    workspace are stored relative to it."""
    table: dict[str, Any] = {}

    def ref(meta: dict[str, Any]) -> str:
        key = meta_key(meta)
        if key not in table:
            table[key] = _metas_out(meta, root)
        return key

    steps = []
    for s in run.steps:
        steps.append({"uid": s.uid, "action": s.action, "label": s.label, "status": s.status, "message": s.message,
                      "input_ids": list(s.input_ids), "output_ids": list(s.output_ids),
                      "dropped": {i: _drop_to_dict(r, root) for i, r in s.dropped.items()},
                      "metas": {i: ref(m) for i, m in s.metas.items()},
                      "forced_keep": list(s.forced_keep), "forced_drop": list(s.forced_drop), "computed": s.computed})
    return {"input_ids": list(run.input_ids), "input_metas": {i: ref(m) for i, m in run.input_metas.items()},
            "steps": steps, "status": run.status, "message": run.message,
            "unavailable": {u: {**asdict(st), "files": list(st.files)} for u, st in run.unavailable.items()},
            "metas": table}


def run_from_dict(d: dict[str, Any], root: str) -> RunResult:
    table = {k: _metas_in(m, root) for k, m in d["metas"].items()}
    run = RunResult(list(d["input_ids"]), {i: dict(table[k]) for i, k in d["input_metas"].items()},
                    status=StepStatus(d["status"]), message=d["message"],
                    unavailable={u: ModelStatus(st["needs_models"], st["available"], st.get("fix", ""),
                                                tuple(st.get("files", ()))) for u, st in d["unavailable"].items()})
    for s in d["steps"]:
        run.steps.append(StepResult(s["uid"], s["action"], s["label"], StepStatus(s["status"]), s["message"],
                                    list(s["input_ids"]), list(s["output_ids"]),
                                    {i: _drop_from_dict(r, root) for i, r in s["dropped"].items()},
                                    {i: dict(table[k]) for i, k in s["metas"].items()},
                                    list(s["forced_keep"]), list(s["forced_drop"]), int(s["computed"])))
    return run


def run_ids(run: RunResult) -> set:
    ids = set(run.input_ids)
    for s in run.steps:
        ids.update(s.input_ids, s.output_ids)
    return ids


# -- the session ---------------------------------------------------------------------------------------------------
class SessionFiles:
    """Writes one session's state files when they change (one per Session; callers hold the session's save lock).
    Remembers what it wrote last, so an unchanged session costs one small JSON dump and no disk write."""

    def __init__(self, workspace_dir: str):
        self.dir = os.path.realpath(workspace_dir)
        self._state_text = ""
        self._items_count = -1
        self._run_obj: Any = None
        self._run_token = ""

    def path(self, name: str) -> str:
        return os.path.join(self.dir, name)

    def save(self, state: dict[str, Any], records: list[ItemRecord], run: RunResult | None,
             fingerprint: str) -> bool:
        """Write what changed (items, then run, then the state naming them). True when something was written."""
        wrote = False
        if len(records) != self._items_count:
            write_json_atomic(self.path(ITEMS_FILE), {**_header("items"),
                                                      "records": [record_to_dict(r, self.dir) for r in records]})
            self._items_count, wrote = len(records), True
        if run is not self._run_obj:
            if run is None:
                self._run_token = ""
            else:
                self._run_token = uuid.uuid4().hex
                write_json_atomic(self.path(RUN_FILE), {**_header("run"), "token": self._run_token,
                                                        "fingerprint": fingerprint,
                                                        "run": run_to_dict(run, self.dir)})
            self._run_obj, wrote = run, True
        data = {**_header("state"), **state, "run_token": self._run_token}
        text = stable_json(data)
        if text != self._state_text:
            write_json_atomic(self.path(STATE_FILE), data)
            self._state_text, wrote = text, True
        return wrote

    def load(self) -> tuple[dict[str, Any], list[ItemRecord], RunResult | None, str]:
        """(state, records, last run or None, its fingerprint). StateError when the state cannot be read; a run
        file that does not match the state (a crash between writes) is ignored: the page says to run again."""
        state = read_json(self.path(STATE_FILE), "state")
        items = read_json(self.path(ITEMS_FILE), "items") if os.path.exists(self.path(ITEMS_FILE)) else \
            {"records": []}
        try:
            records = [record_from_dict(r, self.dir) for r in items["records"]]
        except (KeyError, TypeError) as err:
            raise StateError(f"{ITEMS_FILE} holds a broken record: {err}") from None
        run, fingerprint = None, ""
        token = state.get("run_token") or ""
        if token:
            try:
                data = read_json(self.path(RUN_FILE), "run")
                if data.get("token") == token:
                    run, fingerprint = run_from_dict(data["run"], self.dir), str(data.get("fingerprint", ""))
                else:
                    logger.warning("run file of session %s does not match its state: run again",
                                   os.path.basename(self.dir))
            except (StateError, KeyError, TypeError) as err:
                logger.warning("last run of session %s not restored (%s): run again", os.path.basename(self.dir), err)
        known = {r.id for r in records}
        if run is not None and not run_ids(run) <= known:
            run, fingerprint = None, ""
        self._state_text = stable_json({**state, "run_token": token if run is not None else ""})
        self._items_count, self._run_token = len(records), (token if run is not None else "")
        return state, records, run, fingerprint

    def remember_run(self, run: RunResult | None) -> None:
        """The run object just loaded is the one on disk (no rewrite on the next save)."""
        self._run_obj = run


def skipped_to_dict(s: SkippedFile) -> dict[str, Any]:
    return asdict(s)


def skipped_from_dict(d: dict[str, Any]) -> SkippedFile:
    return SkippedFile(**d)
