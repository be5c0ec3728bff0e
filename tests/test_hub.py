"""Zoos from the model hub: the real huggingface_hub client against a mock hub on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _mockhub import MockHub, zoo_files

from dmzoo import constants
from dmzoo.cli import main
from dmzoo.registry import shipped_zoo_path

REPO = "dmzoo-test/zoo"
MODEL = "binary-spin1_offshell-snr1"
MODEL_PATH = f"models/{MODEL}.onnx"
EXAMPLE = shipped_zoo_path() / "examples" / "sm_plus_spin1_offshell_snr4.5.root"


def _small_zoo(files: dict[str, bytes]) -> dict[str, bytes]:
    """Another release: version 0.2.0 with two of the models."""
    manifest = json.loads(files["manifest.json"])
    manifest["zoo_version"] = "0.2.0"
    manifest["models"] = manifest["models"][:2]
    keep = {m["path"] for m in manifest["models"]} | set(manifest["files"])
    out = {p: data for p, data in files.items() if p in keep}
    out["manifest.json"] = json.dumps(manifest).encode()
    return out


@pytest.fixture
def env(tmp_path, monkeypatch) -> Path:
    """A clean environment: a fresh hub cache, nothing offline, no dmzoo overrides."""
    for var in ("DMZOO_ZOO", "DMZOO_HUB_REPO", "DMZOO_HUB_REVISION", "HF_HUB_OFFLINE", "HF_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def hub(env, monkeypatch):
    """The shipped zoo published as v0.1.0 (and main), a smaller v0.2.0, and a tag `bad` whose
    snr1 model differs from what the manifest says."""
    mock = MockHub()
    files = zoo_files(shipped_zoo_path())
    mock.add_commit(REPO, files, "main", "v0.1.0")
    mock.add_commit(REPO, _small_zoo(files), "v0.2.0")
    bad = dict(files)
    bad[MODEL_PATH] = files[MODEL_PATH][:-8] + b"tampered"
    mock.add_commit(REPO, bad, "bad")
    mock.start()
    monkeypatch.setenv("HF_ENDPOINT", mock.endpoint)
    yield mock
    mock.stop()


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def downloads(mock: MockHub) -> list[str]:
    return [p for method, p in mock.requests if method == "GET" and "/resolve/" in p]


def test_first_fetch_then_cached_with_server_stopped(hub, env, capsys):
    code, out, err = run(capsys, "fetch", "--repo", REPO, "--revision", "v0.1.0", "--json")
    assert code == 0, err
    done = json.loads(out)
    assert done["zoo_version"] == "0.1.0" and done["commit"] == hub.repos[REPO]["refs"]["v0.1.0"]
    # the manifest, its models and its other files (21 in the first zoo: 13 models, 7 files)
    manifest = json.loads((shipped_zoo_path() / "manifest.json").read_text())
    n = 1 + len(manifest["models"]) + len(manifest["files"])
    assert len(done["files"]) == n
    assert f"[{n}/{n}]" not in err and f"[{n - 1}/{n - 1}]" in err  # progress: what follows
    snapshot = Path(done["path"])
    assert snapshot.is_relative_to(env)
    for rel, data in zoo_files(shipped_zoo_path()).items():
        assert (snapshot / rel).read_bytes() == data
    assert len(downloads(hub)) == n

    hub.stop()
    code, out, err = run(
        capsys, "score", str(EXAMPLE), "--benchmark", "spin1_offshell", "--snr", "4.5",
        "--repo", REPO, "--revision", "v0.1.0", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert "shipped" not in err
    cached = json.loads(out)
    code, out, _ = run(capsys, "score", str(EXAMPLE), "--benchmark", "spin1_offshell",
                       "--snr", "4.5", "--json")  # fmt: skip
    assert code == 0
    assert cached["score"] == json.loads(out)["score"]


def test_score_fetches_only_what_it_uses(hub, capsys):
    code, out, err = run(
        capsys, "score", str(EXAMPLE), "--benchmark", "spin1_offshell", "--snr", "1.2",
        "--repo", REPO, "--json", "--grid",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["model"] == MODEL
    fetched = sorted(p.split("/resolve/")[1].split("/", 1)[1] for p in downloads(hub))
    # the model, its table, and the templates the calibration draws from
    expected = [
        "manifest.json",
        MODEL_PATH,
        "tables/auc_individual.csv",
        "templates/templates.json",
    ]
    assert fetched == sorted(expected)


def test_pinned_revisions_give_their_own_content(hub, capsys):
    listed = {}
    for rev in ("v0.1.0", "v0.2.0", hub.repos[REPO]["refs"]["v0.2.0"]):
        code, out, err = run(capsys, "list", "--repo", REPO, "--revision", rev, "--json")
        assert code == 0, err
        listed[rev] = json.loads(out)
    shipped = json.loads((shipped_zoo_path() / "manifest.json").read_text())["models"]
    assert listed["v0.1.0"]["zoo_version"] == "0.1.0"
    assert len(listed["v0.1.0"]["models"]) == len(shipped)
    assert listed["v0.2.0"]["zoo_version"] == "0.2.0" and len(listed["v0.2.0"]["models"]) == 2
    assert listed[hub.repos[REPO]["refs"]["v0.2.0"]] == listed["v0.2.0"]


def test_revision_from_environment(hub, monkeypatch, capsys):
    monkeypatch.setenv("DMZOO_HUB_REPO", REPO)
    monkeypatch.setenv("DMZOO_HUB_REVISION", "v0.2.0")
    code, out, _ = run(capsys, "list", "--json")
    assert code == 0 and json.loads(out)["zoo_version"] == "0.2.0"
    code, out, _ = run(capsys, "list", "--revision", "v0.1.0", "--json")  # the option wins
    assert code == 0 and json.loads(out)["zoo_version"] == "0.1.0"


def test_corrupted_file_is_refused_and_deleted(hub, env, capsys):
    code, _, err = run(capsys, "info", MODEL, "--repo", REPO, "--revision", "bad")
    assert code == 3
    assert err.startswith("Error: ") and err.count("\n") == 1
    assert "deleted it from the cache and refused it" in err
    commit = hub.repos[REPO]["refs"]["bad"]
    repo_dir = env / "models--dmzoo-test--zoo"
    assert not (repo_dir / "snapshots" / commit / MODEL_PATH).exists()
    assert not (repo_dir / "snapshots" / commit / MODEL_PATH).is_symlink()
    blobs = [p.read_bytes() for p in (repo_dir / "blobs").iterdir()]
    assert not any(b.endswith(b"tampered") for b in blobs)


def test_manifest_path_leaving_the_zoo_is_refused(hub, capsys):
    files = zoo_files(shipped_zoo_path())
    manifest = json.loads(files["manifest.json"])
    manifest["models"][0]["path"] = "../../../escape.onnx"
    files["manifest.json"] = json.dumps(manifest).encode()
    hub.add_commit(REPO, files, "evil")
    code, _, err = run(capsys, "list", "--repo", REPO, "--revision", "evil")
    assert code == 3 and "'../../../escape.onnx' leaves the zoo" in err


def test_server_error_falls_back_to_shipped_with_one_line(hub, capsys):
    hub.faults["revision"] = "500"
    code, out, err = run(capsys, "list", "--repo", REPO, "--json")
    assert code == 0
    assert json.loads(out)["zoo_version"] == "0.1.0"
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "using the zoo shipped with dmzoo instead" in lines[0]
    assert "500" in lines[0]


def test_fetch_does_not_fall_back(hub, capsys):
    hub.faults["revision"] = "500"
    code, _, err = run(capsys, "fetch", "--repo", REPO)
    assert code == 4 and "could not be reached for zoo dmzoo-test/zoo@v0.1.0 (HTTP 500)" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--repo", "nobody/nothing"], "no repository nobody/nothing on the hub"),
        (["--repo", REPO, "--revision", "v9"], "has no revision 'v9'"),
    ],
)
def test_unknown_repository_or_revision_is_an_error(hub, capsys, args, message):
    code, _, err = run(capsys, "list", *args)
    assert code == 4 and message in err and err.count("\n") == 1


def test_file_missing_on_hub_is_an_error(hub, capsys):
    hub.faults[MODEL_PATH] = "404"
    code, _, err = run(capsys, "info", MODEL, "--repo", REPO)
    assert code == 4 and f"lacks {MODEL_PATH}" in err


def test_offline_with_empty_cache(hub, monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    code, out, err = run(capsys, "list", "--repo", REPO, "--json")
    assert code == 0 and json.loads(out)["zoo_version"] == "0.1.0"
    assert "HF_HUB_OFFLINE is set" in err and "shipped" in err and err.count("\n") == 1

    # a network off the shipped grid
    code, _, err = run(capsys, "info", "binary-spin1_offshell-snr0.8", "--repo", REPO)
    assert code == 4
    assert "model 'binary-spin1_offshell-snr0.8' is not in the shipped zoo 0.1.0" in err
    assert f"dmzoo fetch --repo {REPO} --revision v0.1.0 binary-spin1_offshell-snr0.8" in err

    code, _, err = run(capsys, "fetch", "--repo", REPO)
    assert code == 4 and "HF_HUB_OFFLINE" in err
    assert hub.requests == []


def test_offline_with_filled_cache_uses_it(hub, monkeypatch, capsys):
    assert run(capsys, "fetch", "--repo", REPO, MODEL)[0] == 0
    n = len(hub.requests)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    code, out, err = run(capsys, "info", MODEL, "--repo", REPO, "--json")
    assert code == 0 and "shipped" not in err
    assert json.loads(out)["id"] == MODEL
    assert len(hub.requests) == n


def test_unwritable_cache_names_directory_and_variable(hub, env, monkeypatch, capsys):
    # A cache below a regular file cannot be created, even by root (who ignores permissions).
    blocker = env.parent / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("HF_HUB_CACHE", str(blocker / "cache"))
    code, _, err = run(capsys, "fetch", "--repo", REPO)
    assert code == 4 and err.count("Error:") == 1 and "Traceback" not in err
    assert f"cannot write the model cache {blocker / 'cache'}" in err and "HF_HUB_CACHE" in err


def test_interrupted_download_leaves_nothing_then_recovers(hub, env, monkeypatch, capsys):
    # The client retries a cut download five times, a second apart; skip the waiting.
    monkeypatch.setattr("huggingface_hub.file_download.time.sleep", lambda s: None)
    hub.faults[MODEL_PATH] = "cut"
    code, _, err = run(capsys, "info", MODEL, "--repo", REPO)
    assert code == 4 and "could not give models/" in err
    repo_dir = env / "models--dmzoo-test--zoo"
    assert not list(repo_dir.glob(f"snapshots/*/{MODEL_PATH}"))
    assert sorted(p.name for p in (repo_dir / "blobs").iterdir()) == [
        hub_etag(hub, "manifest.json")
    ]

    del hub.faults[MODEL_PATH]
    code, out, err = run(capsys, "info", MODEL, "--repo", REPO, "--json")
    assert code == 0, err and json.loads(out)["id"] == MODEL


def test_download_cut_once_is_resumed(hub, monkeypatch, capsys):
    monkeypatch.setattr("huggingface_hub.file_download.time.sleep", lambda s: None)
    hub.faults[MODEL_PATH] = "cut1"
    code, out, err = run(capsys, "info", MODEL, "--repo", REPO, "--json")
    assert code == 0, err
    ranges = [p for m, p in hub.requests if m == "GET" and p.endswith(MODEL_PATH)]
    assert len(ranges) == 2  # the cut request and its resumption


def hub_etag(mock: MockHub, rel: str) -> str:
    import hashlib

    return hashlib.sha256(mock.files_at(REPO, "v0.1.0")[rel]).hexdigest()


def test_no_hub_option_means_no_network(hub, capsys):
    code, out, _ = run(capsys, "list", "--json")
    assert code == 0 and json.loads(out)["zoo_version"] == "0.1.0"
    assert hub.requests == []


def test_zoo_and_repo_together_is_a_usage_error(capsys):
    code, _, err = run(capsys, "list", "--zoo", str(shipped_zoo_path()), "--repo", REPO)
    assert code == 2 and "give one of them" in err


def test_default_revision_is_the_shipped_release():
    manifest = json.loads((shipped_zoo_path() / "manifest.json").read_text())
    assert constants.DEFAULT_HUB_REVISION == "v" + manifest["zoo_version"]
