"""Fixtures for action tests."""

import pytest
from action_helpers import ListSource

from waifuc_ui.core.report import collect_report


@pytest.fixture
def run():
    """run(items, *actions) -> (list of output items, RunReport), through a source's attach."""

    def _run(items, *actions):
        with collect_report() as report:
            out = list(ListSource(items).attach(*actions))
        return out, report

    return _run
