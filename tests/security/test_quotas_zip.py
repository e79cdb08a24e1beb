"""Every zip-bomb form is refused before it is written: overlapping entries, ratio against the archive's real size,
lying headers, entry count, and the session's disk quota (issue 9, item 5)."""

import os
import struct
import zipfile

from tests.security.hostile import low_entropy_bytes, overlapping_zip
from waifuc_ui.source.archive import ArchiveLimits, extract_zip


def files_under(root):
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)


def reasons(result):
    return [(r.path, r.reason) for r in result.refused]


def test_entries_sharing_one_body_are_refused_before_anything_is_written(tmp_path):
    # tiny: three names for one 2 KB stored body; below every size and ratio limit, only the overlap tells
    archive = overlapping_zip(tmp_path / "same.zip", 3, os.urandom(2000), name="a.png",
                              compression=zipfile.ZIP_STORED)
    assert len(zipfile.ZipFile(archive).infolist()) == 3
    result = extract_zip(str(archive), str(tmp_path / "out"))
    assert reasons(result) == [("same.zip", "entries 'a.png' and 'a.png' overlap in the archive (one compressed "
                                            "body unpacked many times: zip bomb?)")]
    assert result.files == [] and not (tmp_path / "out").exists()


def test_entry_whose_data_covers_the_next_header_is_refused(tmp_path):
    archive = tmp_path / "quoted.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.bin", b"A" * 100)
        zf.writestr("b.bin", b"B" * 100)
    data = bytearray(archive.read_bytes())
    first = data.index(b"PK\x01\x02")  # central record of a.bin: stretch its sizes over b.bin's local header
    data[first + 20:first + 28] = struct.pack("<2L", 200, 200)
    archive.write_bytes(bytes(data))
    result = extract_zip(str(archive), str(tmp_path / "out"))
    assert reasons(result) == [("quoted.zip", "entries 'a.bin' and 'b.bin' overlap in the archive (one "
                                              "compressed body unpacked many times: zip bomb?)")]
    assert not (tmp_path / "out").exists()


def test_the_issue_bomb_500_entries_one_body_writes_nothing(tmp_path):
    # the shape of the issue's bomb (500 x 2.1 MB from one ~40 KB body); refused as a whole, not after 1 GB
    archive = overlapping_zip(tmp_path / "bomb.zip", 500, low_entropy_bytes(2_100_000, 120))
    assert os.path.getsize(archive) < 100_000
    result = extract_zip(str(archive), str(tmp_path / "out"))
    ((path, reason),) = reasons(result)
    assert path == "bomb.zip" and "overlap in the archive" in reason
    assert not (tmp_path / "out").exists()


def test_ratio_is_measured_against_the_archive_size_on_disk(tmp_path, monkeypatch):
    # with the overlap check out of the way, the declared total against the file's real size still refuses it
    monkeypatch.setattr("waifuc_ui.source.archive._layout_problem", lambda archive, infos: None)
    archive = overlapping_zip(tmp_path / "bomb.zip", 60, low_entropy_bytes(200_000, 40))
    per_entry = [i.file_size / i.compress_size for i in zipfile.ZipFile(archive).infolist()]
    assert max(per_entry) < 100  # every entry alone looks harmless
    result = extract_zip(str(archive), str(tmp_path / "out"), ArchiveLimits(max_ratio=100))
    size = os.path.getsize(archive)
    assert reasons(result) == [("bomb.zip", f"archive would unpack to 12000000 bytes, {12_000_000 / size:.0f} times "
                                            f"its {size} bytes, over the limit of 100:1 (zip bomb?)")]
    assert not (tmp_path / "out").exists()


def test_streaming_stops_at_the_archive_ratio_when_headers_are_bypassed(tmp_path, monkeypatch):
    monkeypatch.setattr("waifuc_ui.source.archive._layout_problem", lambda archive, infos: None)
    monkeypatch.setattr("waifuc_ui.source.archive._whole_archive_problem", lambda infos, limits: None)
    monkeypatch.setattr("waifuc_ui.source.archive._real_ratio_problem", lambda infos, limits, size: None)
    archive = overlapping_zip(tmp_path / "bomb.zip", 60, low_entropy_bytes(200_000, 40))
    size = os.path.getsize(archive)
    result = extract_zip(str(archive), str(tmp_path / "out"), ArchiveLimits(max_ratio=100))
    written = sum(os.path.getsize(os.path.join(tmp_path / "out", f)) for f in files_under(tmp_path / "out"))
    assert written <= 100 * size  # never more than the ratio allows
    refused = reasons(result)
    assert refused and refused[0][1] == "archive unpacks to over 100 times its size (zip bomb?)"
    assert len(result.files) + len(refused) == 60


def test_deflated_entry_with_understated_size_is_named_a_lying_header(tmp_path):
    archive = tmp_path / "liar.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.bin", b"A" * 50_000)
    data = bytearray(archive.read_bytes())
    central = data.rindex(b"PK\x01\x02")
    data[central + 24:central + 28] = (1000).to_bytes(4, "little")  # uncompressed size: 1000, the stream has 50000
    archive.write_bytes(bytes(data))
    result = extract_zip(str(archive), str(tmp_path / "out"))
    assert reasons(result) == [("liar.zip/big.bin",
                                "entry holds more data than the 1000 bytes its header declares (zip bomb?)")]
    assert files_under(tmp_path / "out") == []


def test_session_disk_budget_refuses_an_archive_that_would_not_fit(tmp_path):
    archive = tmp_path / "pack.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        for k in range(3):
            zf.writestr(f"{k}.bin", os.urandom(4000))
    result = extract_zip(str(archive), str(tmp_path / "out"), ArchiveLimits(budget_bytes=10_000))
    assert reasons(result) == [("pack.zip", "archive would unpack to 12000 bytes, more than the 10000 bytes left "
                                            "of this session's disk quota")]
    assert not (tmp_path / "out").exists()
