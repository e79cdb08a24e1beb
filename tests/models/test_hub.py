"""Model file resolution: local folder, HF cache, one Hub probe per process, clear errors, fingerprints."""

import hashlib
import os

import huggingface_hub
import pytest

from tests.fakehub import put_file
from waifuc_ui.errors import InvalidOptionError, ModelUnavailableError
from waifuc_ui.models import hub
from waifuc_ui.models.hub import HubAccess, HubFile, ensure_available, file_fingerprint, required_files, \
    resolve_file

FACE = HubFile('deepghs/anime_face_detection', 'face_detect_v1.4_s/model.onnx')


class CountingProbe:
    def __init__(self, answer):
        self.answer, self.calls = answer, 0

    def __call__(self):
        self.calls += 1
        return self.answer


@pytest.fixture
def no_download(monkeypatch):
    calls = []

    def forbidden(*args, **kwargs):
        calls.append((args, kwargs))
        raise AssertionError('hf_hub_download must not be called')
    monkeypatch.setattr(huggingface_hub, 'hf_hub_download', forbidden)
    return calls


def test_cache_file_is_found(fake_hub):
    path = put_file(fake_hub, FACE.repo_id, FACE.filename, b'onnx')
    assert resolve_file(FACE) == path


def test_model_dir_wins_over_cache(fake_hub, tmp_path, monkeypatch):
    put_file(fake_hub, FACE.repo_id, FACE.filename, b'cached')
    local = tmp_path / 'models' / 'deepghs' / 'anime_face_detection' / 'face_detect_v1.4_s' / 'model.onnx'
    local.parent.mkdir(parents=True)
    local.write_bytes(b'local')
    monkeypatch.setenv('WAIFUC_UI_MODEL_DIR', str(tmp_path / 'models'))
    assert resolve_file(FACE) == str(local)


def test_offline_missing_file_names_model_repo_and_fix(fake_hub, no_download):
    with pytest.raises(ModelUnavailableError) as info:
        resolve_file(FACE, what="detection model 'face_detect_v1.4_s'")
    msg = str(info.value)
    assert "detection model 'face_detect_v1.4_s'" in msg
    assert 'deepghs/anime_face_detection' in msg and 'face_detect_v1.4_s/model.onnx' in msg
    assert 'hf download deepghs/anime_face_detection face_detect_v1.4_s/model.onnx' in msg
    assert 'HF_ENDPOINT' in msg and 'WAIFUC_UI_MODEL_DIR' in msg and 'huggingface-cli' in msg
    assert info.value.files == [FACE]
    assert no_download == []


def test_hub_probed_once_then_every_missing_file_fails_without_network(fake_hub, monkeypatch, no_download):
    probe = CountingProbe((False, 'no route to host'))
    monkeypatch.setattr(hub, 'HUB_ACCESS', HubAccess(probe))
    for filename in ('a/model.onnx', 'b/model.onnx', 'c/meta.json'):
        with pytest.raises(ModelUnavailableError, match='no route to host'):
            resolve_file(HubFile('deepghs/x', filename))
    assert probe.calls == 1
    assert no_download == []


def test_reachable_hub_downloads_into_the_cache(fake_hub, monkeypatch):
    monkeypatch.setattr(hub, 'HUB_ACCESS', HubAccess(CountingProbe((True, ''))))
    seen = []

    def fake_download(repo_id, filename, repo_type, cache_dir, token):
        seen.append((repo_id, filename, repo_type, cache_dir))
        return put_file(cache_dir, repo_id, filename, b'downloaded')
    monkeypatch.setattr(huggingface_hub, 'hf_hub_download', fake_download)
    path = resolve_file(FACE)
    assert open(path, 'rb').read() == b'downloaded'
    assert seen == [(FACE.repo_id, FACE.filename, 'model', fake_hub)]
    assert resolve_file(FACE) == path and len(seen) == 1  # second time from the cache


def test_failed_download_marks_hub_unreachable(fake_hub, monkeypatch):
    probe = CountingProbe((True, ''))
    monkeypatch.setattr(hub, 'HUB_ACCESS', HubAccess(probe))
    calls = []

    def failing(*args, **kwargs):
        calls.append(args)
        raise huggingface_hub.errors.LocalEntryNotFoundError('connection refused')
    monkeypatch.setattr(huggingface_hub, 'hf_hub_download', failing)
    with pytest.raises(ModelUnavailableError, match='download failed'):
        resolve_file(FACE)
    with pytest.raises(ModelUnavailableError, match='cannot be reached'):
        resolve_file(HubFile('deepghs/x', 'other.onnx'))
    assert len(calls) == 1 and probe.calls == 1


