"""How one action parameter (a pipeline ParamSpec) becomes a form widget and back.

``widget_for(spec, value)`` says which gradio component to build and with which keyword arguments;
``ui_to_param(spec, ui_value)`` turns what the widget sends back into the recipe's value
(comma-separated text -> list, empty text of an optional parameter -> None).
"""

from __future__ import annotations

from typing import Any

from ..pipeline.params import ParamSpec


def param_label(spec: ParamSpec) -> str:
    """The widget label: the waifuc parameter name, so recipes and scripts read the same."""
    return spec.name


def param_info(spec: ParamSpec) -> str:
    """Help text under the widget; says when empty means "not set"."""
    parts = [spec.help] if spec.help else []
    if spec.optional and spec.kind not in ("checkbox", "dropdown", "multiselect"):
        parts.append("empty = not set")
    if spec.required:
        parts.append("required by the action")
    return " · ".join(parts)


def param_to_ui(spec: ParamSpec, value: Any) -> Any:
    """The recipe value as the widget shows it."""
    if spec.kind in ("tags", "number_list", "text"):
        if value is None:
            return ""
        if isinstance(value, (list, tuple)):
            return ", ".join(str(v) for v in value)
        return str(value)
    if spec.kind == "multiselect":
        return list(value or [])
    return value


def widget_for(spec: ParamSpec, value: Any) -> tuple[str, dict[str, Any]]:
    """(component name in gradio, constructor kwargs) for ``spec`` showing ``value``.

    An optional slider whose value is not set becomes a number box (a slider cannot say "not set").
    """
    common: dict[str, Any] = {"label": param_label(spec), "info": param_info(spec) or None}
    shown = param_to_ui(spec, value)
    kind = spec.kind
    if kind == "slider" and not (spec.optional and value is None):
        return "Slider", {**common, "minimum": spec.minimum if spec.minimum is not None else 0.0,
                          "maximum": spec.maximum if spec.maximum is not None else 1.0,
                          "step": spec.step or (1 if spec.value_type == "int" else 0.01), "value": shown}
    if kind in ("slider", "number"):
        kwargs = {**common, "value": shown, "minimum": spec.minimum, "maximum": spec.maximum}
        if spec.value_type == "int":
            kwargs["precision"] = 0
        if spec.step:
            kwargs["step"] = spec.step
        return "Number", kwargs
    if kind == "checkbox":
        return "Checkbox", {**common, "value": bool(shown)}
    if kind in ("dropdown", "multiselect"):
        choices = list(spec.choices or [])
        if kind == "dropdown" and spec.optional and None not in choices:
            choices = [("(not set)", "")] + [(str(c), c) for c in choices]
            shown = "" if shown is None else shown
        return "Dropdown", {**common, "choices": choices, "value": shown, "multiselect": kind == "multiselect"}
    placeholder = "comma separated" if kind in ("tags", "number_list") else None
    return "Textbox", {**common, "value": shown, "placeholder": placeholder, "lines": 1}


def ui_to_param(spec: ParamSpec, ui_value: Any) -> Any:
    """The recipe value for what the widget sent (the pipeline layer validates it further)."""
    if isinstance(ui_value, str) and ui_value.strip() == "" and (spec.optional or spec.kind in ("tags", "number_list")):
        return None if spec.optional and spec.kind not in ("tags", "number_list") else []
    if ui_value is None and spec.kind in ("tags", "number_list", "multiselect"):
        return []
    if spec.value_type == "int" and isinstance(ui_value, float) and ui_value.is_integer():
        return int(ui_value)
    return ui_value
