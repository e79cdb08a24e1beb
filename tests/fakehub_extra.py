"""Tiny ONNX stand-ins for the segmentation, safety, pose and upscaling families (imgutils 0.19.0 contracts).

Each keeps the real file's repo, file name, input/output names, ranks and dtypes (see docs/model-contracts-extra.md):

- isnetis (``skytnt/anime-seg`` isnetis.onnx): ``img`` [N, 3, S, S] -> ``mask`` [N, 1, S, S]; the fake's mask is
  the input's red channel, so a test knows the mask from the image.
- safe check (``mf666/shit-checker`` {model}.onnx): ``input`` [N, 3, 384, 384] -> ``output`` [N, 2]
  (polluted, safe), colour rules as tests.fakehub's classifiers.
- DWPose (``yzd-v/DWPose`` dw-ll_ucoco_384.onnx): ``input`` [1, 3, 384, 288] -> ``simcc_x`` [1, 133, 576],
  ``simcc_y`` [1, 133, 768]; the fake answers fixed SimCC vectors (one peak per keypoint, chosen by the test).
- CDC (``deepghs/cdc_anime_onnx`` {model}.onnx): ``input`` [N, 3, H, W] -> ``output`` [N, 3, s, H, s, W]; the fake
  repeats the input s x s times, so the upscaled image is known from the input.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from tests.fakehub import _const, _finish, classifier_model, put_model

DWPOSE_IN = (288, 384)  # (W, H)
DWPOSE_K = 133


def isnetis_model() -> onnx.ModelProto:
    inits = [_const('starts', np.array([0], np.int64)), _const('ends', np.array([1], np.int64)),
             _const('axes', np.array([1], np.int64))]
    nodes = [helper.make_node('Slice', ['img', 'starts', 'ends', 'axes'], ['mask'])]
    return _finish(nodes, [helper.make_tensor_value_info('img', TensorProto.FLOAT, ['N', 3, 'S', 'S'])],
                   [helper.make_tensor_value_info('mask', TensorProto.FLOAT, ['N', 1, 'S', 'S'])], inits)


def put_isnetis(cache_dir: str) -> str:
    from waifuc_ui.inference.specs_extra import ISNETIS
    return put_model(cache_dir, ISNETIS.repo_id, ISNETIS.filename, isnetis_model())


def put_safe_check(cache_dir: str, polluted=(0.0, 0.0, 0.0, 0.2), safe=(0.0, 0.0, 0.0, 0.8),
                   model_name: str | None = None) -> str:
    """Colour rules (w_r, w_g, w_b, bias) of the two scores; default: always safe (0.2, 0.8)."""
    from waifuc_ui.inference.specs_extra import safe_check_file
    f = safe_check_file(model_name)
    return put_model(cache_dir, f.repo_id, f.filename, classifier_model(['polluted', 'safe'], [polluted, safe]))


def dwpose_model(peaks_x: Sequence[int], peaks_y: Sequence[int], values: Sequence[float]) -> onnx.ModelProto:
    """SimCC outputs with, for keypoint k, ``values[k]`` at position peaks_x[k] (of 576) and peaks_y[k] (of 768),
    0.01 elsewhere (plus 0 x the input's mean, so the input is used)."""
    w, h = DWPOSE_IN
    sx = np.full((1, DWPOSE_K, 2 * w), 0.01, np.float32)
    sy = np.full((1, DWPOSE_K, 2 * h), 0.01, np.float32)
    for k, (px, py, v) in enumerate(zip(peaks_x, peaks_y, values)):
        sx[0, k, px] = v
        sy[0, k, py] = v
    inits = [_const('cx', sx), _const('cy', sy), _const('zero', np.zeros((), np.float32))]
    nodes = [helper.make_node('ReduceMean', ['input'], ['m'], keepdims=0),
             helper.make_node('Mul', ['m', 'zero'], ['z']),
             helper.make_node('Add', ['cx', 'z'], ['simcc_x']), helper.make_node('Add', ['cy', 'z'], ['simcc_y'])]
    return _finish(nodes, [helper.make_tensor_value_info('input', TensorProto.FLOAT, [1, 3, h, w])],
                   [helper.make_tensor_value_info('simcc_x', TensorProto.FLOAT, [1, DWPOSE_K, 2 * w]),
                    helper.make_tensor_value_info('simcc_y', TensorProto.FLOAT, [1, DWPOSE_K, 2 * h])], inits)


def put_dwpose(cache_dir: str, peaks_x, peaks_y, values) -> str:
    from waifuc_ui.inference.specs_extra import DWPOSE
    return put_model(cache_dir, DWPOSE.repo_id, DWPOSE.filename, dwpose_model(peaks_x, peaks_y, values))


def cdc_model(scale: int = 2) -> onnx.ModelProto:
    inits = [_const('axes', np.array([2, 4], np.int64)),
             _const('repeats', np.array([1, 1, scale, 1, scale, 1], np.int64))]
    nodes = [helper.make_node('Unsqueeze', ['input', 'axes'], ['u']),
             helper.make_node('Tile', ['u', 'repeats'], ['output'])]
    return _finish(nodes, [helper.make_tensor_value_info('input', TensorProto.FLOAT, ['N', 3, 'H', 'W'])],
                   [helper.make_tensor_value_info('output', TensorProto.FLOAT, ['N', 3, scale, 'H', scale, 'W'])],
                   inits)


def put_cdc(cache_dir: str, scale: int = 2, model: str | None = None) -> str:
    from waifuc_ui.inference.specs_extra import cdc_file
    f = cdc_file(model)
    return put_model(cache_dir, f.repo_id, f.filename, cdc_model(scale))


@pytest.fixture
def extra_hub(fake_hub) -> str:
    """:func:`tests.fakehub.fake_hub` with isnetis, an always-safe checker and a x2 CDC upscaler."""
    put_isnetis(fake_hub)
    put_safe_check(fake_hub)
    put_cdc(fake_hub)
    return fake_hub
