"""Paheal (rule34.paheal.net, Shimmie software). API: Shimmie's Danbooru-compatible XML,
``GET /api/danbooru/find_posts/index.xml?tags=...&limit=100&page=N`` answering
``<posts count=".." offset=".."><tag id=".." file_url=".." width=".." height=".." tags=".." .../></posts>``.
``user_id`` and ``api_key`` (optional) travel as query parameters and are never logged.

Shimmie documents this extension only in its source; the parameters are followed from waifuc's code.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree  # no external entities; expat >= 2.4.1 refuses entity bombs
from collections.abc import Iterator, Sequence
from typing import Any

from .base import WebDataSource, WebPost, smallest_variant, split_tags
from .client import DownloadRefused, SiteClient
from .credentials import Secret
from .danbooru import normalise_tags
from .errors import BadResponseError

PAGE_SIZE = 100


class PahealSource(WebDataSource):
    """Posts of a Paheal tag query: waifuc's ``PahealSource(tags, user_id=None, api_key=None,
    min_size=800, download_silent=True, group_name='paheal')``. Every ``*_url`` with its
    ``*_width``/``*_height`` is a variant; ``min_size`` picks the smallest large enough one.
    Unconfirmed API: Shimmie documents it only in its source; the parameters follow waifuc's code."""

    site = "paheal"
    default_base_url = "https://rule34.paheal.net"
    credential_names = "user_id and api_key"

    def __init__(self, tags: str | Sequence[str], user_id: str | None = None, api_key: str | Secret | None = None,
                 min_size: int | None = 800, download_silent: bool = True, group_name: str | None = None,
                 **options: Any):
        super().__init__(group_name=group_name, **options)
        self.tags = normalise_tags(tags)
        self.min_size = min_size
        self.user_id, self.api_key = Secret.of(user_id), Secret.of(api_key)

    def _args_repr(self) -> str:
        return repr(self.tags) + (", user_id=***, api_key=***" if self.api_key is not None else "")

    def _secrets(self) -> list[Secret | None]:
        return [self.user_id, self.api_key]

    def _client_options(self) -> dict[str, Any]:
        if self.user_id is None or self.api_key is None:
            return {}
        return {"secret_params": {"user_id": self.user_id, "api_key": self.api_key}}

    def _fetch_page(self, client: SiteClient, page: int) -> list[dict[str, Any]] | None:
        url = f"{self.base_url}/api/danbooru/find_posts/index.xml"
        try:
            answer = client.get(url, {"tags": " ".join(self.tags), "limit": str(PAGE_SIZE), "page": str(page)},
                                send_credentials=True)
        except DownloadRefused as err:
            raise BadResponseError(self.site, f"the API answer was refused: {err.reason}",
                                   "Check base_url points at the site's API", url=client.redact(url)) from None
        if answer.status == 404 and page > 1:
            return None  # Shimmie answers 404 past the last page of some queries
        if answer.status // 100 != 2:
            self._raise_for_answer(answer.status, answer.text(), answer.url)
        if not answer.content.strip():
            return None
        try:
            root = ElementTree.fromstring(answer.content)
        except ElementTree.ParseError:
            root = None
        if root is None or root.tag != "posts":
            found = "unreadable" if root is None else f"<{root.tag}>"
            raise BadResponseError(self.site, f"the answer is not the API's XML of <posts> ({found})",
                                   "The API may have changed or the address is not this site's API: check base_url, "
                                   "or report it", url=answer.url)
        return [dict(node.attrib) for node in root if node.tag == "tag"]

    def _iter_posts(self, client: SiteClient) -> Iterator[WebPost]:
        for raw in self._paginate(lambda page: self._fetch_page(client, page)):
            if "id" in raw:
                url = self._select_url(raw)
                yield self._post(raw["id"], url, raw, split_tags(raw.get("tags")),
                                 None if url else "the post has no file URL")

    def _select_url(self, raw: dict[str, Any]) -> str | None:
        names = [key[:-4] for key in raw if key.endswith("_url") and key != "file_url"]
        candidates = [(raw.get(f"{n}_url"), raw.get(f"{n}_width"), raw.get(f"{n}_height")) for n in names]
        candidates.append((raw.get("file_url"), raw.get("width"), raw.get("height")))
        return smallest_variant(candidates, self.min_size) or raw.get("file_url")
