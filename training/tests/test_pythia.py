"""Pythia facts the generation relies on (seconds each)."""

import pytest

pythia8mc = pytest.importorskip("pythia8mc")

from dmzoo_training import mediators, mixture, pythia_run  # noqa: E402
from dmzoo_training.benchmarks import SAMPLES  # noqa: E402

pytestmark = pytest.mark.pythia


def test_undecayed_mediators_are_invisible_to_jets():
    pd = pythia8mc.Pythia("", False).particleData
    for pid in (23, 25, 36, 5100039):
        assert not pd.isVisible(pid)
    assert pd.isVisible(211) and pd.isVisible(22)


@pytest.mark.parametrize(("spin", "power"), [(0, 1), (1, -1), (2, 0)])
def test_forced_width_scaling_per_family(spin, power):
    assert mixture.width_power(SAMPLES[f"spin{spin}_offshell"], 1500.0) == power


def test_a_small_chunk_has_jets_in_the_selection():
    fam = mediators.FAMILIES[1]
    settings = pythia_run.narrow_settings(
        fam.processes, fam.extra, fam.pid, 1000.0, mixture.REL_WIDTH
    )
    got = pythia_run.generate_jets(settings, 11, 200)
    assert (got["pt"] > 130).mean() > 0.3
    again = pythia_run.generate_jets(settings, 11, 200)
    assert (got["pt"] == again["pt"]).all()  # same seed, same events


def test_thirteen_tev_samples_set_their_beam_energy():
    from dmzoo_training.benchmarks import SAMPLES_13TEV
    from dmzoo_training.generate import Task, task_settings

    direct = SAMPLES_13TEV["sm_13tev"]
    task = Task(direct.name, 0, 0, 100, 1, 0.0)
    assert task_settings(direct, task)[-1] == "Beams:eCM = 13000.0"
    # the 14 TeV samples' settings are as they were generated: no second eCM line
    assert not any("eCM" in s for s in task_settings(SAMPLES["sm"], task))
    mediator = SAMPLES_13TEV["spin1_onshell_13tev"]
    settings = mixture.narrow(mediator, 1000.0, mixture.REL_WIDTH)
    assert settings[-1] == "Beams:eCM = 13000.0"
    lower = pythia_run.hard_cross_section(settings, 3, 2000)[0]
    higher = pythia_run.hard_cross_section(
        mixture.narrow(SAMPLES["spin1_onshell"], 1000.0, mixture.REL_WIDTH), 3, 2000
    )[0]
    assert lower < 0.95 * higher  # a 1 TeV mediator is made less often at 13 TeV
