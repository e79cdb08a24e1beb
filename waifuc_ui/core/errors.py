"""The exception tree of waifuc_ui.

    WaifucUIError                 base of everything raised on purpose here: ``problem`` and ``fix`` fields
    ├── InvalidOptionError        (also ValueError) a bad option: names the value, the choices, the fix
    ├── ModelUnavailableError     a Hub model is neither cached nor downloadable: ``files``, ``commands``
    ├── ModelRunError             (also RuntimeError) ONNX Runtime cannot open or run a model file: ``path``
    ├── SourceError               a source cannot be read at all (missing folder, refused archive, site error)
    ├── ExportError               an exporter cannot write (e.g. output folder would overwrite inputs)
    ├── CapacityError             the server is at a limit shared by all visitors
    └── BadImageError             one file or byte string is not a usable image: ``name``, ``reason``

Every error says what went wrong (``problem``) and what to do (``fix``, '' when there is nothing to do) as fields,
set when it is raised; ``str(err)`` composes them (``"<problem>. Fix: <fix>"``), so nobody parses a message.
Foreign errors (huggingface_hub, ONNX Runtime, Pillow, ...) are translated where they are met.

A single bad image is never an exception that ends a run: it is skipped and recorded
in the run report (see :mod:`waifuc_ui.core.report`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def compose(problem: str, fix: str = "") -> str:
    """The text of an error: ``problem``, then ``. Fix: <fix>`` when there is one."""
    problem = str(problem)
    if not fix:
        return problem
    return f"{problem.rstrip().removesuffix('.')}. Fix: {fix}"


def _restore(cls: type, args: tuple, state: dict[str, Any]) -> BaseException:
    err = cls.__new__(cls, *args)
    err.args = args
    err.__dict__.update(state)
    return err


class WaifucUIError(Exception):
    """Base class of the errors waifuc_ui raises on purpose: ``problem`` (what went wrong) and ``fix`` (what to do;
    '' when nothing is to be done), composed by ``str()``. A subclass with fields of its own passes its problem and
    fix here after setting them; it stays picklable (Ray, worker processes) whatever its ``__init__`` takes."""

    problem: str
    fix: str

    def __init__(self, problem: str = "", fix: str = ""):
        self.problem, self.fix = str(problem), str(fix or "")
        super().__init__(compose(self.problem, self.fix))

    def __reduce__(self) -> tuple[Any, ...]:
        return _restore, (type(self), self.args, dict(self.__dict__))


class InvalidOptionError(WaifucUIError, ValueError):
    """An option has a value outside its choices: ``name``, ``value``, ``choices`` (None when open-ended)."""

    def __init__(self, name: str, value: object, choices: Sequence[Any] | None = None, fix: str | None = None):
        self.name, self.value, self.choices = name, value, choices
        problem = f"invalid {name}: {value!r}"
        if choices is not None:
            problem += f"; valid choices: {', '.join(map(repr, choices))}"
        super().__init__(problem, fix or "")


class ModelUnavailableError(WaifucUIError):
    """Model files could not be found locally nor downloaded: ``files`` (the missing files, each with
    ``repo_id``, ``filename`` and ``repo_type``) and ``commands`` (one ``hf download`` command per file)."""

    def __init__(self, problem: str, fix: str = "", *, files: Sequence[Any] = (), commands: Sequence[str] = ()):
        self.files = list(files)
        self.commands = tuple(commands)
        super().__init__(problem, fix)


class ModelRunError(WaifucUIError, RuntimeError):
    """ONNX Runtime could not open or run the model file at ``path`` (damaged, not the expected model, or a
    provider that does not work here)."""

    def __init__(self, problem: str, fix: str = "", *, path: str = ""):
        self.path = path
        super().__init__(problem, fix)


class BadImageError(WaifucUIError):
    """A file or byte string that cannot be used as an image: ``name`` (may be ''), ``reason`` in a few words.
    Sources catch it, record the reason and go on (no fix: the file is skipped)."""

    def __init__(self, name: str, reason: str):
        self.name, self.reason = name, reason
        super().__init__(f"{name}: {reason}" if name else reason)


class SourceError(WaifucUIError):
    """A source cannot produce items at all."""


class ExportError(WaifucUIError):
    """An exporter refused or failed to write its output."""


class CapacityError(WaifucUIError):
    """The server is at a limit shared by all visitors (e.g. the number of sessions); try again later."""


def error_text(err: BaseException) -> str:
    """``err`` as words a visitor may read: an OS error without the file path it names (a server path)."""
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    return str(err)


# -- Errors that are also Python's builtin ones ----------------------------------------------------------------------
# Raised where waifuc and Python raise ValueError / TypeError / RuntimeError, so a script catching those keeps
# working, while the app shows them as what they are: a problem and its fix (``WaifucUIError(problem, fix)``).
#
#   InvalidArgumentError       (also ValueError) a value a call cannot use: a negative size, p above 1
#   ArgumentTypeError          (also TypeError) the wrong kind of argument: an index where a slice is needed
#   InvalidSettingError        (also ValueError) an environment variable the app cannot use
#   UnusableImageError         (also ValueError) one image a step cannot take (a pipeline skips it instead)
#   UnsupportedOperationError  (also TypeError) something refused on purpose, e.g. pickling credentials
#   InternalError              (also RuntimeError) a state the code should never reach: a bug to report


class InvalidArgumentError(WaifucUIError, ValueError):
    """A call got a value it cannot use; the fix names a valid one."""


class ArgumentTypeError(WaifucUIError, TypeError):
    """A call got the wrong kind of argument; the fix says which kind to pass."""


class InvalidSettingError(WaifucUIError, ValueError):
    """An environment variable holds a value the app cannot use; the fix gives an example or says to unset it."""


class UnusableImageError(WaifucUIError, ValueError):
    """One image a step cannot take (empty, a mode no model reads); in a pipeline it is skipped and reported."""


class UnsupportedOperationError(WaifucUIError, TypeError):
    """An operation refused on purpose (e.g. pickling or copying credentials to disk)."""


class InternalError(WaifucUIError, RuntimeError):
    """A state the code should never reach; the fix asks for a bug report."""

    def __init__(self, problem: str, fix: str = "this is a bug in waifuc_ui: please report it with the steps that "
                                                  "led here"):
        super().__init__(problem, fix)
