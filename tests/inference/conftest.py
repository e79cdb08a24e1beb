"""Fixtures for the model tests: ``fake_hub`` (empty temporary HF cache, Hub offline) and ``full_fake_hub``."""


