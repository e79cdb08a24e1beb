"""The new families are declared like the others: required_files names the exact Hub files, and the app's model
check lists them for each new action before a run."""

import pytest

from tests.fakehub_extra import put_cdc, put_dwpose, put_isnetis, put_safe_check
from waifuc_ui.inference import required_files
from waifuc_ui.inference.registry import model_spec, registered_names
from waifuc_ui.inference.specs_extra import CDC, POSE, SAFE_CHECK, SEGMENT


@pytest.mark.parametrize("func, kwargs, expected", [
    ("get_isnetis_mask", {}, ["skytnt/anime-seg/isnetis.onnx"]),
    ("segment_rgba_with_isnetis", {}, ["skytnt/anime-seg/isnetis.onnx"]),
    ("safe_check", {}, ["mf666/shit-checker/mobilenet.xs.v2.onnx"]),
    ("safe_check_score", {"model_name": "caformer_s36"}, ["mf666/shit-checker/caformer_s36.onnx"]),
    ("dwpose_estimate", {"auto_detect": False}, ["yzd-v/DWPose/dw-ll_ucoco_384.onnx"]),
    ("dwpose_estimate", {"person_detect_cfgs": {"level": "n"}},
     ["yzd-v/DWPose/dw-ll_ucoco_384.onnx", "deepghs/anime_person_detection/person_detect_v1.1_n/model.onnx"]),
    ("upscale_with_cdc", {}, ["deepghs/cdc_anime_onnx/HGSR-MHR-anime-aug_X4_320.onnx"]),
    ("upscale_with_cdc", {"model": "HGSR-MHR_X2_1680"}, ["deepghs/cdc_anime_onnx/HGSR-MHR_X2_1680.onnx"]),
])
def test_required_files(func, kwargs, expected):
    assert [f"{f.repo_id}/{f.filename}" for f in required_files(func, **kwargs)] == expected
    assert func in registered_names()


def test_each_function_runs_its_spec_and_batch_forms_fall_back():
    assert [model_spec(n) for n in ('get_isnetis_mask', 'segment_rgba_with_isnetis', 'safe_check', 'safe_check_score',
                                    'dwpose_estimate', 'upscale_with_cdc')] == [SEGMENT, SEGMENT, SAFE_CHECK,
                                                                                 SAFE_CHECK, POSE, CDC]
    assert required_files('upscale_with_cdc_batch', model='m') == required_files('upscale_with_cdc', model='m')
    assert required_files('safe_check_score_batch') == required_files('safe_check')


def test_model_status_of_each_new_action(fake_hub):
    from tests.fakehub import colour_detector, put_detector
    from waifuc_ui.action import (
        BackgroundRemovalAction,
        CharacterEnhanceAction,
        HeadCoverAction,
        HeadCutOutAction,
        SafetyAction,
        UpscaleAction,
    )
    from waifuc_ui.pipeline.catalog import model_status
    actions = [BackgroundRemovalAction(), SafetyAction(), UpscaleAction(), HeadCoverAction(), HeadCutOutAction(),
               CharacterEnhanceAction()]
    before = [model_status(a) for a in actions]
    assert [s.available for s in before] == [False] * 6
    assert "skytnt/anime-seg/isnetis.onnx" in before[0].missing
    assert "yzd-v/DWPose/dw-ll_ucoco_384.onnx" in before[4].missing
    put_isnetis(fake_hub)
    put_safe_check(fake_hub)
    put_cdc(fake_hub)
    put_dwpose(fake_hub, [0], [0], [0.5])
    for kind in ("heads", "faces", "person", "halfbody"):
        put_detector(fake_hub, kind, colour_detector())
    assert [model_status(a).available for a in actions] == [True] * 6
