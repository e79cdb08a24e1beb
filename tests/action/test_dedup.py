import io

import pytest
from action_helpers import noise_image
from PIL import Image

from waifuc_ui.action import HashDedupAction
from waifuc_ui.action.dedup import duplicate_groups, find_duplicates
from waifuc_ui.action.image_hashes import HashIndex, dhash, hamming, phash
from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.model import ImageItem


def _jpeg(image, quality=80):
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue()))


def _item(image, name, **meta):
    return ImageItem(image, {"filename": name, **meta})


def test_perceptual_hashes_are_64_bit_and_close_for_copies():
    a = noise_image(5, (640, 480))
    for h in (phash, dhash):
        assert 0 <= h(a) < 2 ** 64
        assert hamming(h(a), h(a.resize((320, 240)))) <= 6
        assert hamming(h(a), h(noise_image(6, (640, 480)))) >= 15
    assert hamming(0b1011, 0b0001) == 2


def test_hash_index_finds_the_nearest_like_a_scan():
    import random

    rng = random.Random(0)
    keys = [rng.getrandbits(64) for _ in range(300)] + [(1 << 64) - 1, 0]
    index = HashIndex()
    assert index.nearest(5, 64) is None
    for i, k in enumerate(keys):
        index.add(k, i)
    assert len(index) == 302
    for probe in keys[:20] + [rng.getrandbits(64) for _ in range(20)]:
        for radius in (0, 10, 28):
            best = min((hamming(probe, k), i) for i, k in enumerate(keys))
            assert index.nearest(probe, radius) == (best if best[0] <= radius else None)
    assert list(index.distances(keys[0])[:2]) == [0, hamming(keys[0], keys[1])]


def test_action_drops_exact_and_near_duplicates_with_duplicate_of(run):
    a, b = noise_image(10, (640, 480)), noise_image(11, (640, 480))
    items = [_item(a, "a.png"), _item(b, "b.png"), _item(a.copy(), "a_copy.png"),
             _item(a.resize((320, 240)), "a_small.png"), _item(_jpeg(b), "b.jpg")]
    out, report = run(items, HashDedupAction(max_distance=8))
    assert [i.meta["filename"] for i in out] == ["a.png", "b.png"]
    drops = [(d.filename, d.duplicate_of, d.score) for d in report.dropped]
    assert drops[0] == ("a_copy.png", "a.png", 0.0)
    assert report.dropped[0].reason == "exact duplicate of a.png"
    assert [d[:2] for d in drops[1:]] == [("a_small.png", "a.png"), ("b.jpg", "b.png")]
    assert all(d.score <= 8 and d.threshold == 8.0 for d in report.dropped[1:])
    assert report.dropped[1].reason.startswith("near duplicate of a.png (")


def test_max_distance_zero_drops_exact_only(run):
    a = noise_image(10, (640, 480))
    items = [_item(a, "a.png"), _item(a.resize((320, 240)), "small.png"), _item(a.copy(), "same.png")]
    out, report = run(items, HashDedupAction(max_distance=0))
    assert [i.meta["filename"] for i in out] == ["a.png", "small.png"]
    assert [(d.filename, d.duplicate_of) for d in report.dropped] == [("same.png", "a.png")]


def test_group_mode_compares_within_group_id_only(run):
    a = noise_image(3)
    items = [_item(a, "1.png", group_id="p1"), _item(a, "2.png", group_id="p2"), _item(a, "3.png", group_id="p1")]
    out, report = run(items, HashDedupAction(mode="group"))
    assert [i.meta["filename"] for i in out] == ["1.png", "2.png"]
    assert report.dropped[0].duplicate_of == "1.png"
    out_all, _ = run(items, HashDedupAction(mode="all"))
    assert [i.meta["filename"] for i in out_all] == ["1.png"]


def test_the_action_is_a_template_state_resets_each_run(run):
    items = [_item(noise_image(1), "x.png")]
    action = HashDedupAction()
    assert len(run(items, action)[0]) == 1
    assert len(run(items, action)[0]) == 1


def test_pure_grouping_matches_the_action():
    entries = [("a", "00" * 16, 0b0), ("b", "11" * 16, 0b111), ("c", "00" * 16, 0b1),
               ("d", "22" * 16, 0b1111), ("e", "33" * 16, (1 << 63) | (1 << 40) | (1 << 20) | (1 << 10))]
    matches = find_duplicates(entries, max_distance=2)
    assert [(m.key, m.kept, m.distance, m.exact) for m in matches] == [
        ("c", "a", 0, True), ("d", "b", 1, False)]
    assert duplicate_groups(entries, max_distance=2) == [["a", "c"], ["b", "d"]]
    assert duplicate_groups(entries, max_distance=0) == [["a", "c"]]
    # at distance 3, 'b' (3 bits from 'a') is a duplicate of 'a', and 'd' is 1 from the dropped 'b'
    # but 4 from 'a': only kept items count, so 'd' stays
    assert duplicate_groups(entries, max_distance=3) == [["a", "b", "c"]]


def test_bad_options_name_the_choices():
    with pytest.raises(InvalidOptionError, match="'all', 'group'"):
        HashDedupAction(mode="global")
    with pytest.raises(InvalidOptionError, match="max_distance"):
        HashDedupAction(max_distance=65)
    with pytest.raises(InvalidOptionError, match="'phash', 'dhash'"):
        HashDedupAction(method="md5")


def test_default_distance_is_conservative(run):
    assert HashDedupAction().max_distance == 4
    a = noise_image(10, (640, 480))
    out, report = run([_item(a, "a.png"), _item(_jpeg(a, 90), "a.jpg")], HashDedupAction())
    assert [i.meta["filename"] for i in out] == ["a.png"]
    assert report.dropped[0].duplicate_of == "a.png" and report.dropped[0].score <= 4


def test_hash_entries_of_images_group_like_the_action(run):
    from waifuc_ui.action.dedup import hash_entry

    a, b = noise_image(20, (320, 240)), noise_image(21, (320, 240))
    images = {"a": a, "b": b, "a2": a.copy(), "b_small": b.resize((160, 120))}
    entries = [hash_entry(k, im) for k, im in images.items()]
    assert duplicate_groups(entries, max_distance=4) == [["a", "a2"], ["b", "b_small"]]
    out, report = run([_item(im, k) for k, im in images.items()], HashDedupAction(max_distance=4))
    assert [(d.filename, d.duplicate_of) for d in report.dropped] == [("a2", "a"), ("b_small", "b")]


def test_reasons_name_files_or_places_never_internal_ids(run):
    a = noise_image(10, (640, 480))
    items = [ImageItem(a, {"item_id": "in00007"}), ImageItem(a.copy(), {"item_id": "in00009"}),
             _item(a.copy(), "named.png")]
    out, report = run(items, HashDedupAction())
    assert len(out) == 1
    assert [(d.reason, d.duplicate_of) for d in report.dropped] == [("exact duplicate of image #1", "image #1")] * 2
    assert not any("in0000" in d.reason for d in report.dropped)
