"""waifuc-compatible actions (``from waifuc_ui.action import ...``)."""

from .base import ActionStop, BaseAction, FilterAction, ProcessAction, Verdict
from .select import FirstNSelectAction, SliceSelectAction
# model-free actions (helper A2)
from .align import AlignMaxAreaAction, AlignMaxSizeAction, AlignMinSizeAction, PaddingAlignAction
from .augment import MirrorAction
from .basic import ModeConvertAction
from .dedup import HashDedupAction
from .frames import FrameSplitAction
from .naming import BaseRandomAction, FileExtAction, FileOrderAction, RandomFilenameAction
from .sampling import ArrivalAction, ProgressBarAction, RandomChoiceAction
from .size import MinAreaFilterAction, MinSizeFilterAction
from .tags import TagDropAction, TagRemoveUnderlineAction
# model-backed actions (helper D)
from .analyzed import AnalyzedAction, AnalyzedFilterAction, AnalyzedProcessAction
from .ccip import CCIPAction
from .filter_models import (ClassFilterAction, FaceCountAction, HeadCountAction, NoMonochromeAction,
                            OnlyMonochromeAction, PersonRatioAction, RatingFilterAction)
from .lpips import FilterSimilarAction
from .split_models import PersonSplitAction, ThreeStageSplitAction
from .tagging import BlacklistedTagDropAction, TagFilterAction, TaggingAction, TagOverlapDropAction
# decisions made by hand, carried by generated scripts
from .reviewed import RenameAction, Reviewed, SetTagsAction

__all__ = [
    "AlignMaxAreaAction", "AlignMaxSizeAction", "AlignMinSizeAction", "ArrivalAction", "BaseRandomAction",
    "FileExtAction", "FileOrderAction", "FrameSplitAction", "HashDedupAction", "MinAreaFilterAction",
    "MinSizeFilterAction", "MirrorAction", "ModeConvertAction", "PaddingAlignAction", "ProgressBarAction",
    "RandomChoiceAction", "RandomFilenameAction", "TagDropAction", "TagRemoveUnderlineAction",
    "AnalyzedAction", "AnalyzedFilterAction", "AnalyzedProcessAction", "CCIPAction", "ClassFilterAction",
    "FaceCountAction", "HeadCountAction", "NoMonochromeAction", "OnlyMonochromeAction", "PersonRatioAction",
    "RatingFilterAction", "PersonSplitAction", "ThreeStageSplitAction", "BlacklistedTagDropAction",
    "TagFilterAction", "TaggingAction", "TagOverlapDropAction", "FilterSimilarAction",
    "RenameAction", "Reviewed", "SetTagsAction",
    "ActionStop",
    "BaseAction",
    "FilterAction",
    "FirstNSelectAction",
    "ProcessAction",
    "SliceSelectAction",
    "Verdict",
]
