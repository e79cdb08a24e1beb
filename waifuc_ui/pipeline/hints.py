"""The small table of UI facts the signatures cannot tell: ranges, choices, help, what is hidden.

Every action the app offers is listed in :data:`ACTION_TABLE` (name -> :class:`ActionInfo`), in menu order.
Defaults come from the signatures (waifuc's); a hint ``default=`` only suggests a value for a parameter
that has none (e.g. ``AlignMinSizeAction(min_size)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..action.tagging import WD14_METHODS
from ..inference.specs import CCIP
from .params import ParamHint, hint

_UNIT = dict(minimum=0.0, maximum=1.0, step=0.01)
_CONF = hint("slider", help="detector confidence: boxes scoring below it are ignored", **_UNIT)
_IOU = hint("slider", help="overlap above which two boxes are merged (NMS)", **_UNIT)
_SIZE = dict(value_type="int", minimum=1, maximum=8192, step=1)
_HIDE = ParamHint(hidden=True)
_OPT_UNIT = hint("slider", optional=True, **_UNIT)
_COUNT = hint("number", value_type="int", minimum=0, maximum=100, step=1, optional=True, help="empty: no bound")
#: The tagging methods the runtime has (waifuc also names deepdanbooru and mldanbooru; they are not offered).
_WD14_METHODS = tuple(WD14_METHODS)
_LEVEL = dict(help="detector size: n (fastest) < s < m < x (most accurate)")
_MODEL_NAME = hint("text", optional=True, help="model name in its Hub repository (empty: the default model)")


@dataclass(frozen=True)
class ActionInfo:
    """``category``: filter, process, split, tags, dedup, select or rename. ``review``: 'ccip' or 'duplicates'
    when the step's drops can be reviewed as clusters/groups. Whether an action depends on the stream is not a UI
    fact: each action class declares it (``per_item``, see :class:`waifuc_ui.action.BaseAction`)."""

    category: str
    model_backed: bool = False
    review: str | None = None
    help: str = ""
    params: dict[str, ParamHint] = field(default_factory=dict)


#: Public actions the app does not offer as steps: bases, and stream helpers with no effect on a session's items.
NOT_OFFERED = frozenset({
    "BaseAction", "FilterAction", "ProcessAction", "BaseRandomAction", "AnalyzedAction", "AnalyzedFilterAction",
    "AnalyzedProcessAction",
    "ArrivalAction", "ProgressBarAction",  # progress bars: the app shows its own progress
    "SliceSelectAction",  # FirstNSelectAction covers the app's use; slices stay in scripts
    "Reviewed", "SetTagsAction", "RenameAction",  # hand decisions in generated scripts; the app keeps its own
})

ACTION_TABLE: dict[str, ActionInfo] = {
    # --- model-free
    "ModeConvertAction": ActionInfo("process", help="convert to a colour mode; transparency goes on the background",
                                    params={
        "mode": hint("dropdown", choices=("RGB", "RGBA", "L", "LA"), help="target mode"),
        "force_background": hint("text", optional=True, help="colour under transparent pixels (empty: keep alpha)")}),
    "MinSizeFilterAction": ActionInfo("filter", help="drop images whose short side is below min_size", params={
        "min_size": hint("number", default=256, help="minimum short side in pixels", **_SIZE)}),
    "MinAreaFilterAction": ActionInfo("filter", help="drop images with sqrt(width*height) below min_size", params={
        "min_size": hint("number", default=256, help="minimum sqrt(area) in pixels", **_SIZE)}),
    "HashDedupAction": ActionInfo("dedup", review="duplicates",
                                  help="drop exact and near duplicates by perceptual hash (no model)", params={
        "mode": hint("dropdown", choices=("all", "group"), help="compare with all kept images, or per group_id"),
        "max_distance": hint("slider", value_type="int", minimum=0, maximum=64, step=1,
                             help="Hamming distance of 64-bit hashes; 0 = exact duplicates only"),
        "method": hint("dropdown", choices=("phash", "dhash"), help="perceptual hash")}),
    "AlignMaxSizeAction": ActionInfo("process", help="shrink so the long side is at most max_size", params={
        "max_size": hint("number", default=1024, **_SIZE)}),
    "AlignMinSizeAction": ActionInfo("process", help="shrink so the short side is at most min_size (never upscales)",
                                     params={"min_size": hint("number", default=800, **_SIZE)}),
    "AlignMaxAreaAction": ActionInfo("process", help="shrink so width*height is at most size^2", params={
        "size": hint("number", default=1024, **_SIZE)}),
    "PaddingAlignAction": ActionInfo("process", help="fit inside a box and pad with a colour (may upscale)", params={
        "size": hint("number_list", default=[512, 512], value_type="int", help="width, height"),
        "color": hint("text", help="padding colour")}),
    "FrameSplitAction": ActionInfo("split", help="one item per frame of animated images"),
    "MirrorAction": ActionInfo("split", help="keep the image and add its mirror", params={
        "names": hint("tags", help="name suffixes of the original and the mirror")}),
    "RandomChoiceAction": ActionInfo("select", help="keep each image with probability p", params={
        "p": hint("slider", **_UNIT), "seed": hint("number", value_type="int", optional=True)}),
    "FirstNSelectAction": ActionInfo("select", help="keep the first n images", params={
        "n": hint("number", default=100, value_type="int", minimum=0, step=1)}),
    "FileExtAction": ActionInfo("rename", help="change the file extension (and JPEG/WebP quality)", params={
        "ext": hint("dropdown", default=".png", choices=(".png", ".jpg", ".webp")),
        "quality": hint("number", value_type="int", minimum=1, maximum=100, step=1, optional=True)}),
    "FileOrderAction": ActionInfo("rename", help="rename to 1.png, 2.png, ... in order", params={
        "ext": hint("dropdown", choices=(".png", ".jpg", ".webp"), optional=True)}),
    "RandomFilenameAction": ActionInfo("rename", help="random file names", params={
        "ext": hint("dropdown", choices=(".png", ".jpg", ".webp"), optional=True),
        "seed": hint("number", value_type="int", optional=True)}),
    "TagDropAction": ActionInfo("tags", help="remove these tags", params={
        "tags_to_drop": hint("tags", default=[], help="tags to remove, comma separated")}),
    "TagRemoveUnderlineAction": ActionInfo("tags", help="replace _ by spaces in tags (kaomoji kept)"),
    # --- model-backed
    "NoMonochromeAction": ActionInfo("filter", model_backed=True, help="drop monochrome images (greyscale, sketch)",
                                     params={"model_name": _MODEL_NAME}),
    "OnlyMonochromeAction": ActionInfo("filter", model_backed=True, help="keep only monochrome images",
                                       params={"model_name": _MODEL_NAME}),
    "ClassFilterAction": ActionInfo("filter", model_backed=True, help="keep images of these classes", params={
        "classes": hint("multiselect", default=["illustration", "bangumi"], value_type="str",
                        choices=("illustration", "bangumi", "comic", "3d", "not_painting")),
        "threshold": hint("slider", optional=True, help="minimum score of the top class (empty: any)", **_UNIT)}),
    "RatingFilterAction": ActionInfo("filter", model_backed=True, help="keep images of these ratings", params={
        "ratings": hint("multiselect", default=["safe"], value_type="str", choices=("safe", "r15", "r18")),
        "threshold": _OPT_UNIT}),
    "FaceCountAction": ActionInfo("filter", model_backed=True, help="keep images with this many faces", params={
        "counts": hint("number_list", default=[1], help="allowed face counts (empty: any)"),
        "min_count": _COUNT, "max_count": _COUNT,
        "level": hint("dropdown", choices=("s", "n"), **_LEVEL), "version": _HIDE,
        "conf_threshold": _CONF, "iou_threshold": _IOU}),
    "HeadCountAction": ActionInfo("filter", model_backed=True, help="keep images with this many heads", params={
        "counts": hint("number_list", default=[1], help="allowed head counts (empty: any)"),
        "min_count": _COUNT, "max_count": _COUNT, "level": hint("dropdown", choices=("s", "n"), **_LEVEL),
        "conf_threshold": _CONF, "iou_threshold": _IOU, "model_name": _MODEL_NAME}),
    "PersonRatioAction": ActionInfo("filter", model_backed=True,
                                    help="keep images with one person covering at least ratio of the image", params={
        "ratio": hint("slider", help="minimum share of the image the person box covers", **_UNIT),
        "level": hint("dropdown", choices=("n", "s", "m", "x"), **_LEVEL), "version": _HIDE,
        "conf_threshold": _CONF, "iou_threshold": _IOU}),
    "PersonSplitAction": ActionInfo("split", model_backed=True,
                                    help="one crop per person; images without one are dropped",
                                    params={"level": hint("dropdown", choices=("n", "s", "m", "x"), **_LEVEL),
                                            "version": _HIDE, "conf_threshold": _CONF, "iou_threshold": _IOU,
                                            "keep_original": hint(help="also keep the whole image"),
                                            "keep_origin_tags": hint(help="copy the image's tags to the crops")}),
    "ThreeStageSplitAction": ActionInfo("split", model_backed=True, help="person, half-body and head crops", params={
        "person_conf": _HIDE, "halfbody_conf": _HIDE, "head_conf": _HIDE, "eye_conf": _HIDE,
        "head_scale": hint("slider", minimum=1.0, maximum=3.0, step=0.05),
        "eye_scale": hint("slider", minimum=1.0, maximum=4.0, step=0.05)}),
    "HeadCoverAction": ActionInfo("process", model_backed=True, help="paint over every head (colour block)", params={
        "color": hint("text", help="a colour name or #rrggbb; 'random': one random colour per image"),
        "scale": hint("slider", minimum=0.1, maximum=2.0, step=0.05, help="block size as a multiple of the head box"),
        "level": _HIDE, "max_infer_size": _HIDE, "model_name": _MODEL_NAME,
        "conf_threshold": _CONF, "iou_threshold": _IOU}),
    "HeadCutOutAction": ActionInfo("process", model_backed=True,
                                   help="cut the head off: keep the side of the face with most body keypoints",
                                   params={
        "kp_threshold": hint("slider", help="minimum score of a body keypoint (DWPose) that counts", **_UNIT),
        "level": hint("dropdown", choices=("s", "n"), **_LEVEL), "version": _HIDE, "max_infer_size": _HIDE,
        "conf_threshold": _CONF, "iou_threshold": _IOU}),
    "BackgroundRemovalAction": ActionInfo("process", model_backed=True,
                                          help="make the background transparent (isnetis segmentation)"),
    "SafetyAction": ActionInfo("process", model_backed=True,
                               help="denoise images the safety check finds polluted by adversarial noise", params={
        "cfg_adversarial": _HIDE, "cfg_safe_check": _HIDE}),
    "CharacterEnhanceAction": ActionInfo("split", model_backed=True,
                                         help="copies of each character on other backgrounds, rotated", params={
        "repeats": hint("number", value_type="int", minimum=1, maximum=50, step=1, help="copies per image"),
        "modes": hint("multiselect", value_type="str", choices=("person", "halfbody", "head"), optional=True,
                      help="what to cut around, tried in random order per copy (empty: halfbody and head)"),
        "head_ratio": hint("slider", minimum=1.0, maximum=3.0, step=0.05, help="cut size around a head box"),
        "body_ratio": hint("slider", minimum=1.0, maximum=3.0, step=0.05, help="cut size around a person box"),
        "halfbody_ratio": hint("slider", minimum=1.0, maximum=3.0, step=0.05, help="cut size around a half body"),
        "degree_range": hint("number_list", optional=True, help="min, max rotation in degrees (empty: none)"),
        "backgrounds": _HIDE,
        "seed": hint("number", value_type="int", optional=True, help="random seed (empty: different each run)")}),
    "UpscaleAction": ActionInfo("process", model_backed=True,
                                help="upscale small images (e.g. head crops) with the CDC model (slow on CPU)", params={
        "min_size": hint("number", help="images whose short side is below this are upscaled", **_SIZE),
        "model": _HIDE,
        "tile_size": hint("number", value_type="int", minimum=64, maximum=2048, step=16, help="tile side"),
        "tile_overlap": hint("number", value_type="int", minimum=0, maximum=256, step=8, help="tile overlap")}),
    "CCIPAction": ActionInfo("filter", model_backed=True, review="ccip",
                             help="keep the main character (CCIP clustering)", params={
        "init_source": _HIDE,
        "min_val_count": hint("number", value_type="int", minimum=2, maximum=200, step=1,
                              help="images gathered before the first clustering (waifuc asks for >= 15)"),
        "step": hint("number", value_type="int", minimum=1, maximum=50, step=1,
                     help="re-cluster every this many new images until a main character is found"),
        "ratio_threshold": hint("slider", help="share of clustered images the main character needs", **_UNIT),
        "min_clu_dump_ratio": hint("slider", help="cohesion the main cluster needs", **_UNIT),
        "cmp_threshold": hint("slider", help="share of kept images a new image must match", **_UNIT),
        "eps": hint("slider", optional=True, help="clustering eps (empty: the model's default)", **_UNIT),
        "min_samples": _COUNT,
        "model": hint("dropdown", choices=CCIP.known_models),
        "threshold": hint("slider", optional=True, help="same character when difference <= threshold "
                                                         "(empty: the model's default)", **_UNIT)}),
    "FilterSimilarAction": ActionInfo("dedup", model_backed=True, review="duplicates",
                                      help="drop near duplicates (LPIPS)", params={
        "mode": hint("dropdown", choices=("all", "group")),
        "threshold": hint("slider", help="LPIPS distance at or below which images are duplicates", **_UNIT),
        "capacity": _HIDE, "rtol": _HIDE, "atol": _HIDE}),
    "TaggingAction": ActionInfo("tags", model_backed=True, help="tag images with a tagger (site tags win unless force)",
                                params={
        "method": hint("dropdown", choices=_WD14_METHODS, help="tagger model"),
        "force": hint(help="tag even images that already have (site) tags"),
        "general_threshold": hint("slider", default=0.35, **_UNIT),
        "character_threshold": hint("slider", default=0.85, minimum=0.0, maximum=1.01, step=0.01,
                                    help="1.01 drops character tags")}),
    "TagFilterAction": ActionInfo("filter", model_backed=True, help="keep images having all these tags", params={
        "tags": hint("tags", default=[]),
        "method": hint("dropdown", choices=_WD14_METHODS)}),
    "BlacklistedTagDropAction": ActionInfo("tags", model_backed=True, help="remove blacklisted tags (e.g. cosplay)"),
    "TagOverlapDropAction": ActionInfo("tags", model_backed=True, help="remove tags implied by more specific ones"),
}

#: Help of the parameters not given one above: (action, parameter) -> text.
PARAM_HELP: dict[tuple, str] = {
    ("AlignMaxSizeAction", "max_size"): "longest side after shrinking, in pixels",
    ("AlignMinSizeAction", "min_size"): "shortest side after shrinking, in pixels",
    ("AlignMaxAreaAction", "size"): "side of the square with the largest allowed area",
    ("RandomChoiceAction", "p"): "probability of keeping an image",
    ("RandomChoiceAction", "seed"): "random seed (empty: different each run)",
    ("RandomFilenameAction", "seed"): "random seed (empty: different each run)",
    ("FirstNSelectAction", "n"): "number of images to keep",
    ("FileExtAction", "ext"): "new file extension (decides the saved format)",
    ("FileExtAction", "quality"): "JPEG/WebP quality (empty: the format's default)",
    ("FileOrderAction", "ext"): "extension of the new names (empty: keep each image's)",
    ("RandomFilenameAction", "ext"): "extension of the new names (empty: keep each image's)",
    ("ClassFilterAction", "classes"): "image classes to keep",
    ("RatingFilterAction", "ratings"): "ratings to keep",
    ("RatingFilterAction", "threshold"): "minimum score of the top rating (empty: any)",
    ("ThreeStageSplitAction", "head_scale"): "head crop side as a multiple of the head box",
    ("ThreeStageSplitAction", "split_eyes"): "also crop the eyes",
    ("ThreeStageSplitAction", "eye_scale"): "eye crop side as a multiple of the eye box",
    ("ThreeStageSplitAction", "split_person"): "crop persons first (off: the whole image is the person)",
    ("ThreeStageSplitAction", "keep_origin_tags"): "copy the image's tags to the crops",
    ("CCIPAction", "model"): "CCIP model",
    ("FilterSimilarAction", "mode"): "compare with all kept images, or only within the same group_id",
    ("TaggingAction", "general_threshold"): "minimum probability of a general tag",
    ("TagFilterAction", "tags"): "tags every kept image must have",
    ("TagFilterAction", "method"): "tagger model",
    ("TagFilterAction", "reversed"): "drop images having any of the tags instead",
}
