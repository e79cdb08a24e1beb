"""The Python script equivalent to a recipe, using waifuc_ui's streaming API (runnable headless).

With :class:`DatasetChoices` the script also carries what a person decided in the app (review choices, restores,
hand drops, tag edits, names), as data keyed by ``'<file name>@<pixel hash>'`` (see
:mod:`waifuc_ui.action.reviewed`), so running it on the same inputs gives the app's export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence

from .catalog import ActionSpec, get_action_spec
from .recipe import PipelineRecipe, normalize_params

_CALL = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def action_expression(spec: ActionSpec, params: Mapping[str, Any]) -> str:
    """``Name(args)`` with only the parameters that differ from the signature's defaults."""
    params = normalize_params(spec, params)
    args: List[str] = []
    for p in spec.params:
        value = params[p.name]
        if p.positional:
            args.extend(repr(v) for v in value)
            continue
        if not p.required and not p.extra and _same(value, p.default) and not _suggested(spec, p.name):
            continue
        if p.required:
            args.append(repr(_plain(value)))
        else:
            args.append(f"{p.name}={_plain(value)!r}")
    return f"{spec.name}({', '.join(args)})"


def _suggested(spec: ActionSpec, name: str) -> bool:
    """True when the spec default is a UI suggestion that differs from the signature default."""
    import inspect

    sig = inspect.signature(spec.cls.__init__).parameters.get(name)
    if sig is None or sig.default is inspect.Parameter.empty:
        return False
    return not _same(sig.default, spec.param(name).default)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return list(a) == list(b)
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def _plain(value: Any) -> Any:
    return tuple(value) if isinstance(value, tuple) else value


def _expression(desc: str, default_class: str) -> str:
    """A call expression as is, or a path wrapped into ``default_class(path)``."""
    return desc if _CALL.match(desc) else f"{default_class}({desc!r})"


@dataclass
class StepChoices:
    """Hand decisions at one step (keys): ``select`` (or ``reject``: the input items that do not pass) replaces the
    step's choice, ``keep`` restores, ``drop`` removes by hand; ``note`` is a comment; ``wrap`` asks for the wrapper even without decisions (item order)."""

    keep: List[str] = field(default_factory=list)
    drop: List[str] = field(default_factory=list)
    select: Optional[List[str]] = None
    reject: Optional[List[str]] = None
    reason: str = ""
    note: str = ""
    wrap: bool = False

    @property
    def empty(self) -> bool:
        return self.select is None and self.reject is None and not self.keep and not self.drop


@dataclass
class DatasetChoices:
    """What the script carries besides the recipe. ``steps``: uid -> StepChoices; ``final_drop``: keys removed
    after the last step when the recipe has none; ``tags``: key -> tags in order (name -> score); ``names``: key ->
    export file name; ``folder``: a folder for every file; ``trigger_word``: a tag put first in every item's tags
    (the sidecar layout; captions get it from the exporter); ``notes``: header comments."""

    steps: Dict[str, StepChoices] = field(default_factory=dict)
    final_drop: List[str] = field(default_factory=list)
    tags: Dict[str, Dict[str, float]] = field(default_factory=dict)
    names: Dict[str, str] = field(default_factory=dict)
    folder: str = ""
    trigger_word: str = ""
    notes: List[str] = field(default_factory=list)


KEYS_NOTE = ("Choices made in the app are data below, keyed by '<file name>@<pixel hash>' "
             "(waifuc_ui.action.reviewed); '#2' marks a second item with the same name and pixels.")


def _set_lines(name: str, keys: Sequence[str], indent: str) -> List[str]:
    one = f"{indent}{name}={{{', '.join(repr(k) for k in sorted(keys))}}},"
    if len(one) <= 100:
        return [one]
    return [f"{indent}{name}={{"] + [f"{indent}    {k!r}," for k in sorted(keys)] + [f"{indent}}},"]


def _reviewed_lines(expression: str, choices: StepChoices, indent: str = "        ") -> List[str]:
    """``Reviewed(inner, select=..., keep=..., drop=...)`` as lines of the attach call."""
    inner = indent + "    "
    body = [f"{inner}{expression},"]
    if choices.select is not None or choices.reject is not None:
        if choices.select is not None:
            body += _set_lines("select", choices.select, inner)
        else:
            body += _set_lines("reject", choices.reject, inner)  # type: ignore[arg-type]
        if choices.reason:
            body.append(f"{inner}reason={choices.reason!r},")
    if choices.keep:
        body += _set_lines("keep", choices.keep, inner)
    if choices.drop:
        body += _set_lines("drop", choices.drop, inner)
    lines = [f"{indent}# {choices.note}"] if choices.note else []
    single = not any(b.endswith("{") for b in body)  # no set spread over lines
    one = f"{indent}Reviewed({', '.join(b.strip().rstrip(',') for b in body)}),"
    if single and len(one) <= 100:
        return lines + [one]
    return lines + [f"{indent}Reviewed("] + body + [f"{indent}),"]


