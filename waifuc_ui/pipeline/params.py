"""Parameter specs for the app's forms, derived from an action's ``__init__`` signature.

A :class:`ParamSpec` says how the UI shows one parameter (kind, default, range, choices, help)
and :func:`coerce_value` checks a value from the UI or a recipe against it.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..core.errors import InvalidArgumentError, InvalidOptionError

#: The widget kinds a ParamSpec may ask for.
PARAM_KINDS = ("slider", "number", "dropdown", "multiselect", "checkbox", "text", "tags", "number_list")


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of an action as the UI shows it.

    ``kind`` is one of :data:`PARAM_KINDS`; ``value_type`` 'int', 'float', 'str' or 'bool' (for lists:
    the element type). ``optional`` means ``None`` is a valid value (waifuc's "not set").
    ``positional`` marks the ``*args`` of e.g. ``FaceCountAction(*counts)``; its value is a list.
    ``extra`` marks a ``**kwargs`` entry the action accepts (e.g. TaggingAction's thresholds).
    """

    name: str
    kind: str
    default: Any = None
    value_type: str = "str"
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    choices: tuple[Any, ...] | None = None
    help: str = ""
    optional: bool = False
    positional: bool = False
    extra: bool = False
    required: bool = False  # no default in the signature: the spec's default is a UI suggestion

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class ParamHint:
    """A partial override of a derived ParamSpec (None fields are left as derived)."""

    kind: str | None = None
    default: Any = field(default=None)
    has_default: bool = False
    value_type: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    choices: tuple[Any, ...] | None = None
    help: str | None = None
    hidden: bool = False
    optional: bool | None = None


def hint(kind: str | None = None, *, default: Any = inspect.Parameter.empty, **kw: Any) -> ParamHint:
    """Shorthand for a ParamHint; pass ``default=`` to suggest a value for a required parameter."""
    if default is inspect.Parameter.empty:
        return ParamHint(kind=kind, **kw)
    return ParamHint(kind=kind, default=default, has_default=True, **kw)


def _literal_choices(annotation: Any) -> tuple[Any, ...] | None:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return tuple(typing.get_args(annotation))
    if origin is typing.Union:
        for arg in typing.get_args(annotation):
            found = _literal_choices(arg)
            if found:
                return found
    return None


def _type_hints(func: Any) -> dict[str, Any]:
    try:
        return typing.get_type_hints(func, include_extras=False)
    except Exception:  # unresolvable forward references: fall back to no annotations
        return {}


def _value_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return "str"


def derive_params(cls: type, hints: dict[str, ParamHint] | None = None) -> tuple[ParamSpec, ...]:
    """ParamSpecs for ``cls.__init__``: kinds from defaults and annotations, refined by ``hints``.

    Parameters hinted ``hidden`` are left out (the action's default applies). Hints with a default naming a
    parameter that is not in the signature declare ``**kwargs`` extras (only when the action takes ``**kwargs``);
    other hints for absent parameters are ignored.
    """
    hints = dict(hints or {})
    init = inspect.getattr_static(cls, "__init__")  # the function, as cls.__init__ (which mypy refuses on a type)
    if init is object.__init__:
        return ()
    sig = inspect.signature(init)
    annotations = _type_hints(init)
    specs: list[ParamSpec] = []
    for p in list(sig.parameters.values())[1:]:
        if p.kind is inspect.Parameter.VAR_KEYWORD:
            continue
        hinted = p.name in hints
        h = hints.pop(p.name, ParamHint())
        if h.hidden:
            continue
        positional = p.kind is inspect.Parameter.VAR_POSITIONAL
        if positional and not hinted:  # plain *args: nothing the UI can set
            continue
        required = p.default is inspect.Parameter.empty and not positional
        default = [] if positional else (None if required else p.default)
        choices = _literal_choices(annotations.get(p.name))
        kind, vtype = _guess_kind(default, choices, positional)
        spec = ParamSpec(name=p.name, kind=kind, default=default, value_type=vtype, choices=choices,
                         optional=(default is None and not required), positional=positional, required=required)
        specs.append(_apply_hint(spec, h))
    takes_kwargs = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in sig.parameters.values())
    for name, h in hints.items():  # **kwargs extras: hints with a default, for actions taking **kwargs
        if h.hidden or not h.has_default or not takes_kwargs:
            continue  # a hint for a parameter this version of the action does not have
        kind, vtype = _guess_kind(h.default, h.choices, False)
        specs.append(_apply_hint(ParamSpec(name=name, kind=kind, default=h.default, value_type=vtype, extra=True), h))
    return tuple(specs)


