"""The analysis layer: content hashes, the on-disk analysis cache and review material.

Model-backed actions (``waifuc_ui.action``) cache their model outputs here per image content
and model identity, so moving a threshold or re-running a script needs no model call.
The action base :class:`AnalyzedAction` lives in ``waifuc_ui.action.analyzed`` and is
re-exported here.
"""

from .cache import AnalysisCache, CacheStats, NullAnalysisCache, default_cache_dir, key_id
from .context import current_analysis_cache, default_analysis_cache, use_analysis_cache
from .hashing import content_hash, image_hash
from .images import model_ready_image
from .review import CCIPReview, ccip_difference_matrix, ccip_review, lpips_distance_matrix, lpips_duplicate_groups

__all__ = [
    "AnalysisCache",
    "AnalysisFailed",
    "AnalyzedAction",
    "AnalyzedFilterAction",
    "AnalyzedProcessAction",
    "CCIPReview",
    "CacheStats",
    "ccip_difference_matrix",
    "ccip_review",
    "lpips_distance_matrix",
    "lpips_duplicate_groups",
    "NullAnalysisCache",
    "content_hash",
    "current_analysis_cache",
    "default_analysis_cache",
    "default_cache_dir",
    "image_hash",
    "key_id",
    "model_ready_image",
    "use_analysis_cache",
]

_FROM_ACTION = {"AnalysisFailed", "AnalyzedAction", "AnalyzedFilterAction", "AnalyzedProcessAction"}


def __getattr__(name):
    # imported on use: waifuc_ui.action imports this package, so no import cycle at load time
    if name in _FROM_ACTION:
        from ..action import analyzed

        return getattr(analyzed, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
