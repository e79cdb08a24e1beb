"""HuggingFaceExporter: the dataset as a Hugging Face dataset repository, private unless asked otherwise.

waifuc's exporter ran an inner exporter into a temporary folder, zipped it to ``file_in_repo`` and made the
repository public. This one keeps waifuc's parameters (``repository``, ``file_in_repo``, ``cls``/``args``/``kwargs``,
``repo_type='dataset'``, ``revision``, ``hf_token``), and by default uploads the files themselves so the Hub's
viewer shows them::

    README.md                 the dataset card: counts, how it was made, the recipe, the tag table
    data/metadata.jsonl       {"file_name": "<path under data/>", "text": "<caption>"} per image
    data/[<folder>/]a.png     the images, with a.txt captions (layout 'textual_inversion') or sidecars ('save')

``layout``, ``folder`` and ``**options`` are ZipExporter's (so the app's zip and its push hold the same files).
With ``file_in_repo`` (waifuc's form) the files go up as that one zip instead, beside the card. The upload is one
commit made by huggingface_hub (``HfApi.create_repo`` then ``create_commit``); the token is ``hf_token``, else
``$HF_TOKEN``, else the one ``hf auth login`` stored. A refused token, a name the Hub refuses, a namespace the token
may not write to: :class:`HubPushError` with what to do; nothing the export read is changed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import ExportError, InvalidOptionError
from ..core.item import ImageItem
from .base import LocalDirectoryExporter, StagedExporter
from .sidecar import sidecar_path
from .zip import LAYOUTS

DATA_DIR = "data"
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff")
TAG_TABLE_ROWS = 50
Progress = Callable[[float, str], None]


class HubPushError(ExportError):
    """The Hub refused the push: ``status`` (HTTP, 0 for no answer) and ``fix`` (what to do)."""

    def __init__(self, problem: str, fix: str, status: int = 0):
        self.status = status
        super().__init__(problem, f"{fix}. Nothing in your session was changed.")


@dataclass
class CardInfo:
    """What the dataset card tells beyond the files: ``title``, ``how`` (lines on how it was made, e.g. the
    sources and the steps), ``recipe`` (the pipeline as JSON text or a dict), ``trigger_word``."""

    title: str = ""
    how: list[str] = field(default_factory=list)
    recipe: str | dict[str, Any] | None = None
    trigger_word: str = ""


@dataclass
class PushResult:
    """What went up: ``repo_id`` and its ``url``, ``commit_url``, ``images`` (count), ``files`` (paths in the repo),
    ``private``."""

    repo_id: str
    url: str
    commit_url: str
    images: int
    files: list[str]
    private: bool

    def text(self) -> str:
        kind = "private" if self.private else "public"
        return f"{self.images} images pushed to the {kind} dataset {self.repo_id} ({len(self.files)} files): {self.url}"


def check_repository(repository: str) -> str:
    """``repository`` ('owner/name' or 'name' for your own namespace) stripped; InvalidOptionError otherwise."""
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    name = str(repository or "").strip()
    try:
        validate_repo_id(name)
    except HFValidationError as err:
        raise InvalidOptionError("repository", repository,
                                 fix="use 'name' or 'your-user-name/name' made of letters, digits, '-', '_' and '.' "
                                     f"(at most 96 characters, no '--' or '..'); the Hub says: {err}") from err
    return name


class HuggingFaceExporter(StagedExporter):
    """Export into a temporary folder, then push it to ``repository`` (see the module doc). ``private`` (default
    True) applies when the repository is created; an existing repository keeps its visibility. ``card``: the
    dataset card's :class:`CardInfo`. ``progress(fraction, text)`` is told about the export and the upload;
    ``expected`` (the number of items, when known) makes its fractions. ``post_export`` returns a
    :class:`PushResult`."""

    def __init__(self, repository: str, file_in_repo: str | None = None,
                 cls: type[LocalDirectoryExporter] | None = None, args: tuple = (),
                 kwargs: dict[str, Any] | None = None, repo_type: str = "dataset", revision: str = "main",
                 hf_token: str | None = None, ignore_error_when_export: bool = False, *,
                 layout: str = "textual_inversion", folder: str = "", private: bool = True,
                 card: CardInfo | None = None, commit_message: str | None = None, endpoint: str | None = None,
                 progress: Progress | None = None, expected: int | None = None, **options: Any):
        super().__init__(ignore_error_when_export)
        if layout not in LAYOUTS:
            raise InvalidOptionError("layout", layout, list(LAYOUTS),
                                     "use 'textual_inversion' for image + .txt captions or 'save' for image + json")
        if repo_type not in ("dataset", "model"):
            raise InvalidOptionError("repo_type", repo_type, ["dataset", "model"], "datasets go to a dataset repo")
        if file_in_repo is not None and not str(file_in_repo).strip("/ "):
            raise InvalidOptionError("file_in_repo", file_in_repo, fix="give a path such as 'dataset.zip', or None")
        self.repository = check_repository(repository)
        self.file_in_repo = file_in_repo
        self.cls, self.args, self.kwargs = cls, tuple(args), dict(kwargs or {})
        if cls is None:
            LAYOUTS[layout](os.devnull, **options)  # bad option names fail here, before any run
        self.repo_type, self.revision = repo_type, revision
        self.hf_token = hf_token or os.environ.get("HF_TOKEN") or None
        self.layout, self.folder, self.private = layout, folder.strip("/"), private
        self.card = card or CardInfo()
        self.commit_message = commit_message
        self.endpoint = endpoint
        self.progress, self.expected = progress, expected
        self.options = options
        self._workdir: str | None = None
        self._inner: LocalDirectoryExporter | None = None
        self._count = 0

    def __repr__(self) -> str:
        return f"HuggingFaceExporter({self.repository!r}, repo_type={self.repo_type!r})"

    def reset(self) -> None:
        self._workdir, self._inner, self._count = None, None, 0

    def _tell(self, fraction: float, text: str) -> None:
        if self.progress is not None:
            self.progress(max(0.0, min(1.0, fraction)), text)

    @property
    def data_dir(self) -> str:
        assert self._workdir is not None
        return os.path.join(self._workdir, DATA_DIR)

    def pre_export(self) -> None:
        self._workdir = tempfile.mkdtemp(prefix="hf_push_")
        target = os.path.join(self.data_dir, self.folder) if self.folder else self.data_dir
        if self.cls is not None:
            self._inner = self.cls(target, *self.args, **self.kwargs)
        else:
            self._inner = LAYOUTS[self.layout](target, **self.options)
        self._inner.reset()
        self._inner.pre_export()
        self._tell(0.0, "Writing the dataset files")

    def export_item(self, item: ImageItem) -> None:
        assert self._inner is not None
        self._inner.export_item(item)
        self._count += 1
        if self.expected:
            self._tell(0.7 * self._count / self.expected, f"Writing the dataset files ({self._count}/{self.expected})")

    @property
    def log(self) -> Any:
        return getattr(self._inner, "log", None)

    def post_export(self) -> PushResult:
        assert self._inner is not None and self._workdir is not None
        self._inner.post_export()
        captions = read_captions(self.data_dir)
        if not captions:
            raise ExportError("no image was exported, so nothing was pushed",
                              "check the run report for why each image failed, then push again")
        write_metadata(self.data_dir, captions)
        if self.file_in_repo is not None:
            self._pack_zip()
        with open(os.path.join(self._workdir, "README.md"), "w", encoding="utf-8") as f:
            f.write(dataset_card(self.repository, captions, self.card, self.layout, self.folder, self.private,
                                 self.file_in_repo))
        return self._push(len(captions))

    def _pack_zip(self) -> None:
        """waifuc's form: the export as one zip at ``file_in_repo`` (the metadata inside it)."""
        assert self._workdir is not None
        target = os.path.join(self._workdir, "_zip", str(self.file_in_repo).strip("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with zipfile.ZipFile(target, "w") as archive:
            for rel in sorted(_files_under(self.data_dir)):
                archive.write(os.path.join(self.data_dir, rel), rel)
        shutil.rmtree(self.data_dir)
        os.replace(os.path.join(self._workdir, "_zip"), self.data_dir)

    def _push(self, images: int) -> PushResult:
        from huggingface_hub import CommitOperationAdd, HfApi

        assert self._workdir is not None
        if self.file_in_repo is not None:
            files = ["README.md", str(self.file_in_repo).strip("/")]
        else:
            files = _files_under(self._workdir)  # README.md and data/...
        api = HfApi(endpoint=self.endpoint, token=self.hf_token)
        self._refuse_without_token()
        self._tell(0.75, f"Creating the dataset {self.repository} on the Hub")
        with hub_errors(self.repository):
            repo = api.create_repo(self.repository, repo_type=self.repo_type, private=self.private, exist_ok=True)
            repo_id = repo.repo_id
            shown = api.repo_info(repo_id, repo_type=self.repo_type).private  # an existing repo keeps its visibility
            private = self.private if shown is None else bool(shown)
            size = sum(os.path.getsize(self._local(f)) for f in files)
            self._tell(0.8, f"Uploading {len(files)} files ({size / 1e6:.1f} MB) to {repo_id}")
            operations = [CommitOperationAdd(path_in_repo=f, path_or_fileobj=self._local(f)) for f in files]
            commit = api.create_commit(repo_id, operations, repo_type=self.repo_type, revision=self.revision,
                                       commit_message=self.commit_message or f"Upload {images} images with waifuc_ui")
        self._tell(1.0, f"Pushed {images} images to {repo_id}")
        return PushResult(repo_id, str(repo), commit.commit_url, images, files, private)

    def _local(self, rel: str) -> str:
        assert self._workdir is not None
        if rel == "README.md":
            return os.path.join(self._workdir, rel)
        if self.file_in_repo is not None:
            return os.path.join(self.data_dir, rel)
        return os.path.join(self._workdir, rel)

    def _refuse_without_token(self) -> None:
        if self.hf_token is None:
            from huggingface_hub import get_token

            if get_token() is None:
                raise HubPushError("not signed in to Hugging Face (no token)",
                                   "sign in with the button (on a Space), or run `hf auth login` with a write token "
                                   "(or set HF_TOKEN) and push again")


@contextmanager
def hub_errors(repository: str) -> Iterator[None]:
    """Turn what huggingface_hub raises inside the block into HubPushError with the fix."""
    try:
        yield
    except ExportError:
        raise
    except Exception as err:
        translated = translate_hub_error(err, repository)
        if translated is err:
            raise
        raise translated from err


def translate_hub_error(err: BaseException, repository: str) -> BaseException:
    """A :class:`HubPushError` saying what the Hub refused and how to fix it (other errors pass unchanged)."""
    from huggingface_hub.errors import HfHubHTTPError, HFValidationError

    if isinstance(err, HFValidationError):
        return InvalidOptionError("repository", repository, fix=f"the Hub client refused the name: {err}")
    if isinstance(err, HfHubHTTPError):
        status = err.response.status_code if err.response is not None else 0
        said = _server_message(err)
        if status == 401:
            return HubPushError(f"the Hub refused the token (401 Unauthorized{said})",
                                "sign in again (the Hugging Face button on a Space, or `hf auth login` locally) with a "
                                "token that has write access", status)
        if status == 403:
            return HubPushError(f"the token may not write to {repository!r} (403 Forbidden{said})",
                                "use a token with write access (a fine-grained token needs 'write to your repos'), "
                                "and a repository in your own namespace ('your-name/dataset') or an organisation "
                                "where you may write", status)
        if status in (400, 409, 422):
            return HubPushError(f"the Hub refused the repository {repository!r} ({status}{said})",
                                "choose another name: letters, digits, '-', '_' and '.'; a name taken by a model or "
                                "Space of yours cannot be reused for a dataset", status)
        if status == 404:
            return HubPushError(f"the repository {repository!r} was not found ({said.strip('; ') or '404'})",
                                "check the name, and that the token may see it", status)
        return HubPushError(f"the Hub answered {status}{said}", "try again in a minute; if it persists, check "
                            "https://status.huggingface.co", status)
    if isinstance(err, (OSError, ConnectionError)) or type(err).__module__.startswith(("httpx", "httpcore")):
        return HubPushError(f"cannot reach the Hub ({type(err).__name__})",
                            "check the internet connection (a Space needs no setting), then push again")
    return err


def _server_message(err: Any) -> str:
    message = getattr(err, "server_message", None) or ""
    message = re.sub(r"\s+", " ", str(message)).strip()
    return f"; the Hub says: {message[:200]}" if message else ""


def _files_under(folder: str) -> list[str]:
    out = []
    for root, _dirs, files in os.walk(folder):
        for name in files:
            out.append(os.path.relpath(os.path.join(root, name), folder).replace(os.sep, "/"))
    return sorted(out)


def read_captions(data_dir: str) -> dict[str, str]:
    """``{path under data_dir: caption}`` of every exported image: its ``.txt``, else the tags of its sidecar
    (comma-joined, as the json orders them), else ''."""
    captions = {}
    for rel in _files_under(data_dir):
        if rel.startswith(".") or "/." in rel or not rel.lower().endswith(IMAGE_EXTENSIONS):
            continue
        path = os.path.join(data_dir, rel)
        txt = os.path.splitext(path)[0] + ".txt"
        if os.path.isfile(txt):
            with open(txt, encoding="utf-8") as f:
                captions[rel] = f.read().strip()
            continue
        captions[rel] = _sidecar_caption(sidecar_path(path))
    return captions


def _sidecar_caption(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            tags = json.load(f).get("tags") or {}
    except (OSError, ValueError, AttributeError):
        return ""
    return ", ".join(str(t) for t in tags) if isinstance(tags, dict) else ""


def write_metadata(data_dir: str, captions: dict[str, str]) -> str:
    """``data_dir/metadata.jsonl``: one ``{"file_name", "text"}`` line per image (the Hub viewer's image + caption)."""
    path = os.path.join(data_dir, "metadata.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for rel, text in captions.items():
            f.write(json.dumps({"file_name": rel, "text": text}, ensure_ascii=False) + "\n")
    return path


def tag_counts(captions: dict[str, str]) -> Counter[str]:
    """How many images carry each caption tag (split on ', ')."""
    counts: Counter[str] = Counter()
    for text in captions.values():
        counts.update({t.strip() for t in text.split(",") if t.strip()})
    return counts


def _size_category(n: int) -> str:
    return "n<1K" if n < 1000 else "1K<n<10K" if n < 10_000 else "10K<n<100K"


def dataset_card(repository: str, captions: dict[str, str], card: CardInfo, layout: str, folder: str,
                 private: bool, file_in_repo: str | None = None) -> str:
    """The README.md: front matter for the Hub (viewer config over the images and metadata.jsonl), the counts, how
    it was made, the recipe and the tag table."""
    n = len(captions)
    exts = sorted({os.path.splitext(rel)[1].lower() for rel in captions})
    lines = ["---", "pretty_name: " + json.dumps(card.title or repository.split("/")[-1]),
             "tags:", "- waifuc", "- waifuc-ui", "- anime", "- lora", "task_categories:", "- text-to-image",
             "size_categories:", f"- {_size_category(n)}"]
    if file_in_repo is None:
        lines += ["configs:", "- config_name: default", "  data_files:", "  - split: train", "    path:",
                  f'    - "{DATA_DIR}/metadata.jsonl"'] + [f'    - "{DATA_DIR}/**/*{e}"' for e in exts]
    lines += ["---", "", f"# {card.title or repository.split('/')[-1]}", ""]
    captioned = sum(1 for t in captions.values() if t)
    where = f"`{DATA_DIR}/{folder}/`" if folder else f"`{DATA_DIR}/`"
    kind = "image + `.txt` caption (kohya / textual inversion)" if layout == "textual_inversion" else \
        "image + waifuc JSON sidecar"
    lines += ["A LoRA training dataset made with waifuc_ui: the pipeline of "
              "[waifuc](https://github.com/deepghs/waifuc) "
              "with a review of every step.", "",
              "| | |", "|---|---|", f"| images | {n} |", f"| with a caption | {captioned} |",
              f"| layout | {kind} |",
              f"| files | {where}" + (f" packed in `{file_in_repo}`" if file_in_repo else "") + " |",
              f"| captions for the viewer | `{DATA_DIR}/metadata.jsonl` (`file_name`, `text`) |",
              f"| visibility when created | {'private' if private else 'public'} |"]
    if card.trigger_word:
        lines.append(f"| trigger word | `{card.trigger_word}` |")
    lines += ["", "## How it was made", ""]
    lines += [f"- {line}" for line in card.how] or ["- exported with waifuc_ui's HuggingFaceExporter"]
    if card.recipe:
        recipe = card.recipe if isinstance(card.recipe, str) else json.dumps(card.recipe, indent=2)
        lines += ["", "## Recipe", "", "The pipeline, as waifuc_ui's recipe JSON (load it in the Pipeline tab):", "",
                  "```json", recipe.strip(), "```"]
    counts = tag_counts(captions)
    if counts:
        lines += ["", "## Tags", "", f"The {min(TAG_TABLE_ROWS, len(counts))} most frequent of {len(counts)} tags:",
                  "", "| tag | images |", "|---|---|"]
        lines += [f"| {tag.replace('|', chr(92) + '|')} | {c} |" for tag, c in counts.most_common(TAG_TABLE_ROWS)]
    lines += ["", "## Use", "", f"- kohya / sd-scripts: download the repository and point `train_data_dir` at "
              f"`{DATA_DIR}/`.", f"- 🤗 datasets: `load_dataset(\"{repository}\", split=\"train\")` gives `image` and "
              "`text`.", ""]
    return "\n".join(lines)
