"""FilterSimilarAction feeds the LPIPS difference model as waifuc does,
``lpips_difference(kept_feature, new_feature)``: kept image -> ``feat_x_*``, new image -> ``feat_y_*``.

The fake difference model here is deliberately signed (-20 times the sum over layers of mean(x - y)), so the
argument order shows: red kept then blue gives +1.459 (> 0.45, both kept) in waifuc's order and -1.459 in the
swapped one. It is not an LPIPS linear head, so this also runs the per-pair fallback of the fast path.
"""

import numpy as np
from model_action_helpers import BLUE, RED, names, solid
from onnx import TensorProto, helper, numpy_helper

from tests.fakehub import LPIPS_SHAPES, _finish, put_model
from waifuc_ui.action.lpips import FilterSimilarAction


def _signed_diff_model():
    nodes, inputs = [], []
    for i, (c, s) in enumerate(LPIPS_SHAPES):
        for side in 'xy':
            inputs.append(helper.make_tensor_value_info(f'feat_{side}_{i}', TensorProto.FLOAT, ['N', c, s, s]))
        nodes += [helper.make_node('Sub', [f'feat_x_{i}', f'feat_y_{i}'], [f'd{i}']),
                  helper.make_node('ReduceMean', [f'd{i}'], [f'm{i}'], axes=[1, 2, 3], keepdims=1)]
    nodes.append(helper.make_node('Sum', [f'm{i}' for i in range(5)], ['total']))
    nodes.append(helper.make_node('Mul', ['total', 'gain'], ['output']))
    gain = numpy_helper.from_array(np.array([-20.0], np.float32), 'gain')
    return _finish(nodes, inputs, [helper.make_tensor_value_info('output', TensorProto.FLOAT, ['N', 1, 1, 1])],
                   [gain])


def test_kept_image_is_the_first_argument_of_the_difference(full_fake_hub, run):
    from waifuc_ui import inference as models
    from waifuc_ui.inference.loaders import clear_caches
    from waifuc_ui.inference.specs import LPIPS_DIFF

    put_model(full_fake_hub, LPIPS_DIFF.repo_id, LPIPS_DIFF.filename, _signed_diff_model())
    clear_caches()
    red, blue = models.lpips_extract_feature(solid(RED)), models.lpips_extract_feature(solid(BLUE))
    assert round(models.lpips_difference(red, blue), 4) == 1.4591  # waifuc: lpips_difference(exist, new)
    assert round(models.lpips_difference(blue, red), 4) == -1.4591
    pairs = [(solid(RED), {"filename": "c0.png"}), (solid(BLUE), {"filename": "c1.png"})]
    out, report, _ = run(pairs, FilterSimilarAction())
    assert names(out) == ["c0.png", "c1.png"] and report.dropped == []
    from waifuc_ui.inference.lpips_linear import linear_head

    assert not linear_head().exact  # another structure: the model decided, pair by pair
