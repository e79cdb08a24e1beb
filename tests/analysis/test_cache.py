import os

import numpy as np
import pytest

from waifuc_ui.analysis import AnalysisCache, NullAnalysisCache, key_id, use_analysis_cache
from waifuc_ui.analysis.codec import CorruptEntry, decode, encode
from waifuc_ui.analysis.context import current_analysis_cache

KEY = {"func": "anime_classify_score", "model": "m", "files": ["abc"]}


def test_codec_roundtrip_keeps_structure_floats_and_arrays():
    feat = np.arange(12, dtype=np.float32).reshape(3, 4) / 7
    value = {"scores": {"3d": 0.1234567890123, "comic": 1e-9}, "boxes": [((1, 2, 3, 4), "face", 0.5)],
             "feat": feat, "n": np.int64(3), "flag": True, "none": None}
    back = decode(encode(value))
    assert back["scores"] == {"3d": 0.1234567890123, "comic": 1e-9}
    assert back["boxes"] == [[[1, 2, 3, 4], "face", 0.5]]
    assert back["n"] == 3 and back["flag"] is True and back["none"] is None
    assert back["feat"].dtype == np.float32 and back["feat"].shape == (3, 4)
    assert np.array_equal(back["feat"], feat)
    assert not back["feat"].flags.writeable


def test_codec_refuses_truncated_and_foreign_bytes():
    data = encode({"a": np.ones(10, dtype=np.float32)})
    with pytest.raises(CorruptEntry):
        decode(data[:-3])
    with pytest.raises(CorruptEntry):
        decode(b"garbage")
    with pytest.raises(TypeError, match="cannot cache a set"):
        encode({1, 2})


def test_cache_put_get_survives_a_new_cache_object(tmp_path):
    c1 = AnalysisCache(tmp_path)
    c1.put("ab" * 16, KEY, {"x": 1.5})
    assert c1.get("ab" * 16, KEY) == {"x": 1.5}
    assert c1.stats.memory_hits == 1
    c2 = AnalysisCache(tmp_path)
    assert c2.get("ab" * 16, KEY) == {"x": 1.5}
    assert c2.stats.disk_hits == 1
    assert c2.get("cd" * 16, KEY) is None
    assert c2.get("ab" * 16, {**KEY, "model": "other"}) is None
    assert c2.stats.misses == 2
    # the key is described next to its entries
    assert (tmp_path / key_id(KEY) / "key.json").is_file()


def test_key_id_ignores_dict_order_but_not_values():
    assert key_id({"a": 1, "b": [1, 2]}) == key_id({"b": [1, 2], "a": 1})
    assert key_id({"a": 1}) != key_id({"a": 2})


def test_corrupt_entry_is_a_miss_and_is_removed(tmp_path):
    c = AnalysisCache(tmp_path)
    c.put("ef" * 16, KEY, [1, 2, 3])
    path = tmp_path / key_id(KEY) / "ef" / ("ef" * 16 + ".bin")
    path.write_bytes(path.read_bytes()[:-1])
    fresh = AnalysisCache(tmp_path)
    assert fresh.get("ef" * 16, KEY, default="miss") == "miss"
    assert fresh.stats.corrupt == 1
    assert not path.exists()


def test_cache_folder_deleted_while_in_use(tmp_path):
    import shutil

    c = AnalysisCache(tmp_path / "cache", memory_bytes=0)
    c.put("01" * 16, KEY, {"v": 1})
    shutil.rmtree(tmp_path / "cache")
    assert c.get("01" * 16, KEY) is None
    c.put("02" * 16, KEY, {"v": 2})  # recreates the folders
    assert AnalysisCache(tmp_path / "cache").get("02" * 16, KEY) == {"v": 2}


def test_disk_is_bounded_oldest_entries_go_first(tmp_path):
    blob = np.zeros(1000, dtype=np.float32)  # ~4 KB per entry
    c = AnalysisCache(tmp_path, max_bytes=20_000, memory_bytes=0)
    hashes = [f"{i:02x}" * 16 for i in range(10)]
    for n, h in enumerate(hashes):
        c.put(h, KEY, blob)
        p = tmp_path / key_id(KEY) / h[:2] / f"{h}.bin"
        os.utime(p, (1000 + n, 1000 + n))  # make the age order explicit
    assert c.disk_bytes() <= 20_000
    survivors = [h for h in hashes if c.get(h, KEY) is not None]
    assert survivors == hashes[-len(survivors):]  # the newest survive
    assert 2 <= len(survivors) < 10
    assert c.stats.evicted == 10 - len(survivors)


def test_memory_lru_is_bounded(tmp_path):
    c = AnalysisCache(tmp_path, memory_bytes=40_000)
    for i in range(20):
        c.put(f"{i:02x}" * 16, KEY, np.zeros(2000, dtype=np.float32))  # 8 KB each
    assert c._memory_used <= 40_000
    assert len(c._memory) == 4


def test_null_cache_never_hits():
    c = NullAnalysisCache()
    c.put("00" * 16, KEY, 1)
    assert c.get("00" * 16, KEY) is None


def test_use_analysis_cache_context(tmp_path):
    with use_analysis_cache(tmp_path) as c:
        assert current_analysis_cache() is c
        assert c.directory == tmp_path
        with use_analysis_cache(None) as inner:
            assert isinstance(current_analysis_cache(), NullAnalysisCache) and inner is current_analysis_cache()
        assert current_analysis_cache() is c
    assert current_analysis_cache().directory == __import__("pathlib").Path(os.environ["WAIFUC_UI_CACHE_DIR"])
