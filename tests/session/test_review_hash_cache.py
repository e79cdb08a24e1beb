"""Perceptual hashes live in the analysis cache on disk: a second review, in a fresh session of a new registry (a
new cache object: nothing in memory) and in a new process, computes none of them; the HashDedupAction step reads
the same entries. The keeper order (read from the files) is cached the same way."""

import importlib
import json
import os
import subprocess
import sys

import pytest
from test_review_settles import copy_demo

from waifuc_ui.analysis import perceptual
from waifuc_ui.session import SessionRegistry

originality = importlib.import_module("waifuc_ui.analysis.originality")  # the module (the package exports a function)

NAMES = ["aoi_01.png", "aoi_04.jpg", "beni_01.png", "kiiro_01.png"]
COPIES = [("aoi_01.png", "aoi_01_q60.jpg", 60), ("beni_01.png", "beni_01_q50.jpg", 50)]


@pytest.fixture
def counted(monkeypatch):
    """Counts the perceptual hashes computed (the real functions run)."""
    calls = []
    for method, real in list(perceptual.HASHERS.items()):
        def counting(image, real=real, method=method):
            calls.append(method)
            return real(image)

        monkeypatch.setitem(perceptual.HASHERS, method, counting)
    return calls


def review(registry, folder, with_step):
    s = registry.create()
    s.inputs.add_folder(folder)
    if with_step:
        s.pipeline.add_step("HashDedupAction")
    s.runs.start()
    view = s.duplicates.groups(method="phash")
    return s, sorted(sorted(s.duplicates.name(i) for i in g.ids) for g in view.groups)


def test_a_fresh_session_reads_the_hashes_from_the_disk_cache(tmp_path, counted, monkeypatch):
    examined = []
    real_examine = originality._examine
    monkeypatch.setattr(originality, "_examine", lambda path, size: examined.append(path) or real_examine(path, size))
    folder = copy_demo(str(tmp_path / "images"), NAMES, COPIES)
    cache_dir = str(tmp_path / "cache")
    first = SessionRegistry(str(tmp_path / "ws1"), ttl_seconds=60, cache_dir=cache_dir)
    try:
        _, groups = review(first, folder, with_step=False)
    finally:
        first.close_all()
    assert groups == [["aoi_01.png", "aoi_01_q60.jpg"], ["beni_01.png", "beni_01_q50.jpg"]]
    assert counted == ["phash"] * 6  # once per image
    assert len(examined) >= 4  # the keeper of each group read from its files

    counted.clear()
    examined.clear()
    second = SessionRegistry(str(tmp_path / "ws2"), ttl_seconds=60, cache_dir=cache_dir)
    try:
        s, again = review(second, folder, with_step=True)  # the dedup step too reads the cached entries
        stats = s._analysis_cache.stats
    finally:
        second.close_all()
    assert again == groups and counted == [] and examined == []
    assert stats.disk_hits >= 6 and stats.writes == 0


SCRIPT = """
import json, sys
from waifuc_ui.analysis import perceptual
from waifuc_ui.session import SessionRegistry
calls = []
real = perceptual.HASHERS["phash"]
perceptual.HASHERS["phash"] = lambda image: calls.append(1) or real(image)
reg = SessionRegistry(sys.argv[1], ttl_seconds=60, cache_dir=sys.argv[2])
s = reg.create()
s.inputs.add_folder(sys.argv[3])
s.runs.start()
view = s.duplicates.groups(method="phash")
print(json.dumps({"computed": len(calls), "groups": len(view.groups)}))
reg.close_all()
"""


def test_a_new_process_computes_no_hash_of_images_reviewed_before(tmp_path):
    folder = copy_demo(str(tmp_path / "images"), NAMES, COPIES)
    env = dict(os.environ, PYTHONPATH=os.getcwd())

    def run(ws):
        out = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / ws), str(tmp_path / "cache"), folder],
                             capture_output=True, text=True, env=env, timeout=300, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    assert run("ws1") == {"computed": 6, "groups": 2}
    assert run("ws2") == {"computed": 0, "groups": 2}
