from typing import Literal

from waifuc_ui.pipeline.params import derive_params, hint
from waifuc_ui.ui.param_widgets import param_to_ui, ui_to_param, widget_for


class FakeAction:
    def __init__(self, *counts: int, mode: Literal["a", "b"] = "a", threshold: float = 0.5, force: bool = False,
                 eps: float | None = None, tags=("x", "y"), level: str | None = None, name: str = "n"):
        pass


SPECS = {s.name: s for s in derive_params(FakeAction, {
    "counts": hint("number_list", default=[1]),
    "threshold": hint("slider", minimum=0.0, maximum=1.0, step=0.05),
    "eps": hint("slider", optional=True, minimum=0.0, maximum=1.0, step=0.01),
    "level": hint("dropdown", choices=("s", "n"), optional=True),
})}


def test_each_kind_maps_to_its_widget():
    assert widget_for(SPECS["threshold"], 0.3) == ("Slider", {
        "label": "threshold", "info": None, "minimum": 0.0, "maximum": 1.0, "step": 0.05, "value": 0.3})
    assert widget_for(SPECS["force"], True)[0] == "Checkbox"
    name, kwargs = widget_for(SPECS["mode"], "b")
    assert (name, kwargs["choices"], kwargs["value"], kwargs["multiselect"]) == ("Dropdown", ["a", "b"], "b", False)
    name, kwargs = widget_for(SPECS["counts"], [1, 2])
    assert (name, kwargs["value"], kwargs["placeholder"]) == ("Textbox", "1, 2", "comma separated")


def test_unset_optional_slider_becomes_number_box_saying_so():
    name, kwargs = widget_for(SPECS["eps"], None)
    assert name == "Number"
    assert kwargs["value"] is None
    assert "empty = not set" in kwargs["info"]
    assert widget_for(SPECS["eps"], 0.2)[0] == "Slider"


def test_optional_dropdown_offers_not_set():
    name, kwargs = widget_for(SPECS["level"], None)
    assert kwargs["choices"] == [("(not set)", ""), ("s", "s"), ("n", "n")]
    assert kwargs["value"] == ""
    assert ui_to_param(SPECS["level"], "") is None
    assert ui_to_param(SPECS["level"], "n") == "n"


def test_ui_values_convert_back_to_recipe_values():
    assert ui_to_param(SPECS["counts"], "") == []
    assert ui_to_param(SPECS["counts"], "1, 2") == "1, 2"  # the pipeline layer splits and validates
    assert ui_to_param(SPECS["eps"], None) is None
    assert ui_to_param(SPECS["eps"], "") is None
    assert ui_to_param(SPECS["tags"], None) == []
    assert param_to_ui(SPECS["tags"], ["x", "y"]) == "x, y"
    assert param_to_ui(SPECS["name"], None) == ""
