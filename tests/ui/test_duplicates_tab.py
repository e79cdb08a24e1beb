"""Duplicates tab: phash duplicate groups from HashDedupAction, the keeper, apply, the threshold's units, and what
the tab says with nothing to group."""


from waifuc_ui.ui.duplicates_tab import MEMBERS as DUP_MEMBERS
from waifuc_ui.ui.duplicates_tab import duplicate_view, group_members, groups_overview, slider_range
from waifuc_ui.ui.pipeline_tab import add_step, apply_preset
from waifuc_ui.ui.run_tab import run_pipeline


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
    # 8 loaded, tiny.png dropped by MinSizeFilterAction before the dedup step: still compared
    assert summary.startswith("**8 images**: every image of the session, 1 of them dropped by earlier steps. ")
    assert f"**{len(view.groups)} duplicate group(s)** at phash bits ≤ 4 (1 of exact copies)" in summary
    assert ("*Apply* drops 1 image at **3. HashDedupAction**, one kept per group (the step drops 1 now); now 6 "
            "images in the dataset.") in summary
    index = view.groups.index(exact[0])
    entries, text = group_members(ui, view, index)
    assert entries[0][1].startswith("★ keeper (lossless file at the same size) · ") or \
        entries[0][1].startswith("★ keeper (least compressed at the same size) · ") or \
        entries[0][1].startswith("★ keeper (first loaded at the same size) · ")
    assert entries[0][1].endswith(" · in the dataset")
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
    assert view.method == "phash" and view.threshold == 4  # the HashDedupAction step's max_distance
    view = duplicate_view(ui, 3)  # auto + a slider value: read in the last view's units (bits)
    assert view.method == "phash" and view.threshold == 3
    view = duplicate_view(ui, 0.6, "lpips")
    assert view.method == "lpips" and view.threshold == 0.6
    # every image of the session: red's exact copy (dropped by the hash step before LPIPS) joins red's group
    assert [len(g.ids) for g in view.groups if not g.exact] == [3]
    view = duplicate_view(ui, 0.6, "lpips", "step")
    assert [len(g.ids) for g in view.groups if not g.exact] == [2]
    covers, summary = groups_overview(ui, view)
    assert "LPIPS distance ≤ 0.6" in summary


def test_duplicate_threshold_before_any_run_says_what_to_do(ui, page, handler):
    tab = page.duplicates
    out = handler("duplicates_tab", "on_threshold").fn(ui, 0.2, "auto", "session", 0)  # no error toast: the tab says why
    assert out[tab.summary].startswith("Run the pipeline first; duplicate groups come from the dedup step")
    assert out[tab.covers] == [] and out[tab.members_gallery] == [] and out[tab.current] == 0


def test_duplicate_group_covers_have_short_captions_that_keep_the_kind(ui):
    from waifuc_ui.ui.duplicates_tab import duplicate_view, groups_overview

    apply_preset(ui, "model-free clean-up")
    run_pipeline(ui)
    view = duplicate_view(ui)
    covers, _ = groups_overview(ui, view)
    assert [caption for _, caption in covers] == [
        f"{len(g.ids)} {'exact' if g.exact else 'near'} dups" for g in view.groups]
    assert "2 exact dups" in [caption for _, caption in covers]  # red.png and red_copy.png
