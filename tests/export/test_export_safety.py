import os

from waifuc_ui.export.safety import is_inside, safe_relative_name, same_file


def test_safe_relative_name_keeps_names_inside():
    assert safe_relative_name("a/b.png") == os.path.join("a", "b.png")
    assert safe_relative_name("../../x.png") == "x.png"
    assert safe_relative_name("/etc/passwd") == os.path.join("etc", "passwd")
    assert safe_relative_name("C:\\Users\\x.png") == os.path.join("Users", "x.png")
    assert safe_relative_name("./.././") is None
    assert safe_relative_name("") is None and safe_relative_name(None) is None


def test_is_inside_and_same_file_resolve_links(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out/a.png").write_bytes(b"x")
    os.symlink(tmp_path / "out", tmp_path / "link")
    assert is_inside(str(tmp_path / "link/a.png"), str(tmp_path / "out"))
    assert not is_inside(str(tmp_path / "outside.png"), str(tmp_path / "out"))
    assert not is_inside(str(tmp_path / "out2/a.png"), str(tmp_path / "out"))
    assert same_file(str(tmp_path / "link/a.png"), str(tmp_path / "out/a.png"))
    os.link(tmp_path / "out/a.png", tmp_path / "hard.png")
    assert same_file(str(tmp_path / "hard.png"), str(tmp_path / "out/a.png"))
