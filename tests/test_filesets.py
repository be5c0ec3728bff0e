"""Many files and globs as one input, read in this process."""

import json

import numpy as np
import pytest
from _filesets import write_flavours
from _inputs import NANOAOD, write_tree

import dmzoo
from dmzoo import events, filesets
from dmzoo.cli import main
from dmzoo.errors import InputFileError

BIN = ["--benchmark", "spin1_offshell", "--snr", "1"]


@pytest.fixture
def flavours(tmp_path):
    return write_flavours(tmp_path / "data")


def test_a_glob_adds_every_file_and_lists_each(flavours, tmp_path):
    one_by_one = [events.read(str(p)) for p in flavours["nanoaod"]]
    both = filesets.read([str(tmp_path / "data" / "nano_*.root")])
    assert np.array_equal(both.counts, sum(f.counts for f in one_by_one))
    assert [f["file"] for f in both.files] == [str(p) for p in flavours["nanoaod"]]
    assert [f["n_events"] for f in both.files] == [407, 457, 507]
    assert both.n_events == 407 + 457 + 507
    for name in ("n_selected", "n_no_jet", "n_out_of_range"):
        assert getattr(both, name) == sum(getattr(f, name) for f in one_by_one), name
    assert both.source == "3 files: TTree Events (NanoAOD: Jet_pt, Jet_eta)"


def test_flavours_mix_and_an_object_rides_along_a_pattern(flavours, tmp_path):
    pattern = f"{tmp_path / 'data' / 'delphes_*.root'}:Delphes"
    mixed = filesets.read([pattern, str(flavours["flat"][0]), str(NANOAOD)])
    assert [f["file"] for f in mixed.files] == [
        *(f"{p}:Delphes" for p in flavours["delphes"]),
        str(flavours["flat"][0]),
        str(NANOAOD),
    ]
    expected = sum(events.read(f["file"]).counts for f in mixed.files)
    assert np.array_equal(mixed.counts, expected)
    assert "flat ntuple" in mixed.source and "Delphes" in mixed.source


def test_a_pattern_matching_nothing_names_the_pattern(tmp_path):
    with pytest.raises(InputFileError, match=r"nothing/\*\.root: the pattern matches no file"):
        filesets.read([str(tmp_path / "nothing" / "*.root")])


def test_a_file_given_twice_is_refused(flavours, tmp_path):
    with pytest.raises(InputFileError, match="given twice"):
        filesets.expand([str(tmp_path / "data" / "nano_*.root"), str(flavours["nanoaod"][1])])


def test_no_file_at_all_is_refused():
    with pytest.raises(InputFileError, match="no input file given"):
        filesets.read([])


def test_the_api_takes_a_list_and_scores_the_summed_histogram(flavours):
    paths = flavours["delphes"]
    result = dmzoo.score(paths, benchmark="spin1_offshell", snr=1.0)
    counts = sum(events.read(str(p)).counts for p in paths)
    alone = dmzoo.score(counts, benchmark="spin1_offshell", snr=1.0)
    assert result.score == alone.score
    assert result.file == " ".join(str(p) for p in paths)
    assert len(result.files) == 3 and result.n_selected == int(counts.sum())


def test_one_file_reads_as_before(nanoaod_like):
    result = dmzoo.score(str(nanoaod_like), benchmark="spin1_offshell", snr=1.0)
    assert result.file == str(nanoaod_like)
    assert result.source == "TTree Events (NanoAOD: Jet_pt, Jet_eta)"
    assert result.files == [
        {
            "file": str(nanoaod_like),
            "source": result.source,
            "n_events": 6,
            "n_selected": 3,
            "n_no_jet": 1,
            "n_out_of_range": 2,
            # A tree with jets alone: the monojet cuts pass every event (they are skipped).
            "cutflow": [{"cut": "read", "events": 6}]
            + [
                {"cut": name, "events": 3}
                for name in (
                    "leading_jet",
                    "jet_id",
                    "met",
                    "electron_veto",
                    "muon_veto",
                    "photon_veto",
                    "dphi",
                )
            ],
        }
    ]


def test_cli_lists_the_files_and_their_events(flavours, tmp_path, capsys):
    pattern = str(tmp_path / "data" / "flat_*.root")
    assert main(["score", pattern, str(flavours["nanoaod"][0]), *BIN]) == 0
    out = capsys.readouterr().out
    assert "3 files:" in out
    assert f"{flavours['flat'][1]}: events read 407, selected" in out
    assert main(["score", pattern, *BIN, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["file"] == pattern and [f["n_events"] for f in data["files"]] == [407, 407]


def test_cli_pattern_matching_nothing_is_one_line(tmp_path, capsys):
    write_tree(tmp_path / "a.root", "Events", "Jet_pt", "Jet_eta")
    assert main(["score", str(tmp_path / "a.root"), str(tmp_path / "*.rot"), *BIN]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "*.rot: the pattern matches no file" in err
