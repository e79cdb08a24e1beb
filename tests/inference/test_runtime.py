"""Provider choice and the cached, thread-safe session opener."""

import os
import threading

import numpy as np
import onnxruntime as ort
import pytest

from tests.fakehub import classifier_model
from waifuc_ui.core.errors import InvalidOptionError, ModelRunError
from waifuc_ui.inference import runtime


@pytest.fixture
def model_path(tmp_path):
    path = tmp_path / 'm.onnx'
    path.write_bytes(classifier_model(['a', 'b'], [(1, 0, 0, 0), (0, 1, 0, 0)], size=(8, 8)).SerializeToString())
    return str(path)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    monkeypatch.delenv('WAIFUC_UI_ONNX_PROVIDER', raising=False)
    monkeypatch.delenv('ONNX_MODE', raising=False)
    yield
    runtime.SESSIONS.clear()


def test_auto_provider_is_cuda_only_when_available():
    expected = 'CUDA' if 'CUDAExecutionProvider' in ort.get_available_providers() else 'CPU'
    assert runtime.current_provider() == expected


@pytest.mark.parametrize('value', ['cpu', 'CPU', 'CPUExecutionProvider', 'cpuexecutionprovider'])
def test_provider_names_case_and_suffix_insensitive(monkeypatch, value):
    monkeypatch.setenv('WAIFUC_UI_ONNX_PROVIDER', value)
    assert runtime.resolve_provider() == 'CPUExecutionProvider'
    assert runtime.current_provider() == 'CPU'


def test_onnx_mode_is_the_fallback_variable(monkeypatch):
    monkeypatch.setenv('ONNX_MODE', 'cpu')
    assert runtime.requested_provider() == 'cpu'
    monkeypatch.setenv('WAIFUC_UI_ONNX_PROVIDER', 'CPUExecutionProvider')
    assert runtime.requested_provider() == 'CPUExecutionProvider'


@pytest.mark.skipif('CUDAExecutionProvider' in ort.get_available_providers(), reason='CUDA present')
def test_unavailable_provider_lists_choices_and_fix(monkeypatch):
    monkeypatch.setenv('WAIFUC_UI_ONNX_PROVIDER', 'gpu')
    with pytest.raises(InvalidOptionError) as info:
        runtime.current_provider()
    assert "'gpu'" in str(info.value) and "'cpu'" in str(info.value) and 'onnxruntime-gpu' in str(info.value)


def test_session_options_match_the_reference(model_path, monkeypatch):
    monkeypatch.setenv('WAIFUC_UI_ONNX_PROVIDER', 'cpu')
    session = runtime.open_session(model_path)
    opts = session.get_session_options()
    assert opts.graph_optimization_level == ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    assert opts.intra_op_num_threads == os.cpu_count()
    assert session.get_providers() == ['CPUExecutionProvider']


def test_one_session_per_path_even_with_concurrent_first_calls(model_path, monkeypatch):
    created = []
    real = runtime._create_session

    def counting(path, provider):
        created.append(path)
        return real(path, provider)
    monkeypatch.setattr(runtime, '_create_session', counting)
    got = []
    threads = [threading.Thread(target=lambda: got.append(runtime.open_session(model_path))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(created) == 1 and len({id(s) for s in got}) == 1


def test_a_damaged_model_file_is_a_model_run_error_naming_the_file_and_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv('WAIFUC_UI_ONNX_PROVIDER', 'cpu')
    broken = tmp_path / 'model.onnx'
    broken.write_bytes(b'not a protobuf at all')
    with pytest.raises(ModelRunError) as info:
        runtime.open_session(str(broken))
    err = info.value
    assert isinstance(err, RuntimeError) and err.path == str(broken)
    assert err.problem.startswith(f'ONNX Runtime could not open the model file {broken} on CPU (')
    assert 'HF_HUB_CACHE' in err.fix and str(err) == f'{err.problem}. Fix: {err.fix}'
    assert type(err.__cause__).__module__.startswith('onnxruntime')


def test_a_failing_run_is_a_model_run_error_with_the_input_shapes(model_path, monkeypatch):
    monkeypatch.setenv('WAIFUC_UI_ONNX_PROVIDER', 'cpu')
    session = runtime.open_session(model_path)
    good = session.run(['output'], {'input': np.zeros((1, 3, 8, 8), np.float32)})[0]
    assert good.shape == (1, 2)
    with pytest.raises(ModelRunError) as info:
        session.run(['output'], {'input': np.zeros((1, 4, 8, 8), np.float32)})
    assert info.value.path == model_path
    assert 'm.onnx on inputs input (1, 4, 8, 8)' in info.value.problem
