"""`dmzoo-train publish` against the mock hub of the runtime tests, then fetched back by dmzoo."""

from __future__ import annotations

import json
import shutil

import pytest
from _mockhub import MockHub, zoo_files
from click.testing import CliRunner

from dmzoo.cli import main as dmzoo_main
from dmzoo_training import paths
from dmzoo_training.cli import main

REPO = "dmzoo-test/published"


@pytest.fixture
def hub(tmp_path, monkeypatch):
    for var in ("DMZOO_ZOO", "DMZOO_HUB_REPO", "DMZOO_HUB_REVISION", "HF_HUB_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_TOKEN", "hf_mock")  # the mock takes any token; the client wants one
    mock = MockHub().start()
    monkeypatch.setenv("HF_ENDPOINT", mock.endpoint)
    yield mock
    mock.stop()


def test_publish_then_fetch_round_trip(hub, capsys):
    out = CliRunner().invoke(main, ["publish", "--repo", REPO])
    assert out.exit_code == 0, out.output
    done = json.loads(out.output)
    manifest = json.loads((paths.ZOO / "manifest.json").read_text())
    # the manifest, every model and every other file it lists, and the card as README.md
    n_zoo = 1 + len(manifest["models"]) + len(manifest["files"])
    assert done["tag"] == "v0.1.0" and len(done["files"]) == n_zoo + 1

    published = hub.files_at(REPO, "v0.1.0")
    assert published.pop("README.md") == (paths.REPO / "MODEL_CARD.md").read_bytes()
    assert published == zoo_files(paths.ZOO)
    assert hub.repos[REPO]["refs"]["main"] == done["commit"]

    assert dmzoo_main(["fetch", "--repo", REPO, "--revision", "v0.1.0", "--json"]) == 0
    fetched = json.loads(capsys.readouterr().out)
    assert fetched["commit"] == done["commit"] and len(fetched["files"]) == n_zoo


def test_existing_tag_is_refused_before_any_commit(hub):
    assert CliRunner().invoke(main, ["publish", "--repo", REPO]).exit_code == 0
    commits = len(hub.repos[REPO]["commits"])
    out = CliRunner().invoke(main, ["publish", "--repo", REPO])
    assert out.exit_code == 1
    assert "already has a revision v0.1.0" in out.output and out.output.count("\n") == 1
    assert len(hub.repos[REPO]["commits"]) == commits


def test_a_zoo_that_fails_its_manifest_is_not_published(hub, tmp_path):
    zoo = tmp_path / "zoo"
    shutil.copytree(paths.ZOO, zoo)
    (zoo / "tables" / "auc_individual.csv").write_text("benchmark,snr\n")
    shutil.copy(paths.REPO / "MODEL_CARD.md", tmp_path / "MODEL_CARD.md")
    out = CliRunner().invoke(main, ["publish", "--repo", REPO, "--zoo", str(zoo)])
    assert out.exit_code == 1 and "does not match the manifest's sha256" in out.output
    assert REPO not in hub.repos
