"""The launched app in public mode, driven over HTTP with gradio_client the way a visitor's API calls reach it:
hostile uploads are refused with their reason in the refused-files table, and nothing of the bomb reaches disk."""

import os
import socket
import struct
import zlib

import pytest
from gradio_client import Client, handle_file

from tests.security.hostile import long_gif, low_entropy_bytes, ordinary_jpeg, overlapping_zip
from waifuc_ui.session.quota import Quotas


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` RGBA (13000 x 13000 in the issue): the size is all there is."""
    ihdr = struct.pack(">2L5B", width, height, 8, 6, 0, 0, 0)
    chunk = struct.pack(">L", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">L", zlib.crc32(b"IHDR" + ihdr))
    idat = zlib.compress(bytes(1 + 4 * width))  # one row; decoding would need 676 MB
    return (b"\x89PNG\r\n\x1a\n" + chunk + struct.pack(">L", len(idat)) + b"IDAT" + idat
            + struct.pack(">L", zlib.crc32(b"IDAT" + idat)))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    jpgs = [ordinary_jpeg(folder / "photo0.jpg", 0), ordinary_jpeg(folder / "photo1.jpg", 1, size=(1000, 800))]
    (folder / "huge.png").write_bytes(png_header(13000, 13000))
    return {
        "bomb": overlapping_zip(folder / "bomb.zip", 500, low_entropy_bytes(2_100_000, 120)),
        "huge": folder / "huge.png",
        "gif": long_gif(folder / "long.gif", 30),
        "jpgs": jpgs,
    }


@pytest.fixture(scope="module")
def public_app(tmp_path_factory, files):
    from waifuc_ui.ui import AppSettings, SessionBinder, build_app, launch_options

    root = tmp_path_factory.mktemp("public")
    sizes = [p.stat().st_size for p in files["jpgs"]]
    quotas = Quotas.public().__class__(**{**Quotas.public().__dict__, "max_frames": 10,
                                          "request_upload_bytes": sum(sizes) - 1})
    settings = AppSettings(public=True, workspace_root=(root / "workspaces").resolve(), demo_dir=root / "no-demo",
                           max_file_size="200mb", quotas=quotas)
    binder = SessionBinder(settings)
    demo = build_app(settings, binder)
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True,
                **launch_options(settings, binder))
    try:
        yield f"http://127.0.0.1:{port}/", binder, root / "workspaces"
    finally:
        demo.close()
        binder.registry.close_all()


def upload(client: Client, paths):
    client.predict(None, api_name="/on_open")
    summary, table, *_ = client.predict(files=[handle_file(str(p)) for p in paths], rep=True,
                                        api_name="/on_upload")
    return summary, {row[0]: row[1] for row in table["data"]}


def disk_bytes(root) -> int:
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(root) for f in fs)


def test_hostile_uploads_are_refused_with_their_reason(public_app, files):
    url, binder, root = public_app
    client = Client(url, verbose=False, download_files=False)
    summary, refused = upload(client, [files["jpgs"][0], files["bomb"], files["huge"], files["gif"]])
    assert refused["bomb.zip"] == ("entries 'a.bmp' and 'a.bmp' overlap in the archive (one compressed body "
                                   "unpacked many times: zip bomb?)")
    assert refused["huge.png"] == "image of 169000000 pixels exceeds the limit of 25000000 pixels"
    assert refused["long.gif"] == "animated image of more than 11 frames exceeds the limit of 10 frames"
    assert "photo0.jpg" not in refused and len(refused) == 3
    assert "Upload of 4 files" in summary and "1 image" in summary, summary
    assert disk_bytes(root) < 5_000_000  # the bomb would have written 1.05 GB


def test_two_files_over_the_request_limit_over_http(public_app, files):
    url, binder, _ = public_app
    client = Client(url, verbose=False, download_files=False)
    _, refused = upload(client, files["jpgs"])
    assert list(refused) == ["photo1.jpg"]
    assert refused["photo1.jpg"].startswith("not read: the files of this request add up to more than ")
    assert refused["photo1.jpg"].endswith("the limit per upload on this public server; send fewer or smaller "
                                          "files at once")
