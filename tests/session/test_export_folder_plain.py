"""Write to folder without a kohya folder name (the Export tab's default) writes the same files as the zip."""

import os
import zipfile


def test_export_folder_without_kohya_folder_writes_the_zip_s_files(session, tmp_path):
    target = tmp_path / "plain"
    summary = session.export.folder(str(target))
    written = sorted(os.listdir(target))
    with zipfile.ZipFile(session.export.zip().path) as z:
        assert sorted(z.namelist()) == written
    images = [n for n in written if not n.endswith(".txt")]
    assert summary.images == len(images) == len(session.dataset.ids()) > 0
    assert len(written) == 2 * len(images)
