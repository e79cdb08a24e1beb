"""The catalog of actions the app offers, with parameter specs, and the model check of a step.

``action_catalog()`` lists every action of :data:`~waifuc_ui.pipeline.hints.ACTION_TABLE` that exists in
``waifuc_ui.action`` (actions not written yet are simply absent), with :class:`ParamSpec` s derived from the
class signatures. ``model_status(action)`` says whether a configured action needs Hub models and whether they
are on this machine, with the fix when not.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ..action.base import is_per_item
from ..errors import InvalidOptionError
from .hints import ACTION_TABLE, PARAM_HELP, ActionInfo
from .params import ParamSpec, derive_params


@dataclass(frozen=True)
class ActionSpec:
    """An action as the app offers it: class, UI parameters and behaviour flags (see ActionInfo). ``stateful``
    is read from the class (not ``per_item``: the action depends on the stream)."""

    name: str
    cls: type
    category: str
    params: Tuple[ParamSpec, ...]
    stateful: bool = False
    model_backed: bool = False
    review: Optional[str] = None
    help: str = ""

    def param(self, name: str) -> ParamSpec:
        for p in self.params:
            if p.name == name:
                return p
        raise InvalidOptionError(f"parameter of {self.name}", name, [p.name for p in self.params],
                                 "use one of the listed parameters")

    def defaults(self) -> Dict[str, Any]:
        """The parameter values a new step starts with (waifuc's defaults, or the UI suggestion)."""
        return {p.name: (list(p.default) if isinstance(p.default, (list, tuple)) else p.default) for p in self.params}

    def to_dict(self) -> Dict[str, Any]:
        """JSON-able description (no class object) for the UI."""
        return {"name": self.name, "category": self.category, "stateful": self.stateful,
                "model_backed": self.model_backed, "review": self.review, "help": self.help,
                "params": [p.to_dict() for p in self.params]}


@dataclass(frozen=True)
class ModelStatus:
    """``needs_models``: the step calls Hub models; ``available``: all its files are on this machine (always True
    for model-free steps); ``fix``: what to do when not; ``files``: 'repo/path' of each required file."""

    needs_models: bool
    available: bool
    fix: str = ""
    files: Tuple[str, ...] = field(default_factory=tuple)


def make_spec(name: str, cls: type, info: ActionInfo) -> ActionSpec:
    doc = (cls.__doc__ or "").strip().splitlines()
    params = tuple(p if p.help else replace(p, help=PARAM_HELP.get((name, p.name), ""))
                   for p in derive_params(cls, info.params))
    return ActionSpec(name=name, cls=cls, category=info.category, params=params,
                      stateful=not is_per_item(cls), model_backed=info.model_backed, review=info.review,
                      help=info.help or (doc[0] if doc else name))


def action_catalog(classes: Optional[Mapping[str, type]] = None) -> Dict[str, ActionSpec]:
    """name -> ActionSpec, in menu order. ``classes`` (name -> class) replaces the lookup in ``waifuc_ui.action``
    (tests); names missing from ACTION_TABLE get a generic ActionInfo."""
    if classes is None:
        from .. import action as action_module

        classes = {n: getattr(action_module, n) for n in ACTION_TABLE if hasattr(action_module, n)}
    catalog: Dict[str, ActionSpec] = {}
    for name, cls in classes.items():
        info = ACTION_TABLE.get(name, ActionInfo("process"))
        catalog[name] = make_spec(name, cls, info)
    return catalog


def get_action_spec(name: str, catalog: Optional[Mapping[str, ActionSpec]] = None) -> ActionSpec:
    catalog = catalog if catalog is not None else action_catalog()
    if name not in catalog:
        missing = " (it is known but not installed in this version)" if name in ACTION_TABLE else ""
        raise InvalidOptionError("action", name, list(catalog), f"use one of the listed actions{missing}")
    return catalog[name]


def _describe(files: Sequence[Any]) -> Tuple[str, ...]:
    return tuple(f"{getattr(f, 'repo_id', '?')}/{getattr(f, 'filename', f)}" for f in files)


def model_status(action: Any) -> ModelStatus:
    """Check an action instance's models without loading them. An action needs models when it has a
    ``required_files()`` method (the analysed-action protocol); availability comes from
    ``waifuc_ui.models.ensure_available``, which answers at once when the Hub is unreachable."""
    required = getattr(action, "required_files", None)
    if required is None:
        return ModelStatus(needs_models=False, available=True)
    try:
        files = list(required())
    except NotImplementedError:
        return ModelStatus(True, False, "the model runtime is not installed in this version (waifuc_ui.models)")
    except Exception as err:  # e.g. an unknown model name
        return ModelStatus(True, False, str(err))
    if not files:
        return ModelStatus(needs_models=False, available=True)
    from ..errors import ModelUnavailableError
    from ..models import ensure_available

    try:
        ensure_available(files)
    except ModelUnavailableError as err:
        return ModelStatus(True, False, str(err), _describe(files))
    except NotImplementedError:
        return ModelStatus(True, False, "the model runtime is not installed in this version (waifuc_ui.models)",
                           _describe(files))
    return ModelStatus(True, True, "", _describe(files))


def catalog_names(catalog: Mapping[str, ActionSpec], *, model_backed: Optional[bool] = None) -> List[str]:
    """Names in the catalog, optionally only model-backed or only model-free ones."""
    return [n for n, s in catalog.items() if model_backed is None or s.model_backed == model_backed]
