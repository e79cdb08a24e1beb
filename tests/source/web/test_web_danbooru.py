"""DanbooruSource / SafebooruSource against the local board: items, names, tags, variants, limits."""

import base64

import pytest
from web_board import Reply, danbooru_pages, danbooru_post

from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.core.report import collect_report
from waifuc_ui.source import DanbooruSource, SafebooruSource
from waifuc_ui.source.web import QueryRuleError


def test_items_carry_waifuc_meta(board, web_options):
    posts = [danbooru_post(board.url, 11, "1girl solo", character="surtr_(arknights)"),
             danbooru_post(board.url, 12, "2girls")]
    danbooru_pages(board, [posts])
    items = list(DanbooruSource(["surtr_(arknights)", "solo"], min_size=600, **web_options))

    assert [item.meta["filename"] for item in items] == ["danbooru_11.jpg", "danbooru_12.jpg"]
    first = items[0]
    assert first.meta["group_id"] == "danbooru_11"
    assert first.meta["tags"] == {"1girl": 1.0, "solo": 1.0, "surtr_(arknights)": 1.0}
    assert first.meta["url"] == f"{board.url}/img/sample/sample-11.jpg"
    assert first.meta["danbooru"] == posts[0]
    assert first.image.size == (40, 30) and first.image.format == "JPEG"
    listing = board.requests("/posts.json")[0]
    assert listing.query == {"limit": "200", "page": "1", "tags": "surtr_(arknights) solo"}


@pytest.mark.parametrize("min_size, expected", [
    (600, "/img/sample/sample-7.jpg"),   # 720x540 is too short, the 850x638 sample fits
    (300, "/img/720/7.webp"),            # 360x270 has a side under 300; 720x540 fits
    (100, "/img/180/7.jpg"),
    (1000, "/img/original/7.png"),
    (5000, "/img/original/7.png"),       # nothing large enough: the original
    (None, "/img/original/7.png"),
])
def test_smallest_variant_at_least_min_size_on_both_sides(board, web_options, min_size, expected):
    danbooru_pages(board, [[danbooru_post(board.url, 7)]])
    (item,) = list(DanbooruSource(["a"], min_size=min_size, **web_options))
    assert item.meta["url"] == board.url + expected
    assert [r.path for r in board.requests("/img/")] == [expected]
    assert item.meta["filename"] == "danbooru_7" + expected[expected.rindex("."):]


def test_tag_domains_keep_only_the_chosen_categories(board, web_options):
    danbooru_pages(board, [[danbooru_post(board.url, 3, "1girl smile", character="amiya_(arknights)")]])
    (item,) = list(DanbooruSource(["a"], tag_domains=["character"], **web_options))
    assert item.meta["tags"] == {"amiya_(arknights)": 1.0}
    with pytest.raises(InvalidOptionError) as err:
        DanbooruSource(["a"], tag_domains=["characters"])
    assert "'characters'" in str(err.value) and "'character'" in str(err.value)


def test_anonymous_two_tag_limit_is_detected_before_any_request(board, web_options):
    source = DanbooruSource(["surtr_(arknights)", "solo", "smile"], **web_options)
    with pytest.raises(QueryRuleError) as err:
        list(source)
    assert board.log == []
    message = str(err.value)
    assert "holds 3" in message and "Log in" in message and "reduce the query to 2 tags" in message
    # free metatags do not count; logged-in users are left to the site's own limit
    danbooru_pages(board, [[]])
    assert list(DanbooruSource(["a", "b", "rating:g", "-status:deleted"], **web_options)) == []
    assert list(DanbooruSource(["a", "b", "c"], username="bob", api_key="k3y-value", **web_options)) == []
    assert len(board.requests("/posts.json")) == 2


def test_the_sites_tag_limit_answer_becomes_a_query_rule_error(board, web_options):
    board.route("/posts.json", lambda r: Reply(422, {
        "success": False, "error": "PostQuery::TagLimitError",
        "message": "You cannot search for more than 6 tags at a time."}))
    with pytest.raises(QueryRuleError) as err:
        list(DanbooruSource(list("abcdefg"), username="bob", api_key="k3y-value", **web_options))
    assert "more than 6 tags" in str(err.value) and err.value.status == 422


def test_credentials_go_to_the_api_only_as_basic_auth(board, web_options):
    danbooru_pages(board, [[danbooru_post(board.url, 5)]])
    items = list(DanbooruSource(["a"], username="bob", api_key="s3cret-api-key", **web_options))
    assert len(items) == 1
    expected = "Basic " + base64.b64encode(b"bob:s3cret-api-key").decode()
    assert board.requests("/posts.json")[0].headers.get("Authorization") == expected
    assert "Authorization" not in board.requests("/img/")[0].headers


def test_videos_and_posts_without_url_are_skipped_with_reasons(board, web_options):
    video = danbooru_post(board.url, 21, ext="mp4")
    hidden = danbooru_post(board.url, 22)
    hidden.pop("file_url"), hidden.pop("media_asset")
    danbooru_pages(board, [[video, hidden, danbooru_post(board.url, 23)]])
    with collect_report() as report:
        items = list(DanbooruSource(["a"], **web_options))
    assert [i.meta["filename"] for i in items] == ["danbooru_23.png"]  # 850x638 < 800: the original
    reasons = [s.reason for s in report.skipped]
    assert reasons[0] == "video or animation post (.mp4) is not supported"
    assert reasons[1].startswith("the post has no file URL")
    assert [r.path for r in board.requests("/img/")] == ["/img/original/23.png"]


def test_slices_and_operators_work_and_stop_downloading(board, web_options):
    danbooru_pages(board, [[danbooru_post(board.url, i) for i in range(1, 6)]])
    first_two = list(DanbooruSource(["a"], **web_options)[:2])
    assert [i.meta["filename"] for i in first_two] == ["danbooru_1.png", "danbooru_2.png"]
    assert len(board.requests("/img/")) == 2

    danbooru_pages(board, [[danbooru_post(board.url, 9)]], path="/safe/posts.json")
    safe = SafebooruSource(["a"], **{**web_options, "base_url": board.url + "/safe"})
    both = list(DanbooruSource(["a"], **web_options)[:1] + safe)
    assert [i.meta["filename"] for i in both] == ["danbooru_1.png", "safebooru_9.png"]
    assert both[1].meta["safebooru"]["id"] == 9 and both[1].meta["group_id"] == "safebooru_9"
    mixed = sorted(i.meta["filename"] for i in (DanbooruSource(["a"], **web_options)[:2] | safe))
    assert mixed == ["danbooru_1.png", "danbooru_2.png", "safebooru_9.png"]


def test_repr_shows_the_query_and_hides_credentials():
    source = DanbooruSource("surtr_(arknights) solo", username="bob", api_key="s3cret-api-key")
    assert repr(source) == "DanbooruSource(['surtr_(arknights)', 'solo'], username=***, api_key=***)"
    assert "s3cret" not in repr(vars(source)) and "bob" not in repr(vars(source))


def test_waifuc_positional_parameters_keep_their_meaning(board, web_options):
    # waifuc: DanbooruSource(tags, min_size, download_silent, username, api_key, group_name)
    source = DanbooruSource(["a"], 600, False, "bob", "k3y-value", "mygroup", **web_options)
    assert source.min_size == 600 and source.logged_in and source.group_name == "mygroup"
    danbooru_pages(board, [[danbooru_post(board.url, 4)]])
    (item,) = list(source)
    assert item.meta["filename"] == "mygroup_4.jpg" and item.meta["group_id"] == "mygroup_4"
    assert "danbooru" in item.meta  # the raw post stays under the site name
