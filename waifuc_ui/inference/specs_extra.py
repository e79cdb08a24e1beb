"""Specs of the families added for waifuc's remaining actions (imgutils 0.19.0 repos and names).

Each spec has the registry's ``files(options)`` rule (options = a call's keywords over the function's defaults);
the functions register them where they are defined (:func:`waifuc_ui.inference.registry.register_model`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .hub import HubFile
from .specs import FixedFiles

Options = Mapping[str, Any]


@dataclass(frozen=True)
class NamedFileSpec:
    """A repo of single-file models ``{name}.onnx``; ``option`` is the keyword that names the model."""
    repo_id: str
    default_model: str
    option: str

    def model_file(self, name: str | None = None) -> HubFile:
        return HubFile(self.repo_id, f'{name or self.default_model}.onnx')

    def files(self, options: Options) -> list[HubFile]:
        return [self.model_file(options.get(self.option))]


@dataclass(frozen=True)
class PoseSpec:
    """DWPose: one file, plus the person detector's files when the call detects persons itself."""
    model: HubFile

    def files(self, options: Options) -> list[HubFile]:
        person: list[HubFile] = []
        if options.get('auto_detect', True) and options.get('out_bboxes') is None:
            from .registry import required_files
            person = required_files('detect_person', **(options.get('person_detect_cfgs') or {}))
        return [self.model, *person]


ISNETIS = HubFile('skytnt/anime-seg', 'isnetis.onnx')
ISNETIS_SCALE = 1024
SEGMENT = FixedFiles((ISNETIS,))

SAFE_CHECK = NamedFileSpec('mf666/shit-checker', 'mobilenet.xs.v2', 'model_name')
SAFE_CHECK_REPO, SAFE_CHECK_DEFAULT = SAFE_CHECK.repo_id, SAFE_CHECK.default_model

DWPOSE = HubFile('yzd-v/DWPose', 'dw-ll_ucoco_384.onnx')
POSE = PoseSpec(DWPOSE)

CDC = NamedFileSpec('deepghs/cdc_anime_onnx', 'HGSR-MHR-anime-aug_X4_320', 'model')
CDC_REPO, CDC_DEFAULT = CDC.repo_id, CDC.default_model


def safe_check_file(model_name: str | None = None) -> HubFile:
    return SAFE_CHECK.model_file(model_name)


def cdc_file(model: str | None = None) -> HubFile:
    return CDC.model_file(model)
