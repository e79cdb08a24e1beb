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
    # red.png and red_copy.png: same pixels, both PNG; where each stands
    assert entries[0][1].startswith("★ keeper (PNG, not re-encoded, at the same size) · ")
    assert entries[0][1].endswith(".png · 320×300 · in the dataset")
    assert entries[1][1].endswith(".png · 320×300 · dropped by 3. HashDedupAction")
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
    # no error toast: the tab says why
    out = handler("duplicates_tab", "on_threshold").fn(ui, 0.2, "auto", "session", 0)
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


def quiet(*args, **kwargs):
    """Stands in for gr.Progress when a handler is called directly."""


def select(index):
    import gradio as gr

    return gr.SelectData(None, {"index": index, "value": None})


def zip_count(ui):
    import zipfile

    summary = ui.session.export.zip(name="check")
    with zipfile.ZipFile(summary.path) as z:
        return len([n for n in z.namelist() if n.endswith(".png")])


def test_pick_a_range_split_it_off_regroup_and_keep_several(ui, page, handler):
    tab = page.duplicates
    apply_preset(ui, "model-free clean-up")
    run_pipeline(ui)
    view = duplicate_view(ui, 64, "phash")  # every image in one group (tiny.png too, dropped by the size filter)
    (group,) = view.groups
    assert len(group.ids) == 8
    assert ui.session.duplicates.name(group.ids[-1]) == "tiny.png"
    group_members(ui, view, 0)  # the gallery is drawn (its ids known)
    pick = handler("duplicates_tab", "on_pick").fn
    out = pick(ui, 0, [], None, False, select(1))
    out = pick(ui, 0, out[tab.picked], out[tab.anchor], True, select(3))  # shift-click: 1..3
    assert out[tab.picked] == group.ids[1:4]
    captions = [caption for _, caption in out[tab.members_gallery]]
    assert captions[0].startswith("★ keeper (") and all(c.startswith("● ") for c in captions[1:4])
    assert not any(c.startswith(("●", "★")) for c in captions[4:])
    assert out[tab.members_gallery][-1][1].endswith("tiny.png · 40×30 · dropped by 2. MinSizeFilterAction")
    out = handler("duplicates_tab", "on_split").fn(ui, 0, out[tab.picked], progress=quiet)
    # the three picked stand alone and stay; of the other five one is kept (tiny.png did not reach the step)
    assert out[tab.summary].startswith("Not a duplicate: ") and "Applied; 4 images in the dataset." in out[tab.summary]
    assert sorted(ui.session.dataset.ids()) == sorted([group.ids[0], *group.ids[1:4]])
    assert zip_count(ui) == 4
    assert "3 image(s) set apart as *not a duplicate*" in out[tab.summary]
    out = handler("duplicates_tab", "on_regroup").fn(ui, 0, progress=quiet)
    assert "Regrouped. Applied; 1 image in the dataset." in out[tab.summary] and zip_count(ui) == 1
    out = handler("duplicates_tab", "on_pick_all").fn(ui, 0, None)
    assert out[tab.picked] == group.ids
    out = handler("duplicates_tab", "on_clear").fn(ui, 0)
    assert out[tab.picked] == [] and out[tab.picked_note].startswith("Nothing picked")
    # keep two: the better of them becomes the keeper, the other is set apart; both stay
    out = handler("duplicates_tab", "on_keep").fn(ui, 0, [group.ids[5], group.ids[2]], progress=quiet)
    assert sorted(ui.session.dataset.ids()) == sorted([group.ids[2], group.ids[5]]) and zip_count(ui) == 2
    assert "Applied; 2 images in the dataset." in out[tab.summary]
    assert ui.session.duplicates.current().groups[0].keeper == group.ids[2]


