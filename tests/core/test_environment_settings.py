"""The settings object: every environment variable of the package read by one function, one truthy rule."""

from pathlib import Path

import pytest

from waifuc_ui import __version__
from waifuc_ui.core.settings import Settings, default_cache_dir, default_workspace_root, env_flag


@pytest.mark.parametrize("value", ["1", "true", "TRUE", " yes ", "On"])
def test_truthy_values(value):
    assert env_flag(value) is True


@pytest.mark.parametrize("value", [None, "", "0", "false", "no", "off", "2", "enabled"])
def test_other_values_are_false(value):
    assert env_flag(value) is False


def test_defaults_when_nothing_is_set():
    settings = Settings.from_env({})
    assert settings.cache_dir == Path.home() / ".cache" / "waifuc_ui" / "analysis" == default_cache_dir()
    assert settings.workspace_root == default_workspace_root()
    assert settings.workspace_root.name == "waifuc_ui_workspaces"
    assert settings.public is False and settings.contact == ""
    assert settings.user_agent == f"waifuc_ui/{__version__} (LoRA dataset tool)"


def test_every_variable_is_read(tmp_path):
    settings = Settings.from_env({"WAIFUC_UI_CACHE_DIR": str(tmp_path / "c"),
                                  "WAIFUC_UI_WORKSPACE_ROOT": str(tmp_path / "w"), "WAIFUC_UI_PUBLIC": "on",
                                  "WAIFUC_UI_CONTACT": " admin@example.org "})
    assert (settings.cache_dir, settings.workspace_root) == (tmp_path / "c", tmp_path / "w")
    assert settings.public is True
    assert settings.user_agent == f"waifuc_ui/{__version__} (LoRA dataset tool; admin@example.org)"
    assert Settings.from_env({"SPACE_ID": "someone/space"}).public is True

