"""extract_zip: nothing is written outside the folder; every refused entry has its exact reason."""

import io
import os
import stat
import zipfile

import pytest
from PIL import Image

from waifuc_ui.source.archive import ArchiveLimits, entry_name, extract_zip, safe_parts


def png_bytes(color="red", size=(8, 8)):
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def make_zip(path, entries, compression=zipfile.ZIP_DEFLATED):
    """entries: (name or ZipInfo, bytes). Names are stored as given, unsanitised."""
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in entries:
            info = name if isinstance(name, zipfile.ZipInfo) else zipfile.ZipInfo(name)
            info.compress_type = compression
            zf.writestr(info, data)
    return path


def patch_bytes(path, old, new):
    """Rewrite raw bytes in a zip (e.g. a name, in both local and central headers)."""
    assert len(old) == len(new)
    data = path.read_bytes()
    assert data.count(old) == 2
    path.write_bytes(data.replace(old, new))


def files_under(root):
    return sorted(os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) for f in fs)


@pytest.fixture
def sandbox(tmp_path):
    """tmp_path/in (archives), tmp_path/out (destination); tests check tmp_path as a whole."""
    (tmp_path / "in").mkdir()
    return tmp_path


def extract(sandbox, entries, limits=ArchiveLimits(), **kwargs):
    archive = make_zip(sandbox / "in" / "pack.zip", entries, **kwargs)
    return extract_zip(str(archive), str(sandbox / "out"), limits)


def reasons(result):
    return [(r.path, r.reason) for r in result.refused]


def test_good_entries_are_extracted_with_folders(sandbox):
    result = extract(sandbox, [("a.png", png_bytes()), ("sub/b.png", png_bytes("blue")),
                               ("sub/", b""), (".b_meta.json", b"{}")])
    assert files_under(sandbox / "out") == [".b_meta.json", "a.png", os.path.join("sub", "b.png")]
    assert result.refused == []
    assert [os.path.relpath(f, sandbox / "out") for f in result.files] == ["a.png", os.path.join("sub", "b.png"),
                                                                          ".b_meta.json"]
    assert (sandbox / "out" / "sub" / "b.png").read_bytes() == png_bytes("blue")


def test_escaping_paths_are_refused_and_nothing_is_written_outside(sandbox):
    absolute_target = f"{sandbox}/abs.png"
    result = extract(sandbox, [
        ("../evil.png", png_bytes()),
        ("a/../../evil2.png", png_bytes()),
        ("..\\evil3.png", png_bytes()),
        (absolute_target, png_bytes()),
        ("C:\\win.png", png_bytes()),
        ("ok.png", png_bytes()),
    ])
    outside = "path with '..' (would be written outside the extraction folder)"
    absolute = "absolute path (would be written outside the extraction folder)"
    assert reasons(result) == [
        ("pack.zip/../evil.png", outside),
        ("pack.zip/a/../../evil2.png", outside),
        ("pack.zip/..\\evil3.png", outside),
        (f"pack.zip/{absolute_target}", absolute),
        ("pack.zip/C:\\win.png", absolute),
    ]
    assert files_under(sandbox) == [os.path.join("in", "pack.zip"), os.path.join("out", "ok.png")]


def test_symlink_entries_are_never_created(sandbox):
    link = zipfile.ZipInfo("link.png")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    result = extract(sandbox, [(link, b"/etc/passwd"), ("ok.png", png_bytes())])
    assert reasons(result) == [("pack.zip/link.png", "symbolic link (links are never extracted)")]
    assert files_under(sandbox / "out") == ["ok.png"]
    assert not os.path.islink(sandbox / "out" / "link.png")


def test_nested_archives_are_refused_by_name_and_by_content(sandbox):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("x.png", png_bytes())
    result = extract(sandbox, [("inner.zip", inner.getvalue()), ("disguised.png", inner.getvalue()),
                               ("comic.CBZ", inner.getvalue()), ("ok.png", png_bytes())])
    nested = "nested archive (archives inside archives are not opened)"
    assert reasons(result) == [("pack.zip/inner.zip", nested), ("pack.zip/disguised.png", nested),
                               ("pack.zip/comic.CBZ", nested)]
    assert files_under(sandbox / "out") == ["ok.png"]