def test_entry_not_on_hub_is_none_for_optional_files(fake_hub, monkeypatch):
    monkeypatch.setattr(hub, 'HUB_ACCESS', HubAccess(CountingProbe((True, ''))))

    def missing(*args, **kwargs):
        raise huggingface_hub.errors.EntryNotFoundError('404')
    monkeypatch.setattr(huggingface_hub, 'hf_hub_download', missing)
    assert resolve_file(HubFile('deepghs/x', 'm/preprocess.json'), optional=True) is None
    with pytest.raises(ModelUnavailableError, match='does not exist'):
        resolve_file(HubFile('deepghs/x', 'm/model.onnx'))


def test_optional_file_offline_is_none(fake_hub, no_download):
    assert resolve_file(HubFile('deepghs/x', 'm/preprocess.json'), optional=True) is None


def test_probe_respects_hf_hub_offline_without_network(monkeypatch):
    import httpx
    monkeypatch.setenv('HF_HUB_OFFLINE', '1')
    monkeypatch.setattr(httpx, 'head', lambda *a, **k: pytest.fail('network used'))
    assert hub.probe_hub() == (False, 'HF_HUB_OFFLINE is set')


def test_probe_reports_unreachable_endpoint(monkeypatch):
    import httpx
    from huggingface_hub import constants
    monkeypatch.setenv('HF_HUB_OFFLINE', '0')
    monkeypatch.setattr(constants, 'HF_HUB_OFFLINE', False)
    monkeypatch.setenv('HF_ENDPOINT', 'https://mirror.invalid')
    seen = []

    def refuse(url, timeout, follow_redirects):
        seen.append((url, timeout))
        raise httpx.ConnectError('refused')
    monkeypatch.setattr(httpx, 'head', refuse)
    ok, reason = hub.probe_hub()
    assert not ok and 'https://mirror.invalid' in reason and 'ConnectError' in reason
    assert seen == [('https://mirror.invalid', hub.PROBE_TIMEOUT_S)]


def test_ensure_available_lists_every_missing_file(fake_hub, no_download):
    put_file(fake_hub, FACE.repo_id, FACE.filename, b'x')
    ensure_available([FACE])
    missing = [HubFile('deepghs/ccip_onnx', 'm/model_feat.onnx'), HubFile('a/b', 'list.txt', 'dataset')]
    with pytest.raises(ModelUnavailableError) as info:
        ensure_available([FACE, *missing])
    assert info.value.files == missing
    assert '2 model file(s) unavailable' in str(info.value)
    assert 'hf download a/b list.txt --repo-type dataset' in str(info.value)


def test_fingerprint_of_cached_file_is_revision_and_path(fake_hub):
    path = put_file(fake_hub, FACE.repo_id, FACE.filename, b'x')
    rev = path.split(os.sep + 'snapshots' + os.sep)[1].split(os.sep)[0]
    assert file_fingerprint(FACE) == f'hub:model:{FACE.repo_id}@{rev}/{FACE.filename}'


def test_fingerprint_of_local_file_is_size_and_sha256(fake_hub, tmp_path, monkeypatch):
    local = tmp_path / 'deepghs' / 'anime_face_detection' / 'face_detect_v1.4_s' / 'model.onnx'
    local.parent.mkdir(parents=True)
    local.write_bytes(b'weights-1')
    monkeypatch.setenv('WAIFUC_UI_MODEL_DIR', str(tmp_path))
    first = file_fingerprint(FACE)
    assert first == f'local:{FACE.repo_id}/{FACE.filename}:9:{hashlib.sha256(b"weights-1").hexdigest()}'
    assert file_fingerprint(FACE) == first
    local.write_bytes(b'weights-22')
    os.utime(local, ns=(1, 10 ** 18))
    assert file_fingerprint(FACE).endswith(f':10:{hashlib.sha256(b"weights-22").hexdigest()}')


