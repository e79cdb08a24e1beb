"""waifuc-compatible actions (``from waifuc_ui.action import ...``)."""

# model-free actions (helper A2)
from .align import AlignMaxAreaAction, AlignMaxSizeAction, AlignMinSizeAction, PaddingAlignAction

# model-backed actions (helper D)
from .analyzed import AnalyzedAction, AnalyzedFilterAction, AnalyzedProcessAction
from .augment import MirrorAction
from .background import BackgroundRemovalAction
from .base import ActionStop, BaseAction, FilterAction, ProcessAction, Verdict
from .basic import ModeConvertAction
from .ccip import CCIPAction
from .dedup import HashDedupAction
from .enhance import CharacterEnhanceAction
from .filter_models import (
                            ClassFilterAction,
                            FaceCountAction,
                            HeadCountAction,
                            NoMonochromeAction,
                            OnlyMonochromeAction,
                            PersonRatioAction,
                            RatingFilterAction,
)
from .frames import FrameSplitAction
from .head import HeadCoverAction, HeadCutOutAction
from .lpips import FilterSimilarAction
from .naming import BaseRandomAction, FileExtAction, FileOrderAction, RandomFilenameAction

# decisions made by hand, carried by generated scripts
from .reviewed import RenameAction, Reviewed, SetTagsAction
from .safety import SafetyAction
from .sampling import ArrivalAction, ProgressBarAction, RandomChoiceAction
from .select import FirstNSelectAction, SliceSelectAction
from .size import MinAreaFilterAction, MinSizeFilterAction
from .split_models import PersonSplitAction, ThreeStageSplitAction
from .tagging import BlacklistedTagDropAction, TagFilterAction, TaggingAction, TagOverlapDropAction
from .tags import TagDropAction, TagRemoveUnderlineAction
from .upscale import UpscaleAction

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
    "BackgroundRemovalAction", "CharacterEnhanceAction", "HeadCoverAction", "HeadCutOutAction", "SafetyAction",
    "UpscaleAction",
    "ActionStop",
    "BaseAction",
    "FilterAction",
    "FirstNSelectAction",
    "ProcessAction",
    "SliceSelectAction",
    "Verdict",
]
