"""The one JSON conversion (core.jsondata): sidecars omit what JSON cannot hold, state keeps its repr."""

import json
import math

import numpy as np
from PIL import Image

from waifuc_ui.core.jsondata import json_safe, stable_json, to_json_value


def test_numpy_tuples_sets_and_keys_become_json():
    value = {"a": np.arange(3), "s": np.float32(0.5), "n": np.int64(7), "t": (1, 2), "set": {"b", "a"},
             3: "three", "nested": [{"x": np.bool_(True)}]}
    out = to_json_value(value)
    assert out == {"a": [0, 1, 2], "s": 0.5, "n": 7, "t": [1, 2], "set": ["a", "b"], "3": "three",
                   "nested": [{"x": True}]}
    assert json.loads(json.dumps(out)) == out
    assert type(out["n"]) is int and type(out["nested"][0]["x"]) is bool


def test_nan_and_infinity_become_null_so_any_reader_takes_the_text():
    out = json_safe({"score": math.nan, "big": np.array([np.inf, 1.0])})
    assert out == {"score": None, "big": [None, 1.0]}
    json.dumps(out, allow_nan=False)  # raises if a NaN or infinity were left


def test_unknown_objects_are_omitted_and_named_or_kept_as_repr():
    image = Image.new("RGB", (1, 1))
    left_out: list[str] = []
    assert to_json_value({"img": image, "tags": {"x": [1, image]}}, "", left_out) == {"tags": {"x": [1]}}
    assert left_out == ["img (Image)", "tags.x[1] (Image)"]
    kept = json_safe({"img": image})
    assert kept == {"img": repr(image)}


def test_stable_json_is_the_same_text_for_equal_values_in_any_order():
    assert stable_json({"b": {1, 2, 3}, "a": (1,)}) == stable_json({"a": [1], "b": {3, 2, 1}}) == \
        '{"a": [1], "b": [1, 2, 3]}'
