"""Characters tab (and its texts, characters_view.py): CCIP labels injected (no model), clusters biggest first,
choosing and moving, picking (click, shift-click, a page), re-clustering, and what the tab says when there is
nothing to review, no target or no model."""

import pytest

from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.ui.characters_view import MEMBERS as CCIP_MEMBERS
from waifuc_ui.ui.characters_view import NOISE, cluster_name, clusters, label_at, members, overview, review_unavailable
from waifuc_ui.ui.pipeline_tab import add_step, apply_preset
from waifuc_ui.ui.run_tab import run_pipeline


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
                                                  "Noise · 1 image · ✓ target"]
    assert choices == [("Cluster 0 · 3 images · ✓ target", 0), ("Cluster 1 · 2 images · ✓ target", 1)]
    assert chosen == [0, 1]
    assert summary == ("**2 cluster(s)** and 1 noise image(s) among 6 images; target: 6 image(s). The target is "
                       "**waifuc's choice** (what CCIPAction kept). Grouping: waifuc's own (OPTICS).")
    assert [label_at(ui, k) for k in range(4)] == [0, 1, NOISE, None]
    entries, text, _ = members(ui, view, NOISE)
    assert text.startswith("Noise · 1 image · ✓ target · page 1 of 1") and len(entries) == 1


def test_choose_one_cluster_then_move_one_image(ccip_ui):
    ui = ccip_ui
    view = clusters(ui)
    second = view.clusters[1]
    ui.session.characters.choose([second.label])  # cluster 0 unticked: out; the noise image stays where it was
    run_pipeline(ui)
    assert sorted(ui.session.dataset.ids()) == sorted(second.ids + view.noise)
    view = ui.session.characters.view
    entries, text, page = members(ui, view, view.clusters[0].label)
    assert text.startswith("Cluster 0 · 3 images · page 1 of 1")
    assert all(caption.startswith("✗ ") for _, caption in entries)
    newcomer = ui.page_ids[CCIP_MEMBERS][0]
    ui.session.characters.move(newcomer, into_target=True)
    run_pipeline(ui)
    assert sorted(ui.session.dataset.ids()) == sorted(second.ids + view.noise + [newcomer])


def test_threshold_change_reclusters_without_models(ccip_ui):
    ui = ccip_ui
    view = clusters(ui, threshold=0.5)
    assert [c.size for c in view.clusters] == [6] and view.noise == []
    assert ui.calls[-1]["threshold"] == 0.5
    assert cluster_name(NOISE, 1, False) == "Noise · 1 image"


def test_character_review_needs_a_run(ui):
    with pytest.raises(InvalidOptionError, match="run a pipeline with a CCIPAction step first"):
        clusters(ui)


def test_character_threshold_without_a_ccip_step_says_what_to_do(ui, page, handler):
    message = "Run a pipeline with a CCIPAction step to review characters (the *character LoRA* preset has one)."
    assert review_unavailable(ui) == message  # never run
    apply_preset(ui, "model-free clean-up")
    run_pipeline(ui)
    assert review_unavailable(ui) == message  # ran, but without CCIPAction
    tab = page.characters
    out = handler("characters_tab", "on_recluster").fn(ui, 0.3, 0, None)  # no error toast: the tab says why
    assert out[tab.summary] == message and out[tab.cover] == [] and out[tab.member_gallery] == []
    assert out[tab.current] is None and out[tab.pager.number] == 1


def test_no_target_character_says_how_to_choose_one(ui):
    from waifuc_ui.session.characters import Cluster, ClusterView
    from waifuc_ui.ui.characters_view import overview

    ids = ui.session.inputs.ids
    view = ClusterView("ccip", [Cluster(0, ids[:4]), Cluster(1, ids[4:6])], noise=ids[6:], chosen=[], target=[])
    _, _, chosen, summary = overview(ui, view)
    assert chosen == []
    assert summary == ("**2 cluster(s)** and 2 noise image(s) among 8 images; target: 0 image(s). The target is "
                       "**waifuc's choice** (what CCIPAction kept). Grouping: waifuc's own (OPTICS).\n\n"
                       "⚠ **No target character**: the CCIP step keeps no image (waifuc found no cluster big "
                       "enough). Tick the cluster(s) of your character below and press *Apply choice and re-run*.")
    view.target, view.chosen = ids[:4], [0]
    assert "No target character" not in overview(ui, view)[3]


