"""What project files and scripts read of a session: its services, typed as a Protocol, so that project.py and
scripting.py need not import :class:`~.session.Session` (which calls them)."""

from __future__ import annotations

from typing import Protocol

from ..pipeline.catalog import ActionSpec
from .characters import Characters
from .dataset import Dataset
from .editing import PipelineEditor
from .exporting import Export
from .inputs import Inputs
from .review import Duplicates
from .runs import Runs
from .store import ItemStore
from .tagging import Tags


class SessionParts(Protocol):
    """The services of a session (see :class:`~.session.Session`)."""

    catalog: dict[str, ActionSpec]
    store: ItemStore
    inputs: Inputs
    pipeline: PipelineEditor
    runs: Runs
    characters: Characters
    duplicates: Duplicates
    dataset: Dataset
    tags: Tags
    export: Export
