"""How to get missing models: one command per missing file of every step, and review tabs that render the fix."""

from waifuc_ui.core.errors import InvalidOptionError, ModelUnavailableError
from waifuc_ui.inference.hub import HubFile, download_commands, fix_hint, unavailable
from waifuc_ui.pipeline.catalog import ModelStatus
from waifuc_ui.ui.pipeline_model_notes import model_summary
from waifuc_ui.ui.views import model_fix_help, not_available_text

MONO = HubFile("deepghs/monochrome_detect", "m/model.onnx")
MONO_META = HubFile("deepghs/monochrome_detect", "m/meta.json")
CCIP = HubFile("deepghs/ccip_onnx", "c/model_feat.onnx")
TAGS = HubFile("deepghs/tags_meta", "tags.json", repo_type="dataset")


def status(*files):
    return ModelStatus(True, False, f"{len(files)} model file(s) unavailable: ... " + fix_hint(files),
                       tuple(f"{f.repo_id}/{f.filename}" for f in files), commands=download_commands(files))


def test_help_lists_every_missing_file_of_every_step_once():
    text = model_fix_help([status(MONO, MONO_META), status(CCIP, MONO), status(TAGS)])
    block = text.split("```\n")[1]
    assert block.splitlines() == ["hf download deepghs/monochrome_detect m/model.onnx",
                                  "hf download deepghs/monochrome_detect m/meta.json",
                                  "hf download deepghs/ccip_onnx c/model_feat.onnx",
                                  "hf download deepghs/tags_meta tags.json --repo-type dataset"]
    assert "(&lt;dir&gt;/&lt;owner&gt;/&lt;repo&gt;/&lt;path&gt;) and set WAIFUC_UI_MODEL_DIR=&lt;dir&gt;" in text
    assert "<dir>" not in text


def test_pipeline_summary_folds_the_commands_of_all_steps():
    text = model_summary({"a": status(MONO), "b": status(CCIP)}, {"a": "2. NoMonochromeAction", "b": "7. CCIPAction"})
    assert "<details><summary>How to get the models</summary>" in text
    assert "hf download deepghs/monochrome_detect m/model.onnx\nhf download deepghs/ccip_onnx c/model_feat.onnx" in text


def test_review_tab_not_available_text_escapes_markup_and_folds_the_fix():
    err = unavailable(CCIP, "the Hub cannot be reached (offline)")
    assert err.files == [CCIP] and err.commands == ("hf download deepghs/ccip_onnx c/model_feat.onnx",)
    text = not_available_text(err)
    assert text.startswith("**Not available:** this review needs model files that are not on this machine: "
                           "`deepghs/ccip_onnx/c/model_feat.onnx`.\n\n<details>")
    assert "```\nhf download deepghs/ccip_onnx c/model_feat.onnx\n```" in text
    assert "<dir>" not in text and "&lt;dir&gt;" in text
    other = not_available_text(InvalidOptionError("x", "<b>", fix="use <a>"))
    assert other.startswith("**Not available:** ") and "<b>" not in other and "&lt;a&gt;" in other


def test_help_reads_the_fields_never_the_text():
    said = ModelUnavailableError("x is missing", "run `hf download a/b c.onnx`")  # commands only in the text
    assert "```" not in not_available_text(said) and "hf download a/b c.onnx" in not_available_text(said)
    assert model_fix_help([ModelStatus(True, False, "give the model a name")]) == "give the model a name"
