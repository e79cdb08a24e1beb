"""The real download path against a local server speaking the Hub's file API (tests/inference/hubserver.py):
good, redirected, slow, stalled, trickling, failing and missing transfers; one job per file; Stop; the probe."""

import os
import threading

import pytest
from huggingface_hub import try_to_load_from_cache

from tests.fakehub import BLUE, RED, solid
from tests.inference.hubserver import (
    COMMIT,
    FakeHubServer,
    SilentPort,
    go_online,
    refused_url,
)
from waifuc_ui.core.errors import ModelUnavailableError
from waifuc_ui.inference import hub
from waifuc_ui.inference.download import DownloadCancelled, Downloader
from waifuc_ui.inference.hub import HubFile
from waifuc_ui.inference.resolve import resolve_file

FACE = HubFile('deepghs/anime_face_detection', 'face_detect_v1.4_s/model.onnx')
BIG = HubFile('deepghs/x', 'm/model.onnx')
PAYLOAD = bytes(range(256)) * 256  # 64 KB


class Recorder:
    def __init__(self):
        self.seen = []

    def __call__(self, p):
        self.seen.append(p)


def test_good_transfer_lands_in_the_cache_and_the_detector_loads_it(live_hub, model_source):
    assert live_hub.add_cache(model_source) > 20
    record = Recorder()
    path = Downloader().fetch(FACE, progress=record)
    assert path == try_to_load_from_cache(FACE.repo_id, FACE.filename, cache_dir=hub.cache_dir())
    assert f'{os.sep}snapshots{os.sep}{COMMIT}{os.sep}' in path and os.path.islink(path)
    with open(path, 'rb') as f:
        assert f.read() == live_hub.files[('models/' + FACE.repo_id, FACE.filename)]
    size = os.path.getsize(path)
    assert record.seen[-1].done == size and record.seen[-1].total == size
    assert live_hub.count('GET', FACE.filename) == 1
    from waifuc_ui.inference import detect_faces  # the real loader, reading what was downloaded
    assert len(detect_faces(solid(RED, (640, 640)))) == 1 and detect_faces(solid(BLUE, (640, 640))) == []
    # the detector's optional files are absent on the Hub: asked once each, then remembered as absent
    assert live_hub.count('HEAD', 'face_detect_v1.4_s/model_type.json') == 1
    before = list(live_hub.requests)
    assert Downloader().fetch(FACE) == path and resolve_file(FACE) == path
    assert resolve_file(HubFile(FACE.repo_id, 'face_detect_v1.4_s/threshold.json'), optional=True) is None
    assert live_hub.requests == before  # all from the cache now


def test_redirected_lfs_file_is_fetched_from_the_cdn_without_the_token(fake_hub, monkeypatch):
    monkeypatch.setenv('HF_TOKEN', 'hf_test_token')
    with FakeHubServer(lfs=True) as server:
        go_online(monkeypatch, server.url)
        server.add(BIG.repo_id, BIG.filename, PAYLOAD)
        downloader = Downloader()
        assert downloader.plan([BIG]).size_of([BIG]) == len(PAYLOAD)  # X-Linked-Size of the 302
        path = downloader.fetch(BIG)
        with open(path, 'rb') as f:
            assert f.read() == PAYLOAD
        assert server.count('GET', '/cdn/') == 1 and server.count('GET', '/resolve/') == 0
        assert ('HEAD', f'/{BIG.repo_id}/resolve/main/{BIG.filename}') in server.authorized  # the Hub gets it
        assert not [r for r in server.authorized if '/cdn/' in r[1]]  # the CDN (another origin) does not


def test_slow_but_progressing_transfer_completes_with_progress(live_hub):
    live_hub.add(BIG.repo_id, BIG.filename, PAYLOAD)
    live_hub.behave(BIG.filename, 'slow', chunk=4096, delay=0.03)  # ~130 KB/s, far above 1 KB/s
    record = Recorder()
    path = Downloader(stall_window=1.0, min_rate=1024).fetch(BIG, progress=record)
    assert os.path.getsize(path) == len(PAYLOAD)
    done = [p.done for p in record.seen]
    assert done == sorted(done) and len(set(done)) >= 3 and done[-1] == len(PAYLOAD)
    assert any(p.speed > 0 for p in record.seen)
    assert 'of 65.5 KB' in record.seen[1].text() and record.seen[1].text().startswith('Downloading model file 1/1')


