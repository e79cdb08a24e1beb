"""The model registry: every public model function of :mod:`waifuc_ui.inference`, with its spec.

A function registers itself where it is defined (as timm's ``@register_model``)::

    @register_model(specs.FACE)
    def detect_faces(image, *, level='s', version='v1.4', ...): ...

and the registry answers, by function name, which spec it runs (``model_spec``) and which files a call needs
(``required_files('detect_faces', level='n')``: the call's keywords over the function's own defaults, given to the
spec's ``files`` rule, or to the ``files`` rule the registration names). Importing :mod:`waifuc_ui.inference`
registers every function (the package imports each family module).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from waifuc_ui.core.errors import InvalidOptionError

from .hub import HubFile

FilesRule = Callable[[Mapping[str, Any]], list[HubFile]]
F = TypeVar('F', bound=Callable[..., Any])


@dataclass(frozen=True)
class ModelEntry:
    """A registered function: its ``name``, the ``spec`` it runs, its keyword ``defaults`` and its files rule."""
    name: str
    spec: Any
    defaults: Mapping[str, Any]
    files_rule: FilesRule

    def files(self, **options: Any) -> list[HubFile]:
        """The files a call with ``options`` needs (unset options take the function's defaults)."""
        return self.files_rule({**self.defaults, **options})


_ENTRIES: dict[str, ModelEntry] = {}  # filled once, at import of the family modules; read-only afterwards


def register_model(spec: Any, files: FilesRule | None = None) -> Callable[[F], F]:
    """Register the decorated function under its name, running ``spec`` (anything with a ``files(options)`` rule);
    ``files`` overrides ``spec.files``."""
    def deco(func: F) -> F:
        params = inspect.signature(func).parameters.values()
        defaults = {p.name: p.default for p in params if p.default is not inspect.Parameter.empty}
        _ENTRIES[func.__name__] = ModelEntry(func.__name__, spec, defaults, files or spec.files)
        return func
    return deco


def registered_names() -> list[str]:
    """Names of the registered functions, in registration order."""
    return list(_ENTRIES)


def model_entry(name: str) -> ModelEntry:
    """The entry of function ``name`` (a ``*_batch`` name falls back to its single-image form)."""
    entry = _ENTRIES.get(name) or _ENTRIES.get(name.removesuffix('_batch'))
    if entry is None:
        raise InvalidOptionError('function name', name, sorted(_ENTRIES),
                                 fix='Pass the name of a model function of waifuc_ui.inference.')
    return entry


def model_spec(name: str) -> Any:
    """The spec function ``name`` runs (e.g. ``model_spec('get_monochrome_score') is specs.MONOCHROME``)."""
    return model_entry(name).spec


def required_files(func_name: str, **kwargs: Any) -> list[HubFile]:
    """The files ``func_name(**kwargs)`` needs, e.g. ``required_files('detect_faces', level='s')``."""
    return model_entry(func_name).files(**kwargs)


def specs_of(kind: type) -> list[Any]:
    """The registered specs of one class (e.g. every DetectorSpec), each once, in registration order."""
    out: list[Any] = []
    for entry in _ENTRIES.values():
        if isinstance(entry.spec, kind) and not any(entry.spec is s for s in out):
            out.append(entry.spec)
    return out


def companion_files(files: Iterable[HubFile]) -> list[HubFile]:
    """Optional files the loaders also read next to a model (absent on the Hub for many models): a classifier's
    ``preprocess.json``, a detector's ``model_type.json`` and ``threshold.json``. Fetched before a run so that
    nothing is asked of the Hub while images are processed."""
    by_repo = {e.spec.repo_id: e.spec for e in _ENTRIES.values()
               if hasattr(e.spec, 'companions') and hasattr(e.spec, 'repo_id')}
    out: list[HubFile] = []
    for f in files:
        spec = by_repo.get(f.repo_id)
        if spec is not None and f.filename.endswith('/model.onnx'):
            out += spec.companions(f)
    return out
