"""The interactive session layer of the app (no gradio): workspaces, ingest, runs with memo and decisions,
review of characters and duplicates, tag edits and zip export. See :mod:`waifuc_ui.session.session`."""

from .characters import Characters, Cluster, ClusterView
from .dataset import Dataset
from .decisions import Decisions
from .editing import PipelineEditor
from .exporting import Export, ExportSummary
from .ingest import IngestResult
from .inputs import Inputs
from .project import Project, load_project
from .registry import SessionRegistry
from .review import DuplicateGroup, Duplicates, DuplicateView
from .review_models import ReviewModels
from .runner import RunProgress, RunResult, StepResult, StepStatus
from .runs import Runs, StepView
from .session import Session
from .store import ItemRecord
from .tagging import Tags
from .workspace import Workspace, WorkspaceRegistry

__all__ = [
    "Characters", "Cluster", "ClusterView", "Dataset", "Decisions", "DuplicateGroup", "DuplicateView", "Duplicates",
    "Export", "ExportSummary", "IngestResult", "Inputs", "ItemRecord", "PipelineEditor", "Project", "ReviewModels",
    "RunProgress", "RunResult", "Runs", "Session", "SessionRegistry", "StepResult", "StepStatus", "StepView", "Tags",
    "Workspace", "WorkspaceRegistry", "load_project",
]
