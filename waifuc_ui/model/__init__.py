from .item import CropInfo, ImageItem, ItemMeta

__all__ = ["CropInfo", "ImageItem", "ItemMeta"]
