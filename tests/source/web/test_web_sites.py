"""e621, Gelbooru, Moebooru and Zerochan against API-shaped answers from the local board."""

import pytest
from web_board import Reply

from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.core.report import collect_report
from waifuc_ui.source import E621Source, E926Source, GelbooruSource, KonachanSource, YandeSource, ZerochanSource
from waifuc_ui.source.web import AuthenticationError


def e621_post(base, post_id, ext="png"):
    return {
        "id": post_id, "rating": "s", "score": {"up": 3, "down": 0, "total": 3},
        "file": {"width": 2000, "height": 1600, "ext": ext, "size": 999, "md5": "abc",
                 "url": f"{base}/img/e/{post_id}.{ext}"},
        "preview": {"width": 150, "height": 120, "url": f"{base}/img/e/preview_{post_id}.jpg"},
        "sample": {"has": True, "width": 850, "height": 680, "url": f"{base}/img/e/sample_{post_id}.jpg"},
        "tags": {"general": ["solo", "smile"], "species": ["fox"], "character": ["renamon"], "artist": ["someone"],
                 "copyright": [], "meta": [], "lore": [], "invalid": []},
    }


def test_e621_items_tags_and_variants(board, web_options):
    board.route("/posts.json", lambda r: Reply(200, {"posts": [e621_post(board.url, 31), e621_post(board.url, 32,
                                                                                                   "webm")]}
                                               if r.query["page"] == "1" else {"posts": []}))
    with collect_report() as report:
        items = list(E621Source(["renamon"], min_size=600, **web_options))
    (item,) = items
    assert item.meta["filename"] == "e621_31.jpg" and item.meta["group_id"] == "e621_31"
    assert item.meta["url"] == f"{board.url}/img/e/sample_31.jpg"
    assert item.meta["tags"] == {t: 1.0 for t in ["solo", "smile", "fox", "renamon", "someone"]}
    assert item.meta["e621"]["id"] == 31
    assert report.skipped[0].reason == "video or animation post (.webm) is not supported"
    assert board.requests("/posts.json")[0].query == {"limit": "320", "page": "1", "tags": "renamon"}
    only = list(E926Source(["renamon"], min_size=900, tag_domains=["character"], **web_options))
    assert only[0].meta["tags"] == {"renamon": 1.0} and only[0].meta["filename"] == "e926_31.png"


def gelbooru_page(base, ids, count):
    return {"@attributes": {"limit": 100, "offset": 0, "count": count}, "post": [{
        "id": i, "tags": "1girl solo d&#039;arce_(tag)", "md5": "m", "rating": "general", "width": 1800, "height": 1200,
        "file_url": f"{base}/img/g/{i}.png", "sample": 1, "sample_url": f"{base}/img/g/sample_{i}.jpg",
        "sample_width": 850, "sample_height": 567, "preview_url": f"{base}/img/g/thumb_{i}.jpg",
        "preview_width": 250, "preview_height": 167} for i in ids]}


def test_gelbooru_pages_from_pid_0_sends_keys_and_stops_at_the_count(board, web_options):
    board.route("/index.php", lambda r: Reply(200, gelbooru_page(board.url, [int(r.query["pid"]) * 100 + 1], 101)))
    items = list(GelbooruSource("1girl solo", min_size=500, user_id="77", api_key="gel-key-1234", **web_options))
    assert [i.meta["filename"] for i in items] == ["gelbooru_1.jpg", "gelbooru_101.jpg"]
    assert items[0].meta["tags"] == {"1girl": 1.0, "solo": 1.0, "d'arce_(tag)": 1.0}
    listing = board.requests("/index.php")
    assert [r.query["pid"] for r in listing] == ["0", "1"]  # the count (101) says page 2 is the last
    assert listing[0].query["tags"] == "1girl solo" and listing[0].query["json"] == "1"
    assert listing[0].query["api_key"] == "gel-key-1234" and listing[0].query["user_id"] == "77"


