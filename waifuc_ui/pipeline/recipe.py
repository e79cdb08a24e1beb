"""A pipeline recipe: ordered steps (action name, parameters, enabled), to and from JSON, validated.

    recipe = PipelineRecipe.from_json(text, catalog)      # unknown action/parameter -> InvalidOptionError
    action = build_action(recipe.steps[0], catalog)      # a configured waifuc_ui action instance
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..core.errors import InvalidOptionError
from ..core.jsondata import stable_json
from .catalog import ActionSpec, get_action_spec
from .params import coerce_value

RECIPE_VERSION = 1


def new_step_uid() -> str:
    """A short random id that follows a step through edits and reordering (decisions are keyed by it)."""
    return secrets.token_hex(4)


@dataclass
class PipelineStep:
    """One step. ``params`` holds every UI parameter (missing ones get the catalog default on validation).
    ``uid`` identifies the step for decisions and review state; it survives parameter changes and moves."""

    action: str
    params: dict[str, Any] = field(default_factory=dict)
    enabled: bool = True
    uid: str = field(default_factory=new_step_uid)

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action, "params": dict(self.params), "enabled": self.enabled, "uid": self.uid}

    @property
    def config_key(self) -> str:
        """A stable text of action + parameters: equal keys give equal outputs for equal inputs."""
        return stable_json([self.action, self.params])


def normalize_params(spec: ActionSpec, params: Mapping[str, Any]) -> dict[str, Any]:
    """Every parameter of ``spec``: given values coerced, the rest defaulted; unknown names raise."""
    known = {p.name for p in spec.params}
    for name in params:
        if name not in known:
            raise InvalidOptionError(f"parameter of {spec.name}", name, sorted(known),
                                     f"remove it or use one of the parameters of {spec.name}")
    out: dict[str, Any] = {}
    for p in spec.params:
        value = params[p.name] if p.name in params else spec.defaults()[p.name]
        out[p.name] = coerce_value(spec.name, p, value)
    return out


def build_action(step: PipelineStep, catalog: Mapping[str, ActionSpec]) -> Any:
    """A new action instance configured by ``step`` (parameters validated)."""
    spec = get_action_spec(step.action, catalog)
    params = normalize_params(spec, step.params)
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for p in spec.params:
        value = params[p.name]
        if p.positional:
            args.extend(value)
        elif isinstance(value, list) and p.kind == "number_list":
            kwargs[p.name] = tuple(value)
        else:
            kwargs[p.name] = value
    try:
        return spec.cls(*args, **kwargs)
    except InvalidOptionError:
        raise
    except (TypeError, ValueError) as err:
        raise InvalidOptionError(step.action, params, fix=f"the action refused these parameters: {err}") from None


@dataclass
class PipelineRecipe:
    """Ordered steps; JSON form ``{"version": 1, "steps": [{"action", "params", "enabled", "uid"}, ...]}``."""

    steps: list[PipelineStep] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"version": RECIPE_VERSION, "steps": [s.to_dict() for s in self.steps]}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: Any, catalog: Mapping[str, ActionSpec]) -> PipelineRecipe:
        if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
            raise InvalidOptionError("recipe", type(data).__name__,
                                     fix='a recipe is a JSON object {"version": 1, "steps": [...]}')
        if data.get("version", RECIPE_VERSION) != RECIPE_VERSION:
            raise InvalidOptionError("recipe version", data.get("version"), [RECIPE_VERSION],
                                     "save the recipe again with this version of waifuc_ui")
        steps = []
        for i, raw in enumerate(data["steps"]):
            if not isinstance(raw, dict) or "action" not in raw:
                raise InvalidOptionError(f"recipe step {i + 1}", raw, fix='each step needs "action" and "params"')
            extra = set(raw) - {"action", "params", "enabled", "uid"}
            if extra:
                raise InvalidOptionError(f"key of recipe step {i + 1}", sorted(extra)[0],
                                         ["action", "params", "enabled", "uid"], "remove the unknown key")
            params = raw.get("params") or {}
            if not isinstance(params, dict):
                raise InvalidOptionError(f"params of recipe step {i + 1}", params, fix="params must be an object")
            spec = get_action_spec(str(raw["action"]), catalog)
            steps.append(PipelineStep(spec.name, normalize_params(spec, params), bool(raw.get("enabled", True)),
                                      str(raw.get("uid") or new_step_uid())))
        return cls(steps)

    @classmethod
    def from_json(cls, text: str, catalog: Mapping[str, ActionSpec]) -> PipelineRecipe:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise InvalidOptionError("recipe JSON", text[:40], fix=f"fix the JSON syntax: {err}") from None
        return cls.from_dict(data, catalog)

    def validated(self, catalog: Mapping[str, ActionSpec]) -> PipelineRecipe:
        """A copy with every step's parameters checked and completed with defaults."""
        return PipelineRecipe([replace(s, params=normalize_params(get_action_spec(s.action, catalog), s.params))
                               for s in self.steps])

    def enabled_steps(self) -> list[PipelineStep]:
        return [s for s in self.steps if s.enabled]

    def step_by_uid(self, uid: str) -> PipelineStep:
        for s in self.steps:
            if s.uid == uid:
                return s
        raise InvalidOptionError("step uid", uid, [s.uid for s in self.steps], "use the uid of an existing step")

    def add_step(self, action: str, catalog: Mapping[str, ActionSpec], params: dict[str, Any] | None = None,
                 position: int | None = None) -> PipelineStep:
        """Insert a new step (defaults + ``params``) at ``position`` (end when None) and return it."""
        spec = get_action_spec(action, catalog)
        step = PipelineStep(spec.name, normalize_params(spec, params or {}))
        self.steps.insert(len(self.steps) if position is None else position, step)
        return step

    def move_step(self, uid: str, new_index: int) -> None:
        step = self.step_by_uid(uid)
        self.steps.remove(step)
        self.steps.insert(max(0, min(new_index, len(self.steps))), step)

    def remove_step(self, uid: str) -> None:
        self.steps.remove(self.step_by_uid(uid))
