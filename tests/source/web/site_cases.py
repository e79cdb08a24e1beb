"""API-shaped answers of every site added for waifuc parity, one post each, for the shared tests
(politeness, bad answers) and the per-site tests. ``case.install(board)`` routes a listing with one
post whose file is a small image on the board; ``case.build(**web_options)`` makes the source."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from web_board import Board, Reply

from waifuc_ui.source import (
    AnimePicturesSource,
    ATFBooruSource,
    DerpibooruSource,
    DuitangSource,
    FurbooruSource,
    HypnoHubSource,
    LolibooruSource,
    PahealSource,
    PixivRankingSource,
    PixivSearchSource,
    PixivUserSource,
    RealbooruSource,
    Rule34Source,
    SafebooruOrgSource,
    SankakuSource,
    TBIBSource,
    ThreeDBooruSource,
    WallHavenSource,
    XbooruSource,
)

REFRESH_TOKEN = "pixiv-refresh-token-5551"
ACCESS_TOKEN = "pixiv-access-token-7771"


@dataclass
class SiteCase:
    name: str
    build: Callable[..., Any]
    listing: str  # the listing path the faults replace
    install: Callable[[Board], None]
    filename: str  # of the one item


def paged(key: str, first: str, page: Callable[[], Any], empty: Any) -> Callable:
    """A handler serving ``page()`` when query ``key`` equals ``first``, else ``empty``."""
    return lambda r: Reply(200, page() if r.query.get(key, first) == first else empty)


def danbooru_like(board: Board) -> None:
    post = {"id": 7, "file_ext": "png", "file_url": f"{board.url}/img/d/7.png", "image_width": 900,
            "image_height": 900, "tag_string": "1girl solo", "media_asset": {"variants": []}}
    board.route("/posts.json", paged("page", "1", lambda: [post], []))


def moebooru_like(board: Board) -> None:
    post = {"id": 8, "tags": "long_hair", "file_url": f"{board.url}/img/m/8.png", "width": 900, "height": 900}
    board.route("/post/index.json", paged("page", "1", lambda: [post], []))


def gelbooru02(board: Board) -> None:
    post = {"id": 9, "tags": "a b", "file_url": f"{board.url}/img/g/9.png", "width": 900, "height": 900,
            "directory": "ab/cd", "image": "f00d.png", "hash": "f00d", "sample": 0}
    board.route("/index.php", paged("pid", "0", lambda: [post], b""))
    board.route("/images/ab/cd/f00d.png", Reply(200, _png(), {"Content-Type": "image/png"}))


def pixiv(board: Board) -> None:
    board.route("/auth/token", Reply(200, {"response": {"access_token": ACCESS_TOKEN, "refresh_token": "new-1234",
                                                        "user": {"id": "1"}}}))
    work = pixiv_work(board.url, 11)
    for path in ("/v1/search/illust", "/v1/user/illusts", "/v1/illust/ranking"):
        board.route(path, Reply(200, {"illusts": [work], "next_url": None}))


def pixiv_work(base: str, work_id: int, pages: int = 1, kind: str = "illust", ai: int = 1) -> dict:
    def urls(i: int) -> dict:
        return {"square_medium": f"{base}/img/p/{work_id}_p{i}_sq.jpg", "medium": f"{base}/img/p/{work_id}_p{i}_m.jpg",
                "large": f"{base}/img/p/{work_id}_p{i}_l.jpg", "original": f"{base}/img/p/{work_id}_p{i}.png"}

    single = urls(0)
    return {"id": work_id, "title": "t", "type": kind, "page_count": pages, "illust_ai_type": ai,
            "image_urls": {k: v for k, v in single.items() if k != "original"},
            "meta_single_page": {"original_image_url": single["original"]} if pages == 1 else {},
            "meta_pages": [] if pages == 1 else [{"image_urls": urls(i)} for i in range(pages)],
            "tags": [{"name": "オリジナル", "translated_name": "original"}]}


def sankaku(board: Board) -> None:
    post = {"id": 12, "file_url": f"{board.url}/img/s/12.png", "width": 900, "height": 900,
            "tags": [{"name": "1girl"}]}
    board.route("/posts", paged("page", "1", lambda: [post], []))


def anime_pictures(board: Board) -> None:
    board.route("/api/v3/posts", paged("page", "0", lambda: {"posts": [{"id": 13, "md5": "abcdef"}]}, {"posts": []}))
    board.route("/posts/13", Reply(200, anime_pictures_page(board.url, 13), {"Content-Type": "text/html"}))


def anime_pictures_page(base: str, post_id: int) -> str:
    return (f"<html><body><ul class='tags'><li><a href='/t/1' class='character'>hatsune miku</a> <span>99</span>"
            f"</li><li><a href='/t/2'>long  hair</a></li></ul><div class='rating'>"
            f"<a class='icon_download' href='/img/ap/{post_id}.png'>Download</a></div></body></html>")


def wallhaven(board: Board) -> None:
    data = [{"id": "abc14", "path": f"{board.url}/img/w/wallhaven-abc14.png",
             "thumbs": {"original": f"{board.url}/img/w/th-abc14.jpg"}}]
    board.route("/api/v1/search", paged("page", "1", lambda: {"data": data, "meta": {"current_page": 1,
                                                                                     "last_page": 2}},
                                        {"data": [], "meta": {"current_page": 2, "last_page": 2}}))


def philomena(board: Board) -> None:
    image = {"id": 15, "tags": ["safe", "twilight sparkle"], "format": "png",
             "representations": {"full": f"{board.url}/img/ph/15.png", "large": f"{board.url}/img/ph/15_l.png"}}
    board.route("/api/v1/json/search/images", paged("page", "1", lambda: {"images": [image], "total": 1},
                                                    {"images": [], "total": 1}))


def paheal(board: Board) -> None:
    xml = (f'<?xml version="1.0"?><posts count="1" offset="0"><tag id="16" md5="x" file_name="16.png" '
           f'file_url="{board.url}/img/pa/16.png" width="900" height="900" tags="a b" '
           f'preview_url="{board.url}/img/pa/thumb_16.jpg" preview_width="150" preview_height="150"/></posts>')
    board.route("/api/danbooru/find_posts/index.xml", paged("page", "1", lambda: xml,
                                                          '<?xml version="1.0"?><posts count="1" offset="100"/>'))


def duitang(board: Board) -> None:
    post = {"id": 17, "msg": "Hatsune Miku fan art", "photo": {"path": f"{board.url}/img/du/17.jpeg"}}
    board.route("/napi/blog/list/by_search/", paged("start", "0", lambda: {"status": 1, "data": {
        "object_list": [post]}}, {"status": 1, "data": {"object_list": []}}))


def _png() -> bytes:
    from web_board import image_bytes
    return image_bytes(".png")


CASES = [
    SiteCase("atfbooru", lambda **o: ATFBooruSource(["a"], **o), "/posts.json", danbooru_like, "atfbooru_7.png"),
    SiteCase("lolibooru", lambda **o: LolibooruSource(["a"], **o), "/post/index.json", moebooru_like,
             "lolibooru_8.png"),
    SiteCase("3dbooru", lambda **o: ThreeDBooruSource(["a"], **o), "/post/index.json", moebooru_like,
             "3dbooru_8.png"),
    SiteCase("rule34", lambda **o: Rule34Source(["a"], **o), "/index.php", gelbooru02, "rule34_9.png"),
    SiteCase("hypnohub", lambda **o: HypnoHubSource(["a"], **o), "/index.php", gelbooru02, "hypnohub_9.png"),
    SiteCase("xbooru", lambda **o: XbooruSource(["a"], **o), "/index.php", gelbooru02, "xbooru_9.png"),
    SiteCase("safebooru_org", lambda **o: SafebooruOrgSource(["a"], **o), "/index.php", gelbooru02,
             "safebooru_org_9.png"),
    SiteCase("tbib", lambda **o: TBIBSource(["a"], **o), "/index.php", gelbooru02, "tbib_9.png"),
    SiteCase("realbooru", lambda **o: RealbooruSource(["a"], **o), "/index.php", gelbooru02, "realbooru_9.png"),
    SiteCase("pixiv_search", lambda **o: PixivSearchSource("miku", refresh_token=REFRESH_TOKEN, **o),
             "/v1/search/illust", pixiv, "pixiv_11_0.jpg"),
    SiteCase("pixiv_user", lambda **o: PixivUserSource(123, refresh_token=REFRESH_TOKEN, **o),
             "/v1/user/illusts", pixiv, "pixiv_11_0.jpg"),
    SiteCase("pixiv_ranking", lambda **o: PixivRankingSource(refresh_token=REFRESH_TOKEN, **o),
             "/v1/illust/ranking", pixiv, "pixiv_11_0.jpg"),
    SiteCase("sankaku", lambda **o: SankakuSource(["a"], **o), "/posts", sankaku, "sankaku_12.png"),
    SiteCase("anime_pictures", lambda **o: AnimePicturesSource(["a"], **o), "/api/v3/posts", anime_pictures,
             "anime_pictures_13.png"),
    SiteCase("wallhaven", lambda **o: WallHavenSource("miku", **o), "/api/v1/search", wallhaven,
             "wallhaven_abc14.png"),
    SiteCase("derpibooru", lambda **o: DerpibooruSource(["safe"], **o), "/api/v1/json/search/images", philomena,
             "derpibooru_15.png"),
    SiteCase("furbooru", lambda **o: FurbooruSource(["safe"], **o), "/api/v1/json/search/images", philomena,
             "furbooru_15.png"),
    SiteCase("paheal", lambda **o: PahealSource(["a"], **o), "/api/danbooru/find_posts/index.xml", paheal,
             "paheal_16.png"),
    SiteCase("duitang", lambda **o: DuitangSource("hatsune miku", **o), "/napi/blog/list/by_search/", duitang,
             "duitang_17.jpeg"),
]
