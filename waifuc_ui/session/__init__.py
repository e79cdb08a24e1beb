"""The interactive session layer of the app (no gradio): workspaces, ingest, runs with memo and decisions,
review of characters and duplicates, tag edits and zip export. See :mod:`waifuc_ui.session.session`."""

from .decisions import Decisions
from .exporting import ExportSummary
from .ingest import IngestResult
from .project import Project, load_project
from .registry import SessionRegistry
from .review import Cluster, ClusterView, DuplicateGroup, DuplicateView
from .runner import RunProgress, RunResult, StepResult
from .session import Session, StepView
from .store import ItemRecord
from .workspace import Workspace, WorkspaceRegistry

__all__ = [
    "Cluster", "ClusterView", "Decisions", "DuplicateGroup", "DuplicateView", "ExportSummary", "IngestResult",
    "ItemRecord", "Project", "RunProgress", "RunResult", "Session", "SessionRegistry", "StepResult", "StepView", "Workspace",
    "WorkspaceRegistry", "load_project",
]
