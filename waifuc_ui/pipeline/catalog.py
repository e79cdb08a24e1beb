"""The catalog of actions the app offers, with parameter specs, and the model check of a step.

``action_catalog()`` lists every action of :data:`~waifuc_ui.pipeline.hints.ACTION_TABLE` (each one a class of
``waifuc_ui.action``), with :class:`ParamSpec` s derived from the class signatures. ``model_status(action, plan)``
says whether a configured action needs Hub models, whether they are on this machine and, given a download plan (file
sizes from the Hub), whether the run will download them. It never downloads anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..action.base import is_per_item
from ..core.errors import InvalidOptionError
from .hints import ACTION_TABLE, PARAM_HELP, ActionInfo
from .params import ParamSpec, derive_params


@dataclass(frozen=True)
class ActionSpec:
    """An action as the app offers it: class, UI parameters and behaviour flags (see ActionInfo). ``stateful``
    is read from the class (not ``per_item``: the action depends on the stream)."""

    name: str
    cls: type
    category: str
    params: tuple[ParamSpec, ...]
    stateful: bool = False
    model_backed: bool = False
    review: str | None = None
    help: str = ""

    def param(self, name: str) -> ParamSpec:
        for p in self.params:
            if p.name == name:
                return p
        raise InvalidOptionError(f"parameter of {self.name}", name, [p.name for p in self.params],
                                 "use one of the listed parameters")

    def defaults(self) -> dict[str, Any]:
        """The parameter values a new step starts with (waifuc's defaults, or the UI suggestion)."""
        return {p.name: (list(p.default) if isinstance(p.default, (list, tuple)) else p.default) for p in self.params}

    def to_dict(self) -> dict[str, Any]:
        """JSON-able description (no class object) for the UI."""
        return {"name": self.name, "category": self.category, "stateful": self.stateful,
                "model_backed": self.model_backed, "review": self.review, "help": self.help,
                "params": [p.to_dict() for p in self.params]}


@dataclass(frozen=True)
class ModelStatus:
    """``needs_models``: the step calls Hub models; ``available``: all its files are on this machine (always True
    for model-free steps); ``fix``: what to do when the step cannot run; ``files``: 'repo/path' of each required
    file; ``missing``: those not on this machine; ``download``: the run will download ``missing`` first (the Hub
    is reachable and has them), ``download_bytes`` in total (None: a size is unknown), ``missing_sizes`` per file;
    ``commands``: the ``hf download`` commands that fetch the files the step cannot have otherwise."""

    needs_models: bool
    available: bool
    fix: str = ""
    files: tuple[str, ...] = field(default_factory=tuple)
    missing: tuple[str, ...] = field(default_factory=tuple)
    download: bool = False
    download_bytes: int | None = None
    missing_sizes: tuple[int | None, ...] = field(default_factory=tuple)
    commands: tuple[str, ...] = field(default_factory=tuple)

    @property
    def will_run(self) -> bool:
        """The step's models are here, or the run will fetch them."""
        return self.available or self.download


def make_spec(name: str, cls: type, info: ActionInfo) -> ActionSpec:
    doc = (cls.__doc__ or "").strip().splitlines()
    params = tuple(p if p.help else replace(p, help=PARAM_HELP.get((name, p.name), ""))
                   for p in derive_params(cls, info.params))
    return ActionSpec(name=name, cls=cls, category=info.category, params=params,
                      stateful=not is_per_item(cls), model_backed=info.model_backed, review=info.review,
                      help=info.help or (doc[0] if doc else name))


def action_catalog(classes: Mapping[str, type] | None = None) -> dict[str, ActionSpec]:
    """name -> ActionSpec, in menu order. ``classes`` (name -> class) replaces the lookup in ``waifuc_ui.action``
    (tests); names missing from ACTION_TABLE get a generic ActionInfo."""
    if classes is None:
        from .. import action as action_module

        classes = {n: getattr(action_module, n) for n in ACTION_TABLE}
    catalog: dict[str, ActionSpec] = {}
    for name, cls in classes.items():
        info = ACTION_TABLE.get(name, ActionInfo("process"))
        catalog[name] = make_spec(name, cls, info)
    return catalog


def get_action_spec(name: str, catalog: Mapping[str, ActionSpec] | None = None) -> ActionSpec:
    catalog = catalog if catalog is not None else action_catalog()
    if name not in catalog:
        raise InvalidOptionError("action", name, list(catalog), "use one of the listed actions")
    return catalog[name]


def _describe(files: Sequence[Any]) -> tuple[str, ...]:
    return tuple(f"{getattr(f, 'repo_id', '?')}/{getattr(f, 'filename', f)}" for f in files)


def model_status(action: Any, plan: Callable[[Sequence[Any]], Any] | None = None) -> ModelStatus:
    """Check an action instance's models without loading or downloading them. An action needs models when it has
    a ``required_files()`` method (the analysed-action protocol). Without ``plan`` only this machine is looked at;
    ``plan(missing_files)`` returns a :class:`waifuc_ui.inference.download.DownloadPlan` (reachability and sizes from
    the Hub's file metadata) for the files that are not here."""
    required = getattr(action, "required_files", None)
    if required is None:
        return ModelStatus(needs_models=False, available=True)
    try:
        files = list(required())
    except Exception as err:  # e.g. an unknown model name
        return ModelStatus(True, False, str(err), commands=tuple(getattr(err, "commands", ())))
    if not files:
        return ModelStatus(needs_models=False, available=True)
    from ..inference.hub import download_commands, fix_hint, is_local

    names = _describe(files)
    missing = [f for f in files if not is_local(f)]
    if not missing:
        return ModelStatus(True, True, "", names)
    listed = ", ".join(_describe(missing))
    if plan is None:
        return ModelStatus(True, False, f"{len(missing)} model file(s) are not on this machine ({listed}); Run "
                           "downloads them first when the Hub is reachable. " + fix_hint(missing), names,
                           _describe(missing), commands=download_commands(missing))
    found = plan(missing)
    if not found.reachable:
        return ModelStatus(True, False, f"{len(missing)} model file(s) are not on this machine ({listed}) and the "
                           f"Hub cannot be reached ({found.reason}). " + fix_hint(missing), names, _describe(missing),
                           commands=download_commands(missing))
    absent = found.absent(missing)
    if absent:
        return ModelStatus(True, False, f"the Hub has no {', '.join(_describe(absent))}. " + fix_hint(absent), names,
                           _describe(missing), commands=download_commands(absent))
    sizes = tuple(found.remote[f].size if f in found.remote else None for f in missing)
    return ModelStatus(True, False, "", names, _describe(missing), download=True,
                       download_bytes=found.size_of(missing), missing_sizes=sizes)


def catalog_names(catalog: Mapping[str, ActionSpec], *, model_backed: bool | None = None) -> list[str]:
    """Names in the catalog, optionally only model-backed or only model-free ones."""
    return [n for n, s in catalog.items() if model_backed is None or s.model_backed == model_backed]