def quiet(*args, **kwargs):
    """Stands in for gr.Progress when a handler is called directly."""


def test_apply_never_empties_the_dataset_without_the_confirmation(ccip_ui, page, handler):
    ui, tab = ccip_ui, page.characters
    clusters(ui)
    out = handler("characters_tab", "on_take_out").fn(ui, NOISE, False, progress=quiet)
    assert out[tab.summary].startswith("Noise · 1 image taken out of the target. Applied; 5 images in the dataset.")
    on_apply = handler("characters_tab", "on_apply").fn
    out = on_apply(ui, [], 0, False, progress=quiet)  # untick both clusters: nothing left
    assert out[tab.summary].startswith("**Not applied**: ")
    assert "**Your choice has no image**" in out[tab.summary] and "waifuc found no cluster" not in out[tab.summary]
    assert len(ui.session.dataset.ids()) == 5  # nothing ran
    out = on_apply(ui, [], 0, True, progress=quiet)  # "Yes, drop every image"
    assert out[tab.summary].startswith("Applied; 0 images in the dataset.")
    assert ui.session.dataset.ids() == [] and out[tab.chosen].value == []


def test_pick_several_images_and_move_them_with_one_click(ccip_ui, page, handler):
    import gradio as gr

    ui, tab = ccip_ui, page.characters
    view = clusters(ui)
    out = handler("characters_tab", "on_apply").fn(ui, [1], 0, False, progress=quiet)  # cluster 0 leaves whole
    assert len(ui.session.dataset.ids()) == 3
    pick = handler("characters_tab", "on_pick").fn
    picked, anchor = [], None
    for index in (0, 2):
        out = pick(ui, 0, 1, picked, anchor, False, gr.SelectData(None, {"index": index, "value": None}))
        picked, anchor = out[tab.picked], out[tab.anchor]
    assert picked == [view.clusters[0].ids[0], view.clusters[0].ids[2]]
    assert out[tab.picked_note].startswith("**2 image(s) picked**")
    assert [caption[:2] for _, caption in out[tab.member_gallery]] == ["● ", "✗ ", "● "]
    out = handler("characters_tab", "on_move_in").fn(ui, picked, 0, False, progress=quiet)
    assert out[tab.summary].startswith("Moved 2 image(s) into the target. Applied; 5 images in the dataset.")
    assert "target: 5 image(s)" in out[tab.summary] and out[tab.picked] == []
    # the tick agrees with the summary: 2 of cluster 0's 3 images are in, so it is ticked
    assert out[tab.chosen].value == [0, 1]
    assert ("Cluster 0 · 3 images · ✓ target (2 of 3)", 0) in out[tab.chosen].choices
    # Apply without a change keeps the moves (no cluster is re-taken)
    out = handler("characters_tab", "on_apply").fn(ui, [0, 1], 0, False, progress=quiet)
    assert len(ui.session.dataset.ids()) == 5 and "target: 5 image(s)." in out[tab.summary]


def test_every_ccip_parameter_is_explained_in_the_tab():
    from waifuc_ui.pipeline import action_catalog
    from waifuc_ui.ui.characters_view import PARAMS_HELP

    names = [p.name for p in action_catalog()["CCIPAction"].params]
    assert names and all(f"**{name}**" in PARAMS_HELP for name in names), names
    assert "Lower it" in PARAMS_HELP and "never changes the target" in PARAMS_HELP


