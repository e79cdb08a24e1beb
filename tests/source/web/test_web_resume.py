"""Resume: a stopped crawl continues from its workspace record without downloading again."""

import json

from web_board import Reply, danbooru_pages, danbooru_post

from waifuc_ui.core.report import collect_report
from waifuc_ui.source import DanbooruSource
from waifuc_ui.source.web import CrawlRecord


def test_a_stopped_crawl_resumes_without_downloading_again(board, web_options, tmp_path):
    danbooru_pages(board, [[danbooru_post(board.url, i, tags=f"t{i}") for i in range(1, 6)]])
    first = list(DanbooruSource(["a"], workspace=tmp_path, **web_options)[:2])
    assert [i.meta["filename"] for i in first] == ["danbooru_1.png", "danbooru_2.png"]
    assert len(board.requests("/img/")) == 2
    lines = [json.loads(line) for line in (tmp_path / "danbooru.crawl.jsonl").read_text().splitlines()]
    assert [(e["id"], e["file"]) for e in lines] == [(1, "danbooru/danbooru_1.png"), (2, "danbooru/danbooru_2.png")]
    assert sorted(p.name for p in (tmp_path / "danbooru").iterdir()) == ["danbooru_1.png", "danbooru_2.png"]

    board.log.clear()
    again = list(DanbooruSource(["a"], workspace=tmp_path, **web_options))
    assert [i.meta["filename"] for i in again] == [f"danbooru_{i}.png" for i in range(1, 6)]
    assert [r.path for r in board.requests("/img/")] == [f"/img/original/{i}.png" for i in (3, 4, 5)]
    # items from the record are the same as downloaded ones
    assert again[0].meta == first[0].meta and again[0].image.size == first[0].image.size
    assert again[0].meta["tags"] == {"t1": 1.0}


def test_lasting_skips_are_remembered_and_reported_again(board, web_options, tmp_path):
    danbooru_pages(board, [[danbooru_post(board.url, 1), danbooru_post(board.url, 2)]])
    board.route("/img/original/1.png", Reply(200, "<html>no</html>", {"Content-Type": "text/html"}))
    list(DanbooruSource(["a"], workspace=tmp_path, **web_options))
    board.log.clear()
    with collect_report() as report:
        items = list(DanbooruSource(["a"], workspace=tmp_path, **web_options))
    assert [i.meta["filename"] for i in items] == ["danbooru_2.png"]
    assert board.requests("/img/") == []
    assert report.skipped[0].reason.startswith("not an image")


def test_failed_downloads_are_tried_again_on_resume(board, web_options, tmp_path):
    danbooru_pages(board, [[danbooru_post(board.url, 1)]])
    board.route("/img/original/1.png", Reply(500, "down"))
    options = {**web_options, "max_retries": 0}
    assert list(DanbooruSource(["a"], workspace=tmp_path, **options)) == []
    del board.routes["/img/original/1.png"]  # the site is back: the default image is served
    items = list(DanbooruSource(["a"], workspace=tmp_path, **options))
    assert [i.meta["filename"] for i in items] == ["danbooru_1.png"]


def test_another_variant_is_downloaded_anew(board, web_options, tmp_path):
    danbooru_pages(board, [[danbooru_post(board.url, 1)]])
    list(DanbooruSource(["a"], workspace=tmp_path, **web_options))
    (item,) = list(DanbooruSource(["a"], min_size=600, workspace=tmp_path, **web_options))
    assert item.meta["url"].endswith("/img/sample/sample-1.jpg")
    assert [r.path for r in board.requests("/img/")] == ["/img/original/1.png", "/img/sample/sample-1.jpg"]


def test_record_ignores_a_half_written_last_line_and_missing_files(tmp_path):
    record = CrawlRecord(tmp_path, "danbooru")
    record.add_download(1, "http://x/1.png", "danbooru_1.png", b"data", {"filename": "danbooru_1.png"})
    record.add_skip(2, "http://x/2.mp4", "video")
    with open(record.path, "a") as f:
        f.write('{"id": 3, "url": "http://x/3.pn')
    reloaded = CrawlRecord(tmp_path, "danbooru")
    assert len(reloaded) == 2
    assert reloaded.lookup(1, "http://x/1.png")["file"] == "danbooru/danbooru_1.png"
    assert reloaded.lookup(1, "http://x/other.png") is None
    assert reloaded.lookup(2, "http://x/2.mp4")["skipped"] == "video"
    (tmp_path / "danbooru" / "danbooru_1.png").unlink()
    assert reloaded.lookup(1, "http://x/1.png") is None
    assert not [p.name for p in (tmp_path / "danbooru").rglob("*") if p.name.endswith((".part", ".tmp"))]
