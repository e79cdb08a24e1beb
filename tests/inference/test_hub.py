"""Model file resolution: local folder, HF cache, one Hub probe per process, clear errors, fingerprints."""

import hashlib
import os

import pytest

from tests.fakehub import put_file
from tests.inference.hubserver import FakeHubServer, go_online, refused_url
from waifuc_ui.core.errors import InvalidOptionError, ModelUnavailableError
from waifuc_ui.inference import hub
from waifuc_ui.inference.hub import HubAccess, HubFile
from waifuc_ui.inference.registry import required_files
from waifuc_ui.inference.resolve import check_model_name, ensure_available, file_fingerprint, resolve_file

FACE = HubFile('deepghs/anime_face_detection', 'face_detect_v1.4_s/model.onnx')


class CountingProbe:
    def __init__(self, answer):
        self.answer, self.calls = answer, 0

    def __call__(self):
        self.calls += 1
        return self.answer


@pytest.fixture
def no_download(monkeypatch):
    """A local Hub set as HF_ENDPOINT while the Hub counts as offline: its ``requests`` must stay empty."""
    with FakeHubServer() as server:
        server.add(FACE.repo_id, FACE.filename, b'weights')
        monkeypatch.setenv('HF_ENDPOINT', server.url)
        yield server


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
    assert info.value.commands == ('hf download deepghs/anime_face_detection face_detect_v1.4_s/model.onnx',)
    assert info.value.problem.endswith('and the Hub cannot be reached (offline in tests)')
    assert info.value.fix.startswith('on a machine with internet run `hf download deepghs/anime_face_detection')
    assert msg == f'{info.value.problem}. Fix: {info.value.fix}'
    assert no_download.requests == []


def test_hub_probed_once_then_every_missing_file_fails_without_network(fake_hub, monkeypatch, no_download):
    probe = CountingProbe((False, 'no route to host'))
    monkeypatch.setattr(hub, 'HUB_ACCESS', HubAccess(probe))
    for filename in ('a/model.onnx', 'b/model.onnx', 'c/meta.json'):
        with pytest.raises(ModelUnavailableError, match='no route to host'):
            resolve_file(HubFile('deepghs/x', filename))
    assert probe.calls == 1
    assert no_download.requests == []


def test_reachable_hub_downloads_into_the_cache(live_hub):
    live_hub.add(FACE.repo_id, FACE.filename, b'downloaded')
    path = resolve_file(FACE)
    assert open(path, 'rb').read() == b'downloaded' and path.startswith(hub.cache_dir())
    assert resolve_file(FACE) == path and live_hub.count("GET", "/resolve/") == 1  # second time from the cache


def test_failed_download_marks_hub_unreachable(fake_hub, monkeypatch):
    go_online(monkeypatch, refused_url())
    probe = CountingProbe((True, ''))
    monkeypatch.setattr(hub, 'HUB_ACCESS', HubAccess(probe))  # said yes, then the connection is refused
    with pytest.raises(ModelUnavailableError, match='download failed.*ConnectError'):
        resolve_file(FACE)
    with pytest.raises(ModelUnavailableError, match='cannot be reached'):
        resolve_file(HubFile('deepghs/x', 'other.onnx'))
    assert probe.calls == 1


def test_entry_not_on_hub_is_none_for_optional_files(live_hub):
    live_hub.add('deepghs/x', 'm/meta.json', b'{}')
    assert resolve_file(HubFile('deepghs/x', 'm/preprocess.json'), optional=True) is None
    with pytest.raises(ModelUnavailableError, match='does not exist'):
        resolve_file(HubFile('deepghs/x', 'm/model.onnx'))


def test_optional_file_offline_is_none(fake_hub, no_download):
    assert resolve_file(HubFile('deepghs/x', 'm/preprocess.json'), optional=True) is None


def test_probe_respects_hf_hub_offline_without_network(monkeypatch, no_download):
    monkeypatch.setenv('HF_HUB_OFFLINE', '1')
    assert hub.probe_hub() == (False, 'HF_HUB_OFFLINE is set')
    assert no_download.requests == []


