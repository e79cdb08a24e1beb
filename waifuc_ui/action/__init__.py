"""waifuc-compatible actions (``from waifuc_ui.action import ...``)."""

from .base import ActionStop, BaseAction, FilterAction, ProcessAction, Verdict
from .select import FirstNSelectAction, SliceSelectAction

__all__ = [
    "ActionStop",
    "BaseAction",
    "FilterAction",
    "FirstNSelectAction",
    "ProcessAction",
    "SliceSelectAction",
    "Verdict",
]