def _tags_literal(tags: Mapping[str, float]) -> str:
    if all(float(s) == 1.0 for s in tags.values()):
        return repr(list(tags))
    return "{" + ", ".join(f"{t!r}: {float(s)!r}" for t, s in tags.items()) + "}"


def _dict_lines(name: str, entries: Mapping[str, str], comment: str) -> List[str]:
    lines = [f"# {comment}", f"{name} = {{"]
    lines += [f"    {k!r}: {v},".replace("\n", " ") for k, v in entries.items()]
    return lines + ["}", ""]


def recipe_to_script(recipe: PipelineRecipe, source_desc: str, exporter: str = "output",
                     catalog: Optional[Mapping[str, ActionSpec]] = None,
                     choices: Optional[DatasetChoices] = None) -> str:
    """A runnable script: ``source.attach(<enabled steps>).export(exporter)``.

    ``source_desc`` is a source expression (``"LocalSource('raw')"``) or a folder path (wrapped in LocalSource);
    ``exporter`` an exporter expression (``"TextualInversionExporter('out', trigger_word='x')"``) or a folder
    path (wrapped in SaveExporter). Disabled steps are left out; parameters equal to waifuc's defaults are
    omitted, so the script reads like a hand-written waifuc script. ``choices`` adds the decisions made by hand:
    steps with decisions are wrapped in ``Reviewed``, tag edits and names become ``SetTagsAction`` and
    ``RenameAction`` before the export.
    """
    if catalog is None:
        from .catalog import action_catalog

        catalog = action_catalog()
    choices = choices or DatasetChoices()
    source = _expression(source_desc, "LocalSource")
    export = _expression(exporter, "SaveExporter")
    steps = recipe.enabled_steps()
    imports = {s.action for s in steps}
    attach: List[str] = []
    for s in steps:
        expression = action_expression(get_action_spec(s.action, catalog), s.params)
        step_choices = choices.steps.get(s.uid)
        if step_choices is not None and (step_choices.wrap or not step_choices.empty):
            attach += _reviewed_lines(expression, step_choices)
            imports.add("Reviewed")
        else:
            attach.append(f"        {expression},")
    data: List[str] = []
    if choices.final_drop:
        attach += _reviewed_lines("None", StepChoices(drop=list(choices.final_drop),
                                                       note="duplicates removed in the review"))
        imports.add("Reviewed")
    if choices.tags or choices.trigger_word:
        if choices.tags:
            data += _dict_lines("TAGS", {k: _tags_literal(v) for k, v in choices.tags.items()},
                                "tags edited in the app (in their order; a list means score 1.0 each)")
        args = ["TAGS"] if choices.tags else []
        if choices.trigger_word:
            args.append(f"trigger_word={choices.trigger_word!r}")
        attach.append(f"        SetTagsAction({', '.join(args)}),")
        imports.add("SetTagsAction")
    if choices.names or choices.folder:
        if choices.names:
            data += _dict_lines("NAMES", {k: repr(v) for k, v in choices.names.items()},
                                "file names the export gives (made unique)")
        args = ["NAMES"] if choices.names else []
        if choices.folder:
            args.append(f"folder={choices.folder!r}")
        attach.append(f"        RenameAction({', '.join(args)}),")
        imports.add("RenameAction")
    action_names = sorted(imports)
    source_names = sorted({_CALL.match(source).group(1)})  # type: ignore[union-attr]
    export_names = sorted({_CALL.match(export).group(1)})  # type: ignore[union-attr]
    doc = "Generated by waifuc_ui: the same pipeline as the app, run headless."
    notes = list(choices.notes)
    if "Reviewed" in imports or "SetTagsAction" in imports or "RenameAction" in imports:
        notes.append(KEYS_NOTE)
    lines = [f'"""{doc}"""', ""]
    if notes:
        lines = [f'"""{doc}', ""]
        for note in notes:
            lines += _wrap_text(note) + [""]
        lines[-1] = '"""'
        lines.append("")
    if action_names:
        line = f"from waifuc_ui.action import {', '.join(action_names)}"
        if len(line) > 100:
            line = "from waifuc_ui.action import (\n" + "".join(f"    {n},\n" for n in action_names) + ")"
        lines.append(line)
    lines.append(f"from waifuc_ui.export import {', '.join(export_names)}")
    lines.append(f"from waifuc_ui.source import {', '.join(source_names)}")
    lines += ["", ""]
    if data:
        lines += data + [""]
    lines += ["if __name__ == '__main__':", f"    source = {source}"]
    if attach:
        lines.append("    source = source.attach(")
        lines += attach
        lines.append("    )")
    lines += [f"    report = source.export({export})", "    print(report.summary())", ""]
    return "\n".join(lines)


def _wrap_text(text: str, width: int = 100) -> List[str]:
    import textwrap

    return textwrap.wrap(text, width) or [""]