def test_back_to_waifucs_choice_and_back_to_yours(ccip_ui, page, handler):
    ui, tab = ccip_ui, page.characters
    clusters(ui)
    handler("characters_tab", "on_apply").fn(ui, [1], 0, False, progress=quiet)
    assert len(ui.session.dataset.ids()) == 3  # cluster 1 and the noise image
    out = handler("characters_tab", "on_reset").fn(ui, 0, progress=quiet)
    assert out[tab.summary].startswith("Back to waifuc's own choice (what CCIPAction keeps); 6 images in the dataset."
                                       " *Back to your choice* brings yours back.")
    assert "The target is **waifuc's choice**" in out[tab.summary]
    out = handler("characters_tab", "on_undo_reset").fn(ui, 0, False, progress=quiet)
    assert out[tab.summary].startswith("Your choice is back. Applied; 3 images in the dataset.")
    assert "The target is **your choice**" in out[tab.summary] and len(ui.session.dataset.ids()) == 3


def select(index):
    import gradio as gr

    return gr.SelectData(None, {"index": index, "value": None})


def test_shift_click_picks_a_range_pick_page_and_unpick(ccip_ui, page, handler):
    ui, tab = ccip_ui, page.characters
    view = clusters(ui, threshold=0.5)  # one cluster of all 6 images
    ids = view.clusters[0].ids
    pick = handler("characters_tab", "on_pick").fn
    members(ui, view, 0, 1)  # the page is drawn (its ids known)
    out = pick(ui, 0, 1, [], None, False, select(1))
    assert out[tab.picked] == [ids[1]] and out[tab.anchor] == ids[1]
    out = pick(ui, 0, 1, out[tab.picked], out[tab.anchor], True, select(4))  # shift-click: 1..4
    assert out[tab.picked] == ids[1:5] and out[tab.anchor] == ids[1]
    assert [caption[:2] for _, caption in out[tab.member_gallery]] == ["✓ ", "● ", "● ", "● ", "● ", "✓ "]
    assert out[tab.picked_note].startswith("**4 image(s) picked**")
    out = pick(ui, 0, 1, out[tab.picked], out[tab.anchor], False, select(2))  # plain click unpicks one
    assert out[tab.picked] == [ids[1], ids[3], ids[4]] and out[tab.anchor] == ids[2]
    out = handler("characters_tab", "on_pick_page").fn(ui, 0, 1, out[tab.picked], out[tab.anchor])
    assert out[tab.picked] == [ids[1], ids[3], ids[4], ids[0], ids[2], ids[5]]
    out = handler("characters_tab", "on_clear").fn(ui, 0, 1)
    assert out[tab.picked] == [] and out[tab.anchor] is None
    assert out[tab.picked_note].startswith("Click images to pick them")


def test_a_shift_click_range_spans_pages_in_cluster_order(review_ui, page, handler, monkeypatch):
    from waifuc_ui.ui import characters_tab

    ui = review_ui(ccip_labels=lambda items, **kw: [0] * len(items))
    apply_preset(ui, "model-free clean-up")
    add_step(ui, "CCIPAction")
    run_pipeline(ui)
    tab = page.characters
    ids = clusters(ui).clusters[0].ids
    assert len(ids) == 6
    real_slice = characters_tab.page_slice
    monkeypatch.setattr("waifuc_ui.ui.views.page_slice", lambda entries, number, size=4: real_slice(entries, number, 4))
    pick = handler("characters_tab", "on_pick").fn
    view = ui.session.characters.current()
    members(ui, view, 0, 1)  # the browser shows page 1
    out = pick(ui, 0, 1, [], None, False, select(2))  # page 1 holds ids[0:4]
    assert len(out[tab.member_gallery]) == 4 and out[tab.picked] == [ids[2]]
    assert members(ui, view, 0, 2, out[tab.picked])[2] == 2  # "Next": page 2 (the picks survive)
    out = pick(ui, 0, 2, out[tab.picked], out[tab.anchor], True, select(1))  # page 2: ids[4:6]; clicks ids[5]
    assert out[tab.pager.number] == 2 and len(out[tab.member_gallery]) == 2
    assert out[tab.picked] == ids[2:6]


