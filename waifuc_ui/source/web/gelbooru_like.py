"""Sites on Gelbooru 0.2 software, waifuc's Rule34-like and Xbooru-like sources: Rule34Source,
HypnoHubSource, RealbooruSource, XbooruSource, SafebooruOrgSource and TBIBSource. Same listing API as Gelbooru
(``/index.php?page=dapi&s=post&q=index&json=1&pid=N``), answering a bare JSON list (an empty body
past the last page). Xbooru-like sites give no file URL: it is built from ``directory`` and
``image`` as waifuc does; Realbooru's is found by probing its two known layouts with HEAD.

These sites do not publish their JSON API; the URL layouts are followed from waifuc's code.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from .base import smallest_variant
from .client import SiteClient
from .gelbooru import GelbooruSource


class _GelbooruSoftwareSource(GelbooruSource):
    """Gelbooru 0.2 software: no offset cap known, credentials optional (``user_id``/``api_key``
    are sent only when given)."""

    max_offset = None
    credential_names = "user_id and api_key (the site's account options page)"

    def __init__(self, tags: str | Sequence[str], min_size: int | None = 800, group_name: str | None = None,
                 download_silent: bool = True, user_id: str | int | None = None, api_key: str | None = None,
                 **options: Any):
        super().__init__(tags, min_size, group_name, download_silent, user_id, api_key, **options)


class Rule34Source(_GelbooruSoftwareSource):
    """rule34.xxx (waifuc's ``Rule34Source(tags, min_size=800, group_name='rule34')``); the site may ask
    for ``user_id`` and ``api_key`` (account options). Unconfirmed API: followed from waifuc's code."""

    site = "rule34"
    default_base_url = "https://rule34.xxx"


class HypnoHubSource(_GelbooruSoftwareSource):
    """hypnohub.net (waifuc's ``HypnoHubSource(tags, min_size=800, group_name='hypnohub')``).
    Unconfirmed API: not publicly documented, followed from waifuc's code."""

    site = "hypnohub"
    default_base_url = "https://hypnohub.net"


class _XbooruLikeSource(_GelbooruSoftwareSource):
    """File URLs built from ``directory`` and ``image``: ``{images}/images/{dir}/{image}`` and, when
    the post has a sample, ``{images}/samples/{dir}/sample_{name}.jpg?{id}``."""

    default_image_url = ""

    @property
    def image_url(self) -> str:
        """Where the files are: the site's image host, or ``base_url`` when one was given."""
        given = self.base_url != self.default_base_url.rstrip("/")
        return self.base_url if given else self.default_image_url

    def _select_url(self, raw: dict[str, Any]) -> str | None:
        directory, image = raw.get("directory"), raw.get("image")
        if not directory or not image:
            return None
        original = f"{self.image_url}/images/{directory}/{image}"
        candidates = [(original, raw.get("width"), raw.get("height"))]
        if raw.get("sample"):
            name = os.path.splitext(str(image))[0]
            candidates.append((f"{self.image_url}/samples/{directory}/sample_{name}.jpg?{raw['id']}",
                               raw.get("sample_width"), raw.get("sample_height")))
        return smallest_variant(candidates, self.min_size) or original


class XbooruSource(_XbooruLikeSource):
    """xbooru.com, files on img.xbooru.com. Unconfirmed API: not publicly documented, followed from waifuc's code."""

    site = "xbooru"
    default_base_url = "https://xbooru.com"
    default_image_url = "https://img.xbooru.com"


class SafebooruOrgSource(_XbooruLikeSource):
    """safebooru.org (not Danbooru's safebooru.donmai.us, which is :class:`SafebooruSource`).
    Unconfirmed URL layout: not publicly documented, followed from waifuc's code."""

    site = "safebooru_org"
    default_base_url = "https://safebooru.org"
    default_image_url = "https://safebooru.org"


class TBIBSource(_XbooruLikeSource):
    """tbib.org, The Big ImageBoard. Unconfirmed API: not publicly documented, followed from waifuc's code."""

    site = "tbib"
    default_base_url = "https://tbib.org"
    default_image_url = "https://tbib.org"


class RealbooruSource(_GelbooruSoftwareSource):
    """realbooru.com. Its listing gives no usable file URL; like waifuc, the file is looked for at
    ``/images/{directory}/{image}`` then ``/images/{directory}/{hash}{ext}`` with a HEAD request
    each (rate limited like every request), and the post is skipped if neither answers.
    Unconfirmed API: not publicly documented, followed from waifuc's code."""

    site = "realbooru"
    default_base_url = "https://realbooru.com"

    def _post_url(self, client: SiteClient, raw: dict[str, Any]) -> str | None:
        directory, image = raw.get("directory"), raw.get("image")
        if not directory or not image:
            return None
        ext = os.path.splitext(str(image))[1]
        for name in (image, f"{raw.get('hash')}{ext}" if raw.get("hash") else None):
            if name:
                url = f"{self.base_url}/images/{directory}/{name}"
                if client.head_status(url) // 100 == 2:
                    return url
        return None
