"""Frozen model specs: repo, file layout, defaults and the model names known to exist on the Hub.

Labels, sizes, thresholds and clustering parameters are NOT here: they are read from the files shipped with the
weights (see the family modules). A model name outside ``known_models`` is still accepted when its files are
already local (cache or ``$WAIFUC_UI_MODEL_DIR``), since the Hub gains models over time.
"""

from __future__ import annotations

from dataclasses import dataclass

from waifuc_ui.core.errors import InvalidOptionError

from .hub import HubFile
from .specs_extra import EXTRA_FILES


@dataclass(frozen=True)
class ClassifierSpec:
    """A deepghs generic classifier repo: ``{model}/model.onnx``, ``meta.json``, optional ``preprocess.json``."""
    repo_id: str
    default_model: str
    known_models: tuple[str, ...]

    def model_file(self, model: str) -> HubFile:
        return HubFile(self.repo_id, f'{model}/model.onnx')

    def meta_file(self, model: str) -> HubFile:
        return HubFile(self.repo_id, f'{model}/meta.json')

    def preprocess_file(self, model: str) -> HubFile:
        return HubFile(self.repo_id, f'{model}/preprocess.json')

    def required(self, model: str) -> list[HubFile]:
        return [self.model_file(model), self.meta_file(model)]


@dataclass(frozen=True)
class DetectorSpec:
    """A deepghs YOLO repo: ``{model}/model.onnx`` (+ optional model_type.json, threshold.json)."""
    repo_id: str
    name_pattern: str  # e.g. 'face_detect_{version}_{level}'
    level: str | None
    version: str | None
    conf_threshold: float
    iou_threshold: float
    known_models: tuple[str, ...]

    def model_name(self, level: str | None, version: str | None, model_name: str | None) -> str:
        return model_name or self.name_pattern.format(level=level, version=version)

    def model_file(self, model: str) -> HubFile:
        return HubFile(self.repo_id, f'{model}/model.onnx')

    def required(self, model: str) -> list[HubFile]:
        return [self.model_file(model)]


def _grid(pattern: str, versions, levels) -> tuple[str, ...]:
    return tuple(pattern.format(version=v, level=lv) for v in versions for lv in levels)


MONOCHROME = ClassifierSpec('deepghs/monochrome_detect', 'mobilenetv3_large_100_dist_safe2', (
    'caformer_s36', 'caformer_s36_plus', 'caformer_s36_plus_safe2', 'caformer_s36_safe2', 'mobilenetv3_large_100',
    'mobilenetv3_large_100_dist', 'mobilenetv3_large_100_dist_safe2', 'mobilenetv3_large_100_safe2'))
ANIME_CLASSIFY = ClassifierSpec('deepghs/anime_classification', 'mobilenetv3_v1.5_dist', (
    'mobilenetv3', 'mobilenetv3_sce', 'mobilenetv3_dist', 'mobilenetv3_v1_dist', 'mobilenetv3_v1.2_dist',
    'mobilenetv3_v1.3_dist', 'mobilenetv3_v1.5_dist', 'caformer_s36_v1.1_focal', 'caformer_s36_v1.2_focal',
    'caformer_s36_v1.3_focal', 'caformer_s36_v1.4_focal', 'caformer_s36_v1.5_focal', 'caformer_s36_v1.4_focal_fp32'))
ANIME_RATING = ClassifierSpec('deepghs/anime_rating', 'mobilenetv3_v1_pruned_ls0.1', ('mobilenetv3_v1_pruned_ls0.1',))

FACE = DetectorSpec('deepghs/anime_face_detection', 'face_detect_{version}_{level}', 's', 'v1.4', 0.25, 0.7,
                    _grid('face_detect_{version}_{level}', ('v0', 'v1', 'v1.3', 'v1.4'), ('s', 'n')))
PERSON = DetectorSpec('deepghs/anime_person_detection', 'person_detect_{version}_{level}', 'm', 'v1.1', 0.3, 0.5,
                      _grid('person_detect_{version}_{level}', ('v0', 'v1', 'v1.1'), ('n', 's', 'm', 'x')))
HEAD = DetectorSpec('deepghs/anime_head_detection', 'head_detect_v0_{level}', None, None, 0.4, 0.7, (
    'head_detect_v0_n', 'head_detect_v0_s', 'head_detect_v0.1_s', 'head_detect_v0.2_s', 'head_detect_v0.2_s_plus',
    *_grid('head_detect_{version}_{level}', ('v2.0',), ('n', 's', 'm', 'l', 'x'))))
