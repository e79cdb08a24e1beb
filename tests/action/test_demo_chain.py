"""The model-free chain over the committed demo dataset (assets/demo)."""

import os

import pytest

from waifuc_ui.action import (
    AlignMinSizeAction,
    FileExtAction,
    FrameSplitAction,
    HashDedupAction,
    MinSizeFilterAction,
    ModeConvertAction,
)
from waifuc_ui.export import TextualInversionExporter
from waifuc_ui.source import LocalSource

DEMO = os.path.join(os.path.dirname(__file__), "..", "..", "assets", "demo")
pytestmark = pytest.mark.skipif(not os.path.isdir(DEMO), reason="demo dataset not generated")


def test_demo_duplicates_and_tiny_images_are_dropped_with_reasons(tmp_path):
    chain = LocalSource(DEMO, recursive=False).attach(
        ModeConvertAction(), HashDedupAction(), MinSizeFilterAction(64), AlignMinSizeAction(256), FileExtAction(".png"))
    report = chain.export(TextualInversionExporter(str(tmp_path / "out")))
    dups = {d.filename: d.duplicate_of for d in report.dropped if d.step == "HashDedupAction"}
    assert dups == {"aoi_01_again.png": "aoi_01.png", "aoi_01_copy.webp": "aoi_01.png",
                    "aoi_03_noise.jpg": "aoi_03.png", "aoi_03_smaller.png": "aoi_03.png",
                    "beni_03_copy.png": "beni_03.png", "beni_05_reencoded.jpg": "beni_05.png"}
    tiny = sorted(d.filename for d in report.dropped if d.step == "MinSizeFilterAction")
    assert tiny == ["tiny_icon_aoi.png", "tiny_icon_beni.png", "tiny_thumb_kiiro.jpg"]
    assert report.export_failed == []
    written = sorted(os.listdir(tmp_path / "out"))
    assert len(written) == 2 * report.exported
    assert all(n.endswith((".png", ".txt")) for n in written)


def test_demo_animations_split_into_frames(tmp_path):
    frames = [i.meta["filename"] for i in LocalSource(DEMO, recursive=False).attach(FrameSplitAction())
              if "frame_id" in i.meta]
    assert "anim_wave_aoi_frame_0.gif" in frames and "anim_blink_beni_frame_0.webp" in frames
