"""The monojet selection: each cut on real and built trees, skipped cuts, cutflows, the CLI."""

import json

import numpy as np
import pytest
from _inputs import NANOAOD
from _selection_inputs import (
    DELPHES_CUTFLOW,
    NANOAOD_CUTFLOW,
    PASSING_PT,
    write_delphes,
    write_nanoaod,
)

import dmzoo
from dmzoo import binning, events, filesets
from dmzoo.cli import main
from dmzoo.errors import InputFileError, InvalidParameterError
from dmzoo.selection import Selection

MONOJET = ["leading_jet", "jet_id", "met", "electron_veto", "muon_veto", "photon_veto", "dphi"]
BIN = ["--benchmark", "spin1_offshell", "--snr", "1", "--toys", "50"]


def cutflow(filled) -> list[int]:
    return [step["events"] for step in filled.selection.to_dict()["cutflow"]]


def cut_names(filled) -> list[str]:
    return [step["cut"] for step in filled.selection.to_dict()["cutflow"]]


def test_real_nanoaod_cutflow():
    """CMS open-data ttbar: two leading jets reach the histogram; the only one with MET above
    130 GeV (event 169, MET 210 GeV) has its second jet 0.067 rad from the MET."""
    filled = events.read(str(NANOAOD))
    assert cutflow(filled) == [200, 2, 2, 1, 1, 1, 1, 0]
    assert cut_names(filled) == ["read", *MONOJET]
    assert filled.n_selected == 0 and filled.counts.sum() == 0
    # NanoAOD has every branch: every cut ran, so the only notice is about jetless events
    assert filled.notices == [
        "nanoAOD_2015_CMS_Open_Data_ttbar.root:Events: 14 events with no usable jet left out"
    ]
    looser = events.read(str(NANOAOD), selection=Selection(dphi_min=0.06))
    assert cutflow(looser) == [200, 2, 2, 1, 1, 1, 1, 1]
    assert looser.counts[binning.bin_index(np.array([289.5]), *binning.PT_RANGE)[0]].sum() == 1


def test_real_nanoaod_under_the_papers_rule():
    filled = events.read(str(NANOAOD), selection="leading-jet")
    assert cutflow(filled) == [200, 2] and filled.n_selected == 2


def test_each_cut_on_a_built_nanoaod_tree(tmp_path):
    filled = events.read(str(write_nanoaod(tmp_path / "nano.root")))
    assert cutflow(filled) == NANOAOD_CUTFLOW
    assert filled.counts.sum() == 6
    expected = binning.fill(np.array(PASSING_PT), np.array([0.5] + [1.0] * 5))
    assert np.array_equal(filled.counts, expected)


def test_delphes_has_no_jet_id_and_says_so(tmp_path):
    filled = events.read(str(write_delphes(tmp_path / "delphes.root")))
    assert cutflow(filled) == DELPHES_CUTFLOW
    cuts = {c["name"]: c for c in filled.selection.to_dict()["cuts"]}
    assert not cuts["jet_id"]["applied"] and cuts["met"]["applied"]
    assert cuts["jet_id"]["skipped_because"] == "tree 'Delphes' has no Jet_jetId"
    assert filled.notices[-1] == (
        "delphes.root:Delphes: monojet selection: cuts skipped, their branches are missing: "
        "jet_id (tree 'Delphes' has no Jet_jetId)"
    )


def test_every_cut_can_be_turned_off(tmp_path):
    path = str(write_nanoaod(tmp_path / "nano.root"))
    off = Selection(jet_id=False, lepton_veto=False, photon_veto=False, dphi_min=0, met_min=0)
    filled = events.read(path, selection=off)
    assert cutflow(filled) == [13, 12, 12] and cut_names(filled) == ["read", "leading_jet", "met"]
    assert cutflow(events.read(path, selection=Selection(met_min=500))) == [
        13,
        12,
        11,
        0,
        0,
        0,
        0,
        0,
    ]


