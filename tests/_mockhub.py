"""A minimal model hub on 127.0.0.1 for tests that run the real huggingface_hub client.

It serves what the client calls to download and to publish a model repository:

- GET  /api/models/<repo>/revision/<rev>         the revision's commit (model_info)
- HEAD, GET /<repo>/resolve/<rev>/<path>          files, with X-Repo-Commit, ETag and
                                                  Content-Length; GET honours `Range: bytes=N-`
- POST /api/repos/create, /api/validate-yaml      accepted as they come
- POST /api/models/<repo>/preupload/<rev>         every file "regular" (no LFS, no Xet)
- POST /api/models/<repo>/commit/<rev>            NDJSON commit of base64 files onto a branch
- POST /api/models/<repo>/tag/<rev>               a tag on the revision's commit

Not covered: LFS and Xet uploads and downloads, authentication, pull requests, deletions and
copies in commits, tree listings, paginated APIs, redirects to a CDN.

`faults` maps a path in the repository (or "revision" for the API call) to "500", "404" or
"cut" (send the headers and half the body, then close the connection) or "cut1" (cut the
first download only), to test failures.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote


class MockHub:
    def __init__(self) -> None:
        self.repos: dict[str, dict] = {}  # repo -> {"commits": {sha: files}, "refs": {name: sha}}
        self.faults: dict[str, str] = {}
        self.requests: list[tuple[str, str]] = []
        self._server: ThreadingHTTPServer | None = None

    # -- content -------------------------------------------------------------------------

    def add_commit(self, repo: str, files: dict[str, bytes], *refs: str) -> str:
        """A commit holding `files`, pointed to by `refs` (branch or tag names)."""
        state = self.repos.setdefault(repo, {"commits": {}, "refs": {}})
        digest = hashlib.sha1()
        for path in sorted(files):
            digest.update(path.encode() + b"\0" + files[path])
        sha = digest.hexdigest()
        state["commits"][sha] = dict(files)
        for ref in refs:
            state["refs"][ref] = sha
        return sha

    def files_at(self, repo: str, rev: str) -> dict[str, bytes]:
        state = self.repos[repo]
        return state["commits"][state["refs"].get(rev, rev)]

    # -- server --------------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> MockHub:
        hub = self

        class Handler(_Handler):
            mock = hub

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def zoo_files(zoo: Path) -> dict[str, bytes]:
    """manifest.json and every file it lists, as a repository holds them."""
    manifest = json.loads((zoo / "manifest.json").read_text())
    paths = [m["path"] for m in manifest["models"]] + list(manifest.get("files", {}))
    return {"manifest.json": (zoo / "manifest.json").read_bytes()} | {
        p: (zoo / p).read_bytes() for p in paths
    }


class _Handler(BaseHTTPRequestHandler):
    mock: MockHub
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet: pytest shows failures, not traffic
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, obj: object, status: int = 200) -> None:
        self._send(status, json.dumps(obj).encode(), {"Content-Type": "application/json"})

    def _error(self, status: int, code: str | None = None, commit: str | None = None) -> None:
        headers = {"X-Error-Message": f"mock hub: {code or status}"}
        if code:
            headers["X-Error-Code"] = code
        if commit:
            headers["X-Repo-Commit"] = commit
        self._send(status, b"{}", headers)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _lookup(self, repo: str, rev: str) -> str | None:
        """The commit of `rev` in `repo`, after sending the error if there is none."""
        state = self.mock.repos.get(repo)
        if state is None:
            self._error(404, "RepoNotFound")
            return None
        sha = state["refs"].get(rev, rev if rev in state["commits"] else None)
        if sha is None:
            self._error(404, "RevisionNotFound")
        return sha

    # -- downloads -----------------------------------------------------------------------

    def do_HEAD(self) -> None:  # noqa: N802  the name http.server calls
        self.do_GET()

    def do_GET(self) -> None:  # noqa: N802
        path = unquote(self.path.split("?")[0])
        self.mock.requests.append((self.command, path))
        if m := re.fullmatch(r"/api/models/([^/]+/[^/]+)/revision/(.+)", path):
            if fault := self.mock.faults.get("revision"):
                return self._error(int(fault))
            if (sha := self._lookup(m[1], m[2])) is not None:
                files = self.mock.repos[m[1]]["commits"][sha]
                siblings = [{"rfilename": p} for p in sorted(files)]
                self._json({"id": m[1], "modelId": m[1], "sha": sha, "siblings": siblings})
            return None
        if m := re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path):
            return self._resolve(m[1], m[2], m[3])
        return self._error(404)

    def _resolve(self, repo: str, rev: str, rel: str) -> None:
        sha = self._lookup(repo, rev)
        if sha is None:
            return
        data = self.mock.repos[repo]["commits"][sha].get(rel)
        fault = self.mock.faults.get(rel)
        if data is None or fault == "404":
            return self._error(404, "EntryNotFound", commit=sha)
        if fault == "500":
            return self._error(500)
        headers = {"X-Repo-Commit": sha, "ETag": f'"{hashlib.sha256(data).hexdigest()}"'}
        start = 0
        if self.command == "GET" and (
            r := re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
        ):
            start = int(r[1])
            headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        if fault in ("cut", "cut1") and self.command == "GET":
            if fault == "cut1":  # only this once
                del self.mock.faults[rel]
            self.send_response(206 if start else 200)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data) - start))
            self.end_headers()
            self.wfile.write(data[start : start + (len(data) - start) // 2])
            self.wfile.flush()
            self.close_connection = True
            return None
        self._send(206 if start else 200, data[start:], headers)
        return None

    # -- publishing ----------------------------------------------------------------------

    def do_POST(self) -> None:  # noqa: N802
        path = unquote(self.path.split("?")[0])
        self.mock.requests.append(("POST", path))
        body = self._body()
        if path == "/api/repos/create":
            payload = json.loads(body)
            repo = f"{payload['organization']}/{payload['name']}"
            state = self.mock.repos.setdefault(repo, {"commits": {}, "refs": {}})
            if "main" not in state["refs"]:
                self.mock.add_commit(repo, {}, "main")
            return self._json({"url": f"{self.mock.endpoint}/{repo}"})
        if path == "/api/validate-yaml":
            return self._json({"errors": [], "warnings": []})
        if m := re.fullmatch(r"/api/models/([^/]+/[^/]+)/preupload/(.+)", path):
            files = json.loads(body)["files"]
            modes = [
                {"path": f["path"], "uploadMode": "regular", "shouldIgnore": False} for f in files
            ]
            return self._json({"files": modes})
        if m := re.fullmatch(r"/api/models/([^/]+/[^/]+)/commit/(.+)", path):
            return self._commit(m[1], m[2], body)
        if m := re.fullmatch(r"/api/models/([^/]+/[^/]+)/tag/(.+)", path):
            if (sha := self._lookup(m[1], m[2])) is None:
                return None
            tag = json.loads(body)["tag"]
            refs = self.mock.repos[m[1]]["refs"]
            if tag in refs:
                return self._error(409)
            refs[tag] = sha
            return self._json({})
        return self._error(404)

    def _commit(self, repo: str, branch: str, body: bytes) -> None:
        if (parent := self._lookup(repo, branch)) is None:
            return
        files = dict(self.mock.repos[repo]["commits"][parent])
        for line in body.splitlines():
            item = json.loads(line)
            if item["key"] == "file":
                value = item["value"]
                assert value["encoding"] == "base64", "the mock takes base64 files only"
                files[value["path"]] = base64.b64decode(value["content"])
        sha = self.mock.add_commit(repo, files, branch)
        self._json({"commitUrl": f"{self.mock.endpoint}/{repo}/commit/{sha}", "commitOid": sha})
