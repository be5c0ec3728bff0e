"""Filling on Dask gives the single-process histogram, bin for bin, for every tree flavour.

The clusters here run in this process (processes=False); the one reached by address listens on
127.0.0.1 only.
"""

import json

import numpy as np
import pytest
from _filesets import write_flavours
from _inputs import NANOAOD, write_tree_and_th2

import dmzoo
from dmzoo import binning, distributed, events, filesets
from dmzoo.cli import main
from dmzoo.errors import InvalidParameterError, MissingDependencyError

BIN = ["--benchmark", "spin1_offshell", "--snr", "1"]
IN_PROCESS = {
    "processes": False,
    "n_workers": 1,
    "threads_per_worker": 2,
    "dashboard_address": "127.0.0.1:0",  # the status pages on loopback too
    "worker_dashboard_address": "127.0.0.1:0",
}


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    with LocalCluster(**IN_PROCESS) as cluster, Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def flavours(tmp_path_factory):
    return write_flavours(tmp_path_factory.mktemp("flavours"))


@pytest.fixture
def small_steps(monkeypatch):
    """Several partitions per file, so partitions are added as well as files."""
    monkeypatch.setattr(events, "STEP_SIZE", 150)


@pytest.mark.parametrize("flavour", ["delphes", "nanoaod", "flat"])
def test_each_flavour_matches_the_single_process_path(client, flavours, flavour, small_steps):
    specs = [str(p) for p in flavours[flavour]]
    here = filesets.read(specs)
    there = distributed.read(specs, scheduler=client)
    assert np.array_equal(there.counts, here.counts)
    assert there.files == here.files  # every file's events, selected, no jet, outside
    assert there.source == here.source
    assert here.n_selected > 500 and here.n_no_jet > 0 and here.n_out_of_range > 0


def test_all_flavours_together_and_the_real_nanoaod(client, flavours, small_steps):
    specs = [str(p) for paths in flavours.values() for p in paths] + [str(NANOAOD)]
    # The workers fill by the paper's rule (the monojet cuts would run on the real NanoAOD).
    here = filesets.read(specs, selection="leading-jet")
    there = distributed.read(specs, scheduler=client, selection="leading-jet")
    assert np.array_equal(there.counts, here.counts)
    assert (there.n_events, there.n_selected, there.n_no_jet, there.n_out_of_range) == (
        here.n_events,
        here.n_selected,
        here.n_no_jet,
        here.n_out_of_range,
    )
    assert there.files[-1]["n_events"] == 200 and there.files[-1]["n_selected"] == 2


def test_th2_and_rntuple_are_read_here_and_added(client, tmp_path, sample_events):
    import awkward as ak
    import uproot

    pt, eta = sample_events
    both = write_tree_and_th2(tmp_path / "both.root", pt, eta)
    rntuple = tmp_path / "rntuple.root"
    with uproot.recreate(rntuple) as f:
        f["Events"] = {
            "Jet_pt": ak.Array([[250.0, 40.0], [180.0]]),
            "Jet_eta": ak.Array([[-1.2, 0.5], [2.5]]),
        }
    specs = [f"{both}:Events", f"{both}:h", str(rntuple)]
    there = distributed.read(specs, scheduler=client)
    assert np.array_equal(there.counts, filesets.read(specs).counts)
    inside = int(binning.fill(pt, eta).sum())
    assert there.files[0]["n_selected"] == there.files[1]["n_selected"] == inside == 17_328
    assert any("RNTuple, read on this machine" in n for n in there.notices)


def test_api_and_cli_by_address_give_the_single_process_answer(flavours, capsys):
    from distributed import LocalCluster

    specs = [str(p) for p in flavours["delphes"]]
    with LocalCluster(host="127.0.0.1", protocol="tcp", **IN_PROCESS) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        assert (
            main(["score", *specs, *BIN, "--json", "--scheduler", cluster.scheduler_address]) == 0
        )
    there = json.loads(capsys.readouterr().out)
    here = dmzoo.score(specs, benchmark="spin1_offshell", snr=1.0).to_dict()
    assert there == here


def test_cli_local_cluster(flavours, monkeypatch, capsys):
    in_process = {**distributed.LOCAL_CLUSTER, **IN_PROCESS, "protocol": "tcp"}
    monkeypatch.setattr(distributed, "LOCAL_CLUSTER", in_process)
    spec = str(flavours["flat"][0])
    assert main(["score", spec, *BIN, "--json", "--dask"]) == 0
    there = json.loads(capsys.readouterr().out)
    assert there == dmzoo.score(spec, benchmark="spin1_offshell", snr=1.0).to_dict()


def test_no_scheduler_at_the_address_is_one_line(flavours, monkeypatch, capsys):
    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", "0.5s")
    args = ["score", str(flavours["flat"][0]), *BIN, "--scheduler", "tcp://127.0.0.1:9"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: --scheduler tcp://127.0.0.1:9: no Dask scheduler answered")


def test_both_options_at_once_is_a_usage_error(flavours, capsys):
    args = ["score", str(flavours["flat"][0]), *BIN, "--dask", "--scheduler", "tcp://x:1"]
    assert main(args) == 2
    assert "--scheduler ADDRESS or --dask, not both" in capsys.readouterr().err


def test_without_the_extra_the_option_says_what_to_install(flavours, monkeypatch, capsys):
    import sys

    monkeypatch.setitem(sys.modules, "dask_histogram", None)  # as if not installed
    with pytest.raises(MissingDependencyError):
        distributed.read([str(flavours["flat"][0])])
    assert main(["score", str(flavours["flat"][0]), *BIN, "--dask"]) == 5
    err = capsys.readouterr().err
    assert err == (
        "Error: --dask/--scheduler needs the dask extra (dask_histogram is missing); "
        "install it with pip install 'dmzoo[dask]'\n"
    )


def test_a_scheduler_with_arrays_is_refused(client):
    with pytest.raises(InvalidParameterError, match="fills histograms from files"):
        dmzoo.score(np.ones((30, 30)), benchmark="spin1_offshell", snr=1.0, scheduler=client)


def test_monojet_cuts_that_would_run_need_one_process(client, tmp_path):
    from _selection_inputs import write_nanoaod

    path = str(write_nanoaod(tmp_path / "nano.root"))
    with pytest.raises(InvalidParameterError) as err:
        distributed.read([path], scheduler=client)
    assert str(err.value) == (
        f"{path}: --selection monojet (cuts jet_id, met, electron_veto, muon_veto, photon_veto, "
        "dphi) runs in one process only; drop --dask/--scheduler, or pass --selection leading-jet"
    )
    there = distributed.read([path], scheduler=client, selection="leading-jet")
    assert there.selection.to_dict()["cutflow"] == [
        {"cut": "read", "events": 13},
        {"cut": "leading_jet", "events": 12},
    ]


def test_trees_with_jets_alone_give_the_same_cutflow_on_dask(client, flavours):
    specs = [str(p) for p in flavours["nanoaod"]]
    here = filesets.read(specs)
    there = distributed.read(specs, scheduler=client)
    assert there.selection.to_dict() == here.selection.to_dict()
    assert there.files == here.files and there.notices == here.notices
