"""The online-source form: field values map to the catalog's fields and a crawl lands in the session."""

from dataclasses import dataclass

from waifuc_ui.source import LocalSource
from waifuc_ui.ui import web_tab
from waifuc_ui.ui.web_tab import crawl, form_values, web_source_form


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


def test_form_is_offered_when_the_catalog_exists():
    assert callable(web_source_form(binder=None))