def test_a_tree_with_jets_alone_is_selected_by_the_papers_rule(nanoaod_like):
    monojet = events.read(str(nanoaod_like))
    paper = events.read(str(nanoaod_like), selection="leading-jet")
    assert np.array_equal(monojet.counts, paper.counts)
    assert cutflow(monojet) == [6, 3, 3, 3, 3, 3, 3, 3]
    assert all(not c["applied"] for c in monojet.selection.to_dict()["cuts"][1:])
    assert monojet.notices[-1] == (
        "nano.root:Events: no cut of the monojet selection could run (the file has no MET, "
        "lepton, photon or jet-ID branches); the leading-jet rule alone selected the events"
    )


def test_cutflows_of_many_files_add(tmp_path, nanoaod_like):
    built = write_nanoaod(tmp_path / "built.root")
    filled = filesets.read([str(built), str(NANOAOD), str(nanoaod_like)])
    # The three cutflows: 13 12 11 10 9 8 7 6; 200 2 2 1 1 1 1 0; 6 3 3 3 3 3 3 3.
    assert cutflow(filled) == [219, 17, 16, 14, 13, 12, 11, 9]
    assert [f["cutflow"][-1]["events"] for f in filled.files] == [6, 0, 3]
    cuts = filled.selection.to_dict()["cuts"]
    assert not cuts[1]["applied"]  # skipped in nanoaod_like, so not applied to all


def test_histogram_inputs_report_the_cuts_as_not_run(sample_events):
    counts = binning.fill(*sample_events)
    result = dmzoo.score(counts, benchmark="spin1_offshell", snr=1.0, toys=0)
    flow = result.selection["cutflow"]
    assert [s["events"] for s in flow] == [int(counts.sum())] * 8
    assert not any(c["applied"] for c in result.selection["cuts"][1:])
    assert any("did not run" in n for n in result.notes)
    paper = dmzoo.score(
        counts, benchmark="spin1_offshell", snr=1.0, toys=0, selection="leading-jet"
    )
    assert not any("did not run" in n for n in paper.notes)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"name": "vbf"}, "unknown selection 'vbf'; choose one of monojet, leading-jet"),
        ({"met_min": -1.0}, r"met_min \(--met-min\) must be a finite number >= 0, not -1.0"),
        ({"dphi_min": float("nan")}, r"dphi_min \(--dphi-min\) must be a finite number >= 0"),
        ({"dphi_jets": 0}, r"dphi_jets \(--dphi-jets\) must be at least 1"),
    ],
)
def test_bad_thresholds_are_refused(kwargs, message):
    with pytest.raises(InvalidParameterError, match=message):
        Selection(**kwargs)


def test_score_names_the_cutflow_when_nothing_passes():
    with pytest.raises(InputFileError) as err:
        dmzoo.score(str(NANOAOD), benchmark="spin1_offshell", snr=1.0, selection="monojet")
    assert "none of its 200 events passes the monojet selection (cutflow: read 200, " in str(
        err.value
    )
    assert "photon_veto 1, dphi 0); nothing to score" in str(err.value)


def test_the_default_selection_falls_back_to_the_papers_rule_and_says_so():
    """The real CMS file: no event passes the monojet cuts; unasked, the paper's rule scores
    its two events with a leading jet inside the histogram, and the warning gives the cutflow."""
    r = dmzoo.score(str(NANOAOD), benchmark="spin1_offshell", snr=1.0, toys=0)
    assert r.selection["name"] == "leading-jet" and (r.n_events, r.n_selected) == (200, 2)
    assert (
        "none of its 200 events passes the default monojet selection (cutflow: read 200, "
        in (r.warnings[0])
    )
    assert r.warnings[0].endswith(
        "filled by the paper's rule (leading jet only) instead; pass --selection monojet to refuse"
    )


