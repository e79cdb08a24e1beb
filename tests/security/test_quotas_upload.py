"""Per-request and per-session quotas of uploads, pixel and frame limits, and the shared decode slots (issue 9)."""

import threading
import zipfile

import pytest
from PIL import Image

from tests.security.hostile import long_gif, ordinary_jpeg
from waifuc_ui.core.image_io import BadImageError, DecodeSlots, open_image_file
from waifuc_ui.session import SessionRegistry
from waifuc_ui.session.quota import Quotas
from waifuc_ui.source.upload import UploadAllowance, UploadSource


@pytest.fixture
def registry_with(tmp_path):
    made = []

    def make(**quota_fields) -> SessionRegistry:
        registry = SessionRegistry(str(tmp_path / f"ws{len(made)}"), cache_dir=str(tmp_path / "cache"),
                                   public_mode=True, quotas=Quotas(**quota_fields))
        made.append(registry)
        return registry

    yield make
    for registry in made:
        registry.close_all()


def refused(result):
    return {r.path: r.reason for r in result.refused}


def jpegs(folder, count, size=(320, 240)):
    folder.mkdir(exist_ok=True)
    return [str(ordinary_jpeg(folder / f"p{k}.jpg", k, size)) for k in range(count)]


def test_two_files_over_the_request_limit_the_second_is_refused(tmp_path):
    a, b = jpegs(tmp_path / "in", 2)
    sizes = [(tmp_path / "in" / n).stat().st_size for n in ("p0.jpg", "p1.jpg")]
    allowance = UploadAllowance(request_bytes=sum(sizes) - 1)
    source = UploadSource([a, b], str(tmp_path / "work"), allowance=allowance)
    inspection = source.inspect()
    assert inspection.images == ["p0.jpg"]
    assert [(r.path, r.reason) for r in inspection.refused] == [(
        "p1.jpg", f"not read: the files of this request add up to more than {(sum(sizes) - 1) / 2 ** 20:.1f} MB, the "
                  "limit per upload on this public server; send fewer or smaller files at once")]
    assert allowance.used_upload == sizes[0] and allowance.used_disk == sizes[0]


def test_session_quotas_span_requests(registry_with, tmp_path):
    paths = jpegs(tmp_path / "in", 5)
    session = registry_with(session_images=3).create()
    first = session.inputs.add_uploads(paths[:2])
    second = session.inputs.add_uploads(paths[2:])
    assert len(first.records) == 2 and len(second.records) == 1
    limit = "not read: this session reached its limit of 3 images; reload the page for a new session"
    assert refused(second) == {"p3.jpg": limit, "p4.jpg": limit}
    assert session.quota.images == 3
    third = session.inputs.add_uploads(paths[:1])
    assert third.records == [] and list(refused(third)) == ["p0.jpg"]


def test_session_upload_bytes_are_counted_across_requests(registry_with, tmp_path):
    paths = jpegs(tmp_path / "in", 3)
    sizes = [len(open(p, "rb").read()) for p in paths]
    session = registry_with(session_upload_bytes=sizes[0] + sizes[1]).create()
    assert len(session.inputs.add_uploads(paths[:2]).records) == 2
    late = session.inputs.add_uploads(paths[2:])
    assert late.records == []
    assert refused(late) == {"p2.jpg": "not read: this session may upload "
                                       f"{(sizes[0] + sizes[1]) / 2 ** 20:.1f} MB in all and has 0.0 MB left; reload "
                                       "the page for a new session"}
    assert session.quota.uploaded == sizes[0] + sizes[1]


def test_session_disk_quota_holds_zip_extraction(registry_with, tmp_path):
    paths = jpegs(tmp_path / "in", 4)
    archive = tmp_path / "pack.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        for p in paths:
            zf.write(p, "pics/" + p.rsplit("/", 1)[1])
    unpacked = sum(zipfile.ZipFile(archive).getinfo(f"pics/p{k}.jpg").file_size for k in range(4))
    session = registry_with(session_disk_bytes=unpacked - 1).create()
    result = session.inputs.add_uploads([str(archive)])
    assert result.records == []
    assert refused(result) == {"pack.zip": f"archive would unpack to {unpacked} bytes, more than the "
                                           f"{unpacked - 1} bytes left of this session's disk quota"}
    assert session.quota.disk == 0 and not list((tmp_path / "ws0").rglob("*.jpg"))


def test_large_jpeg_comes_in_reduced_and_the_session_file_matches(registry_with, tmp_path):
    big = ordinary_jpeg(tmp_path / "big.jpg", 1, size=(2000, 1500))
    session = registry_with(max_pixels=1_000_000).create()
    (record,) = session.inputs.add_uploads([str(big)]).records
    assert (record.width, record.height) == (1000, 750)
    with Image.open(record.file) as stored:
        assert stored.size == (1000, 750)
    assert (tmp_path / "big.jpg").stat().st_size > record.file_bytes  # the original is untouched, not replaced


def test_png_over_the_pixel_limit_is_refused_from_its_header(registry_with, tmp_path):
    Image.new("RGBA", (1200, 1000)).save(tmp_path / "wide.png")
    session = registry_with(max_pixels=1_000_000).create()
    result = session.inputs.add_uploads([str(tmp_path / "wide.png")])
    assert result.records == []
    assert refused(result) == {"wide.png": "image of 1200000 pixels exceeds the limit of 1000000 pixels"}


def test_long_gif_is_refused_without_reading_every_frame(tmp_path):
    gif = long_gif(tmp_path / "long.gif", 40)
    with pytest.raises(BadImageError) as caught:
        open_image_file(gif, max_frames=10)
    assert caught.value.reason == "animated image of more than 11 frames exceeds the limit of 10 frames"
    assert open_image_file(gif, max_frames=40).n_frames == 40


def test_decode_slots_block_the_third_heavy_decode():
    slots = DecodeSlots(2, heavy_pixels=100)
    inside, release = threading.Barrier(3), threading.Event()

    def hold():
        with slots.hold(1000):
            inside.wait()
            release.wait()

    workers = [threading.Thread(target=hold) for _ in range(2)]
    for w in workers:
        w.start()
    inside.wait()  # both holders are inside
    assert slots._slots.acquire(blocking=False) is False  # a third heavy decode would wait
    with slots.hold(50):  # a small image does not wait
        pass
    release.set()
    for w in workers:
        w.join()
    assert slots.peak == 2 and slots._slots.acquire(blocking=False) is True


def test_slots_belong_to_the_registry_and_bound_concurrent_sessions(registry_with, tmp_path):
    one, other = registry_with(heavy_decodes=2, heavy_pixels=10_000), registry_with()
    assert one.decode_slots is not other.decode_slots
    sessions = [one.create() for _ in range(4)]
    assert all(s.quota.decode_slots is one.decode_slots for s in sessions)
    paths = [jpegs(tmp_path / f"in{k}", 6) for k in range(4)]
    results = [None] * 4

    def upload(k):
        results[k] = sessions[k].inputs.add_uploads(paths[k])

    workers = [threading.Thread(target=upload, args=(k,)) for k in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert [len(r.records) for r in results] == [6, 6, 6, 6]
    assert 1 <= one.decode_slots.peak <= 2