def test_stalled_transfer_gives_up_with_the_fix_then_resumes(live_hub):
    live_hub.add(BIG.repo_id, BIG.filename, PAYLOAD)
    live_hub.behave(BIG.filename, 'stall', after=5000)
    with pytest.raises(ModelUnavailableError) as info:
        Downloader(stall_window=1.0, min_rate=1024).fetch(BIG, what='test model')
    msg = str(info.value)
    assert 'made no useful progress (under 1 KB/s for 1 s' in msg and 'test model' in msg
    assert 'hf download deepghs/x m/model.onnx' in msg
    assert try_to_load_from_cache(BIG.repo_id, BIG.filename, cache_dir=hub.cache_dir()) is None
    assert hub.HUB_ACCESS.reachable() == (True, '')  # a stall is not "unreachable"
    live_hub.behaviour.clear()
    path = Downloader(stall_window=1.0).fetch(BIG)
    with open(path, 'rb') as f:
        assert f.read() == PAYLOAD
    assert live_hub.ranges and live_hub.ranges[-1][1].startswith('bytes=') \
        and int(live_hub.ranges[-1][1][6:-1]) > 0  # the second transfer resumed the partial file


def test_trickle_below_the_minimum_rate_gives_up(live_hub):
    live_hub.add(BIG.repo_id, BIG.filename, PAYLOAD)
    live_hub.behave(BIG.filename, 'trickle', after=2000, delay=0.1)  # ~10 bytes/s: bytes flow, uselessly
    with pytest.raises(ModelUnavailableError, match='no useful progress'):
        Downloader(stall_window=1.0, min_rate=1024).fetch(BIG)


@pytest.mark.parametrize('kind', ['fail', 'fail_get'])
def test_failing_hub_is_a_clear_error(live_hub, kind):
    live_hub.add(BIG.repo_id, BIG.filename, PAYLOAD)
    live_hub.behave(BIG.filename, kind, status=503)
    with pytest.raises(ModelUnavailableError) as info:
        Downloader(stall_window=1.0).fetch(BIG)
    assert 'HTTP 503' in str(info.value) and 'hf download deepghs/x m/model.onnx' in str(info.value)


def test_missing_file_is_an_error_or_none_when_optional(live_hub):
    live_hub.add(BIG.repo_id, BIG.filename, PAYLOAD)
    gone = HubFile(BIG.repo_id, 'm/preprocess.json')
    with pytest.raises(ModelUnavailableError, match='the Hub says this file does not exist'):
        Downloader().fetch(gone)
    assert Downloader().fetch(gone, optional=True) is None
    assert hub.local_path(gone) == ''  # recorded as absent, as hf_hub_download does
    with pytest.raises(ModelUnavailableError, match='repository does not exist'):
        Downloader().fetch(HubFile('nobody/nothing', 'x.onnx'))


def test_a_path_that_leaves_the_repository_is_refused_before_any_request(live_hub):
    from waifuc_ui.core.errors import InvalidOptionError
    for bad in ('../../../../etc/passwd', 'm/../../x.onnx', '/etc/passwd', 'm//model.onnx'):
        with pytest.raises(InvalidOptionError, match='never ".." or an absolute path'):
            HubFile('deepghs/x', bad)
    with pytest.raises(InvalidOptionError):
        HubFile('../etc', 'model.onnx')
    assert live_hub.requests == []


def test_a_malformed_etag_from_the_server_never_becomes_a_path(live_hub, tmp_path):
    live_hub.add(BIG.repo_id, BIG.filename, PAYLOAD)
    live_hub.etag_override[BIG.filename] = '../../../escaped'
    with pytest.raises(ModelUnavailableError, match='malformed commit or ETag'):
        Downloader().fetch(BIG)
    cache = hub.cache_dir()
    written = [os.path.join(d, f) for d, _, fs in os.walk(os.path.dirname(cache)) for f in fs]
    assert not [p for p in written if 'escaped' in p]


def test_plan_reads_sizes_without_downloading(live_hub, model_source):
    live_hub.add_cache(model_source)
    files = [FACE, HubFile('SmilingWolf/wd-swinv2-tagger-v3', 'selected_tags.csv'),
             HubFile('deepghs/x', 'nope.onnx')]
    plan = Downloader().plan(files)
    assert plan.reachable
    sizes = {f: len(live_hub.files[(f'models/{f.repo_id}', f.filename)]) for f in files[:2]}
    assert plan.size_of(files[:2]) == sum(sizes.values())
    assert plan.absent(files) == [files[2]]
    assert live_hub.count("GET", "/resolve/") == 0 and live_hub.count('HEAD', '/resolve/') == 3


