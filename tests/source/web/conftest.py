"""Fixtures of the crawler tests: a fake clock and a local image board (see web_board.py)."""

import pytest
from web_board import Board, FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def board(clock):
    server = Board(clock)
    yield server
    server.close()


@pytest.fixture
def web_options(board, clock):
    """Options that point a source at the local board and its fake clock."""
    return dict(base_url=board.url, clock=clock, sleep=clock.sleep, timeout=5.0)