def test_names_utf8_with_and_without_flag_and_cp437_fallback(sandbox):
    archive = make_zip(sandbox / "in" / "names.zip", [
        ("XX.png", png_bytes()),        # becomes UTF-8 'é.png' without the 0x800 flag
        ("YYYY.png", png_bytes()),      # becomes Shift-JIS bytes of 'テス': not UTF-8 -> cp437
        ("日本.png", png_bytes()),       # zipfile writes this one with the 0x800 flag
    ])
    patch_bytes(archive, b"XX.png", "é.png".encode())
    patch_bytes(archive, b"YYYY.png", b"\x83\x65\x83\x58.png")
    with zipfile.ZipFile(archive) as zf:
        flags = [bool(i.flag_bits & 0x800) for i in zf.infolist()]
        names = [entry_name(i) for i in zf.infolist()]
    assert flags == [False, False, True]
    assert names == ["é.png", b"\x83\x65\x83\x58".decode("cp437") + ".png", "日本.png"]
    result = extract_zip(str(archive), str(sandbox / "out"))
    assert result.refused == []
    assert files_under(sandbox / "out") == sorted(names)


def test_flagged_utf8_name_that_is_not_utf8_refuses_the_archive(sandbox):
    archive = make_zip(sandbox / "in" / "bad.zip", [("日.png", png_bytes())])
    patch_bytes(archive, "日.png".encode(), b"\xff\xfe\xfd.png")
    result = extract_zip(str(archive), str(sandbox / "out"))
    ((path, reason),) = reasons(result)
    assert path == "bad.zip" and reason.startswith("not a readable zip archive: ")
    assert not os.path.exists(sandbox / "out")


def test_control_and_nul_characters_are_refused():
    assert safe_parts("a\x01b.png") == (None, "name contains control characters")
    assert safe_parts("a\x00b.png") == (None, "name contains a NUL character")
    assert safe_parts("./a//b/./c.png") == (["a", "b", "c.png"], None)


def test_bomb_by_total_size_refuses_the_archive(sandbox):
    limits = ArchiveLimits(max_total_bytes=10_000)
    result = extract(sandbox, [("a.bin", os.urandom(6000)), ("b.bin", os.urandom(6000))], limits)
    assert reasons(result) == [("pack.zip", "archive would unpack to 12000 bytes, more than the limit of "
                                            "10000 bytes")]
    assert not os.path.exists(sandbox / "out")


def test_bomb_by_entry_count_refuses_the_archive(sandbox):
    limits = ArchiveLimits(max_entries=5)
    result = extract(sandbox, [(f"{i}.png", png_bytes()) for i in range(6)], limits)
    assert reasons(result) == [("pack.zip", "archive holds 6 entries, more than the limit of 5")]
    assert not os.path.exists(sandbox / "out")


def test_bomb_by_archive_ratio_refuses_the_archive(sandbox):
    result = extract(sandbox, [("zeros.bmp", bytes(4 * 1024 * 1024))])
    ((path, reason),) = reasons(result)
    assert path == "pack.zip"
    assert reason.startswith("archive compression ratio ") and reason.endswith(
        ":1 exceeds the limit of 200:1 (zip bomb?)")
    assert not os.path.exists(sandbox / "out")


def test_bomb_by_entry_ratio_is_caught_while_streaming(sandbox):
    # the archive as a whole looks harmless (random data dominates); one entry is a bomb
    limits = ArchiveLimits(max_ratio=10, ratio_floor_bytes=1000)
    archive = sandbox / "in" / "mixed.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("noise.bin", os.urandom(200_000), zipfile.ZIP_STORED)
        zf.writestr("zeros.bin", bytes(300_000), zipfile.ZIP_DEFLATED)
    result = extract_zip(str(archive), str(sandbox / "out"), limits)
    assert reasons(result) == [("mixed.zip/zeros.bin", "compression ratio over 10:1 (zip bomb?)")]
    assert files_under(sandbox / "out") == ["noise.bin"]


