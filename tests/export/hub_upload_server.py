"""A local HTTP server (127.0.0.1 only) that answers the Hub endpoints huggingface_hub's upload code calls.

    with HubUploadServer(tokens={'hf_write': 'me'}) as hub:
        monkeypatch.setenv('HF_ENDPOINT', hub.url)   # or go_online(monkeypatch, hub.url)
        ... HfApi(token='hf_write').create_repo('me/ds', repo_type='dataset', private=True)
        hub.repos['datasets/me/ds'] -> {'private': True, 'files': {'README.md': b'...'}, 'commits': [...]}

Endpoints: ``POST /api/repos/create`` (401 unknown token, 403 another namespace or a read token, 400 a bad name,
409 exists), ``GET /api/{type}s/{repo}`` (repo info), ``POST /api/validate-yaml`` (the card's front matter),
``POST /api/{type}s/{repo}/preupload/{rev}`` (``lfs`` for binary files when ``lfs=True``, else every file
``regular``), ``POST /{type}s/{repo}.git/info/lfs/objects/batch`` and ``PUT /lfs/{oid}`` (basic transfer; the client
uses it when hf_xet is off), ``POST /api/{type}s/{repo}/commit/{rev}`` (NDJSON: header, file (base64), lfsFile).
``requests`` lists (method, path, token) of every request.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$")


class HubUploadServer:
    def __init__(self, tokens: dict[str, str] | None = None, read_only: tuple[str, ...] = (), lfs: bool = False,
                 orgs: dict[str, list[str]] | None = None):
        self.tokens = dict(tokens if tokens is not None else {"hf_write": "me"})  # token -> user name
        self.read_only = set(read_only)  # tokens that may read but not write
        self.orgs = orgs or {}  # org -> members
        self.lfs = lfs
        self.repos: dict[str, dict[str, Any]] = {}
        self.lfs_objects: dict[str, bytes] = {}
        self.cards: list[dict[str, Any]] = []  # front matters the client sent to /api/validate-yaml
        self.requests: list[tuple[str, str, str]] = []
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> HubUploadServer:
        owner = self

        class Handler(_Handler):
            hub = owner
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def files(self, repo: str, kind: str = "datasets") -> dict[str, bytes]:
        return self.repos[f"{kind}/{repo}"]["files"]

    def may_write(self, token: str, namespace: str) -> bool:
        user = self.tokens.get(token)
        return user is not None and token not in self.read_only and (
            namespace == user or user in self.orgs.get(namespace, []))


class _Handler(BaseHTTPRequestHandler):
    hub: HubUploadServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    # -- plumbing -----------------------------------------------------------------------------------------------
    def _token(self) -> str:
        auth = self.headers.get("Authorization", "")
        return auth[7:] if auth.startswith("Bearer ") else ""

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _send(self, status: int, payload: Any = None, error: str = "") -> None:
        body = json.dumps(payload if payload is not None else {"error": error}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if error:
            self.send_header("X-Error-Message", error)
        self.end_headers()
        self.wfile.write(body)

    def _record(self) -> None:
        with self.hub.lock:
            self.hub.requests.append((self.command, self.path, self._token()))

    def _auth(self, namespace: str) -> bool:
        """Answer 401/403 and return False when the token may not write to ``namespace``."""
        token = self._token()
        if token not in self.hub.tokens:
            self._send(401, error="Invalid credentials in Authorization header")
            return False
        if not self.hub.may_write(token, namespace):
            self._send(403, error=f"You don't have the rights to create or write to {namespace}")
            return False
        return True

    # -- routes ---------------------------------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._record()
        m = re.fullmatch(r"/api/(datasets|models|spaces)/([^/]+/[^/?]+)(\?.*)?", self.path)
        if m:
            repo = self.hub.repos.get(f"{m.group(1)}/{m.group(2)}")
            token = self._token()
            if token not in self.hub.tokens:
                return self._send(401, error="Invalid credentials in Authorization header")
            if repo is None:
                return self._send(404, error="Repository not found")
            return self._send(200, {"id": m.group(2), "private": repo["private"], "sha": repo["sha"],
                                    "siblings": [{"rfilename": f} for f in sorted(repo["files"])]})
        self._send(404, error="not found")

    def do_PUT(self) -> None:
        self._record()
        m = re.fullmatch(r"/lfs/([0-9a-f]{64})", self.path)
        data = self._body()
        if not m or hashlib.sha256(data).hexdigest() != m.group(1):
            return self._send(400, error="bad LFS upload")
        with self.hub.lock:
            self.hub.lfs_objects[m.group(1)] = data
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        self._record()
        body = self._body()
        if self.path == "/api/repos/create":
            return self._create(json.loads(body))
        if self.path == "/api/validate-yaml":
            return self._validate_yaml(json.loads(body))
        m = re.fullmatch(r"/api/(datasets|models|spaces)/([^/]+)/([^/]+)/(preupload|commit)/([^/?]+)(\?.*)?",
                         self.path)
        if m:
            key = f"{m.group(1)}/{m.group(2)}/{m.group(3)}"
            if not self._auth(m.group(2)):
                return None
            if key not in self.hub.repos:
                return self._send(404, error="Repository not found")
            return self._preupload(json.loads(body)) if m.group(4) == "preupload" else self._commit(key, body)
        m = re.fullmatch(r"/(datasets/|spaces/)?([^/]+)/([^/]+)\.git/info/lfs/objects/batch", self.path)
        if m:
            if not self._auth(m.group(2)):
                return None
            objects = json.loads(body)["objects"]
            return self._send(200, {"transfer": "basic", "objects": [
                {"oid": o["oid"], "size": o["size"],
                 "actions": {"upload": {"href": f"{self.hub.url}/lfs/{o['oid']}"}}} for o in objects]})
        self._send(404, error="not found")

    def _create(self, payload: dict[str, Any]) -> None:
        token = self._token()
        if token not in self.hub.tokens:
            return self._send(401, error="Invalid credentials in Authorization header")
        namespace = payload.get("organization") or self.hub.tokens[token]
        if not self.hub.may_write(token, namespace):
            return self._send(403, error=f"You don't have the rights to create a repository under {namespace}")
        name = str(payload.get("name") or "")
        if not NAME.fullmatch(name) or "--" in name or ".." in name:
            return self._send(400, error=f"Invalid repository name: {name}")
        kind = (payload.get("type") or "model") + "s"
        key = f"{kind}/{namespace}/{name}"
        prefix = "" if kind == "models" else kind + "/"
        url = f"{self.hub.url}/{prefix}{namespace}/{name}"
        if key in self.hub.repos:  # the Hub names the existing repository in its 409
            return self._send(409, {"error": "You already created this dataset repo", "url": url})
        with self.hub.lock:
            self.hub.repos[key] = {"private": payload.get("visibility") == "private", "files": {}, "commits": [],
                                   "sha": "0" * 40}
        self._send(200, {"url": url, "name": f"{namespace}/{name}"})

    def _validate_yaml(self, payload: dict[str, Any]) -> None:
        """The card's front matter must be YAML mapping with list-valued tags (the Hub checks much more)."""
        import yaml

        content = payload.get("content", "")
        match = re.match(r"^---\n(.*?)\n---\n", content, re.S)
        try:
            meta = yaml.safe_load(match.group(1)) if match else {}
            if not isinstance(meta, dict) or not isinstance(meta.get("tags", []), list):
                raise ValueError("front matter must be a mapping with a list of tags")
        except (yaml.YAMLError, ValueError) as err:
            return self._send(400, {"errors": [{"message": str(err)}]})
        with self.hub.lock:
            self.hub.cards.append(meta)
        self._send(200, {"warnings": []})

    def _preupload(self, payload: dict[str, Any]) -> None:
        files = []
        for f in payload["files"]:
            sample = base64.b64decode(f["sample"])
            binary = b"\x00" in sample or not f["path"].endswith((".txt", ".md", ".json", ".jsonl"))
            mode = "lfs" if self.hub.lfs and binary else "regular"
            files.append({"path": f["path"], "uploadMode": mode, "shouldIgnore": False, "oid": None})
        self._send(200, {"files": files, "commitOid": "0" * 40})

    def _commit(self, key: str, body: bytes) -> None:
        repo = self.hub.repos[key]
        header: dict[str, Any] = {}
        added: dict[str, bytes] = {}
        for line in body.splitlines():
            entry = json.loads(line)
            value = entry["value"]
            if entry["key"] == "header":
                header = value
            elif entry["key"] == "file":
                added[value["path"]] = base64.b64decode(value["content"])
            elif entry["key"] == "lfsFile":
                data = self.hub.lfs_objects.get(value["oid"])
                if data is None or len(data) != value["size"]:
                    return self._send(422, error=f"LFS object of {value['path']} was not uploaded")
                added[value["path"]] = data
        sha = hashlib.sha1(body).hexdigest()
        with self.hub.lock:
            repo["files"].update(added)
            repo["commits"].append({"summary": header.get("summary", ""), "files": sorted(added), "sha": sha})
            repo["sha"] = sha
        self._send(200, {"commitUrl": f"{self.hub.url}/{key}/commit/{sha}", "commitOid": sha,
                         "pullRequestUrl": None})
