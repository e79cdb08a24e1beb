"""The exception tree of waifuc_ui.

    WaifucUIError                 base of everything raised on purpose here
    ├── InvalidOptionError        (also ValueError) a bad option: names the value, the choices, the fix
    ├── ModelUnavailableError     a Hub model is neither cached nor downloadable; says which and how to fix
    ├── SourceError               a source cannot be read at all (missing folder, refused archive, site error)
    └── ExportError               an exporter cannot write (e.g. output folder would overwrite inputs)

A single bad image is never an exception that ends a run: it is skipped and recorded
in the run report (see :mod:`waifuc_ui.core.report`).
"""

from __future__ import annotations


class WaifucUIError(Exception):
    """Base class of the errors waifuc_ui raises on purpose."""


class InvalidOptionError(WaifucUIError, ValueError):
    """An option has a value outside its choices."""

    def __init__(self, name: str, value: object, choices=None, fix: str | None = None):
        self.name, self.value, self.choices = name, value, choices
        msg = f"invalid {name}: {value!r}"
        if choices is not None:
            msg += f"; valid choices: {', '.join(map(repr, choices))}"
        if fix:
            msg += f". {fix}"
        super().__init__(msg)


class ModelUnavailableError(WaifucUIError):
    """A model file could not be found locally nor downloaded."""


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
# working, while the app shows them as what they are: a problem and what to do about it.
#
#   ExplainedError               problem + fix; its text is "problem. fix" ("problem; fix" for settings)
#   ├── InvalidArgumentError     (also ValueError) a value a call cannot use: a negative size, p above 1
#   ├── ArgumentTypeError        (also TypeError) the wrong kind of argument: an index where a slice is needed
#   ├── InvalidSettingError      (also ValueError) an environment variable the app cannot use
#   ├── UnusableImageError       (also ValueError) one image a step cannot take (a pipeline skips it instead)
#   ├── UnsupportedOperationError (also TypeError) something refused on purpose, e.g. pickling credentials
#   └── InternalError            (also RuntimeError) a state the code should never reach: a bug to report


class ExplainedError(WaifucUIError):
    """An error that says what is wrong (``problem``) and what to do (``fix``)."""

    separator = ". "

    def __init__(self, problem: str, fix: str = ""):
        self.problem, self.fix = problem, fix
        super().__init__(f"{problem}{self.separator}{fix}" if fix else problem)

    def __reduce__(self):  # pickled with its fields (Ray workers send errors back)
        return type(self), (self.problem, self.fix)


class InvalidArgumentError(ExplainedError, ValueError):
    """A call got a value it cannot use; the fix names a valid one."""


class ArgumentTypeError(ExplainedError, TypeError):
    """A call got the wrong kind of argument; the fix says which kind to pass."""


class InvalidSettingError(ExplainedError, ValueError):
    """An environment variable holds a value the app cannot use; the fix gives an example or says to unset it."""

    separator = "; "


class UnusableImageError(ExplainedError, ValueError):
    """One image a step cannot take (empty, a mode no model reads); in a pipeline it is skipped and reported."""


class UnsupportedOperationError(ExplainedError, TypeError):
    """An operation refused on purpose (e.g. pickling or copying credentials to disk)."""


class InternalError(ExplainedError, RuntimeError):
    """A state the code should never reach; the fix asks for a bug report."""

    def __init__(self, problem: str, fix: str = "This is a bug in waifuc_ui: please report it with the steps "
                                                  "that led here"):
        super().__init__(problem, fix)
