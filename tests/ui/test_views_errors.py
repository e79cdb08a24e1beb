"""Refusals are short, escaped and say the fix once; a guarded handler that refuses changes no output (no red
"Error" badge on every output, as a raised gr.Error puts) and tells why in one toast."""

import gradio as gr
import pytest

from waifuc_ui.core.errors import ExportError, InvalidOptionError
from waifuc_ui.inference.hub import HubFile, unavailable
from waifuc_ui.ui.common import guarded
from waifuc_ui.ui.views import PROBLEM_CHARS, error_message

CCIP = HubFile("deepghs/ccip_onnx", "ccip-caformer/model_feat.onnx")


def test_a_missing_model_names_the_file_and_its_command_once_with_the_layout_escaped():
    err = unavailable(CCIP, "the Hub cannot be reached (HF_HUB_OFFLINE is set)")
    assert "<dir>/<owner>" in str(err)  # the raw error carries markup-like text …
    text = error_message(err)
    assert "<dir>" not in text and "&lt;dir&gt;" not in text  # … the toast says the fix without it
    assert text.startswith("model file not on this machine: deepghs/ccip_onnx/ccip-caformer/model_feat.onnx. Fix: ")
    assert text.count("<code>hf download deepghs/ccip_onnx ccip-caformer/model_feat.onnx</code>") == 1
    assert text.count("Fix:") == 1 and len(text) < 300


def test_other_errors_are_escaped_and_a_long_problem_is_cut_but_never_its_fix():
    err = ExportError("cannot write <out>/<name>.zip", "choose an empty folder")
    assert error_message(err) == "cannot write &lt;out&gt;/&lt;name&gt;.zip. Fix: choose an empty folder"
    long = InvalidOptionError("action", "Action", [f"Action{k:03d}" for k in range(100)], "pick an action to add")
    text = error_message(long)
    problem, fix = text.split(". Fix: ")
    assert len(problem) == PROBLEM_CHARS and problem.endswith("…")
    assert fix == "pick an action to add"
    nothing = InvalidOptionError("action", "", [f"Action{k:03d}" for k in range(100)], "pick an action to add")
    assert error_message(nothing) == "no action chosen. Fix: pick an action to add"


def test_a_guarded_handler_that_refuses_leaves_its_outputs_and_warns_once():
    class Session:
        workspace = None

    class UI:
        session = Session()

    @guarded
    def handler(ui):
        raise InvalidOptionError("image to drop", None, fix="click an image in the After gallery first")

    with pytest.warns(UserWarning) as caught:
        out = handler(UI())
    assert out == gr.skip()
    assert [str(w.message) for w in caught] == [
        "no image to drop chosen. Fix: click an image in the After gallery first"]


def test_a_guarded_generator_streams_then_refuses_without_an_error():
    class UI:
        session = None

    @guarded
    def handler(ui):
        yield "first"
        raise InvalidOptionError("run", "while another run is going", fix="wait")

    with pytest.warns(UserWarning):
        assert list(handler(UI())) == ["first", gr.skip()]
