"""Content hashes: the identity under which model outputs are cached (defined in :mod:`waifuc_ui.core.hashing`)."""

from __future__ import annotations

from ..core.hashing import content_hash, image_hash

__all__ = ["content_hash", "image_hash"]
