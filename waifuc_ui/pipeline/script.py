"""The Python script equivalent to a recipe, using waifuc_ui's streaming API (runnable headless).

With :class:`DatasetChoices` the script also carries what a person decided in the app (review choices, restores,
hand drops, tag edits, names), as data keyed by ``'<file name>@<pixel hash>'`` (see
:mod:`waifuc_ui.action.reviewed`), so running it on the same inputs gives the app's export.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .catalog import ActionSpec, get_action_spec
from .recipe import PipelineRecipe, normalize_params

_CALL = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(")


def action_expression(spec: ActionSpec, params: Mapping[str, Any]) -> str:
    """``Name(args)`` with only the parameters that differ from the signature's defaults."""
    params = normalize_params(spec, params)
    args: list[str] = []
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

    init = inspect.getattr_static(spec.cls, "__init__")  # as spec.cls.__init__ (which mypy refuses on a type)
    sig = inspect.signature(init).parameters.get(name)
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
    step's choice, ``keep`` restores, ``drop`` removes by hand; ``note`` is a comment; ``wrap`` asks for the wrapper
    even without decisions (item order)."""

    keep: list[str] = field(default_factory=list)
    drop: list[str] = field(default_factory=list)
    select: list[str] | None = None
    reject: list[str] | None = None
    reason: str = ""
    note: str = ""
    wrap: bool = False

    @property
    def empty(self) -> bool:
        return self.select is None and self.reject is None and not self.keep and not self.drop


@dataclass
class DatasetChoices:
    """What the script carries besides the recipe. ``steps``: uid -> StepChoices; ``final_drop``: keys removed
    after the last step when the recipe has none; ``tags``: key -> tags in order (name -> score); ``trigger_word``:
    a tag put first in every item's tags (the sidecar layout; captions get it from the exporter); ``notes``: header
    comments. Export names and the kohya folder are the exporter's (the same call as the app's export)."""

    steps: dict[str, StepChoices] = field(default_factory=dict)
    final_drop: list[str] = field(default_factory=list)
    tags: dict[str, dict[str, float]] = field(default_factory=dict)
    trigger_word: str = ""
    notes: list[str] = field(default_factory=list)


KEYS_NOTE = ("Choices made in the app are the data at the end, keyed by '<file name>@<pixel hash>' "
             "(waifuc_ui.action.reviewed; '#2': a second item with the same name and pixels).")
#: A key set longer than this goes into a named constant at the end of the script.
INLINE_KEYS = 3


class _Data:
    """The constants written at the end of the script: (name, comment, literal lines)."""

    def __init__(self) -> None:
        self.blocks: list[list[str]] = []

    def add(self, name: str, comment: str, body: list[str], opener: str = "{", closer: str = "}") -> str:
        lines = [f"# {comment}"] if comment else []
        self.blocks.append(lines + [f"{name} = {opener}"] + [f"    {b}" for b in body] + [closer])
        return name


def _keys_literal(keys: Sequence[str]) -> str:
    return "{" + ", ".join(repr(k) for k in sorted(keys)) + "}"


def _reviewed_lines(index: int, expression: str, choices: StepChoices, data: _Data,
                    indent: str = "        ") -> list[str]:
    """``Reviewed(inner, select=..., keep=..., drop=...)`` as lines of the attach call; long key sets become
    constants (``SELECT_5``) in ``data``."""
    args = [expression]
    for kind, keys in (("select", choices.select), ("reject", choices.reject), ("keep", choices.keep),
                       ("drop", choices.drop)):
        if keys is None or (kind in ("keep", "drop") and not keys):
            continue
        if len(keys) > INLINE_KEYS:
            comment = f"{choices.note} ({kind})" if choices.note else ""
            literal = data.add(f"{kind.upper()}_{index}", comment, [f"{k!r}," for k in sorted(keys)])
        else:
            literal = _keys_literal(keys)
        args.append(f"{kind}={literal}")
        if kind in ("select", "reject") and choices.reason:
            args.append(f"reason={choices.reason!r}")
    lines = [f"{indent}# {choices.note}"] if choices.note else []
    one = f"{indent}Reviewed({', '.join(args)}),"
    if len(one) <= 100:
        return lines + [one]
    return lines + [f"{indent}Reviewed("] + [f"{indent}    {a}," for a in args] + [f"{indent}),"]


def _tags_literal(tags: Mapping[str, float]) -> str:
    if all(float(s) == 1.0 for s in tags.values()):
        return repr(list(tags))
    return "{" + ", ".join(f"{t!r}: {float(s)!r}" for t, s in tags.items()) + "}"


def _final_lines(choices: DatasetChoices, data: _Data, imports: set) -> list[str]:
    """Attach lines after the recipe: final drops, tag edits."""
    lines: list[str] = []
    if choices.final_drop:
        note = StepChoices(drop=list(choices.final_drop), note="duplicates removed in the review")
        lines += _reviewed_lines(0, "None", note, data)
        imports.add("Reviewed")
    if choices.tags or choices.trigger_word:
        args = []
        if choices.tags:
            args.append(data.add("TAGS", "tags edited in the app, in their order (a list: score 1.0 each)",
                                 [f"{k!r}: {_tags_literal(v)}," for k, v in choices.tags.items()]))
        if choices.trigger_word:
            args.append(f"trigger_word={choices.trigger_word!r}")
        lines.append(f"        SetTagsAction({', '.join(args)}),")
        imports.add("SetTagsAction")
    return lines


def recipe_to_script(recipe: PipelineRecipe, source_desc: str, exporter: str = "output",
                     catalog: Mapping[str, ActionSpec] | None = None,
                     choices: DatasetChoices | None = None) -> str:
    """A runnable script: ``source.attach(<enabled steps>).export(exporter)``.

    ``source_desc`` is a source expression (``"LocalSource('raw')"``) or a folder path (wrapped in LocalSource);
    ``exporter`` an exporter expression (``"TextualInversionExporter('out', trigger_word='x')"``) or a folder
    path (wrapped in SaveExporter). Disabled steps are left out; parameters equal to waifuc's defaults are
    omitted, so the script reads like a hand-written waifuc script. ``choices`` adds the decisions made by hand:
    steps with decisions are wrapped in ``Reviewed``, tag edits and names become ``SetTagsAction`` and
    ``RenameAction`` before the export; long key lists go to constants at the end, after the pipeline.
    """
    if catalog is None:
        from .catalog import action_catalog

        catalog = action_catalog()
    choices = choices or DatasetChoices()
    source = _expression(source_desc, "LocalSource")
    export = _expression(exporter, "SaveExporter")
    steps = recipe.enabled_steps()
    imports = {s.action for s in steps}
    data = _Data()
    attach: list[str] = []
    for n, s in enumerate(steps, start=1):
        expression = action_expression(get_action_spec(s.action, catalog), s.params)
        step_choices = choices.steps.get(s.uid)
        if step_choices is not None and (step_choices.wrap or not step_choices.empty):
            attach += _reviewed_lines(n, expression, step_choices, data)
            imports.add("Reviewed")
        else:
            attach.append(f"        {expression},")
    attach += _final_lines(choices, data, imports)
    source_names = sorted({_CALL.match(source).group(1)})  # type: ignore[union-attr]
    export_names = sorted({_CALL.match(export).group(1)})  # type: ignore[union-attr]
    notes = list(choices.notes)
    if imports & {"Reviewed", "SetTagsAction", "RenameAction"}:
        notes.append(KEYS_NOTE)
    lines = _header(notes)
    if imports:
        line = f"from waifuc_ui.action import {', '.join(sorted(imports))}"
        if len(line) > 100:
            line = "from waifuc_ui.action import (\n" + "".join(f"    {n},\n" for n in sorted(imports)) + ")"
        lines.append(line)
    lines.append(f"from waifuc_ui.export import {', '.join(export_names)}")
    lines.append(f"from waifuc_ui.source import {', '.join(source_names)}")
    lines += ["", ""]
    body = [f"    source = {source}"]
    if attach:
        body += ["    source = source.attach("] + attach + ["    )"]
    call = f"    report = source.export({export})"
    body += [call if len(call) <= 100 else f"    report = source.export(\n        {export}\n    )"]
    body.append("    print(report.summary())")
    if not data.blocks:
        return "\n".join(lines + ["if __name__ == '__main__':"] + body + [""])
    lines += ["def main():"] + body + ["", ""]
    for block in data.blocks:
        lines += block + [""]
    lines += ["", "if __name__ == '__main__':", "    main()", ""]
    return "\n".join(lines)


def _docstring_safe(text: str) -> str:
    """``text`` as it may stand inside a triple-quoted docstring: backslashes, quotes and unprintable characters
    escaped (a ``\"\"\"`` in a model name or an error message would end the docstring and run as code)."""
    return "".join("\\" + ch if ch in '\\"' else ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _header(notes: Sequence[str]) -> list[str]:
    import textwrap

    doc = "Generated by waifuc_ui: the same pipeline as the app, run headless."
    if not notes:
        return [f'"""{doc}"""', ""]
    lines = [f'"""{doc}', ""]
    for note in notes:  # notes hold text from recipes and runs: it stays text in the docstring
        lines += [_docstring_safe(line) for line in textwrap.wrap(note, 100)] + [""]
    lines[-1] = '"""'
    return lines + [""]
