"""The Export tab's bucket preview counts the final dataset's images (sizes after the run)."""

import pytest

from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.export.buckets import bucket_resolutions, fit_bucket
from waifuc_ui.ui.export_tab import buckets_text, dataset_buckets
from waifuc_ui.ui.pipeline_tab import apply_preset
from waifuc_ui.ui.run_tab import run_pipeline


def test_bucket_counts_equal_a_direct_computation(ui):
    apply_preset(ui, "model-free clean-up")
    run_pipeline(ui)
    final = ui.session.dataset.ids()
    sizes = [ui.session.record(i).size for i in final]
    assert len(final) == 6 and set(sizes) == {(320, 300)}  # the demo's images, all 320x300
    preview = dataset_buckets(ui, 512)
    resos = bucket_resolutions(512)
    direct: dict = {}
    for w, h in sizes:
        bucket = fit_bucket(w, h, resos).bucket
        direct[bucket] = direct.get(bucket, 0) + 1
    assert dict(preview.counts) == direct == {(512, 512): 6}
    assert sorted(preview.upscaled) == sorted(final)  # 512/300 = 1.7x
    assert "| 512×512 | 6 |" in buckets_text(ui, "512")
    assert dict(dataset_buckets(ui, 1024).counts) == {(1024, 960): 6}  # the same 16:15 ratio as 320x300
    with pytest.raises(InvalidOptionError, match="pick the resolution you will train at"):
        dataset_buckets(ui, "x")
