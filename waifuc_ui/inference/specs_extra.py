"""Hub files of the families added for waifuc's remaining actions (imgutils 0.19.0 repos and names).

``EXTRA_FILES`` maps a public function name to ``files(files_for, **kwargs)``; ``files_for`` is
:func:`waifuc_ui.inference.specs.files_for`, passed in so that this module imports nothing above ``hub``
(``dwpose_estimate`` needs the person detector's files when it detects persons itself).
"""

from __future__ import annotations

from collections.abc import Callable

from .hub import HubFile

ISNETIS = HubFile('skytnt/anime-seg', 'isnetis.onnx')
ISNETIS_SCALE = 1024

SAFE_CHECK_REPO = 'mf666/shit-checker'
SAFE_CHECK_DEFAULT = 'mobilenet.xs.v2'

DWPOSE = HubFile('yzd-v/DWPose', 'dw-ll_ucoco_384.onnx')

CDC_REPO = 'deepghs/cdc_anime_onnx'
CDC_DEFAULT = 'HGSR-MHR-anime-aug_X4_320'


def safe_check_file(model_name: str | None = None) -> HubFile:
    return HubFile(SAFE_CHECK_REPO, f'{model_name or SAFE_CHECK_DEFAULT}.onnx')


def cdc_file(model: str | None = None) -> HubFile:
    return HubFile(CDC_REPO, f'{model or CDC_DEFAULT}.onnx')


def _isnetis(files_for, **kwargs) -> list[HubFile]:
    return [ISNETIS]


def _safe(files_for, **kwargs) -> list[HubFile]:
    return [safe_check_file(kwargs.get('model_name'))]


def _dwpose(files_for, **kwargs) -> list[HubFile]:
    person: list[HubFile] = []
    if kwargs.get('auto_detect', True) and kwargs.get('out_bboxes') is None:
        person = files_for('detect_person', **(kwargs.get('person_detect_cfgs') or {}))
    return [DWPOSE, *person]


def _cdc(files_for, **kwargs) -> list[HubFile]:
    return [cdc_file(kwargs.get('model'))]


EXTRA_FILES: dict[str, Callable[..., list[HubFile]]] = {  # '*_batch' forms resolve to these names (files_for)
    'get_isnetis_mask': _isnetis, 'segment_rgba_with_isnetis': _isnetis,
    'safe_check_score': _safe, 'safe_check': _safe,
    'dwpose_estimate': _dwpose,  # dwpose_boxes_batch: dwpose_estimate with auto_detect=False
    'upscale_with_cdc': _cdc,
}
