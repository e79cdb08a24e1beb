"""Frozen model specs: repo, file layout, defaults and the model names known to exist on the Hub.

Labels, sizes, thresholds and clustering parameters are NOT here: they are read from the files shipped with the
weights (see the family modules). A model name outside ``known_models`` is still accepted when its files are
already local (cache or ``$WAIFUC_UI_MODEL_DIR``), since the Hub gains models over time.

Each spec says which files a call needs (``files(options)``, options being the call's keywords with the function's
defaults filled in) and which optional files its loader also reads (``companions``). The public functions register
their spec next to their code (:func:`waifuc_ui.inference.registry.register_model`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from waifuc_ui.core.errors import InvalidOptionError

from .hub import HubFile

Options = Mapping[str, Any]


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

    def files(self, options: Options) -> list[HubFile]:
        return self.required(options.get('model_name') or self.default_model)

    def companions(self, model_file: HubFile) -> list[HubFile]:
        folder = model_file.filename.removesuffix('model.onnx')
        return [HubFile(self.repo_id, folder + 'preprocess.json')]


@dataclass(frozen=True)
class DetectorSpec:
    """A deepghs YOLO repo: ``{model}/model.onnx`` (+ optional model_type.json, threshold.json). ``kind`` is the
    name :func:`waifuc_ui.inference.detect.detect_candidates_batch` takes ('faces', 'heads', ...)."""
    kind: str
    repo_id: str
    name_pattern: str  # e.g. 'face_detect_{version}_{level}'
    level: str | None
    version: str | None
    conf_threshold: float
    iou_threshold: float
    known_models: tuple[str, ...]
    default_model_name: str | None = None  # the function's model_name default (heads: head_detect_v2.0_s)

    def model_name(self, level: str | None, version: str | None, model_name: str | None) -> str:
        return model_name or self.name_pattern.format(level=level, version=version)

    def model_file(self, model: str) -> HubFile:
        return HubFile(self.repo_id, f'{model}/model.onnx')

    def required(self, model: str) -> list[HubFile]:
        return [self.model_file(model)]

    def default_name(self, level: str | None, version: str | None, model_name: str | None) -> str:
        """imgutils' naming: detect_heads uses ``head_detect_v0_{level or 's'}`` only when model_name is None."""
        if self.kind == 'heads':  # the pattern has no version
            return model_name or self.name_pattern.format(level=level or 's')
        return self.model_name(level, version, model_name)

    @property
    def default_model(self) -> str:
        """The model the detect_* function uses with its defaults."""
        return self.default_name(self.level, self.version, self.default_model_name)

    def files(self, options: Options) -> list[HubFile]:
        return self.required(self.default_name(options.get('level'), options.get('version'),
                                               options.get('model_name')))

    def companions(self, model_file: HubFile) -> list[HubFile]:
        folder = model_file.filename.removesuffix('model.onnx')
        return [HubFile(self.repo_id, folder + 'model_type.json'), HubFile(self.repo_id, folder + 'threshold.json')]


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

FACE = DetectorSpec('faces', 'deepghs/anime_face_detection', 'face_detect_{version}_{level}', 's', 'v1.4',
                    0.25, 0.7, _grid('face_detect_{version}_{level}', ('v0', 'v1', 'v1.3', 'v1.4'), ('s', 'n')))
PERSON = DetectorSpec('person', 'deepghs/anime_person_detection', 'person_detect_{version}_{level}', 'm', 'v1.1',
                      0.3, 0.5, _grid('person_detect_{version}_{level}', ('v0', 'v1', 'v1.1'), ('n', 's', 'm', 'x')))
HEAD = DetectorSpec('heads', 'deepghs/anime_head_detection', 'head_detect_v0_{level}', None, None, 0.4, 0.7, (
    'head_detect_v0_n', 'head_detect_v0_s', 'head_detect_v0.1_s', 'head_detect_v0.2_s', 'head_detect_v0.2_s_plus',
    *_grid('head_detect_{version}_{level}', ('v2.0',), ('n', 's', 'm', 'l', 'x'))), 'head_detect_v2.0_s')
HEAD_DEFAULT_MODEL = HEAD.default_model
HALFBODY = DetectorSpec('halfbody', 'deepghs/anime_halfbody_detection', 'halfbody_detect_{version}_{level}', 's',
                        'v1.0', 0.5, 0.7, _grid('halfbody_detect_{version}_{level}', ('v1.0',), ('s', 'n')))
EYE = DetectorSpec('eyes', 'deepghs/anime_eye_detection', 'eye_detect_{version}_{level}', 's', 'v1.0', 0.3, 0.3,
                   ('eye_detect_v1.0_s',))


