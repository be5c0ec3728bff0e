"""`score --sm full`: the zoo's SM template with W+jet and ttbar, where the zoo has one."""

import numpy as np
import pytest
from _synthetic_zoo import SIGNAL_COUNTS, build

import dmzoo
from dmzoo.cli import main
from dmzoo.errors import InvalidParameterError, ModelNotFoundError

COUNTS = np.zeros((30, 30))
COUNTS[:15, :] = 1.0  # 450 events in the lower pT half
COUNTS[15:, :10] = 2.0  # 300 in the upper: F = 0.4


@pytest.fixture(scope="module")
def zoo(tmp_path_factory):
    # a full SM harder than the flat Z(->nunu) one: 3/4 of it in the upper pT half
    full = np.full((30, 30), 1.0e6)
    full += 2 * SIGNAL_COUNTS
    return build(
        tmp_path_factory.mktemp("full-sm") / "zoo",
        kinds=("binary",),
        extra_templates={"sm_full": full},
    )


def test_the_full_sm_draws_the_pseudo_experiments(zoo):
    nominal = dmzoo.score(COUNTS, benchmark="spin1_offshell", snr=2.0, zoo=zoo, toys=200)
    full = dmzoo.score(COUNTS, benchmark="spin1_offshell", snr=2.0, zoo=zoo, toys=200, sm="full")
    assert nominal.score == full.score  # the model and its answer do not change
    # SM-only toys of 750 events: F near 1/2 from the flat SM, near 3/4 from the full one
    assert nominal.calibration.sm_quantiles["0.5"] == pytest.approx(0.5, abs=0.03)
    assert full.calibration.sm_quantiles["0.5"] == pytest.approx(0.75, abs=0.03)
    assert "W(->l nu)+jet and ttbar" in full.background["source"]
    assert "Z(->nunu)+jet, the test part" in nominal.background["source"]


def test_sm_full_needs_a_zoo_that_has_it(tmp_path):
    plain = build(tmp_path / "zoo", kinds=("binary",))
    with pytest.raises(ModelNotFoundError, match="has no full SM template"):
        dmzoo.score(COUNTS, benchmark="spin1_offshell", snr=2.0, zoo=plain, sm="full")
    with pytest.raises(InvalidParameterError, match="choose z_nunu or full"):
        dmzoo.score(COUNTS, benchmark="spin1_offshell", snr=2.0, zoo=plain, sm="w_only")


def test_sm_and_background_exclude_each_other(zoo, tmp_path, capsys):
    from _inputs import write_tree

    path = write_tree(
        tmp_path / "e.root", "Events", "Jet_pt", "Jet_eta", pt=[[150.0]] * 40, eta=[[0.0]] * 40
    )
    args = ["score", str(path), "--zoo", str(zoo), "--benchmark", "spin1_offshell", "--snr", "1"]
    assert main([*args, "--sm", "full", "--background", str(path)]) == 2
    assert "--sm full and --background both name the SM" in capsys.readouterr().err
    assert main([*args, "--sm", "full", "--toys", "50", "--json"]) == 0


def test_sm_full_needs_the_pseudo_experiments(zoo):
    with pytest.raises(InvalidParameterError, match=r"drop toys=0 \(--toys 0\) or --sm"):
        dmzoo.score(COUNTS, benchmark="spin1_offshell", snr=2.0, zoo=zoo, toys=0, sm="full")


def test_the_json_names_the_template(zoo):
    r = dmzoo.score(COUNTS, benchmark="spin1_offshell", snr=2.0, zoo=zoo, toys=50, sm="full")
    assert r.to_dict()["background"]["template"] == "full"
    r = dmzoo.score(COUNTS, benchmark="spin1_offshell", snr=2.0, zoo=zoo, toys=50)
    assert r.to_dict()["background"]["template"] == "z_nunu"
