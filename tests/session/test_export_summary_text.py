"""The export summary speaks the trainer's language: readable layout, a size that is never "0.0 MB"."""

from waifuc_ui.session.exporting import ExportSummary, human_size


def test_human_size():
    assert [human_size(n) for n in (0, 999, 1000, 12_345, 999_949, 3_400_000, 1_234_000_000)] == [
        "0 bytes", "999 bytes", "1.0 KB", "12.3 KB", "999.9 KB", "3.4 MB", "1.2 GB"]


def test_summary_text_for_a_small_and_a_larger_export():
    small = ExportSummary("d.zip", "textual_inversion", 1, [], 2_376, 100)
    assert small.text() == ("1 image (image + .txt caption), 2.4 KB; kohya: about 100 repeats per image "
                            "(~100 steps per epoch)")
    large = ExportSummary("d.zip", "save", 40, [("x.png", "broken")], 12_300_000, 5)
    assert large.text() == ("40 images (image + JSON sidecar), 12.3 MB; kohya: about 5 repeats per image "
                            "(~200 steps per epoch); 1 failed")
