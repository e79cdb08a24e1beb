import pytest

from waifuc_ui.action import FilterAction
from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.pipeline import action_catalog, get_action_spec, model_status
from waifuc_ui.pipeline.catalog import ModelStatus
from waifuc_ui.pipeline.hints import ACTION_TABLE
from waifuc_ui.pipeline.params import coerce_value, derive_params, hint


@pytest.fixture(scope="module")
def catalog():
    return action_catalog()


def test_catalog_lists_every_table_action_in_menu_order(catalog):
    import waifuc_ui.action as a
    assert list(catalog) == list(ACTION_TABLE)
    assert all(catalog[n].cls is getattr(a, n) for n in ACTION_TABLE)
    assert {"ModeConvertAction", "MinSizeFilterAction", "HashDedupAction", "AlignMinSizeAction"} <= set(catalog)


def test_every_table_entry_names_only_real_parameters_or_declared_extras(catalog):
    for name, spec in catalog.items():
        assert spec.params is not None, name
        info = ACTION_TABLE[name]
        sig_names = {p.name for p in spec.params if not p.extra}
        for pname, h in info.params.items():
            if not h.hidden and not h.has_default:
                assert pname in sig_names, (name, pname)


def test_params_derived_from_signatures_with_waifuc_defaults(catalog):
    mode = catalog["ModeConvertAction"].params
    assert [(p.name, p.kind, p.default) for p in mode] == [("mode", "dropdown", "RGB"),
                                                           ("force_background", "text", "white")]
    assert mode[1].optional  # None = keep alpha
    import inspect
    dedup = {p.name: p for p in catalog["HashDedupAction"].params}
    waifuc_default = inspect.signature(catalog["HashDedupAction"].cls).parameters["max_distance"].default
    assert (dedup["max_distance"].kind, dedup["max_distance"].default, dedup["max_distance"].maximum) == \
        ("slider", waifuc_default, 64)
    assert dedup["mode"].choices == ("all", "group")
    size = catalog["MinSizeFilterAction"].params[0]
    assert (size.name, size.kind, size.default, size.required, size.value_type) == ("min_size", "number", 256, True,
                                                                                    "int")
    assert catalog["RandomChoiceAction"].defaults() == {"p": 0.5, "seed": None}
    assert catalog["FrameSplitAction"].params == ()


def test_positional_and_extra_params_from_hints():
    class CountLike:
        def __init__(self, *counts, min_count=None, level="s", **kwargs):
            pass

    specs = derive_params(CountLike, {"counts": hint("number_list", default=[1]),
                                      "general_threshold": hint("slider", default=0.35, minimum=0, maximum=1)})
    assert [(p.name, p.kind, p.default, p.positional, p.extra) for p in specs] == [
        ("counts", "number_list", [1], True, False), ("min_count", "text", None, False, False),
        ("level", "text", "s", False, False), ("general_threshold", "slider", 0.35, False, True)]


def test_coerce_value_checks_and_explains(catalog):
    spec = catalog["HashDedupAction"].param("max_distance")
    assert coerce_value("HashDedupAction", spec, 4.0) == 4
    with pytest.raises(InvalidOptionError, match=r"HashDedupAction.max_distance: 99.*between 0 and 64"):
        coerce_value("HashDedupAction", spec, 99)
    with pytest.raises(InvalidOptionError, match=r"HashDedupAction.mode: 'some'; valid choices: 'all', 'group'"):
        coerce_value("HashDedupAction", catalog["HashDedupAction"].param("mode"), "some")
    with pytest.raises(InvalidOptionError, match="expected a int"):
        coerce_value("HashDedupAction", spec, "many")
    tags = catalog["TagDropAction"].param("tags_to_drop")
    assert coerce_value("TagDropAction", tags, "a, b ,, c") == ["a", "b", "c"]


def test_unknown_action_lists_choices(catalog):
    with pytest.raises(InvalidOptionError, match="invalid action: 'NoSuchAction'; valid choices: 'ModeConvertAction'"):
        get_action_spec("NoSuchAction", catalog)


def test_model_status_for_model_free_and_missing_model_actions():
    from waifuc_ui.inference import HubFile

    class Missing(FilterAction):
        def required_files(self):
            return [HubFile("nobody/none", "m/model.onnx")]

    assert model_status(FilterAction()) == ModelStatus(needs_models=False, available=True)
    status = model_status(Missing())
    assert status.needs_models and not status.available and status.fix


def test_every_public_action_is_offered_or_deliberately_not(catalog):
    import waifuc_ui.action as a
    from waifuc_ui.action.base import BaseAction
    from waifuc_ui.pipeline.hints import NOT_OFFERED

    public = {n for n in a.__all__ if isinstance(getattr(a, n), type) and issubclass(getattr(a, n), BaseAction)}
    assert sorted(public - set(catalog) - NOT_OFFERED) == []
    assert sorted(set(catalog) & NOT_OFFERED) == []


def test_every_offered_parameter_has_help(catalog):
    assert [(n, p.name) for n, s in catalog.items() for p in s.params if not p.help] == []


def test_every_dropdown_choice_builds_the_action(catalog):
    """A value the UI offers must never be refused by the action itself."""
    from waifuc_ui.pipeline import PipelineStep, build_action

    for name, spec in catalog.items():
        for p in spec.params:
            if p.kind == "dropdown" and p.choices:
                for choice in p.choices:
                    build_action(PipelineStep(name, {p.name: choice}), catalog)


def test_every_action_builds_with_its_ui_defaults(catalog):
    from waifuc_ui.pipeline import PipelineStep, build_action

    for name, spec in catalog.items():
        action = build_action(PipelineStep(name, spec.defaults()), catalog)
        assert type(action) is spec.cls
