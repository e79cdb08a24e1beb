"""Tag lists from the alea31415/tag_filtering dataset: overlap and blacklist."""

from __future__ import annotations


def drop_overlap_tags(tags):
    raise NotImplementedError


def drop_blacklisted_tags(tags, use_presets: bool = True, custom_blacklist=None):
    raise NotImplementedError