def test_cli_json_says_which_selection_ran(tmp_path, capsys):
    path = str(write_nanoaod(tmp_path / "nano.root"))
    assert main(["score", path, *BIN, "--json", "--met-min", "250"]) == 0
    data = json.loads(capsys.readouterr().out)
    sel = data["selection"]
    assert sel["name"] == "monojet" and sel["thresholds"]["met_min"] == 250.0
    assert sel["thresholds"]["dphi_min"] == 0.4 and sel["thresholds"]["veto_pt_min"] == 10.0
    assert [c["requirement"] for c in sel["cuts"]][2] == "MET > 250 GeV"
    assert [s["events"] for s in sel["cutflow"]] == NANOAOD_CUTFLOW
    assert data["n_selected"] == 6
    assert main(["score", path, *BIN, "--json", "--selection", "leading-jet"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["selection"]["name"] == "leading-jet" and data["n_selected"] == 12
    assert [s["cut"] for s in data["selection"]["cutflow"]] == ["read", "leading_jet"]


def test_cli_prints_the_cutflow_and_turns_cuts_off(tmp_path, capsys):
    path = str(write_delphes(tmp_path / "delphes.root"))
    assert main(["score", path, *BIN, "--no-lepton-veto", "--dphi-min", "0"]) == 0
    out, err = capsys.readouterr()
    assert "  selection monojet, events after each cut:\n" in out
    assert "          13  read: events read\n" in out
    assert "          12  jet_id: leading jet passes the tight jet ID  (skipped: tree " in out
    assert "          10  photon_veto: no photon with pT > 10 GeV, |eta| < 2.5\n" in out
    assert "electron_veto" not in out and "dphi" not in out
    assert "Note: delphes.root:Delphes: monojet selection: cuts skipped" in err


def test_cli_refuses_monojet_thresholds_with_the_papers_rule(nanoaod_like, capsys):
    code = main(["score", str(nanoaod_like), *BIN, "--selection", "leading-jet", "--met-min", "9"])
    assert code == 2
    assert "--met-min belongs to --selection monojet, not leading-jet" in capsys.readouterr().err


def test_cli_nothing_selected_is_one_line(capsys):
    assert main(["score", str(NANOAOD), *BIN, "--selection", "monojet"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("Error: ")
    assert "dphi 0); nothing to score; loosen a cut" in err


def test_plot_histogram_takes_the_selection(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = str(write_nanoaod(tmp_path / "nano.root"))
    out = tmp_path / "h.png"
    assert main(["plot", "histogram", path, "-o", str(out), "--met-min", "100"]) == 0
    assert out.stat().st_size > 0
    # a cut that leaves nothing is refused, as score refuses it, and writes no file
    empty = tmp_path / "empty.png"
    assert main(["plot", "histogram", path, "-o", str(empty), "--met-min", "500"]) == 1
    assert "passes the monojet selection" in capsys.readouterr().err and not empty.exists()


def test_a_jet_scale_shift_alone_keeps_the_defaults_fallback(capsys):
    """--jes is a study of either selection: alone, it leaves the default as it is."""
    assert main(["score", str(NANOAOD), *BIN, "--json", "--toys", "0", "--jes", "0.02"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["selection"]["name"] == "leading-jet"
    assert data["selection"]["thresholds"]["jes"] == 0.02
    assert "passes the default monojet selection" in data["warnings"][0]


def test_plot_histogram_falls_back_like_score(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / "h.png"
    assert main(["plot", "histogram", str(NANOAOD), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert out.stat().st_size > 0 and "filled by the paper's rule" in err
    assert main(["plot", "histogram", str(NANOAOD), "-o", str(out), "--selection", "monojet"]) == 1


def test_the_papers_rule_reports_no_missing_branches(capsys):
    assert main(["score", str(NANOAOD), *BIN, "--toys", "0", "--selection", "leading-jet"]) == 0
    out = capsys.readouterr().out
    assert "selection leading-jet (the paper's rule alone): 2 events kept" in out
    assert "no cut could run" not in out


@pytest.mark.parametrize("kind", ["binary", "multimodel_binary", "multiclass"])
def test_the_sm_is_no_benchmark(kind):
    with pytest.raises(InvalidParameterError, match="'sm' is the SM, the background"):
        dmzoo.score(str(NANOAOD), benchmark="sm", snr=1.0, kind=kind, toys=0)