def test_plan_does_not_wait_twice_for_a_hub_that_does_not_answer(live_hub):
    slow, fine = HubFile('deepghs/x', 'hangs.onnx'), HubFile('deepghs/x', 'fine.onnx')
    live_hub.add(slow.repo_id, slow.filename, PAYLOAD)
    live_hub.add(fine.repo_id, fine.filename, PAYLOAD[:10])
    live_hub.behave(slow.filename, 'hang')
    downloader = Downloader(plan_deadline=0.5)
    for _ in range(3):
        plan = downloader.plan([slow, fine])
        assert plan.reachable and slow not in plan.remote and plan.remote[fine].size == 10
        assert plan.size_of([slow, fine]) is None  # unknown, not zero
    assert live_hub.count('HEAD', slow.filename) == 1  # the first HEAD still hangs: never asked again meanwhile
    assert live_hub.count('HEAD', fine.filename) == 1  # answered once, then from memory


def test_two_callers_share_one_transfer_and_see_the_same_progress(live_hub):
    live_hub.add(BIG.repo_id, BIG.filename, PAYLOAD)
    live_hub.behave(BIG.filename, 'slow', chunk=2048, delay=0.02)
    downloader = Downloader(stall_window=5.0)
    records, paths = [Recorder(), Recorder()], []
    threads = [threading.Thread(target=lambda r=r: paths.append(downloader.fetch(BIG, progress=r))) for r in records]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(paths) == 2 and paths[0] == paths[1]
    assert live_hub.count('GET', BIG.filename) == 1
    assert all(r.seen[-1].done == len(PAYLOAD) for r in records)
    assert all(len(r.seen) >= 3 for r in records)  # both watched the transfer, not only its end


def test_stop_ends_the_wait_and_the_transfer(live_hub):
    live_hub.add(BIG.repo_id, BIG.filename, PAYLOAD)
    live_hub.behave(BIG.filename, 'trickle', after=1000, delay=0.05)
    cancel = threading.Event()
    seen = []

    def stop_after_first(p):
        seen.append(p)
        cancel.set()
    downloader = Downloader(stall_window=60.0, min_rate=1)
    with pytest.raises(DownloadCancelled):
        downloader.fetch(BIG, progress=stop_after_first, cancel=cancel)
    assert seen and try_to_load_from_cache(BIG.repo_id, BIG.filename, cache_dir=hub.cache_dir()) is None
    live_hub.behaviour.clear()
    assert os.path.getsize(downloader.fetch(BIG)) == len(PAYLOAD)  # a new job starts after the stopped one


def test_fetch_all_reports_progress_over_the_batch(live_hub):
    a, b = HubFile('deepghs/x', 'a.onnx'), HubFile('deepghs/x', 'b.onnx')
    live_hub.add(a.repo_id, a.filename, PAYLOAD)
    live_hub.add(b.repo_id, b.filename, PAYLOAD[:1000])
    record = Recorder()
    out = Downloader().fetch_all([a, b, HubFile('deepghs/x', 'c.onnx')], progress=record,
                                 optional=[HubFile('deepghs/x', 'a.json')])
    assert out[a] is None and out[b] is None and isinstance(out[HubFile('deepghs/x', 'c.onnx')],
                                                            ModelUnavailableError)
    last_b = [p for p in record.seen if p.file == str(b)][-1]
    assert (last_b.index, last_b.count, last_b.batch_done) == (2, 4, len(PAYLOAD) + 1000)


# -- the reachability probe: decided within 3 s whatever the network does (127.0.0.1 only) -------------------------
def test_probe_refused_connection_is_unreachable(monkeypatch):
    url = refused_url()
    go_online(monkeypatch, url)
    ok, reason = hub.probe_hub()
    assert not ok and url in reason and 'ConnectError' in reason


def test_probe_silent_server_is_unreachable_within_the_deadline(monkeypatch):
    silent = SilentPort()
    url = silent.url
    try:
        go_online(monkeypatch, url)
        ok, reason = hub.probe_hub(deadline=0.5)
    finally:
        silent.close()
    assert not ok and reason == f'{url} did not answer within 0.5 s'


@pytest.mark.parametrize('status,reachable', [(200, True), (404, True), (503, False)])
def test_probe_answers_by_status(monkeypatch, status, reachable):
    with FakeHubServer(root_status=status) as server:
        go_online(monkeypatch, server.url)
        ok, reason = hub.probe_hub()
    assert ok is reachable
    assert (reason == '') if reachable else ('HTTP 503' in reason)


def test_offline_answer_is_probed_again_after_its_ttl(monkeypatch):
    answers = iter([(False, 'down'), (True, '')])
    access = hub.HubAccess(lambda: next(answers), fail_ttl=0.0)
    assert access.reachable() == (False, 'down')
    assert access.reachable() == (True, '')