def test_required_files_examples():
    assert required_files('detect_faces', level='s', version='v1.4') == [FACE]
    assert required_files('detect_faces_batch', level='n', version='v1.3') == [
        HubFile('deepghs/anime_face_detection', 'face_detect_v1.3_n/model.onnx')]
    assert required_files('detect_heads') == [HubFile('deepghs/anime_head_detection', 'head_detect_v2.0_s/model.onnx')]
    assert required_files('detect_heads', model_name=None, level='n') == [
        HubFile('deepghs/anime_head_detection', 'head_detect_v0_n/model.onnx')]
    assert required_files('get_wd14_tags', model_name='SwinV2_v3') == [
        HubFile('deepghs/wd14_tagger_with_embeddings', 'SmilingWolf/wd-swinv2-tagger-v3/model.onnx'),
        HubFile('SmilingWolf/wd-swinv2-tagger-v3', 'selected_tags.csv')]
    assert HubFile('alea31415/tag_filtering', 'overlap_tags_simplified.json', 'dataset') in \
        required_files('get_wd14_tags', drop_overlap=True)
    assert required_files('is_monochrome') == [
        HubFile('deepghs/monochrome_detect', 'mobilenetv3_large_100_dist_safe2/model.onnx'),
        HubFile('deepghs/monochrome_detect', 'mobilenetv3_large_100_dist_safe2/meta.json')]
    assert required_files('ccip_clustering', method='dbscan_2') == [
        HubFile('deepghs/ccip_onnx', f'ccip-caformer-24-randaug-pruned/{f}')
        for f in ('model_feat.onnx', 'model_metrics.onnx', 'cluster.json')]
    assert required_files('ccip_default_threshold') == [
        HubFile('deepghs/ccip_onnx', 'ccip-caformer-24-randaug-pruned/metrics.json')]
    assert required_files('lpips_clustering') == [HubFile('deepghs/imgutils-models', 'lpips/lpips_feature.onnx'),
                                                  HubFile('deepghs/imgutils-models', 'lpips/lpips_diff.onnx')]


def test_required_files_rejects_unknown_names():
    with pytest.raises(InvalidOptionError, match="'detect_faces'"):
        required_files('detect_face')
    with pytest.raises(InvalidOptionError, match="'SwinV2_v3'"):
        required_files('get_wd14_tags', model_name='SwinV9')


def test_unlisted_model_name_is_accepted_when_the_hub_has_it(fake_hub, monkeypatch):
    from waifuc_ui.models.specs import FACE as FACE_SPEC, check_model_name
    monkeypatch.setattr(hub, 'HUB_ACCESS', HubAccess(CountingProbe((True, ''))))
    asked = []

    def download(repo_id, filename, repo_type, cache_dir, token):
        asked.append(filename)
        if filename.startswith('face_detect_v9_s/'):
            return put_file(cache_dir, repo_id, filename, b'x')
        raise huggingface_hub.errors.EntryNotFoundError('404')
    monkeypatch.setattr(huggingface_hub, 'hf_hub_download', download)
    probe = HubFile(FACE_SPEC.repo_id, 'face_detect_v9_s/model.onnx')
    check_model_name('detection', FACE_SPEC.repo_id, 'face_detect_v9_s', FACE_SPEC.known_models, probe)
    with pytest.raises(InvalidOptionError, match="'face_detect_v1.4_s'"):
        check_model_name('detection', FACE_SPEC.repo_id, 'nope', FACE_SPEC.known_models,
                         HubFile(FACE_SPEC.repo_id, 'nope/model.onnx'))
    assert asked == ['face_detect_v9_s/model.onnx', 'nope/model.onnx']


def test_repository_errors_do_not_mark_the_hub_unreachable(fake_hub, monkeypatch):
    import httpx
    probe = CountingProbe((True, ''))
    access = HubAccess(probe)
    monkeypatch.setattr(hub, 'HUB_ACCESS', access)
    response = httpx.Response(404, request=httpx.Request('GET', 'https://huggingface.co/x'))

    def gone(*args, **kwargs):
        raise huggingface_hub.errors.RepositoryNotFoundError('no repo', response=response)
    monkeypatch.setattr(huggingface_hub, 'hf_hub_download', gone)
    with pytest.raises(ModelUnavailableError, match='repository does not exist'):
        resolve_file(FACE)
    assert access.reachable() == (True, '')


def test_public_functions_offline_fail_fast_with_one_probe(fake_hub, monkeypatch, no_download):
    from waifuc_ui.models import ccip_extract_feature, detect_faces, get_wd14_tags
    from tests.fakehub import solid
    probe = CountingProbe((False, 'HF_HUB_OFFLINE is set'))
    monkeypatch.setattr(hub, 'HUB_ACCESS', HubAccess(probe))
    for call, model in ((lambda: detect_faces(solid()), 'face_detect_v1.4_s'),
                        (lambda: get_wd14_tags(solid()), 'SwinV2_v3'),
                        (lambda: ccip_extract_feature(solid()), 'ccip-caformer-24-randaug-pruned')):
        with pytest.raises(ModelUnavailableError, match=model):
            call()
    assert probe.calls == 1 and no_download == []
