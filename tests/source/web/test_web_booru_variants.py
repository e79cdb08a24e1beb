"""The Danbooru-, Moebooru- and Gelbooru-software variants: each site's address, listing path,
URL layout and waifuc's names."""

import pytest
from web_board import Reply, danbooru_pages, danbooru_post

from waifuc_ui.core.report import collect_report
from waifuc_ui.source import (
    ATFBooruSource,
    HypnoHubSource,
    LolibooruSource,
    RealbooruSource,
    SafebooruOrgSource,
    TBIBSource,
    ThreeDBooruSource,
    XbooruSource,
)


def test_class_defaults_are_the_sites_addresses():
    assert ATFBooruSource(["a"]).base_url == "https://booru.allthefallen.moe"
    assert LolibooruSource(["a"]).base_url == "https://lolibooru.moe"
    assert ThreeDBooruSource(["a"]).base_url == "http://behoimi.org"
    assert HypnoHubSource(["a"]).base_url == "https://hypnohub.net"
    assert RealbooruSource(["a"]).base_url == "https://realbooru.com"
    assert (XbooruSource(["a"]).base_url, XbooruSource(["a"]).image_url) == ("https://xbooru.com",
                                                                              "https://img.xbooru.com")
    assert SafebooruOrgSource(["a"]).image_url == "https://safebooru.org"
    assert TBIBSource(["a"]).image_url == "https://tbib.org"


def test_atfbooru_keeps_waifucs_meta_key_and_has_no_two_tag_rule(board, web_options):
    posts = [danbooru_post(board.url, 21, "1girl solo", character="someone")]
    danbooru_pages(board, [posts])
    (item,) = list(ATFBooruSource(["a", "b", "c"], min_size=600, **web_options))  # 3 tags, anonymous: allowed
    assert item.meta["danbooru"] == posts[0] and "atfbooru" not in item.meta
    assert item.meta["filename"] == "atfbooru_21.jpg" and item.meta["group_id"] == "atfbooru_21"
    assert item.meta["tags"] == {"1girl": 1.0, "solo": 1.0, "someone": 1.0}
    assert board.requests("/posts.json")[0].query["tags"] == "a b c"
    (named,) = list(ATFBooruSource(["a"], group_name="danbooru", **web_options))
    assert named.meta["filename"] == "danbooru_21.png"  # waifuc's own names on request


@pytest.mark.parametrize("cls, site", [(LolibooruSource, "lolibooru"), (ThreeDBooruSource, "3dbooru")])
def test_moebooru_variants_list_post_index_json(board, web_options, cls, site):
    post = {"id": 4, "tags": "a b", "file_url": f"{board.url}/img/m/4.png", "width": 2000, "height": 2000,
            "sample_url": f"{board.url}/img/m/sample_4.jpg", "sample_width": 1000, "sample_height": 1000}
    board.route("/post/index.json", lambda r: Reply(200, [post] if r.query["page"] == "1" else []))
    (item,) = list(cls(["a"], **web_options))
    assert item.meta["filename"] == f"{site}_4.jpg" and item.meta[site]["id"] == 4
    assert [r.query["page"] for r in board.requests("/post/index.json")] == ["1", "2"]
    referers = {r.headers.get("Referer") for r in board.log}
    assert referers == ({"http://behoimi.org/"} if site == "3dbooru" else {None})


def test_hypnohub_reads_a_bare_list_and_stops_on_an_empty_body(board, web_options):
    def listing(request):
        pid = int(request.query["pid"])
        if pid > 1:
            return Reply(200, b"")
        return Reply(200, [{"id": pid * 100 + 1, "tags": "a", "file_url": f"{board.url}/img/h/{pid}.png",
                            "width": 900, "height": 900}])

    board.route("/index.php", listing)
    source = HypnoHubSource(["a"], **web_options)
    assert [i.meta["filename"] for i in source] == ["hypnohub_1.png", "hypnohub_101.png"]
    assert [r.query["pid"] for r in board.requests("/index.php")] == ["0", "1", "2"]
    assert board.requests("/index.php")[0].query["json"] == "1" and source.stop_reason.startswith("end of results")


@pytest.mark.parametrize("cls, site", [(XbooruSource, "xbooru"), (SafebooruOrgSource, "safebooru_org"),
                                       (TBIBSource, "tbib")])
def test_xbooru_like_builds_urls_from_directory_and_image(board, web_options, cls, site):
    post = {"id": 31, "directory": "3a/7f", "image": "cafe.png", "width": 2400, "height": 1800, "sample": 1,
            "sample_width": 850, "sample_height": 638, "tags": "x y"}
    board.route("/index.php", lambda r: Reply(200, [post] if r.query["pid"] == "0" else []))
    board.route("/images/3a/7f/cafe.png", Reply(200, _png(), {"Content-Type": "image/png"}))
    board.route("/samples/3a/7f/sample_cafe.jpg", Reply(200, _jpg(), {"Content-Type": "image/jpeg"}))
    (small,) = list(cls(["x"], min_size=600, **web_options))
    assert small.meta["url"] == f"{board.url}/samples/3a/7f/sample_cafe.jpg?31"
    assert small.meta["filename"] == f"{site}_31.jpg" and small.meta["tags"] == {"x": 1.0, "y": 1.0}
    (large,) = list(cls(["x"], min_size=1000, **web_options))
    assert large.meta["url"] == f"{board.url}/images/3a/7f/cafe.png" and large.meta["filename"] == f"{site}_31.png"


def test_realbooru_probes_the_two_layouts_and_skips_when_neither_answers(board, web_options):
    posts = [{"id": 1, "directory": "aa", "image": "one.jpg", "hash": "h1", "tags": "t"},
             {"id": 2, "directory": "bb", "image": "two.png", "hash": "h2", "tags": "t"}]
    board.route("/index.php", lambda r: Reply(200, posts if r.query["pid"] == "0" else b""))
    board.route("/images/aa/h1.jpg", Reply(200, _jpg(), {"Content-Type": "image/jpeg"}))
    with collect_report() as report:
        items = list(RealbooruSource(["t"], **web_options))
    assert [i.meta["filename"] for i in items] == ["realbooru_1.jpg"]
    assert items[0].meta["url"] == f"{board.url}/images/aa/h1.jpg"
    heads = [(r.path) for r in board.log if r.method == "HEAD"]
    assert heads == ["/images/aa/one.jpg", "/images/aa/h1.jpg", "/images/bb/two.png", "/images/bb/h2.png"]
    assert [s.reason for s in report.skipped] == ["the post has no file URL"]


def _png():
    from web_board import image_bytes
    return image_bytes(".png")


def _jpg():
    from web_board import image_bytes
    return image_bytes(".jpg")
