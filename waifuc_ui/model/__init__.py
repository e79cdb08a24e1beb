"""waifuc's ``waifuc.model`` name, kept so waifuc scripts run with only the import changed."""

from waifuc_ui.core.item import CropInfo, ImageItem, ItemMeta

__all__ = ["CropInfo", "ImageItem", "ItemMeta"]
