from pathlib import Path

import pytest

from waifuc_ui.core.settings import default_workspace_root
from waifuc_ui.ui.settings import DEFAULT_SESSION_TTL, PUBLIC_MAX_FILE_SIZE, AppSettings, settings_from_env


def test_local_run_allows_folders_and_has_no_upload_limit(tmp_path):
    settings = settings_from_env({"WAIFUC_UI_WORKSPACE_ROOT": str(tmp_path)})
    assert settings.public is False
    assert settings.allows_local_folders is True
    assert settings.max_file_size is None
    assert settings.workspace_root == tmp_path.resolve()
    assert settings.session_ttl == DEFAULT_SESSION_TTL


@pytest.mark.parametrize("env", [{"WAIFUC_UI_PUBLIC": "1"}, {"SPACE_ID": "someone/waifuc_ui"},
                                 {"WAIFUC_UI_PUBLIC": "yes"}])
def test_public_mode_from_flag_or_space(env):
    settings = settings_from_env(env)
    assert settings.public is True
    assert settings.allows_local_folders is False
    assert settings.max_file_size == PUBLIC_MAX_FILE_SIZE


def test_explicit_upload_limit_and_ttl():
    settings = settings_from_env({"SPACE_ID": "x/y", "WAIFUC_UI_MAX_UPLOAD": "5mb", "WAIFUC_UI_SESSION_TTL": "60"})
    assert settings.max_file_size == "5mb"
    assert settings.session_ttl == 60.0


def test_bad_ttl_names_value_and_fix():
    with pytest.raises(ValueError, match=r"WAIFUC_UI_SESSION_TTL='soon'.*e\.g\. 10800"):
        settings_from_env({"WAIFUC_UI_SESSION_TTL": "soon"})


def test_demo_dir_points_at_bundled_assets():
    assert settings_from_env({}).demo_dir == Path(__file__).resolve().parents[2] / "assets" / "demo"


def test_the_app_and_the_library_share_the_default_workspace_folder_and_the_truthy_rule():
    assert AppSettings().workspace_root == default_workspace_root()
    assert settings_from_env({}).workspace_root == default_workspace_root().resolve()
    assert settings_from_env({"WAIFUC_UI_PUBLIC": "on"}).public is True
    assert settings_from_env({"WAIFUC_UI_PUBLIC": "off"}).public is False
