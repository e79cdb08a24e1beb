"""guarded: a WaifucUIError reaches the visitor as gradio's toast, HTML-escaped (the toast renders HTML)."""

import gradio as gr
import pytest

from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.ui.common import guarded


def test_error_text_is_escaped_for_the_toast():
    @guarded
    def handler(_value):
        raise InvalidOptionError("model dir", "<none>", fix="set WAIFUC_UI_MODEL_DIR=<dir> & reload")

    with pytest.raises(gr.Error) as caught:
        handler("x")
    assert caught.value.message == ("invalid model dir: '&lt;none&gt;'. Fix: set WAIFUC_UI_MODEL_DIR=&lt;dir&gt; "
                                    "&amp; reload")
