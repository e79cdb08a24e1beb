"""waifuc-compatible sources (``from waifuc_ui.source import ...``)."""

from .archive import ArchiveLimits
from .base import AttachedDataSource, BaseDataSource, ComposedDataSource, NamedDataSource, ParallelDataSource
from .local import LocalDatasetSource, LocalSource, LocalTISource
from .upload import UploadInspection, UploadSource, inspect_upload
from .video import VideoSource
from .web import (
                   AnimePicturesSource,
                   ATFBooruSource,
                   BasePixivSource,
                   DanbooruSource,
                   DerpibooruSource,
                   DuitangSource,
                   E621Source,
                   E926Source,
                   FileType,
                   FurbooruSource,
                   GelbooruSource,
                   HypnoHubSource,
                   KonachanNetSource,
                   KonachanSource,
                   LolibooruSource,
                   PahealSource,
                   PixivRankingSource,
                   PixivSearchSource,
                   PixivUserSource,
                   PostOrder,
                   Rating,
                   RealbooruSource,
                   Rule34Source,
                   SafebooruOrgSource,
                   SafebooruSource,
                   SankakuSource,
                   TBIBSource,
                   ThreeDBooruSource,
                   WallHavenSource,
                   WebDataSource,
                   XbooruSource,
                   YandeSource,
                   ZerochanSource,
)

__all__ = [
    "ArchiveLimits",
    "AttachedDataSource",
    "BaseDataSource",
    "ComposedDataSource",
    "LocalDatasetSource",
    "LocalSource",
    "LocalTISource",
    "NamedDataSource",
    "ParallelDataSource",
    "UploadInspection",
    "UploadSource",
    "inspect_upload",
    "VideoSource",
    # online sources (source/web)
    "DanbooruSource", "E621Source", "E926Source", "GelbooruSource", "KonachanNetSource", "KonachanSource",
    "SafebooruSource", "WebDataSource", "YandeSource", "ZerochanSource",
    "ATFBooruSource", "AnimePicturesSource", "BasePixivSource", "DerpibooruSource", "DuitangSource", "FileType",
    "FurbooruSource", "HypnoHubSource", "LolibooruSource", "PahealSource", "PixivRankingSource", "PixivSearchSource",
    "PixivUserSource", "PostOrder", "Rating", "RealbooruSource", "Rule34Source", "SafebooruOrgSource",
    "SankakuSource", "TBIBSource",
    "ThreeDBooruSource", "WallHavenSource", "XbooruSource",
]
