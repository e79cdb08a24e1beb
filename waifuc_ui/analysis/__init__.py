"""The analysis layer: content hashes, the on-disk analysis cache, the engine that fills it, feature stores and
review material.

Model-backed actions (``waifuc_ui.action``) and the review functions run their models through
:class:`Analyzer` (:mod:`.engine`), which caches outputs per image content and model identity, so moving a
threshold or re-running a script needs no model call. LPIPS features and exact distances: :mod:`.lpips`.
Which file of a duplicate group is the original (the keeper rule): :mod:`.originality`.
"""

from .cache import AnalysisCache, CacheStats, NullAnalysisCache, default_cache_dir, key_id
from .context import current_analysis_cache, default_analysis_cache, use_analysis_cache
from .engine import AnalysisFailed, Analyzer, RunState
from .hashing import content_hash, image_hash
from .images import model_ready_image
from .lpips import LPIPSIndex
from .lpips_pairs import ClosePairs, link_groups
from .originality import Originality, originality, originality_rank, originality_reason
from .review import (
    CCIPReview,
    ccip_difference_matrix,
    ccip_review,
    lpips_close_pairs,
    lpips_distance_matrix,
    lpips_duplicate_groups,
)

__all__ = [
    "AnalysisCache",
    "AnalysisFailed",
    "Analyzer",
    "CCIPReview",
    "CacheStats",
    "ClosePairs",
    "LPIPSIndex",
    "NullAnalysisCache",
    "Originality",
    "RunState",
    "ccip_difference_matrix",
    "ccip_review",
    "content_hash",
    "current_analysis_cache",
    "default_analysis_cache",
    "default_cache_dir",
    "image_hash",
    "key_id",
    "link_groups",
    "lpips_close_pairs",
    "lpips_distance_matrix",
    "lpips_duplicate_groups",
    "model_ready_image",
    "originality",
    "originality_rank",
    "originality_reason",
    "use_analysis_cache",
]