HEAD_DEFAULT_MODEL = 'head_detect_v2.0_s'
HALFBODY = DetectorSpec('deepghs/anime_halfbody_detection', 'halfbody_detect_{version}_{level}', 's', 'v1.0', 0.5,
                        0.7, _grid('halfbody_detect_{version}_{level}', ('v1.0',), ('s', 'n')))
EYE = DetectorSpec('deepghs/anime_eye_detection', 'eye_detect_{version}_{level}', 's', 'v1.0', 0.3, 0.3,
                   ('eye_detect_v1.0_s',))

WD14_MODEL_REPO = 'deepghs/wd14_tagger_with_embeddings'
WD14_SOURCES: dict[str, str] = {
    'SwinV2_v3': 'SmilingWolf/wd-swinv2-tagger-v3',
    'ConvNext_v3': 'SmilingWolf/wd-convnext-tagger-v3',
    'ViT_v3': 'SmilingWolf/wd-vit-tagger-v3',
    'ViT_Large': 'SmilingWolf/wd-vit-large-tagger-v3',
    'EVA02_Large': 'SmilingWolf/wd-eva02-large-tagger-v3',
    'SwinV2': 'SmilingWolf/wd-v1-4-swinv2-tagger-v2',
    'ConvNext': 'SmilingWolf/wd-v1-4-convnext-tagger-v2',
    'ConvNextV2': 'SmilingWolf/wd-v1-4-convnextv2-tagger-v2',
    'ViT': 'SmilingWolf/wd-v1-4-vit-tagger-v2',
    'MOAT': 'SmilingWolf/wd-v1-4-moat-tagger-v2',
}

TAG_FILTERING = 'alea31415/tag_filtering'
OVERLAP_FILE = HubFile(TAG_FILTERING, 'overlap_tags_simplified.json', 'dataset')
BLACKLIST_FILE = HubFile(TAG_FILTERING, 'blacklist_tags.txt', 'dataset')

CCIP_REPO = 'deepghs/ccip_onnx'
CCIP_DEFAULT = 'ccip-caformer-24-randaug-pruned'
CCIP_MODELS = ('ccip-caformer-24-randaug-pruned', 'ccip-caformer-6-randaug-pruned_fp32', 'ccip-caformer-5_fp32')
CCIP_METHODS = ('dbscan', 'dbscan_2', 'dbscan_free', 'optics', 'optics_best')

LPIPS_FEATURE = HubFile('deepghs/imgutils-models', 'lpips/lpips_feature.onnx')
LPIPS_DIFF = HubFile('deepghs/imgutils-models', 'lpips/lpips_diff.onnx')


def wd14_files(model_name: str) -> tuple[HubFile, HubFile]:
    """(re-exported model.onnx with embeddings, selected_tags.csv from the SmilingWolf repo)."""
    if model_name not in WD14_SOURCES:
        raise InvalidOptionError('WD14 model_name', model_name, list(WD14_SOURCES),
                                 fix='Use one of these names (they map to SmilingWolf repos).')
    source = WD14_SOURCES[model_name]
    return HubFile(WD14_MODEL_REPO, f'{source}/model.onnx'), HubFile(source, 'selected_tags.csv')


def ccip_files(model: str) -> dict[str, HubFile]:
    return {kind: HubFile(CCIP_REPO, f'{model}/{kind}')
            for kind in ('model_feat.onnx', 'model_metrics.onnx', 'metrics.json', 'cluster.json')}


def check_model_name(kind: str, repo_id: str, model: str, known: tuple[str, ...], probe: HubFile) -> None:
    """Accept a known name, or any name whose ``probe`` file is local or (Hub reachable) on the Hub, asked with a
    HEAD request (nothing is downloaded here); else InvalidOptionError listing the known names."""
    if model in known:
        return
    from . import hub
    if hub.is_local(probe):
        return
    if hub.HUB_ACCESS.reachable()[0]:
        from .download import Downloader
        try:
            if Downloader().metadata(probe).exists:
                return
        except Exception:  # refused or no answer: treated as unknown
            pass
    raise InvalidOptionError(f'{kind} model', model, list(known),
                             fix=f'Models are folders of the Hub repo {repo_id}; use one of these, or pre-download '
                                 f'a newer one ({probe.filename}) into the cache or $WAIFUC_UI_MODEL_DIR.')


_CLASSIFIERS = {
    'get_monochrome_score': MONOCHROME, 'is_monochrome': MONOCHROME,
    'anime_classify_score': ANIME_CLASSIFY, 'anime_classify': ANIME_CLASSIFY,
    'anime_rating_score': ANIME_RATING, 'anime_rating': ANIME_RATING,
}
_DETECTORS = {'detect_faces': FACE, 'detect_person': PERSON, 'detect_heads': HEAD, 'detect_halfbody': HALFBODY,
              'detect_eyes': EYE}


