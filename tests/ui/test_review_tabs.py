"""Characters and duplicates tabs: CCIP labels injected (no model), phash duplicates from HashDedupAction."""

import pytest

from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.session import ReviewModels, SessionRegistry
from waifuc_ui.ui.characters_tab import MEMBERS as CCIP_MEMBERS
from waifuc_ui.ui.characters_tab import NOISE, cluster_name, clusters, label_at, members, overview
from waifuc_ui.ui.duplicates_tab import MEMBERS as DUP_MEMBERS
from waifuc_ui.ui.duplicates_tab import duplicate_view, group_members, groups_overview, slider_range
from waifuc_ui.ui.pipeline_tab import add_step, apply_preset
from waifuc_ui.ui.run_tab import run_pipeline
from waifuc_ui.ui.settings import AppSettings
from waifuc_ui.ui.state import SessionBinder


@pytest.fixture
def review_ui(tmp_path, dataset_dir):
    """``review_ui(**calls)``: a session on the synthetic dataset whose review model calls are ``calls``
    (ReviewModels' ccip_labels / lpips_groups), given to the registry as the app would give the real ones."""
    binders = []

    def make(**calls):
        settings = AppSettings(workspace_root=(tmp_path / "ws").resolve(), demo_dir=dataset_dir)
        registry = SessionRegistry(str(settings.workspace_root), ttl_seconds=settings.session_ttl,
                                   quotas=settings.quotas, review_models=ReviewModels(**calls))
        binders.append(SessionBinder(settings, registry))
        return binders[-1].open("tab-1")

    yield make
    for b in binders:
        b.registry.close_all()


@pytest.fixture
def ccip_ui(review_ui):
    """A run whose CCIP step (models missing: passes everything) is reviewed with injected labels:
    of the 6 images reaching it, 3 are character 0, 2 character 1 and 1 is noise."""
    calls = []

    def labels(items, **kw):
        calls.append(kw)
        assert len(items) == 6
        return [1, 0, 0, -1, 1, 0] if kw.get("threshold") in (None, 0.18) else [0] * len(items)

    ui = review_ui(ccip_labels=labels)
    apply_preset(ui, "model-free clean-up")
    add_step(ui, "CCIPAction")
    run_pipeline(ui)
    ui.calls = calls
    return ui


def test_clusters_biggest_first_noise_apart(ccip_ui):
    ui = ccip_ui
    view = clusters(ui)
    assert [(c.label, c.size) for c in view.clusters] == [(0, 3), (1, 2)]
    covers, choices, chosen, summary = overview(ui, view)
    # the CCIP step had no model, so it passed everything: both clusters are in the target
    assert [caption for _, caption in covers] == ["Cluster 0 · 3 images · ✓ target", "Cluster 1 · 2 images · ✓ target",
                                                  "Noise · 1 image"]
    assert choices == [("Cluster 0 · 3 images · ✓ target", 0), ("Cluster 1 · 2 images · ✓ target", 1)]
    assert chosen == [0, 1]
    assert summary == "**2 cluster(s)** and 1 noise image(s) among 6 images; target: 6 image(s)."
    assert [label_at(ui, k) for k in range(4)] == [0, 1, NOISE, None]
    entries, text, _ = members(ui, view, NOISE)
    assert text.startswith("Noise · 1 image · page 1 of 1") and len(entries) == 1


def test_choose_one_cluster_then_move_one_image(ccip_ui):
    ui = ccip_ui
    view = clusters(ui)
    second = view.clusters[1]
    ui.session.characters.choose([second.label])
    run_pipeline(ui)
    assert sorted(ui.session.dataset.ids()) == sorted(second.ids)
    view = ui.session.characters.view
    entries, text, page = members(ui, view, view.clusters[0].label)
    assert text.startswith("Cluster 0 · 3 images · page 1 of 1")
    assert all(caption.startswith("✗ ") for _, caption in entries)
    newcomer = ui.page_ids[CCIP_MEMBERS][0]
    ui.session.characters.move(newcomer, into_target=True)
    run_pipeline(ui)
    assert sorted(ui.session.dataset.ids()) == sorted(second.ids + [newcomer])


def test_threshold_change_reclusters_without_models(ccip_ui):
    ui = ccip_ui
    view = clusters(ui, threshold=0.5)
    assert [c.size for c in view.clusters] == [6] and view.noise == []
    assert ui.calls[-1]["threshold"] == 0.5
    assert cluster_name(NOISE, 1, False) == "Noise · 1 image"


def test_character_review_needs_a_run(ui):
    with pytest.raises(InvalidOptionError, match="run a pipeline with a CCIPAction step first"):
        clusters(ui)


def test_duplicate_groups_keeper_and_apply(ui):
    apply_preset(ui, "model-free clean-up")
    run_pipeline(ui)
    view = duplicate_view(ui)
    assert view.method == "phash"
    assert slider_range(view.method) == {"minimum": 0, "maximum": 64, "step": 1,
                                         "label": "Duplicate threshold (perceptual-hash bits)"}
    assert slider_range("lpips")["maximum"] == 1.0
    exact = [g for g in view.groups if g.exact]
    assert len(exact) == 1 and len(exact[0].ids) == 2
    covers, summary = groups_overview(ui, view)
    assert f"**{len(view.groups)} duplicate group(s)** before the dedup step" in summary
    assert "1 group(s) of exact duplicates" in summary
    index = view.groups.index(exact[0])
    entries, text = group_members(ui, view, index)
    assert entries[0][1].startswith("★ keeper · ")
    assert not entries[1][1].startswith("★")
    other = ui.page_ids[DUP_MEMBERS][1]
    view = ui.session.duplicates.set_keeper(other)
    assert view.groups[index].keeper == other
    ui.session.duplicates.apply()
    run_pipeline(ui)
    final = ui.session.dataset.ids()
    assert exact[0].ids[0] not in final
    assert group_members(ui, view, 99) == ([], "No group selected.")


def test_duplicate_threshold_keeps_the_units_of_the_method_in_use(review_ui):
    ui = review_ui(lpips_groups=lambda items, threshold: [[0, 1]] if threshold >= 0.5 else [])
    apply_preset(ui, "model-free clean-up")
    add_step(ui, "FilterSimilarAction")  # LPIPS review expected; groups injected (no model)
    run_pipeline(ui)
    view = duplicate_view(ui, None, "phash")
    assert view.method == "phash" and view.threshold == 10
    view = duplicate_view(ui, 3)  # auto + a slider value: read in the last view's units (bits)
    assert view.method == "phash" and view.threshold == 3
    view = duplicate_view(ui, 0.6, "lpips")
    assert view.method == "lpips" and view.threshold == 0.6
    assert [len(g.ids) for g in view.groups if not g.exact] == [2]
    covers, summary = groups_overview(ui, view)
    assert "LPIPS distance ≤ 0.6" in summary
