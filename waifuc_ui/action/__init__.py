"""waifuc-compatible actions (``from waifuc_ui.action import ...``): waifuc's names and semantics, plus the
analysed-action bases (model output cached per image) and the actions that replay decisions made by hand."""

from .align import AlignMaxAreaAction, AlignMaxSizeAction, AlignMinSizeAction, PaddingAlignAction
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
    "ActionStop", "AlignMaxAreaAction", "AlignMaxSizeAction", "AlignMinSizeAction", "AnalyzedAction",
    "AnalyzedFilterAction", "AnalyzedProcessAction", "ArrivalAction", "BaseAction", "BaseRandomAction",
    "BlacklistedTagDropAction", "CCIPAction", "ClassFilterAction", "FaceCountAction", "FileExtAction",
    "FileOrderAction", "FilterAction", "FilterSimilarAction", "FirstNSelectAction", "FrameSplitAction",
    "HashDedupAction", "HeadCountAction", "MinAreaFilterAction", "MinSizeFilterAction", "MirrorAction",
    "ModeConvertAction", "NoMonochromeAction", "OnlyMonochromeAction", "PaddingAlignAction", "PersonRatioAction",
    "PersonSplitAction", "ProcessAction", "ProgressBarAction", "RandomChoiceAction", "RandomFilenameAction",
    "RatingFilterAction", "RenameAction", "Reviewed", "SetTagsAction", "SliceSelectAction", "TagDropAction",
    "TagFilterAction", "TagOverlapDropAction", "TagRemoveUnderlineAction", "TaggingAction", "ThreeStageSplitAction",
    "BackgroundRemovalAction", "CharacterEnhanceAction", "HeadCoverAction", "HeadCutOutAction", "SafetyAction",
    "UpscaleAction",
    "Verdict",
]