def detector_model_name(spec: DetectorSpec, level=None, version=None, model_name=None) -> str:
    """imgutils' naming: detect_heads uses ``head_detect_v0_{level or 's'}`` only when model_name is None."""
    if spec is HEAD:
        return model_name or spec.name_pattern.format(level=level or 's')
    return spec.model_name(level, version, model_name)


def files_for(func_name: str, **kwargs) -> list[HubFile]:
    """Files needed by a public function of :mod:`waifuc_ui.inference` called with ``kwargs``."""
    name = func_name.removesuffix('_batch')
    if name in _CLASSIFIERS:
        spec = _CLASSIFIERS[name]
        return spec.required(kwargs.get('model_name') or spec.default_model)
    if name in _DETECTORS:
        spec = _DETECTORS[name]
        level = kwargs.get('level', spec.level)
        version = kwargs.get('version', spec.version)
        default_name = HEAD_DEFAULT_MODEL if spec is HEAD else None
        model = detector_model_name(spec, level, version, kwargs.get('model_name', default_name))
        return spec.required(model)
    if name in ('get_wd14_tags', 'wd14_predict', 'wd14_decode'):
        files = list(wd14_files(kwargs.get('model_name') or 'SwinV2_v3'))
        return files + ([OVERLAP_FILE] if kwargs.get('drop_overlap') else [])
    if name == 'drop_overlap_tags':
        return [OVERLAP_FILE]
    if name == 'drop_blacklisted_tags':
        return [BLACKLIST_FILE] if kwargs.get('use_presets', True) else []
    if name.startswith('ccip_'):
        f = ccip_files(kwargs.get('model') or CCIP_DEFAULT)
        out = [f['model_feat.onnx'], f['model_metrics.onnx']]
        method = kwargs.get('method', 'optics')
        if name in ('ccip_default_threshold', 'ccip_same', 'ccip_batch_same') or \
                (name in ('ccip_clustering', 'ccip_default_clustering_params') and method == 'dbscan'):
            out.append(f['metrics.json'])
        if name in ('ccip_clustering', 'ccip_default_clustering_params') and method not in ('dbscan', 'optics'):
            out.append(f['cluster.json'])
        if name in ('ccip_default_threshold', 'ccip_default_clustering_params'):
            out = out[2:]
        return out
    if name.startswith('lpips_'):
        return [LPIPS_FEATURE, LPIPS_DIFF]
    if name in EXTRA_FILES:  # segmentation, safety, pose, upscaling (specs_extra.py)
        return EXTRA_FILES[name](files_for, **kwargs)
    raise InvalidOptionError('function name', func_name, sorted(PUBLIC_MODEL_FUNCTIONS),
                             fix='Pass the name of a model function of waifuc_ui.inference.')


PUBLIC_MODEL_FUNCTIONS = (
    *_CLASSIFIERS, *_DETECTORS, 'get_wd14_tags', 'wd14_predict_batch', 'wd14_decode', 'drop_overlap_tags',
    'drop_blacklisted_tags', 'ccip_extract_feature', 'ccip_batch_extract_features', 'ccip_difference',
    'ccip_batch_differences', 'ccip_same', 'ccip_batch_same', 'ccip_default_threshold',
    'ccip_default_clustering_params', 'ccip_clustering', 'ccip_merge', 'lpips_extract_feature', 'lpips_difference',
    'lpips_batch_differences', 'lpips_clustering', *EXTRA_FILES)


def companion_files(files: list[HubFile]) -> list[HubFile]:
    """Optional files the loaders also read next to a model (absent on the Hub for many models): a classifier's
    ``preprocess.json``, a detector's ``model_type.json`` and ``threshold.json``. Fetched before a run so that
    nothing is asked of the Hub while images are processed."""
    classifier_repos = {spec.repo_id for spec in _CLASSIFIERS.values()}
    detector_repos = {spec.repo_id for spec in _DETECTORS.values()}
    out: list[HubFile] = []
    for f in files:
        if not f.filename.endswith('/model.onnx'):
            continue
        folder = f.filename[:-len('model.onnx')]
        if f.repo_id in classifier_repos:
            out.append(HubFile(f.repo_id, folder + 'preprocess.json'))
        elif f.repo_id in detector_repos:
            out += [HubFile(f.repo_id, folder + 'model_type.json'), HubFile(f.repo_id, folder + 'threshold.json')]
    return out