@dataclass(frozen=True)
class WD14Spec:
    """The WD14 taggers: ``model.onnx`` re-exported with embeddings by deepghs, ``selected_tags.csv`` from the
    SmilingWolf repo of each model (``sources``: model name -> that repo)."""
    repo_id: str
    default_model: str
    sources: Mapping[str, str]

    def model_files(self, model_name: str) -> tuple[HubFile, HubFile]:
        """(model.onnx with embeddings, selected_tags.csv)."""
        if model_name not in self.sources:
            raise InvalidOptionError('WD14 model_name', model_name, list(self.sources),
                                     fix='Use one of these names (they map to SmilingWolf repos).')
        source = self.sources[model_name]
        return HubFile(self.repo_id, f'{source}/model.onnx'), HubFile(source, 'selected_tags.csv')

    def files(self, options: Options) -> list[HubFile]:
        files = list(self.model_files(options.get('model_name') or self.default_model))
        return files + ([OVERLAP_FILE] if options.get('drop_overlap') else [])


@dataclass(frozen=True)
class CCIPSpec:
    """deepghs/ccip_onnx: per model ``model_feat.onnx``, ``model_metrics.onnx``, ``metrics.json`` (threshold) and
    ``cluster.json`` (clustering parameters per method)."""
    repo_id: str
    default_model: str
    known_models: tuple[str, ...]
    methods: tuple[str, ...]

    def model_files(self, model: str) -> dict[str, HubFile]:
        return {kind: HubFile(self.repo_id, f'{model}/{kind}')
                for kind in ('model_feat.onnx', 'model_metrics.onnx', 'metrics.json', 'cluster.json')}

    def files_with(self, options: Options, *kinds: str) -> list[HubFile]:
        files = self.model_files(options.get('model') or self.default_model)
        return [files[k] for k in kinds]

    def files(self, options: Options) -> list[HubFile]:
        """Both ONNX files (features and differences): what most ccip_* functions need."""
        return self.files_with(options, 'model_feat.onnx', 'model_metrics.onnx')

    def clustering_files(self, options: Options) -> list[HubFile]:
        """metrics.json for dbscan's threshold, cluster.json for the methods it describes."""
        method = options.get('method', 'optics')
        kinds = ['metrics.json'] if method == 'dbscan' else [] if method == 'optics' else ['cluster.json']
        return self.files_with(options, *kinds)


@dataclass(frozen=True)
class FixedFiles:
    """A model that is a fixed set of files (LPIPS, the tag lists)."""
    files_needed: tuple[HubFile, ...]

    def files(self, options: Options) -> list[HubFile]:
        return list(self.files_needed)


TAG_FILTERING = 'alea31415/tag_filtering'
OVERLAP_FILE = HubFile(TAG_FILTERING, 'overlap_tags_simplified.json', 'dataset')
BLACKLIST_FILE = HubFile(TAG_FILTERING, 'blacklist_tags.txt', 'dataset')
OVERLAP = FixedFiles((OVERLAP_FILE,))
BLACKLIST = FixedFiles((BLACKLIST_FILE,))

WD14 = WD14Spec('deepghs/wd14_tagger_with_embeddings', 'SwinV2_v3', MappingProxyType({
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
}))
WD14_MODEL_REPO = WD14.repo_id
WD14_SOURCES = WD14.sources

CCIP = CCIPSpec('deepghs/ccip_onnx', 'ccip-caformer-24-randaug-pruned',
                ('ccip-caformer-24-randaug-pruned', 'ccip-caformer-6-randaug-pruned_fp32', 'ccip-caformer-5_fp32'),
                ('dbscan', 'dbscan_2', 'dbscan_free', 'optics', 'optics_best'))
CCIP_REPO, CCIP_DEFAULT, CCIP_MODELS, CCIP_METHODS = CCIP.repo_id, CCIP.default_model, CCIP.known_models, CCIP.methods

LPIPS_FEATURE = HubFile('deepghs/imgutils-models', 'lpips/lpips_feature.onnx')
LPIPS_DIFF = HubFile('deepghs/imgutils-models', 'lpips/lpips_diff.onnx')
LPIPS = FixedFiles((LPIPS_FEATURE, LPIPS_DIFF))


def wd14_files(model_name: str) -> tuple[HubFile, HubFile]:
    """(re-exported model.onnx with embeddings, selected_tags.csv from the SmilingWolf repo)."""
    return WD14.model_files(model_name)


def ccip_files(model: str) -> dict[str, HubFile]:
    return CCIP.model_files(model)


def detector_model_name(spec: DetectorSpec, level: str | None = None, version: str | None = None,
                        model_name: str | None = None) -> str:
    return spec.default_name(level, version, model_name)
