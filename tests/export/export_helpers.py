"""Test helpers for exporters: a list source and a folder listing."""

import os

from waifuc_ui.model import ImageItem
from waifuc_ui.source.base import BaseDataSource


class ListSource(BaseDataSource):
    def __init__(self, items):
        self.items = list(items)

    def _iter(self):
        for item in self.items:
            yield ImageItem(item.image, dict(item.meta))


def listing(folder):
    """Sorted relative paths of every file under ``folder`` ('/' separated)."""
    found = []
    for root, _dirs, files in os.walk(folder):
        for f in files:
            found.append(os.path.relpath(os.path.join(root, f), folder).replace(os.sep, "/"))
    return sorted(found)
