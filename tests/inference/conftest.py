"""Fixtures for the model tests: ``fake_hub`` (empty temporary HF cache, Hub offline) and ``full_fake_hub``."""

from tests.fakehub import fake_hub, full_fake_hub  # noqa: F401  (re-exported fixtures)