def test_moving_with_nothing_picked_says_so_without_an_error(ccip_ui, page, handler):
    ui, tab = ccip_ui, page.characters
    clusters(ui)
    before = sorted(ui.session.dataset.ids())
    out = handler("characters_tab", "on_move_out").fn(ui, [], 0, False, progress=quiet)
    assert out == {tab.picked_note: "**Nothing picked**: click images first (shift-click picks a range)."}
    assert sorted(ui.session.dataset.ids()) == before


def test_the_move_and_pick_buttons_answer_to_their_keys(page):
    from waifuc_ui.ui.characters_view import KEYS_HELP

    tab = page.characters
    keys = {tab.move_in: "wui-key-i", tab.move_out: "wui-key-o", tab.pick_page: "wui-key-a",
            tab.clear_picked: "wui-key-escape", tab.pager.prev: "wui-key-arrowleft",
            tab.pager.next: "wui-key-arrowright"}
    for button, cls in keys.items():
        assert button.get_config()["elem_classes"] == [cls]
    for key in ("**i**", "**o**", "**a**", "**Esc**", "shift-click"):
        assert key in KEYS_HELP


def test_expected_states_answer_in_the_tab_not_with_an_error(ui, page, handler):
    """Before any run every button and the pickers say why in the summary (cut to each event's outputs)."""
    tab = page.characters
    message = review_unavailable(ui)
    for name, args in (("on_apply", (ui, [0], 0, False)), ("on_move_in", (ui, ["x"], 0, False)),
                       ("on_take_out", (ui, 0, False)), ("on_reset", (ui, 0)), ("on_undo_reset", (ui, 0, False))):
        out = handler("characters_tab", name).fn(*args, progress=quiet)
        assert out[tab.summary] == message, name
        assert tab.threshold not in out and tab.min_samples not in out  # the slider keeps what was set
    out = handler("characters_tab", "on_pick_page").fn(ui, 0, 1, ["x"], "x")
    assert out[tab.picked] == [] and tab.summary not in out  # the event's outputs only


def test_undo_without_a_reset_and_take_without_a_cluster_are_hints(ccip_ui, page, handler):
    ui, tab = ccip_ui, page.characters
    clusters(ui)
    out = handler("characters_tab", "on_undo_reset").fn(ui, 0, False, progress=quiet)
    assert out[tab.summary].startswith("Nothing to bring back: *Back to your choice* undoes *Back to waifuc's choice*.")
    out = handler("characters_tab", "on_take_in").fn(ui, None, False, progress=quiet)
    assert out == {tab.picked_note: "**No cluster open**: click a cluster's cover first."}


def test_missing_ccip_model_names_every_file_and_the_fix_once(review_ui, page, handler, fake_hub):
    from waifuc_ui.core.errors import ModelUnavailableError

    def no_model(items, **kw):
        raise ModelUnavailableError("model_feat.onnx is not here", fix="get it", commands=["hf download a b"])

    ui = review_ui(ccip_labels=no_model)
    apply_preset(ui, "model-free clean-up")
    add_step(ui, "CCIPAction")
    run_pipeline(ui)
    tab = page.characters
    out = handler("characters_tab", "on_recluster").fn(ui, 0.3, 0, None)
    text = out[tab.summary]
    first, rest = text.split("\n\n", 1)
    assert first == ("**Not available:** the CCIP step was skipped (it kept every image): its model files are not on "
                     "this machine, `deepghs/ccip_onnx/ccip-caformer-24-randaug-pruned/model_feat.onnx` (+2 more).")
    assert rest.startswith("<details><summary>How to get the models</summary>")
    assert rest.count("hf download deepghs/ccip_onnx") == 3 and text.count("reload the page") == 1
    assert "&lt;dir&gt;/&lt;owner&gt;/&lt;repo&gt;" in rest and "<dir>" not in rest
    assert out[tab.cover] == [] and tab.threshold not in out