def test_gelbooru_without_post_key_is_the_end(board, web_options):
    board.route("/index.php", Reply(200, {"@attributes": {"limit": 100, "offset": 0, "count": 0}}))
    source = GelbooruSource(["nothing"], **web_options)
    assert list(source) == [] and source.stop_reason == "end of results (empty page)"


def moebooru_post(base, post_id):
    return {"id": post_id, "tags": "long_hair original", "md5": "m", "file_ext": "png", "rating": "s",
            "file_url": f"{base}/img/m/{post_id}.png", "width": 3000, "height": 2000,
            "jpeg_url": f"{base}/img/m/jpeg_{post_id}.jpg", "jpeg_width": 3000, "jpeg_height": 2000,
            "sample_url": f"{base}/img/m/sample_{post_id}.jpg", "sample_width": 1500, "sample_height": 1000,
            "preview_url": f"{base}/img/m/preview_{post_id}.jpg", "actual_preview_width": 300,
            "actual_preview_height": 200, "preview_width": 150, "preview_height": 100}


@pytest.mark.parametrize("cls, site", [(YandeSource, "yande"), (KonachanSource, "konachan")])
def test_moebooru_items_and_variants(board, web_options, cls, site):
    board.route("/post.json", lambda r: Reply(200, [moebooru_post(board.url, 8)] if r.query["page"] == "1" else []))
    (item,) = list(cls(["long_hair"], **web_options))
    assert item.meta["filename"] == f"{site}_8.jpg" and item.meta[site]["id"] == 8
    assert item.meta["url"] == f"{board.url}/img/m/sample_8.jpg"  # 1500x1000 is the smallest >= 800
    assert item.meta["tags"] == {"long_hair": 1.0, "original": 1.0}
    assert board.requests("/post.json")[0].query == {"limit": "100", "page": "1", "tags": "long_hair"}
    (large,) = list(cls(["long_hair"], min_size=1200, **web_options))
    assert large.meta["url"] == f"{board.url}/img/m/jpeg_8.jpg"  # sample too short; the JPEG before the PNG
    (orig,) = list(cls(["long_hair"], min_size=None, **web_options))
    assert orig.meta["url"] == f"{board.url}/img/m/8.png"


def zerochan_routes(board, pages):
    def listing(r):
        page = int(r.query["p"])
        return Reply(200, {"items": pages[page - 1] if page <= len(pages) else []})

    board.route("/Hatsune+Miku", listing)
    for page in pages:
        for item in page:
            i = item["id"]
            board.route(f"/{i}", Reply(200, {
                "id": i, "small": f"{board.url}/img/z/{i}.240.jpg", "medium": f"{board.url}/img/z/{i}.600.jpg",
                "large": "" if i == 2 else f"{board.url}/img/z/{i}.1200.jpg", "full": f"{board.url}/img/z/{i}.png",
                "width": 2000, "height": 1500, "primary": "Hatsune Miku",
                "tags": ["Hatsune Miku", "VOCALOID", "Female"]}))


def test_zerochan_items_select_and_tags(board, web_options):
    zerochan_routes(board, [[{"id": 1, "tag": "Hatsune Miku", "tags": ["Hatsune Miku"]},
                             {"id": 2, "tag": "Hatsune Miku", "tags": ["Hatsune Miku"]}]])
    items = list(ZerochanSource("Hatsune Miku", **web_options))
    assert [i.meta["filename"] for i in items] == ["zerochan_1.jpg", "zerochan_2.png"]  # 2 lacks large: full
    assert items[0].meta["tags"] == {"Hatsune Miku": 1.0, "VOCALOID": 1.0, "Female": 1.0}
    assert items[0].meta["zerochan"]["url"] == items[0].meta["url"] == f"{board.url}/img/z/1.1200.jpg"
    first = board.requests("/Hatsune+Miku")[0]
    assert first.query == {"json": "1", "p": "1", "l": "200", "s": "fav", "t": "0"}
    with pytest.raises(InvalidOptionError, match="'biggest'"):
        ZerochanSource("x", select="biggest")


