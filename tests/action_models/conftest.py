"""Fixtures for model-backed action tests: the fake Hub (tiny ONNX models), a fresh analysis cache, run()."""

import pytest
from model_action_helpers import CountingSource

from waifuc_ui.analysis import AnalysisCache, use_analysis_cache
from waifuc_ui.core.report import collect_report


@pytest.fixture
def cache(tmp_path):
    """A fresh analysis cache made current for the test."""
    with use_analysis_cache(AnalysisCache(tmp_path / "analysis")) as c:
        yield c


@pytest.fixture
def run(cache):
    """run(pairs, *actions) -> (outputs, report, source) through a source's attach."""

    def _run(pairs, *actions):
        source = CountingSource(pairs)
        with collect_report() as report:
            out = list(source.attach(*actions))
        return out, report, source

    return _run