def test_keep_with_nothing_picked_says_so_without_an_error(ui, page, handler):
    tab = page.duplicates
    apply_preset(ui, "model-free clean-up")
    run_pipeline(ui)
    before = sorted(ui.session.dataset.ids())
    for name in ("on_keep", "on_split"):
        out = handler("duplicates_tab", name).fn(ui, 0, [], progress=quiet)
        assert out == {tab.picked_note: "**Nothing picked**: click images of the group first (shift-click picks a "
                                        "range)."}
    assert sorted(ui.session.dataset.ids()) == before
    out = handler("duplicates_tab", "on_regroup").fn(ui, 0, progress=quiet)
    assert out == {tab.picked_note: "**Nothing to regroup**: no image was split off with *Not a duplicate*."}


def test_the_review_buttons_answer_to_their_keys_and_no_preview_covers_them(page):
    from waifuc_ui.ui.duplicates_tab import KEYS_HELP

    tab = page.duplicates
    keys = {tab.keep_btn: "wui-key-k", tab.split_btn: "wui-key-n", tab.pick_all_btn: "wui-key-a",
            tab.clear_btn: "wui-key-escape"}
    for button, cls in keys.items():
        assert button.get_config()["elem_classes"] == [cls]
    for key in ("**k**", "**n**", "**a**", "**Esc**", "shift-click"):
        assert key in KEYS_HELP
    for gallery in (tab.covers, tab.members_gallery):
        config = gallery.get_config()
        assert config["preview"] is False and config["allow_preview"] is False


def test_a_keeper_an_earlier_step_dropped_gives_way_and_the_tab_says_so(ui, page, handler):
    import re

    tab = page.duplicates
    apply_preset(ui, "model-free clean-up")
    run_pipeline(ui)
    view = duplicate_view(ui, 64, "phash")
    tiny = next(i for i in view.groups[0].ids if ui.session.duplicates.name(i) == "tiny.png")
    out = handler("duplicates_tab", "on_keep").fn(ui, 0, [tiny], progress=quiet)
    assert "Kept tiny.png. Applied; 1 image in the dataset." in out[tab.summary]
    assert re.search(r"\S+\.png is kept instead of tiny\.png \(dropped by 2\. MinSizeFilterAction\)\.",
                     out[tab.summary])
    kept = ui.session.dataset.ids()
    assert len(kept) == 1 and zip_count(ui) == 1
    captions = [c for _, c in out[tab.members_gallery]]
    assert any(c.startswith("★ keeper (chosen by you) · tiny.png · 40×30 · dropped by 2. MinSizeFilterAction")
               for c in captions)
    assert any(c.startswith("✓ kept instead · ") and c.endswith("in the dataset") for c in captions)


def test_without_a_dedup_step_the_summary_says_what_the_dataset_will_hold(ui, page, handler):
    tab = page.duplicates
    add_step(ui, "ModeConvertAction")
    run_pipeline(ui)
    view = duplicate_view(ui, 64, "phash")  # no dedup step: decided at the end; one group of all 8
    assert view.uid == "final"
    _, summary = groups_overview(ui, view)
    assert "*Apply* drops 7 images at the end of the pipeline (one kept per group): the dataset would hold 1 " \
           "(now 8 images in the dataset)." in summary
    ids = list(view.groups[0].ids)
    out = handler("duplicates_tab", "on_split").fn(ui, 0, ids[1:3], progress=quiet)
    assert "Applied; 3 images in the dataset." in out[tab.summary] and zip_count(ui) == 3
    view = duplicate_view(ui, 0, "phash")  # only the exact copies: what applying would leave is said right
    _, summary = groups_overview(ui, view)
    assert "the dataset would hold 7 (now 3 images in the dataset)." in summary
    ui.session.duplicates.apply()
    assert len(ui.session.dataset.ids()) == 7 == zip_count(ui)


def test_opening_the_tab_shows_the_scope_kept_with_the_session(ui, page, handler):
    tab = page.duplicates
    apply_preset(ui, "model-free clean-up")
    run_pipeline(ui)
    duplicate_view(ui, None, "phash", "step")
    out = handler("duplicates_tab", "refresh").fn(ui)
    assert out[tab.scope] == "step" and out[tab.summary].startswith("**7 images**: only the images reaching 3. ")
