"""Quotas come from the environment: public defaults, local defaults, overrides, and clear errors."""

import pytest

from waifuc_ui.session.quota import Quotas
from waifuc_ui.ui.settings import settings_from_env
from waifuc_ui.ui.state import SessionBinder


def test_public_and_local_defaults(tmp_path):
    public = settings_from_env({"WAIFUC_UI_PUBLIC": "1"})
    assert public.quotas == Quotas.public()
    assert public.quotas.request_upload_bytes == 200 * 1024 ** 2 and public.quotas.max_pixels == 25_000_000
    local = settings_from_env({})
    assert local.quotas == Quotas.local()
    assert local.quotas.session_disk_bytes is None and local.quotas.archive_ratio == 200.0  # bombs still checked


def test_overrides_sizes_counts_and_none(tmp_path):
    env = {"SPACE_ID": "a/b", "WAIFUC_UI_MAX_REQUEST_UPLOAD": "50mb", "WAIFUC_UI_MAX_SESSION_DISK": "2gb",
           "WAIFUC_UI_MAX_SESSION_IMAGES": "none", "WAIFUC_UI_MAX_FRAMES": "12", "WAIFUC_UI_MAX_ZIP_RATIO": "30",
           "WAIFUC_UI_HEAVY_DECODES": "1", "WAIFUC_UI_WORKSPACE_ROOT": str(tmp_path)}
    settings = settings_from_env(env)
    q = settings.quotas
    assert (q.request_upload_bytes, q.session_disk_bytes, q.session_images, q.max_frames, q.archive_ratio,
            q.heavy_decodes) == (50 * 1024 ** 2, 2 * 1024 ** 3, None, 12, 30.0, 1)
    assert q.session_upload_bytes == Quotas.public().session_upload_bytes  # untouched ones keep the default
    binder = SessionBinder(settings)
    try:
        assert binder.registry.quotas == q and binder.registry.decode_slots.count == 1
        assert binder.registry.create().quota.quotas == q
    finally:
        binder.registry.close_all()


@pytest.mark.parametrize("variable, value, message", [
    ("WAIFUC_UI_MAX_SESSION_DISK", "lots", r"WAIFUC_UI_MAX_SESSION_DISK='lots' is not a valid limit\. Fix: set it "
                                           r"to e\.g\. 200mb or 'none', or unset it"),
    ("WAIFUC_UI_MAX_FRAMES", "none", r"WAIFUC_UI_MAX_FRAMES='none': this limit cannot be switched off"),
    ("WAIFUC_UI_HEAVY_DECODES", "0", r"WAIFUC_UI_HEAVY_DECODES='0' is not a valid limit\. Fix: set it "
                                       r"to e\.g\. 2, or unset it"),
])
def test_bad_values_name_the_variable_and_the_fix(variable, value, message):
    with pytest.raises(ValueError, match=message):
        settings_from_env({"WAIFUC_UI_PUBLIC": "1", variable: value})


def test_video_quotas_come_from_the_environment():
    public = settings_from_env({"WAIFUC_UI_PUBLIC": "1"}).quotas
    assert (public.video_seconds, public.video_decoded_frames, public.session_video_seconds) == (1800, 65_000, 3600)
    q = settings_from_env({"WAIFUC_UI_PUBLIC": "1", "WAIFUC_UI_MAX_VIDEO_SECONDS": "90.5",
                           "WAIFUC_UI_MAX_VIDEO_FRAMES": "none", "WAIFUC_UI_MAX_SESSION_VIDEO_SECONDS": "600"}).quotas
    assert (q.video_seconds, q.video_decoded_frames, q.session_video_seconds) == (90.5, None, 600.0)
    with pytest.raises(ValueError, match=r"WAIFUC_UI_MAX_VIDEO_SECONDS='1h' is not a valid limit\. Fix: set it to "
                                         r"e\.g\. 1800 or 'none', or unset it"):
        settings_from_env({"WAIFUC_UI_MAX_VIDEO_SECONDS": "1h"})
