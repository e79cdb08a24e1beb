"""Export tab: "Push to my Hub": the final dataset as a (private) Hugging Face dataset repository.

The files are the zip's (same exporter options, same items: :meth:`Export.items` and
:meth:`Export.options`), pushed by :class:`waifuc_ui.export.HuggingFaceExporter` with a dataset card.

Whose token: on a Space with OAuth (``SPACE_ID`` and ``OAUTH_CLIENT_ID`` set, i.e. ``hf_oauth: true`` in the README
front matter) the visitor signs in with ``gr.LoginButton`` and the push uses their OAuth token, never a token of the
server; a public deployment without OAuth offers no push. A local run uses the usual huggingface_hub login
(``hf auth login`` or ``HF_TOKEN``) and shows no login button.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

import gradio as gr

from ..core.errors import InvalidOptionError
from ..core.report import RunReport, collect_report
from ..export.huggingface import CardInfo, HubPushError, HuggingFaceExporter, PushResult
from .common import guarded
from .state import SessionBinder, UISession, touch


def oauth_configured(environ: Mapping[str, str] = os.environ) -> bool:
    """True on a Space whose README asks for OAuth (the Hub then sets OAUTH_CLIENT_ID)."""
    return bool(environ.get("SPACE_ID") and environ.get("OAUTH_CLIENT_ID"))


def oauth_libraries_missing() -> list[str]:
    """What ``gradio[oauth]`` adds that is not installed (gr.LoginButton needs it on a Space)."""
    import importlib.util

    return [name for name in ("itsdangerous", "authlib") if importlib.util.find_spec(name) is None]


def card_for(ui: UISession, repository: str) -> CardInfo:
    """The dataset card's story: where the images came from, the steps that ran, the recipe, the trigger word."""
    session = ui.session
    how = [f"{entry.get('kind', 'input')}: {entry.get('images', 0)} images came in"
           + (f" from {entry['detail']}" if entry.get("detail") and entry.get("kind") != "folder" else "")
           + (f", {entry['refused']} files refused" if entry.get("refused") else "")
           for entry in session.inputs.log]
    steps = [step.action for step in session.pipeline.recipe.steps if step.enabled]
    how.append("pipeline: " + (" → ".join(steps) if steps else "no step (the images as loaded)"))
    how.append("reviewed by hand in waifuc_ui (character clusters, near-duplicates, tags) before export")
    return CardInfo(title=repository.split("/")[-1], how=how, recipe=session.pipeline.recipe_json(),
                    trigger_word=session.tags.edits.trigger_word or "")


def push_to_hub(ui: UISession, repository: str, private: bool, layout: str, kohya_folder: str, quality: int,
                token: str | None, progress: Callable[[float, str], None] | None = None
                ) -> tuple[PushResult, RunReport]:
    """Push the final dataset; ``token`` None means the local huggingface_hub login. Reads the session only."""
    session = ui.session
    if not session.dataset.ids():
        raise InvalidOptionError("dataset", "empty", fix="the last run kept no image: restore images in the Run or "
                                 "Characters tab, or change the pipeline, then push")
    if not (repository or "").strip():
        raise InvalidOptionError("repository", repository, fix="type a name for the dataset, e.g. 'surtr-lora'")
    options = session.export.options(layout, (kohya_folder or "").strip(), quality=quality)
    items = session.export.items(layout=layout)
    roots = [session.workspace.root, session.workspace.dir]
    exporter = HuggingFaceExporter(repository.strip(), hf_token=token, private=bool(private),
                                   card=card_for(ui, repository.strip()), progress=progress, expected=len(items),
                                   hide_paths=roots, **options)
    exporter.reset()
    with collect_report() as report:
        result = exporter.export_from(items, report=report)
    return result, report


def push_text(result: PushResult, report: RunReport) -> str:
    text = (f"**Pushed** {result.images} image{'s' if result.images != 1 else ''} to the "
            f"{'private' if result.private else 'public'} dataset [{result.repo_id}]({result.url}) "
            f"({len(result.files)} files, with a dataset card and `data/metadata.jsonl` for the viewer).")
    if report.export_failed:
        text += "\n\nNot pushed:\n" + "\n".join(f"- {f.path}: {f.reason}" for f in report.export_failed[:20])
    return text + "\n\nNothing in the session changed: you can keep editing and push again (a new commit)."


def resolve_token(oauth_token: Any, needs_oauth: bool) -> str | None:
    """The visitor's OAuth token where sign-in is required; None (the local login) on a local run."""
    if not needs_oauth:
        return None
    token = getattr(oauth_token, "token", None)
    if not token:
        raise HubPushError("not signed in to Hugging Face", "press 'Sign in with Hugging Face' above, then push again")
    return str(token)


def build_hub_push(binder: SessionBinder, state: gr.State, layout: Any, kohya: Any, quality: Any,
                   before: Callable[[UISession, Any], Any] | None = None) -> None:
    """The "Push to my Hub" controls (under the zip's). ``layout``, ``kohya``, ``quality``: the Export tab's inputs;
    ``before(ui, report)`` brings the run up to date first (as the zip does)."""
    with_oauth = oauth_configured()
    with gr.Accordion("Push to my Hugging Face Hub", open=False, elem_id="hub-push"):
        if binder.settings.public and not with_oauth:
            gr.Markdown("Pushing needs a Hugging Face sign-in, which this deployment does not offer (its README "
                        "needs `hf_oauth: true`). Build the zip and download it instead.")
            return
        missing = oauth_libraries_missing() if with_oauth else []
        if missing:
            gr.Markdown(f"Signing in needs `gradio[oauth]` ({', '.join(missing)} missing): add it to requirements.txt.")
            return
        if with_oauth:
            gr.LoginButton("Sign in with Hugging Face", elem_id="hub-login")
            gr.Markdown("Signing in lets this app create datasets in your account and write only to the ones it "
                        "created: push to a new name.")
        else:
            gr.Markdown("Uses this machine's Hugging Face login (`hf auth login`, or the `HF_TOKEN` variable).")
        with gr.Row(equal_height=True):
            repository = gr.Textbox(label="Dataset repository", placeholder="e.g. surtr-lora or your-name/surtr-lora",
                                    info="created in your account if it does not exist", scale=3,
                                    elem_id="hub-repo")
            private = gr.Checkbox(True, label="Private", info="only you can see it", scale=1, elem_id="hub-private")
        push_btn = gr.Button("Push to my Hub", variant="primary", elem_id="hub-push-button")
        result = gr.Markdown(elem_id="hub-push-result")

    @guarded
    def on_push(ui, repo, priv, lay, folder, q, oauth_token: gr.OAuthToken | None = None,
                progress=gr.Progress()):
        touch(binder, ui)
        token = resolve_token(oauth_token, binder.settings.public or with_oauth)
        tell = lambda frac, text: progress(frac, desc=text)  # noqa: E731
        if before is not None:
            before(ui, tell)
        pushed, report = push_to_hub(ui, repo, priv, lay, folder, int(q or 95), token, tell)
        return push_text(pushed, report)

    push_btn.click(on_push, [state, repository, private, layout, kohya, quality], [result], concurrency_id="export",
                   concurrency_limit=2)
