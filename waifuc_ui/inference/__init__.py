"""Hub ONNX models with dghs-imgutils 0.19.0's names, defaults and numbers.

Every function here gives, for the same image and the same model file, what the imgutils function of the same
name gives (see ``shared/reference/model-contracts.md``). ``*_batch`` forms run one ONNX call per batch.
Files resolve from ``$WAIFUC_UI_MODEL_DIR``, then the Hugging Face cache, then the Hub (checked once per process);
a missing model raises :class:`waifuc_ui.core.errors.ModelUnavailableError` at once, with the fix.
Each public model function registers its spec where it is defined (:mod:`.registry`): ``required_files(name,
**kwargs)`` and ``model_spec(name)`` answer from there.
"""

from waifuc_ui.core.tags import tags_to_text

from .ccip import (
    ccip_batch_differences,
    ccip_batch_extract_features,
    ccip_batch_same,
    ccip_clustering,
    ccip_default_clustering_params,
    ccip_default_threshold,
    ccip_difference,
    ccip_extract_feature,
    ccip_merge,
    ccip_same,
)
from .detect import (
    detect_candidates_batch,
    detect_eyes,
    detect_eyes_batch,
    detect_faces,
    detect_faces_batch,
    detect_halfbody,
    detect_halfbody_batch,
    detect_heads,
    detect_heads_batch,
    detect_person,
    detect_person_batch,
)
from .hub import HubFile, hub_status
from .loaders import clear_caches
from .lpips import lpips_batch_differences, lpips_clustering, lpips_difference, lpips_extract_feature
from .pose import dwpose_boxes_batch, dwpose_estimate
from .registry import companion_files, model_spec, registered_names, required_files
from .resolve import ensure_available, file_fingerprint, resolve_file
from .runtime import current_provider, open_session
from .safety import safe_check, safe_check_score, safe_check_score_batch
from .segment import get_isnetis_mask, get_isnetis_mask_batch, segment_rgba_with_isnetis
from .tag_filters import drop_blacklisted_tags, drop_overlap_tags
from .upscale import upscale_with_cdc, upscale_with_cdc_batch
from .validate import (
    anime_classify,
    anime_classify_score,
    anime_classify_score_batch,
    anime_rating,
    anime_rating_score,
    anime_rating_score_batch,
    get_monochrome_score,
    get_monochrome_score_batch,
    is_monochrome,
)
from .wd14 import get_wd14_tags, get_wd14_tags_batch, wd14_decode, wd14_predict_batch
from .yolo import Candidates, decode_candidates

__all__ = [
    'HubFile', 'ensure_available', 'file_fingerprint', 'hub_status', 'required_files', 'resolve_file',
    'companion_files', 'model_spec', 'registered_names',
    'current_provider', 'open_session', 'clear_caches',
    'Candidates', 'decode_candidates', 'detect_candidates_batch',
    'get_monochrome_score', 'get_monochrome_score_batch', 'is_monochrome',
    'anime_classify', 'anime_classify_score', 'anime_classify_score_batch',
    'anime_rating', 'anime_rating_score', 'anime_rating_score_batch',
    'detect_faces', 'detect_faces_batch', 'detect_heads', 'detect_heads_batch', 'detect_person',
    'detect_person_batch', 'detect_halfbody', 'detect_halfbody_batch', 'detect_eyes', 'detect_eyes_batch',
    'get_wd14_tags', 'get_wd14_tags_batch', 'wd14_predict_batch', 'wd14_decode',
    'drop_overlap_tags', 'drop_blacklisted_tags', 'tags_to_text',
    'ccip_extract_feature', 'ccip_batch_extract_features', 'ccip_difference', 'ccip_batch_differences',
    'ccip_same', 'ccip_batch_same', 'ccip_default_threshold', 'ccip_default_clustering_params',
    'ccip_clustering', 'ccip_merge',
    'lpips_extract_feature', 'lpips_difference', 'lpips_batch_differences', 'lpips_clustering',
    'get_isnetis_mask', 'get_isnetis_mask_batch', 'segment_rgba_with_isnetis',
    'safe_check', 'safe_check_score', 'safe_check_score_batch',
    'dwpose_estimate', 'dwpose_boxes_batch', 'upscale_with_cdc', 'upscale_with_cdc_batch',
]

