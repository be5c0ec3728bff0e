"""A background the user brings: the SM of the pseudo-experiments instead of the zoo's."""

import json
from pathlib import Path

import numpy as np
import pytest
from _selection_inputs import EVENTS, write_nanoaod

import dmzoo
from dmzoo import binning, events
from dmzoo.cli import main
from dmzoo.errors import InputFileError, InvalidParameterError

ZOO = Path(dmzoo.__file__).resolve().parent.parent / "zoo"
SIGNAL_LIKE = ZOO / "examples" / "sm_plus_spin1_offshell_snr4.5.root"
ARGS = {"benchmark": "spin1_offshell", "snr": 4.5, "toys": 200}


def write_th2(path: Path, counts: np.ndarray) -> Path:
    import uproot

    with uproot.recreate(path) as f:
        f["h"] = (counts, binning.PT_EDGES, binning.ETA_EDGES)
    return path


@pytest.fixture(scope="module")
def data_counts() -> np.ndarray:
    return events.read(str(SIGNAL_LIKE)).counts


def test_a_background_of_the_datas_shape_gives_a_large_p_value(tmp_path, data_counts):
    """Signal-like data: the zoo's SM rejects it, a background that is the data's own shape
    (twice its events) does not."""
    zoo_sm = dmzoo.score(str(SIGNAL_LIKE), **ARGS)
    assert zoo_sm.calibration.p_value == 0.0  # 0 of 200 SM toys reach it
    assert zoo_sm.background["kind"] == "zoo" and zoo_sm.background["file"] is None
    bkg = write_th2(tmp_path / "bkg.root", 2 * data_counts)
    own = dmzoo.score(str(SIGNAL_LIKE), background=f"{bkg}:h", **ARGS)
    assert own.score == zoo_sm.score
    assert own.calibration.p_value == 0.53  # 106 of 200 toys (seed 0) score at least 0.9999965
    assert own.background == {
        "kind": "user",
        "source": "TH2D h",
        "file": f"{bkg}:h",
        "n_events": int(2 * data_counts.sum()),
        "selection": own.background["selection"],
        "template": None,
    }
    assert own.background["selection"]["name"] == "monojet"
    assert not any("fewer than the data" in w for w in own.warnings)


def test_fewer_background_events_than_data_warns(tmp_path, data_counts):
    small = np.floor(data_counts / 10)
    bkg = write_th2(tmp_path / "bkg.root", small)
    result = dmzoo.score(str(SIGNAL_LIKE), background=str(bkg), **ARGS)
    n = int(small.sum())
    assert (
        f"background {bkg} holds {n} events, fewer than the data's {int(data_counts.sum())}: "
        "its own statistical noise enters the pseudo-experiments and the p-value"
    ) in " ".join(result.warnings)


def test_background_events_go_through_the_same_selection(tmp_path):
    data = write_nanoaod(tmp_path / "data.root")
    bkg = write_nanoaod(tmp_path / "bkg.root")
    result = dmzoo.score(
        str(data), benchmark="spin1_offshell", snr=1.0, toys=50, background=str(bkg)
    )
    flow = [s["events"] for s in result.background["selection"]["cutflow"]]
    assert (
        flow == [s["events"] for s in result.selection["cutflow"]] == [13, 12, 11, 10, 9, 8, 7, 6]
    )
    assert result.background["n_events"] == 6
    # The same six events as the SM: toys of six events (4 SM + 2 signal under signal) drawn
    # from them. Six events are far from the 50,000 the models were trained on: every grid
    # model scores them, and every toy, exactly 1, so the p-value is 50 of 50 and says so.
    cal = result.calibration
    assert (cal.n_events, cal.b_signal, cal.s_signal) == (6, 4, 2)
    assert result.score == 1.0 and cal.p_value == 1.0
    assert "the SM-only pseudo-experiments saturate at 1 too" in " ".join(result.warnings)


def test_an_empty_background_is_refused(tmp_path):
    data = write_nanoaod(tmp_path / "data.root")
    low_met = write_nanoaod(tmp_path / "bkg.root", events=[EVENTS[3]])
    with pytest.raises(InputFileError) as err:
        dmzoo.score(
            str(data), benchmark="spin1_offshell", snr=1.0, toys=50, background=str(low_met)
        )
    assert str(err.value) == (
        f"background {low_met}: no event inside the histogram (cutflow: read 1, leading_jet 1, "
        "jet_id 1, met 0, electron_veto 0, muon_veto 0, photon_veto 0, dphi 0); give a "
        "background with events that pass the same selection as the data"
    )
    zeros = write_th2(tmp_path / "zeros.root", np.zeros((30, 30)))
    with pytest.raises(InputFileError, match="no event inside the histogram; give a background"):
        dmzoo.score(str(data), benchmark="spin1_offshell", snr=1.0, toys=50, background=str(zeros))


def test_a_background_needs_pseudo_experiments(tmp_path):
    data = write_nanoaod(tmp_path / "data.root")
    with pytest.raises(InvalidParameterError, match="used by the pseudo-experiments"):
        dmzoo.score(str(data), benchmark="spin1_offshell", snr=1.0, toys=0, background=str(data))


def test_cli_background_in_json_and_text(tmp_path, data_counts, capsys):
    bkg = write_th2(tmp_path / "bkg.root", data_counts)
    common = [str(SIGNAL_LIKE), "--benchmark", "spin1_offshell", "--snr", "4.5", "--toys", "100"]
    assert main(["score", *common, "--background", str(bkg), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["background"]["file"] == str(bkg) and data["background"]["kind"] == "user"
    assert data["calibration"]["p_value"] > 0.2
    assert main(["score", *common, "--background", str(bkg)]) == 0
    out = capsys.readouterr().out
    assert f"SM of the pseudo-experiments: the background {bkg} (TH2D h), " in out
    assert main(["score", *common, "--background", str(tmp_path / "nope.root")]) == 1
    assert "nope.root: no such file" in capsys.readouterr().err