def _guess_kind(default: Any, choices: tuple[Any, ...] | None, positional: bool) -> tuple[str, str]:
    if positional:
        return "number_list", "int"
    if choices:
        return "dropdown", _value_type(choices[0])
    if isinstance(default, bool):
        return "checkbox", "bool"
    if isinstance(default, (int, float)):
        return "number", _value_type(default)
    if isinstance(default, (list, tuple)):
        return "tags", "str"
    return "text", "str"


def _apply_hint(spec: ParamSpec, h: ParamHint) -> ParamSpec:
    changes: dict[str, Any] = {}
    for name in ("kind", "value_type", "minimum", "maximum", "step", "choices", "help", "optional"):
        value = getattr(h, name)
        if value is not None:
            changes[name] = value
    if h.has_default:
        changes["default"] = h.default
    spec = replace(spec, **changes)
    if spec.kind not in PARAM_KINDS:
        raise InvalidArgumentError(f"unknown param kind {spec.kind!r} for {spec.name}",
                                   f"use one of {', '.join(PARAM_KINDS)} in its hint")
    if spec.kind == "slider" and spec.value_type == "str":
        spec = replace(spec, value_type="float")
    return spec


class _Unconvertible(Exception):
    """A value that is not of the parameter's kind (turned into InvalidOptionError by :func:`coerce_value`)."""


def coerce_value(action: str, spec: ParamSpec, value: Any) -> Any:
    """``value`` checked and converted for ``spec``; raises InvalidOptionError naming action and parameter."""
    label = f"{action}.{spec.name}"
    if value is None:
        if spec.optional:
            return None
        raise InvalidOptionError(label, value, fix=f"give a value (default {spec.default!r})")
    try:
        if spec.kind in ("tags", "multiselect", "number_list"):
            items = _as_list(value)
            if spec.kind == "number_list" or spec.value_type in ("int", "float"):
                items = [_as_number(v, spec.value_type) for v in items]
            else:
                items = [str(v).strip() for v in items if str(v).strip()]
            if spec.kind == "multiselect" and spec.choices:
                bad = [v for v in items if v not in spec.choices]
                if bad:
                    raise InvalidOptionError(label, bad[0], spec.choices, "pick values from the list")
            return items
        if spec.kind == "checkbox" or spec.value_type == "bool":
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
            if not isinstance(value, (bool, int)):
                raise _Unconvertible
            return bool(value)
        if spec.value_type in ("int", "float"):
            number = _as_number(value, spec.value_type)
            if (spec.minimum is not None and number < spec.minimum) or \
                    (spec.maximum is not None and number > spec.maximum):
                raise InvalidOptionError(label, value, fix=f"use a value between {spec.minimum} and {spec.maximum}")
            value = number
        elif not isinstance(value, str):
            raise _Unconvertible
        if spec.kind == "dropdown" and spec.choices and value not in spec.choices:
            raise InvalidOptionError(label, value, spec.choices, "pick one of the choices")
        return value
    except InvalidOptionError:
        raise
    except (_Unconvertible, TypeError, ValueError):  # ours, or int()/float() refusing the text
        raise InvalidOptionError(label, value, fix=f"expected a {spec.value_type} ({spec.kind})") from None


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [v for v in (p.strip() for p in value.split(",")) if v]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise _Unconvertible


def _as_number(value: Any, vtype: str) -> Any:
    if isinstance(value, bool):
        raise _Unconvertible
    if vtype == "int":
        if isinstance(value, float) and not value.is_integer():
            raise _Unconvertible
        return int(value)
    return float(value)


def specs_by_name(specs: Sequence[ParamSpec]) -> dict[str, ParamSpec]:
    return {s.name: s for s in specs}