def test_zerochan_login_user_agent_and_redirect(board, web_options):
    board.route("/login", Reply(303, "", {"Location": "/"}))
    board.route("/hatsune+miku", Reply(301, "", {"Location": "/Hatsune+Miku?old=1"}))
    zerochan_routes(board, [[{"id": 5, "tags": []}]])
    items = list(ZerochanSource("hatsune miku", username="mikufan", password="pass-word-1", **web_options))
    assert [i.meta["filename"] for i in items] == ["zerochan_5.jpg"]
    login = board.requests("/login")[0]
    assert login.method == "POST" and b"name=mikufan" in login.body
    assert board.requests("/Hatsune+Miku")[0].query["json"] == "1"  # our query kept across the redirect
    assert all(r.headers["User-Agent"].endswith(" - mikufan") for r in board.log)


def test_zerochan_wrong_password_is_explained(board, web_options):
    board.route("/login", Reply(200, "<html>wrong password</html>", {"Content-Type": "text/html"}))
    with pytest.raises(AuthenticationError, match="login failed .*Check the Zerochan username and password"):
        list(ZerochanSource("x", username="mikufan", password="bad-pass", **web_options))


def test_zerochan_repeating_pages_stop(board, web_options):
    board.route("/Miku", Reply(200, {"items": [{"id": 9, "tags": []}]}))
    board.route("/9", Reply(200, {"id": 9, "large": f"{board.url}/img/z/9.jpg", "tags": []}))
    source = ZerochanSource("Miku", **web_options)
    assert len(list(source)) == 1
    assert len(board.requests("/Miku")) == 2 and source.stop_reason.startswith("the site repeated")


def test_waifuc_positional_order_of_the_other_sources():
    yande = YandeSource(["a"], 500, "yg", False)
    assert (yande.min_size, yande.group_name) == (500, "yg")
    gel = GelbooruSource(["a"], 500, "gg", True, "12", "key-1234")
    assert (gel.group_name, gel.user_id.reveal(), gel.api_key.reveal()) == ("gg", "12", "key-1234")
    zero = ZerochanSource("Miku", "id", "1", "large", "red", True, "full", "zg", True, None, "fan", "pw-1234")
    assert (zero.sort, zero.time, zero.dimension, zero.color, zero.strict, zero.select, zero.group_name) == \
        ("id", "1", "large", "red", True, "full", "zg")
    assert zero.username.reveal() == "fan"
    assert repr(zero) == "ZerochanSource('Miku', strict=True, username=***, password=***)"
    e621 = E621Source(["a"], 900, True, "u", "key-1234", "eg")
    assert (e621.min_size, e621.group_name, e621.logged_in) == (900, "eg", True)


def test_zerochan_refusing_a_later_page_ends_the_listing_with_a_hint(board, web_options):
    board.route("/Miku", lambda r: Reply(200, {"items": [{"id": 9, "tags": []}]}) if r.query["p"] == "1"
                else Reply(403, "members only", {"Content-Type": "text/plain"}))
    board.route("/9", Reply(200, {"id": 9, "large": f"{board.url}/img/z/9.jpg", "tags": []}))
    source = ZerochanSource("Miku", **web_options)
    assert [i.meta["filename"] for i in source] == ["zerochan_9.jpg"]
    assert source.stop_reason == "the site refused page 2: log in to see more"


def test_string_sizes_count_as_sizes():
    from waifuc_ui.source.web.base import smallest_variant
    assert smallest_variant([("a", "900", "900"), ("b", 1000, 1000), ("c", None, 5)], 800) == "a"
    assert smallest_variant([("a", 700, 900)], 800) is None and smallest_variant([("a", 9, 9)], None) is None