def test_header_that_understates_the_size_is_refused_and_removed(sandbox):
    archive = make_zip(sandbox / "in" / "liar.zip", [("big.bin", b"A" * 5000)], zipfile.ZIP_STORED)
    data = bytearray(archive.read_bytes())
    central = data.rindex(b"PK\x01\x02")
    data[central + 24:central + 28] = (100).to_bytes(4, "little")  # uncompressed size in the central header
    archive.write_bytes(bytes(data))
    result = extract_zip(str(archive), str(sandbox / "out"))
    # a stored entry that declares 100 bytes but holds 5000 is refused before anything is written
    assert reasons(result) == [("liar.zip/big.bin",
                                "entry holds more data than the 100 bytes its header declares (zip bomb?)")]
    assert files_under(sandbox / "out") == []


def test_streaming_total_limit_stops_the_rest(sandbox, monkeypatch):
    # with the check of the declared total bypassed, the count while streaming still stops at the limit
    limits = ArchiveLimits(max_total_bytes=25_000)
    archive = make_zip(sandbox / "in" / "pack.zip", [(f"{i}.bin", os.urandom(10_000)) for i in range(3)],
                       zipfile.ZIP_STORED)
    monkeypatch.setattr("waifuc_ui.source.archive._whole_archive_problem", lambda infos, limits: None)
    result = extract_zip(str(archive), str(sandbox / "out"), limits)
    assert reasons(result) == [("pack.zip/2.bin", "archive exceeds its limit of 25000 bytes unpacked")]
    assert files_under(sandbox / "out") == ["0.bin", "1.bin"]


def test_not_a_zip_and_encrypted_entries(sandbox):
    fake = sandbox / "in" / "fake.zip"
    fake.write_bytes(b"not a zip at all")
    result = extract_zip(str(fake), str(sandbox / "out"))
    assert reasons(result) == [("fake.zip", "not a readable zip archive: File is not a zip file")]
    archive = make_zip(sandbox / "in" / "enc.zip", [("secret.png", png_bytes()), ("ok.png", png_bytes())])
    data = bytearray(archive.read_bytes())
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = data.index(sig)  # first entry's local and central headers: set the encryption bit
        data[start + offset] |= 0x1
    archive.write_bytes(bytes(data))
    result = extract_zip(str(archive), str(sandbox / "out"))
    assert reasons(result) == [("enc.zip/secret.png", "encrypted entry (password-protected files are not "
                                                       "supported)")]
    assert files_under(sandbox / "out") == ["ok.png"]


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_duplicate_names_and_tool_clutter(sandbox):
    result = extract(sandbox, [("a.png", png_bytes("red")), ("a.png", png_bytes("blue")),
                               ("__MACOSX/._a.png", b"\0\5\26\7"), ("sub/.DS_Store", b"Bud1")])
    assert result.refused == []
    assert files_under(sandbox / "out") == ["a.png", "a_1.png"]
    assert (sandbox / "out" / "a_1.png").read_bytes() == png_bytes("blue")


def test_macos_metadata_is_listed_once_per_archive(sandbox):
    from waifuc_ui.source.archive import is_macos_metadata

    result = extract(sandbox, [("a.png", png_bytes("red")), ("__MACOSX/._a.png", b"\0\5\26\7"),
                               ("sub/._b.png", b"\0\5\26\7"), ("sub/.DS_Store", b"Bud1")])
    assert result.refused == [] and files_under(sandbox / "out") == ["a.png"]
    assert [(r.path, r.reason) for r in result.skipped] == [
        ("pack.zip", "2 macOS metadata file(s) (__MACOSX/, ._*) skipped: not images")]
    assert is_macos_metadata(["__MACOSX", "x.png"]) and is_macos_metadata(["._x.png"])
    assert not is_macos_metadata(["a._b.png"]) and not is_macos_metadata([])
