"""Fixtures for action tests."""

import pytest

from waifuc_ui.report import collect_report

from action_helpers import ListSource


@pytest.fixture
def run():
    """run(items, *actions) -> (list of output items, RunReport), through a source's attach."""

    def _run(items, *actions):
        with collect_report() as report:
            out = list(ListSource(items).attach(*actions))
        return out, report

    return _run
