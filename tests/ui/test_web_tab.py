"""The online-source form: the site picker and each site's fields come from the catalog, field values map back to
the catalog's fields, and a crawl lands in the session."""

from dataclasses import dataclass
from types import SimpleNamespace

import gradio as gr

from waifuc_ui.source import LocalSource
from waifuc_ui.ui import web_tab
from waifuc_ui.ui.web_tab import MAX_ITEMS, crawl, draw_site_fields, form_values, web_source_form


@dataclass(frozen=True)
class Field:
    name: str


class FakeSpec:
    name, title = "fakebooru", "Fakebooru"
    fields = (Field("tags"), Field("min_size"), Field("api_key"))

    def __init__(self, folder):
        self.folder = folder
        self.built_with = None

    def build(self, values, **options):
        self.built_with = (values, options)
        return LocalSource(self.folder)


def test_form_values_follow_field_order():
    assert form_values(FakeSpec("x"), ["a b", 800, "secret"]) == {"tags": "a b", "min_size": 800, "api_key": "secret"}


def test_crawl_adds_at_most_n_images_and_reports(ui, dataset_dir, monkeypatch):
    spec = FakeSpec(str(dataset_dir))
    monkeypatch.setattr(web_tab, "_catalog", lambda: ([spec], lambda name: spec))
    text = crawl(ui, "fakebooru", {"tags": "a", "min_size": 800, "api_key": "s3cr3t-key"}, 3, replace=True)
    assert text == "**Fakebooru**: 3 images came in, 1 file refused · 3 in the session"
    values, options = spec.built_with
    assert values["api_key"] == "s3cr3t-key"
    assert options == {"workspace": ui.session.workspace.subdir("crawl")}
    assert "s3cr3t-key" not in text


def test_the_site_picker_lists_the_catalog_and_the_form_is_absent_without_one(binder, monkeypatch):
    from waifuc_ui.source.web.catalog import WEB_SOURCES

    with gr.Blocks():
        form = web_source_form(binder)(gr.State(None), gr.Markdown())
    assert form.site.choices == [(s.title, s.name) for s in WEB_SOURCES]
    assert form.site.value == WEB_SOURCES[0].name
    monkeypatch.setattr(web_tab, "_catalog", lambda: ((), None))
    assert web_source_form(binder) is None


def test_a_site_s_fields_follow_its_catalog_entry_and_never_show_a_secret():
    from waifuc_ui.source.web.catalog import FieldSpec

    spec = SimpleNamespace(notes="", fields=(
        FieldSpec("tags", "tags", "Tags", "1girl"), FieldSpec("min_size", "int", "Min size", 800),
        FieldSpec("strict", "bool", "Strict", True), FieldSpec("sort", "choice", "Sort", "fav", choices=("fav", "id")),
        FieldSpec("username", "text", "User name", "me", secret=True),
        FieldSpec("api_key", "secret", "API key", "k3y", secret=True)))
    with gr.Blocks():
        drawn = draw_site_fields(spec)
    assert [(type(w).__name__, w.label) for w in drawn.fields] == [
        ("Textbox", "Tags"), ("Number", "Min size"), ("Checkbox", "Strict"), ("Dropdown", "Sort"),
        ("Textbox", "User name"), ("Textbox", "API key")]
    assert [w.value for w in drawn.fields] == ["1girl", 800, True, "fav", "", ""]  # secrets start empty
    assert (drawn.fields[4].type, drawn.fields[5].type) == ("text", "password")
    assert (drawn.limit.value, drawn.limit.maximum) == (50, MAX_ITEMS)


def test_an_empty_tags_field_is_refused_before_any_request_with_the_reason(ui, monkeypatch):
    import pytest

    from waifuc_ui.core.errors import InvalidOptionError
    from waifuc_ui.source.web.catalog import find_source
    from waifuc_ui.ui.web_tab import validate_form

    danbooru = find_source("danbooru")
    built = []
    monkeypatch.setattr(type(danbooru), "build", lambda self, values, **o: built.append(values))
    monkeypatch.setattr(web_tab, "_catalog", lambda: ([danbooru], lambda name: danbooru))
    before = list(ui.session.inputs.ids)
    with pytest.raises(InvalidOptionError) as err:
        crawl(ui, "danbooru", {"tags": "  "}, 3, replace=True)
    text = str(err.value)
    assert "type at least one tag (Site tags separated by spaces, e.g. surtr_(arknights) solo)" in text
    assert "would download Danbooru's newest posts of any kind" in text
    assert built == [] and ui.session.inputs.ids == before  # nothing built, nothing changed
    validate_form(danbooru, {"tags": "solo"})  # a search is accepted


def test_a_crawl_honours_replace(ui, dataset_dir, monkeypatch):
    spec = FakeSpec(str(dataset_dir))
    monkeypatch.setattr(web_tab, "_catalog", lambda: ([spec], lambda name: spec))
    before = len(ui.session.inputs.ids)
    crawl(ui, "fakebooru", {"tags": "a"}, 3, replace=False)
    assert len(ui.session.inputs.ids) == before + 3
    crawl(ui, "fakebooru", {"tags": "a"}, 2, replace=True)
    assert len(ui.session.inputs.ids) == 2
