"""Tiny ONNX stand-ins for every Hub model family, written into a Hugging Face cache so the REAL loading code runs.

Every fake keeps the real file's input/output names, ranks, layouts and dtypes (opset 17, ir_version 8). Outputs
are controlled by the image's mean colour: each output value is ``w_r*R + w_g*G + w_b*B + bias`` where R, G, B are
the channel means in [0, 1] of the tensor the model receives. So a test picks what a red, green or blue image gets.

Quick start (pytest)::

    from tests.fakehub import fake_hub, colour_detector, put_detector   # fake_hub is a fixture

    def test_faces(fake_hub):                       # empty temporary cache, Hub offline, caches cleared
        # the default face detector (face_detect_v1.4_s) finds 1 box (score 0.9) on red images, none on blue:
        put_detector(fake_hub, 'faces', colour_detector(trigger='red', score=0.9))
        from waifuc_ui.inference import detect_faces
        assert len(detect_faces(red_image)) == 1 and detect_faces(blue_image) == []

``install_fake_hub(cache_dir, families=('classify', 'detect', 'wd14', 'ccip', 'lpips', 'tag_filtering'))`` writes
a default fake for every default model of those families (e.g. monochrome: 'monochrome' wins on dark images).
``fake_model_scale='real'`` builds models with realistic compute (a conv stack at the real input size) for benches.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

OPSET, IR_VERSION = 17, 8
Colour = tuple[float, float, float, float]  # (w_r, w_g, w_b, bias)

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


# ----------------------------------------------------------------------------------------------- cache layout
def put_file(cache_dir: str, repo_id: str, path: str, data: bytes, repo_type: str = 'model') -> str:
    """Write ``data`` as ``path`` of ``repo_id`` in the HF cache layout; returns the file path.

    Each call makes a NEW snapshot (older files copied over) and points refs/main at it, so a rewritten file
    gets a new path and path-keyed caches in waifuc_ui never serve the old one.
    """
    owner, name = repo_id.split('/')
    root = os.path.join(cache_dir, f'{repo_type}s--{owner}--{name}')
    ref = os.path.join(root, 'refs', 'main')
    new_rev = secrets.token_hex(20)
    new_snap = os.path.join(root, 'snapshots', new_rev)
    if os.path.exists(ref):
        with open(ref) as f:
            old_snap = os.path.join(root, 'snapshots', f.read().strip())
        shutil.copytree(old_snap, new_snap)
    os.makedirs(os.path.dirname(os.path.join(new_snap, path)), exist_ok=True)
    target = os.path.join(new_snap, path)
    with open(target, 'wb') as f:
        f.write(data)
    os.makedirs(os.path.dirname(ref), exist_ok=True)
    with open(ref, 'w') as f:
        f.write(new_rev)
    return target


def put_json(cache_dir: str, repo_id: str, path: str, obj, repo_type: str = 'model') -> str:
    return put_file(cache_dir, repo_id, path, json.dumps(obj).encode(), repo_type)


def put_model(cache_dir: str, repo_id: str, path: str, model: onnx.ModelProto) -> str:
    return put_file(cache_dir, repo_id, path, model.SerializeToString())


# ----------------------------------------------------------------------------------------------- graph helpers
def _finish(nodes, inputs, outputs, inits, metadata: dict[str, str] | None = None) -> onnx.ModelProto:
    graph = helper.make_graph(nodes, 'fake', inputs, outputs, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', OPSET)])
    model.ir_version = IR_VERSION
    for k, v in (metadata or {}).items():
        model.metadata_props.append(onnx.StringStringEntryProto(key=k, value=v))
    onnx.checker.check_model(model)
    return model


def _const(name: str, arr) -> onnx.TensorProto:
    return numpy_helper.from_array(np.asarray(arr), name)


def _colour_head(colours: Sequence[Colour], scale: float = 1.0, rgb_order=(0, 1, 2)):
    """W [3, M] and b [M] so that out = mean_channels @ W + b gives w_r*R + w_g*G + w_b*B + bias per column.
    ``rgb_order`` = positions of R, G, B among the input channels; ``scale`` = input units per 1.0 of colour."""
    w = np.zeros((3, len(colours)), np.float32)
    b = np.zeros((len(colours),), np.float32)
    for j, (wr, wg, wb, bias) in enumerate(colours):
        for ch, weight in zip(rgb_order, (wr, wg, wb)):
            w[ch, j] = weight / scale
        b[j] = bias
    return w, b


def _mean_colour_nodes(inp: str, axes: list[int], out: str, scale: str = 'real', channels_last=False,
                       width: float = 1.0):
    """Nodes reducing the image to [N, 3] channel means; with scale='real' a conv stack runs first (cost only,
    ``width`` scales its channels: FLOPs ~ width**2)."""
    nodes, inits = [], []
    src = inp
    if scale == 'real':
        x = inp
        if channels_last:
            nodes.append(helper.make_node('Transpose', [inp], ['nchw'], perm=[0, 3, 1, 2]))
            x = 'nchw'
        cin = 3
        for i, (cout, stride) in enumerate(REAL_STACK):
            cout = max(8, int(cout * width))
            w = (np.random.default_rng(i).standard_normal((cout, cin, 3, 3)) * 0.05).astype(np.float32)
            inits.append(_const(f'stk_w{i}', w))
            nodes.append(helper.make_node('Conv', [x, f'stk_w{i}'], [f'stk_c{i}'], pads=[1, 1, 1, 1],
                                          strides=[stride, stride]))
            nodes.append(helper.make_node('Relu', [f'stk_c{i}'], [f'stk_r{i}']))
            x, cin = f'stk_r{i}', cout
        # cost only: add 0 * mean(features) so the stack is not pruned away
        nodes.append(helper.make_node('ReduceMean', [x], ['cost'], axes=[1, 2, 3], keepdims=1))
        nodes.append(helper.make_node('Mul', ['cost', 'zero'], ['cost0']))
        inits.append(_const('zero', np.zeros((1,), np.float32)))
        nodes.append(helper.make_node('Add', [inp, 'cost0'], ['img_c']))  # cost0 is [N,1,1,1]: broadcasts
        src = 'img_c'
    # two small reductions instead of one big one: float32 sums of ~200k values drift (~0.3 %), 448 do not
    nodes.append(helper.make_node('ReduceMean', [src], [out + '_rows'], axes=[axes[1]], keepdims=1))
    nodes.append(helper.make_node('ReduceMean', [out + '_rows'], [out + '_4d'], axes=[axes[0]], keepdims=1))
    nodes.append(helper.make_node('Flatten', [out + '_4d'], [out], axis=1))
    return nodes, inits


# Realistic-cost stack: ~3.1 GFLOP at 384x384, ~8.7 at 640 (YOLOv8n: 8.7), ~4.2 at 448, ~3.4 at 400 (AlexNet
# LPIPS: ~2.3); classifiers use width 0.5 (~0.8 GFLOP at 384; mobilenetv3_large at 384: ~0.65).
REAL_STACK = [(32, 2), (64, 2), (128, 2), (128, 1), (256, 2), (256, 1), (256, 1)]


def _image_input(name: str, layout: str, size: tuple[int, int] | None):
    h, w = size if size else ('H', 'W')
    dims = ['N', 3, h, w] if layout == 'NCHW' else ['N', h, w, 3]
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


# ----------------------------------------------------------------------------------------------- families
def classifier_model(labels: Sequence[str], colours: Sequence[Colour], size=(384, 384), scale='tiny',
                     softmax: bool = False, extra_outputs: bool = False) -> onnx.ModelProto:
    """deepghs classifier: ``input`` [N,3,H,W] -> ``output`` [N,C] (already probabilities).
    Per label a colour rule (inputs are in [-1, 1] after (x-0.5)/0.5: the rule sees [0, 1] colours)."""
    assert len(labels) == len(colours)
    nodes, inits = _mean_colour_nodes('input', [2, 3], 'mean', scale, width=0.5)
    w, b = _colour_head(colours, scale=2.0)  # x = 2*c - 1  ->  c = (x + 1) / 2
    b = b + np.asarray([(wr + wg + wb) / 2 for wr, wg, wb, _ in colours], np.float32)
    inits += [_const('W', w), _const('B', b)]
    nodes += [helper.make_node('MatMul', ['mean', 'W'], ['mm']), helper.make_node('Add', ['mm', 'B'], ['lin'])]
    nodes.append(helper.make_node('Softmax', ['lin'], ['output'], axis=1) if softmax
                 else helper.make_node('Identity', ['lin'], ['output']))
    outputs = [helper.make_tensor_value_info('output', TensorProto.FLOAT, ['N', len(labels)])]
    if extra_outputs:  # real exports may add logits/embedding outputs; the contract only reads 'output'
        nodes.append(helper.make_node('Identity', ['lin'], ['logits']))
        outputs.append(helper.make_tensor_value_info('logits', TensorProto.FLOAT, ['N', len(labels)]))
    return _finish(nodes, [_image_input('input', 'NCHW', size)], outputs, inits)


def yolo_model(boxes: Sequence[tuple[float, float, float, float]], scores: Sequence[Sequence[Colour]],
               names: Sequence[str], imgsz=(640, 640), scale='tiny', static: bool = True,
               layout: str = 'nms', e2e_classes: Sequence[int] | None = None) -> onnx.ModelProto:
    """YOLOv8-style ``images`` [N,3,H,W] -> ``output0`` [N, 4+nc, K] (cx, cy, w, h in input pixels, class scores).
    ``boxes[k]`` is constant; ``scores[k][c]`` is the colour rule of class c for candidate k.
    ``layout='e2e'``: output [N, K, 6] (x0, y0, x1, y1, score, cls) with boxes given as xyxy and one rule per box
    (class = index of the first rule). ``layout='rtdetr'``: [N, K, 4+nc] with boxes normalised to [0, 1]."""
    k, nc = len(boxes), len(names)
    rules: list[Colour] = []
    if layout == 'e2e':  # class of box j = e2e_classes[j] (default 0), score rule = scores[j][0]
        for j, box in enumerate(boxes):
            cls = float(e2e_classes[j]) if e2e_classes else 0.0
            rules += [(0, 0, 0, v) for v in box] + [scores[j][0], (0, 0, 0, cls)]
        shape, out_dims = [-1, k, 6], ['N', k, 6]
    else:
        for c in range(4 + nc):  # row-major [4+nc, K]
            for j in range(k):
                rules.append((0, 0, 0, boxes[j][c]) if c < 4 else scores[j][c - 4])
        shape, out_dims = [-1, 4 + nc, k], ['N', 4 + nc, k]
        if layout == 'rtdetr':
            rules = [rules[c * k + j] for j in range(k) for c in range(4 + nc)]
            shape, out_dims = [-1, k, 4 + nc], ['N', k, 4 + nc]
    nodes, inits = _mean_colour_nodes('images', [2, 3], 'mean', scale)
    w, b = _colour_head(rules)
    inits += [_const('W', w), _const('B', b), _const('shape', np.array(shape, np.int64))]
    nodes += [helper.make_node('MatMul', ['mean', 'W'], ['mm']), helper.make_node('Add', ['mm', 'B'], ['flat']),
              helper.make_node('Reshape', ['flat', 'shape'], ['output0'])]
    meta = {'names': repr(dict(enumerate(names))), 'imgsz': json.dumps(list(imgsz))}
    return _finish(nodes, [_image_input('images', 'NCHW', (imgsz[1], imgsz[0]) if static else None)],
                   [helper.make_tensor_value_info('output0', TensorProto.FLOAT, out_dims)], inits, meta)


def wd14_model(colours: Sequence[Colour], emb_dim: int = 8, size: int = 448, scale='tiny',
               input_name: str = 'input', names=('predictions_sigmoid', 'embedding')) -> onnx.ModelProto:
    """WD14 re-export: NHWC BGR 0-255 ``input`` [N,448,448,3] -> probabilities [N, n_tags] and embedding [N, D].
    ``colours[i]`` is the rule of tag i in [0, 1] RGB colour units (the BGR/255 conversion is done here)."""
    nodes, inits = _mean_colour_nodes(input_name, [1, 2], 'mean', scale, channels_last=True)
    w, b = _colour_head(colours, scale=255.0, rgb_order=(2, 1, 0))
    we, be = _colour_head([(1.0 * (i + 1), 0, 0, 0) for i in range(emb_dim)], scale=255.0, rgb_order=(2, 1, 0))
    inits += [_const('W', w), _const('B', b), _const('WE', we), _const('BE', be)]
    nodes += [helper.make_node('MatMul', ['mean', 'W'], ['mm']), helper.make_node('Add', ['mm', 'B'], [names[0]]),
              helper.make_node('MatMul', ['mean', 'WE'], ['me']), helper.make_node('Add', ['me', 'BE'], [names[1]])]
    outputs = [helper.make_tensor_value_info(names[0], TensorProto.FLOAT, ['N', len(colours)]),
               helper.make_tensor_value_info(names[1], TensorProto.FLOAT, ['N', emb_dim])]
    return _finish(nodes, [_image_input(input_name, 'NHWC', (size, size))], outputs, inits)


def selected_tags_csv(tags: Sequence[tuple[str, int]]) -> bytes:
    """``tag_id,name,category,count`` rows for (name, category) pairs (9 rating, 0 general, 4 character)."""
    rows = ['tag_id,name,category,count'] + [f'{1000 + i},{n},{c},{100 - i}' for i, (n, c) in enumerate(tags)]
    return ('\n'.join(rows) + '\n').encode()


def ccip_feature_model(size: int = 384, dim: int = 768, scale='tiny') -> onnx.ModelProto:
    """``input`` [N,3,S,S] (CLIP-normalised) -> ``output`` [N, dim]: feature = mean colour pattern, so images of
    the same colour get the same feature (difference ~0) and different colours differ."""
    nodes, inits = _mean_colour_nodes('input', [2, 3], 'mean', scale)
    w = np.zeros((3, dim), np.float32)
    w[0, 0::3], w[1, 1::3], w[2, 2::3] = 1.0, 1.0, 1.0
    inits += [_const('W', w), _const('B', np.full((dim,), 3.0, np.float32))]
    nodes += [helper.make_node('MatMul', ['mean', 'W'], ['mm']), helper.make_node('Add', ['mm', 'B'], ['output'])]
    return _finish(nodes, [_image_input('input', 'NCHW', (size, size))],
                   [helper.make_tensor_value_info('output', TensorProto.FLOAT, ['N', dim])], inits)


def ccip_metric_model(dim: int = 768, gain: float = 10.0) -> onnx.ModelProto:
    """``input`` [N, dim] -> ``output`` [N, N] = clip((1 - cosine similarity) * gain, 0, 1)."""
    inits = [_const('one', np.ones((1,), np.float32)), _const('gain', np.full((1,), gain, np.float32)),
             _const('lo', np.zeros((), np.float32)), _const('hi', np.ones((), np.float32))]
    nodes = [helper.make_node('LpNormalization', ['input'], ['xn'], axis=1, p=2),
             helper.make_node('Transpose', ['xn'], ['xt'], perm=[1, 0]),
             helper.make_node('MatMul', ['xn', 'xt'], ['sim']),
             helper.make_node('Sub', ['one', 'sim'], ['d0']),
             helper.make_node('Mul', ['d0', 'gain'], ['d1']),
             helper.make_node('Clip', ['d1', 'lo', 'hi'], ['output'])]
    return _finish(nodes, [helper.make_tensor_value_info('input', TensorProto.FLOAT, ['N', dim])],
                   [helper.make_tensor_value_info('output', TensorProto.FLOAT, ['N', 'M'])], inits)


LPIPS_SHAPES = [(64, 99), (192, 49), (384, 24), (256, 24), (256, 24)]


@cache
def _lpips_layer_params(i: int, c: int, s: int):
    """Layer ``i``: colour responses W, W2 [3, c], bias [c], spatial pattern [1, c, s, s], head weights [c] (>= 0,
    every 7th channel 0 as in a trained head whose unused channels are zero). Computed once (read-only arrays)."""
    rng = np.random.default_rng(i)
    w1 = (rng.uniform(0, 1, (3, c)) ** 3).astype(np.float32)
    w2 = (-0.9 * rng.uniform(0, 1, (3, c)) ** 3).astype(np.float32)
    bias = (0.1 * rng.uniform(0, 1, c)).astype(np.float32)
    yy, xx = np.mgrid[0:s, 0:s] / max(1, s - 1)
    ch = np.arange(c)[:, None, None]
    pattern = 0.5 + 0.5 * np.cos(np.pi * (yy[None] * (1 + ch % 3) + xx[None] * (ch % 4))) ** 2
    head = (100.0 * rng.uniform(0.2, 1, c) / c).astype(np.float32)
    head[::7] = 0.0
    params = w1, w2, bias, pattern[None].astype(np.float32), head
    for array in params:
        array.setflags(write=False)
    return params


def lpips_head_weights() -> list[np.ndarray]:
    """The non-negative 1x1 weights of :func:`lpips_diff_model`, per layer."""
    return [_lpips_layer_params(i, c, s)[4] for i, (c, s) in enumerate(LPIPS_SHAPES)]


def lpips_feature_model(scale='tiny') -> onnx.ModelProto:
    """``input`` [N,3,400,400] -> ``feat_0..4`` with AlexNet's shapes. From the mean colour m, channel c of layer i
    is ``(m @ W + (m*m) @ W2 + b)_c`` times a fixed spatial pattern: equal colours give equal features, a darker
    shade of a colour points elsewhere after normalisation (red vs (230,0,0): 0.0169, vs (180,0,0): 0.173, vs
    blue: 3.23 through :func:`lpips_diff_model`)."""
    nodes, inits = _mean_colour_nodes('input', [2, 3], 'mean', scale)
    nodes.append(helper.make_node('Mul', ['mean', 'mean'], ['mean_sq']))
    outputs = []
    for i, (c, s) in enumerate(LPIPS_SHAPES):
        w1, w2, bias, pattern, _ = _lpips_layer_params(i, c, s)
        inits += [_const(f'W{i}', w1), _const(f'Wsq{i}', w2), _const(f'b{i}', bias), _const(f'pat{i}', pattern),
                  _const(f'sh{i}', np.array([-1, c, 1, 1], np.int64))]
        nodes += [helper.make_node('MatMul', ['mean', f'W{i}'], [f'lin{i}']),
                  helper.make_node('MatMul', ['mean_sq', f'Wsq{i}'], [f'sq{i}']),
                  helper.make_node('Add', [f'lin{i}', f'sq{i}'], [f'ls{i}']),
                  helper.make_node('Add', [f'ls{i}', f'b{i}'], [f'm{i}']),
                  helper.make_node('Reshape', [f'm{i}', f'sh{i}'], [f'r{i}']),
                  helper.make_node('Mul', [f'r{i}', f'pat{i}'], [f'feat_{i}'])]
        outputs.append(helper.make_tensor_value_info(f'feat_{i}', TensorProto.FLOAT, ['N', c, s, s]))
    return _finish(nodes, [_image_input('input', 'NCHW', (400, 400))], outputs, inits)


def _diff_inputs():
    inputs = []
    for i, (c, s) in enumerate(LPIPS_SHAPES):
        for side in 'xy':
            inputs.append(helper.make_tensor_value_info(f'feat_{side}_{i}', TensorProto.FLOAT, ['N', c, s, s]))
    return inputs


def lpips_diff_model(gain: float = 1.0) -> onnx.ModelProto:
    """The LPIPS linear head, structured as the real ``lpips_diff.onnx``: per layer, each position's channel vector
    divided by (its norm + 1e-10), squared difference, a 1x1 convolution with the non-negative
    :func:`lpips_head_weights` (times ``gain``; no bias), spatial mean; ``output`` [N,1,1,1] = the sum over the
    layers."""
    nodes, inits = [], [_const('norm_eps', np.array([1e-10], np.float32))]
    for i, (c, _) in enumerate(LPIPS_SHAPES):
        inits.append(_const(f'lin{i}', (gain * lpips_head_weights()[i]).reshape(1, c, 1, 1)))
        for side in 'xy':
            f = f'feat_{side}_{i}'
            nodes += [helper.make_node('ReduceSumSquare', [f], [f'ss_{side}{i}'], axes=[1], keepdims=1),
                      helper.make_node('Sqrt', [f'ss_{side}{i}'], [f'n_{side}{i}']),
                      helper.make_node('Add', [f'n_{side}{i}', 'norm_eps'], [f'ne_{side}{i}']),
                      helper.make_node('Div', [f, f'ne_{side}{i}'], [f'u_{side}{i}'])]
        nodes += [helper.make_node('Sub', [f'u_x{i}', f'u_y{i}'], [f'd{i}']),
                  helper.make_node('Mul', [f'd{i}', f'd{i}'], [f'q{i}']),
                  helper.make_node('Conv', [f'q{i}', f'lin{i}'], [f'c{i}']),
                  helper.make_node('ReduceMean', [f'c{i}'], [f'm{i}'], axes=[2, 3], keepdims=1)]
    nodes += [helper.make_node('Sum', [f'm{i}' for i in range(5)], ['output'])]
    return _finish(nodes, _diff_inputs(), [helper.make_tensor_value_info('output', TensorProto.FLOAT, ['N', 1, 1, 1])],
                   inits)


def mse_lpips_diff_model() -> onnx.ModelProto:
    """A difference model of ANOTHER structure (sum over layers of the plain mean squared difference, no
    normalisation): the fast LPIPS path must detect it and use the model pair by pair."""
    nodes = []
    for i in range(len(LPIPS_SHAPES)):
        nodes += [helper.make_node('Sub', [f'feat_x_{i}', f'feat_y_{i}'], [f'd{i}']),
                  helper.make_node('Mul', [f'd{i}', f'd{i}'], [f'q{i}']),
                  helper.make_node('ReduceMean', [f'q{i}'], [f'm{i}'], axes=[1, 2, 3], keepdims=1)]
    nodes += [helper.make_node('Sum', [f'm{i}' for i in range(5)], ['output'])]
    return _finish(nodes, _diff_inputs(), [helper.make_tensor_value_info('output', TensorProto.FLOAT, ['N', 1, 1, 1])],
                   [])


# ----------------------------------------------------------------------------------------------- convenience
def colour_detector(trigger: str = 'red', score: float = 0.9, box=(320.0, 320.0, 200.0, 100.0),
                    label: str = 'face') -> dict:
    """One candidate box that scores ``score`` on pure ``trigger``-coloured images and <= 0 on the other two."""
    idx = {'red': 0, 'green': 1, 'blue': 2}[trigger]
    rule = [-score, -score, -score, 0.0]
    rule[idx] = score
    return {'boxes': [box], 'scores': [[tuple(rule)]], 'names': [label]}


def put_detector(cache_dir: str, kind: str, spec: dict, model_name: str | None = None, **kw) -> str:
    """Write a YOLO fake (``spec`` from :func:`colour_detector` or your own boxes/scores/names) as the default
    model of detector ``kind`` ('faces', 'heads', 'person', 'halfbody', 'eyes') or as ``model_name``."""
    from waifuc_ui.inference import specs as s
    det = {'faces': s.FACE, 'heads': s.HEAD, 'person': s.PERSON, 'halfbody': s.HALFBODY, 'eyes': s.EYE}[kind]
    name = model_name or (s.HEAD_DEFAULT_MODEL if det is s.HEAD else det.model_name(det.level, det.version, None))
    return put_model(cache_dir, det.repo_id, f'{name}/model.onnx', yolo_model(**spec, **kw))


def put_classifier(cache_dir: str, spec, labels: Sequence[str], colours: Sequence[Colour],
                   model_name: str | None = None, preprocess: list | None = None, **kw) -> str:
    name = model_name or spec.default_model
    put_json(cache_dir, spec.repo_id, f'{name}/meta.json', {'labels': list(labels)})
    if preprocess is not None:
        put_json(cache_dir, spec.repo_id, f'{name}/preprocess.json', {'stages': preprocess})
    return put_model(cache_dir, spec.repo_id, f'{name}/model.onnx', classifier_model(labels, colours, **kw))


WD14_TAGS = [('general', 9), ('sensitive', 9), ('questionable', 9), ('explicit', 9), ('1girl', 0), ('red_theme', 0),
             ('blue_theme', 0), ('skadi_(arknights)', 4), ('^_^', 0), ('long_hair', 0), ('very_long_hair', 0)]
WD14_RULES = [(0, 0, 0, 0.6), (0, 0, 0, 0.3), (0, 0, 0, 0.08), (0, 0, 0, 0.02), (0, 0, 0, 0.95),
              (0.9, 0, 0, 0.05), (0, 0, 0.9, 0.05), (0.95, 0, 0, 0.0), (0, 0, 0, 0.5), (0, 0, 0, 0.7),
              (0, 0, 0, 0.36)]


def put_wd14(cache_dir: str, model_name: str = 'SwinV2_v3', tags=WD14_TAGS, rules=WD14_RULES, **kw) -> None:
    from waifuc_ui.inference.specs import wd14_files
    model_file, csv_file = wd14_files(model_name)
    put_model(cache_dir, model_file.repo_id, model_file.filename, wd14_model(rules, **kw))
    put_file(cache_dir, csv_file.repo_id, csv_file.filename, selected_tags_csv(tags))


def put_ccip(cache_dir: str, model: str = 'ccip-caformer-24-randaug-pruned', threshold: float = 0.17847511429108218,
             cluster: dict | None = None, scale='tiny') -> None:
    from waifuc_ui.inference.specs import CCIP_REPO
    put_model(cache_dir, CCIP_REPO, f'{model}/model_feat.onnx', ccip_feature_model(scale=scale))
    put_model(cache_dir, CCIP_REPO, f'{model}/model_metrics.onnx', ccip_metric_model())
    put_json(cache_dir, CCIP_REPO, f'{model}/metrics.json', {'threshold': threshold})
    put_json(cache_dir, CCIP_REPO, f'{model}/cluster.json', cluster or {
        'dbscan_2': {'eps': 0.12921094122454668, 'min_samples': 2},
        'dbscan_free': {'eps': 0.1291187648928262, 'min_samples': 2},
        'optics': {'eps': 0.1836453739562513, 'min_samples': 5}})


def put_lpips(cache_dir: str, scale='tiny') -> None:
    from waifuc_ui.inference.specs import LPIPS_DIFF, LPIPS_FEATURE
    put_model(cache_dir, LPIPS_FEATURE.repo_id, LPIPS_FEATURE.filename, lpips_feature_model(scale))
    put_model(cache_dir, LPIPS_DIFF.repo_id, LPIPS_DIFF.filename, lpips_diff_model())


def put_tag_filtering(cache_dir: str, overlap: dict | None = None, blacklist: Sequence[str] = ()) -> None:
    from waifuc_ui.inference.specs import BLACKLIST_FILE, OVERLAP_FILE
    put_json(cache_dir, OVERLAP_FILE.repo_id, OVERLAP_FILE.filename,
             overlap if overlap is not None else {'long_hair': ['very_long_hair', 'absurdly_long_hair']}, 'dataset')
    put_file(cache_dir, BLACKLIST_FILE.repo_id, BLACKLIST_FILE.filename,
             ('\n'.join(blacklist or ('cosplay', 'no eyewear', 'simple background')) + '\n').encode(), 'dataset')


FAMILIES = ('classify', 'detect', 'wd14', 'ccip', 'lpips', 'tag_filtering')


def install_fake_hub(cache_dir: str, families: Iterable[str] = FAMILIES, fake_model_scale: str = 'tiny') -> str:
    """Write default fakes for ``families`` into ``cache_dir`` (an HF_HUB_CACHE). Defaults:

    - monochrome: score('monochrome') = 1 - mean(R, G, B), so it wins on dark and on pure red/green/blue images,
      'normal' wins on white; anime_classify: 'illustration' 0.6
      unless red ('comic' 0.9 on red); anime_rating: 'safe' 0.7, r15 0.2, r18 0.1, except red images -> 'r18' 0.8.
    - every detector: one box (cx=320, cy=320, w=200, h=100 at 640) scoring 0.9 on red images, <= 0 otherwise.
    - WD14 SwinV2_v3: :data:`WD14_TAGS` / :data:`WD14_RULES` (red images get red_theme and skadi_(arknights)).
    - CCIP default model: features are the mean colour (same colour -> difference 0); LPIPS: features from the
      mean colour, difference model structured as the real one (same colour -> difference 0).
    - tag_filtering: overlap {'long_hair': ['very_long_hair', ...]}; blacklist cosplay, no eyewear, simple background.
    """
    from waifuc_ui.inference import specs as s
    families = set(families)
    unknown = families - set(FAMILIES)
    if unknown:
        raise ValueError(f'unknown families {sorted(unknown)}; valid: {FAMILIES}')
    if 'classify' in families:
        put_classifier(cache_dir, s.MONOCHROME, ['monochrome', 'normal'],
                       [(-1 / 3, -1 / 3, -1 / 3, 1.0), (1 / 3, 1 / 3, 1 / 3, 0.0)], scale=fake_model_scale)
        put_classifier(cache_dir, s.ANIME_CLASSIFY, ['3d', 'bangumi', 'comic', 'illustration', 'not_painting'],
                       [(0, 0, 0, 0.05), (0, 0, 0, 0.1), (0.9, -0.9, -0.9, 0.0), (-0.6, 0, 0, 0.6),
                        (0, 0, 0, 0.05)], scale=fake_model_scale)
        put_classifier(cache_dir, s.ANIME_RATING, ['safe', 'r15', 'r18'],
                       [(-0.6, 0, 0, 0.7), (-0.1, 0, 0, 0.2), (0.7, 0, 0, 0.1)], scale=fake_model_scale)
    if 'detect' in families:
        for kind, label in (('faces', 'face'), ('heads', 'head'), ('person', 'person'),
                            ('halfbody', 'halfbody'), ('eyes', 'eye')):
            put_detector(cache_dir, kind, colour_detector(label=label), scale=fake_model_scale)
    if 'wd14' in families:
        put_wd14(cache_dir, scale=fake_model_scale)
    if 'ccip' in families:
        put_ccip(cache_dir, scale=fake_model_scale)
    if 'lpips' in families:
        put_lpips(cache_dir, scale=fake_model_scale)
    if 'tag_filtering' in families:
        put_tag_filtering(cache_dir)
    return cache_dir


def use_cache(monkeypatch, cache_dir: str) -> str:
    """Point waifuc_ui.inference at ``cache_dir`` with the Hub offline, and forget cached sessions/files."""
    from waifuc_ui.inference import hub
    from waifuc_ui.inference.loaders import clear_caches
    os.makedirs(cache_dir, exist_ok=True)
    monkeypatch.setenv('HF_HUB_CACHE', str(cache_dir))
    monkeypatch.delenv(hub.MODEL_DIR_ENV, raising=False)
    monkeypatch.setattr(hub, 'HUB_ACCESS', hub.HubAccess(probe=lambda: (False, 'offline in tests')))
    clear_caches()
    return str(cache_dir)


@pytest.fixture
def fake_hub(tmp_path, monkeypatch) -> str:
    """An empty HF cache (returned path) used by waifuc_ui.inference, Hub offline. Fill it with put_* helpers."""
    path = use_cache(monkeypatch, str(tmp_path / 'hf-cache'))
    yield path
    from waifuc_ui.inference.loaders import clear_caches
    clear_caches()


@pytest.fixture
def full_fake_hub(fake_hub) -> str:
    """:func:`fake_hub` with :func:`install_fake_hub` (all families, tiny models)."""
    return install_fake_hub(fake_hub)


def solid(colour=RED, size=(64, 48), mode='RGB'):
    """A solid-colour PIL image."""
    from PIL import Image
    return Image.new(mode, size, colour)


def record_feeds(monkeypatch) -> list:
    """Record every ``InferenceSession.run`` as (output_names, {input name: array copy}); returns the list."""
    import onnxruntime as ort
    calls = []
    real = ort.InferenceSession.run

    def run(self, output_names, input_feed, run_options=None):
        calls.append((list(output_names) if output_names else None,
                      {k: np.array(v, copy=True) for k, v in input_feed.items()}))
        return real(self, output_names, input_feed, run_options)
    monkeypatch.setattr(ort.InferenceSession, 'run', run)
    return calls
