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