def test_ensure_available_lists_every_missing_file(fake_hub, no_download):
    put_file(fake_hub, FACE.repo_id, FACE.filename, b'x')
    ensure_available([FACE])
    missing = [HubFile('deepghs/ccip_onnx', 'm/model_feat.onnx'), HubFile('a/b', 'list.txt', 'dataset')]
    with pytest.raises(ModelUnavailableError) as info:
        ensure_available([FACE, *missing])
    assert info.value.files == missing
    assert info.value.commands == ('hf download deepghs/ccip_onnx m/model_feat.onnx',
                                   'hf download a/b list.txt --repo-type dataset')
    assert '2 model file(s) unavailable' in str(info.value)
    assert info.value.problem.count('Fix:') == 0 and info.value.problem.count('is neither in') == 2
    assert 'hf download a/b list.txt --repo-type dataset' in str(info.value)


def test_a_found_file_is_looked_up_once_until_it_goes(fake_hub, monkeypatch):
    import huggingface_hub
    looked: list[str] = []
    real = huggingface_hub.try_to_load_from_cache
    monkeypatch.setattr(huggingface_hub, 'try_to_load_from_cache', lambda *a, **k: looked.append(a[1]) or real(*a, **k))
    assert resolve_file(FACE, optional=True) is None and resolve_file(FACE, optional=True) is None
    assert len(looked) == 2  # absent: asked every time
    path = put_file(fake_hub, FACE.repo_id, FACE.filename, b'onnx')
    assert [resolve_file(FACE) for _ in range(5)] == [path] * 5 and hub.is_local(FACE)
    assert len(looked) == 3  # found once, then remembered
    os.remove(path)
    assert resolve_file(FACE, optional=True) is None and len(looked) == 4  # gone: asked again


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


def test_unlisted_model_name_is_accepted_when_the_hub_has_it_without_downloading(live_hub):
    from waifuc_ui.inference.specs import FACE as FACE_SPEC
    live_hub.add(FACE_SPEC.repo_id, 'face_detect_v9_s/model.onnx', b'x' * 1000)
    probe = HubFile(FACE_SPEC.repo_id, 'face_detect_v9_s/model.onnx')
    check_model_name('detection', FACE_SPEC.repo_id, 'face_detect_v9_s', FACE_SPEC.known_models, probe)
    with pytest.raises(InvalidOptionError, match="'face_detect_v1.4_s'"):
        check_model_name('detection', FACE_SPEC.repo_id, 'nope', FACE_SPEC.known_models,
                         HubFile(FACE_SPEC.repo_id, 'nope/model.onnx'))
    assert live_hub.count('HEAD', '/resolve/') == 2 and live_hub.count("GET", "/resolve/") == 0


def test_repository_errors_do_not_mark_the_hub_unreachable(live_hub):
    live_hub.add('deepghs/other', 'x.onnx', b'x')
    with pytest.raises(ModelUnavailableError, match='repository does not exist'):
        resolve_file(FACE)
    assert hub.HUB_ACCESS.reachable() == (True, '')


def test_public_functions_offline_fail_fast_with_one_probe(fake_hub, monkeypatch, no_download):
    from tests.fakehub import solid
    from waifuc_ui.inference import ccip_extract_feature, detect_faces, get_wd14_tags
    probe = CountingProbe((False, 'HF_HUB_OFFLINE is set'))
    monkeypatch.setattr(hub, 'HUB_ACCESS', HubAccess(probe))
    for call, model in ((lambda: detect_faces(solid()), 'face_detect_v1.4_s'),
                        (lambda: get_wd14_tags(solid()), 'SwinV2_v3'),
                        (lambda: ccip_extract_feature(solid()), 'ccip-caformer-24-randaug-pruned')):
        with pytest.raises(ModelUnavailableError, match=model):
            call()
    assert probe.calls == 1 and no_download.requests == []
