"""The paper's qualitative facts, checked on the committed event samples."""

import json

import numpy as np
import pytest

from dmzoo_training import paths, validate
from dmzoo_training.benchmarks import BENCHMARKS, SAMPLES


@pytest.fixture(scope="module")
def facts():
    return validate.facts(validate.load_all())


def test_every_sample_is_in_the_repository():
    missing = [n for n in SAMPLES if not (paths.EVENTS / n / "sample.json").exists()]
    assert not missing, f"run dmzoo-train generate for {missing}"


def test_sizes_of_the_first_slice(facts):
    assert facts["sm"]["n_events"] >= 1_500_000
    assert facts["spin1_offshell"]["n_events"] >= 500_000
    assert all(facts[b]["n_events"] >= 50_000 for b in BENCHMARKS)


def test_every_sample_records_its_provenance():
    for name in SAMPLES:
        summary = json.loads((paths.EVENTS / name / "sample.json").read_text())
        assert summary["generator"].startswith("pythia8mc 8.317.2")
        assert 0 < summary["selection_efficiency"] < 1 and summary["sigma_generated_pb"] > 0
        rounds = sorted((paths.EVENTS / name).glob("round-*.json"))
        record = json.loads(rounds[0].read_text())
        assert record["settings"] and all("seed" in t for t in record["tasks"])


def test_alp_is_the_closest_to_the_sm(facts):
    distances = {b: facts[b]["chi2_to_sm"] for b in BENCHMARKS}
    assert min(distances, key=distances.get) == "alp"


def test_spin1_is_more_central_than_the_sm(facts):
    for regime in validate.REGIMES:
        assert facts[f"spin1_{regime}"]["eta_std"] < facts["sm"]["eta_std"]


def test_every_mediator_is_harder_than_the_sm(facts):
    for b in BENCHMARKS:
        assert facts[b]["mean_pt_gev"] > facts["sm"]["mean_pt_gev"]


def test_spin2_has_the_hardest_spectrum(facts):
    hardest = max(BENCHMARKS, key=lambda b: facts[b]["mean_pt_gev"])
    assert hardest.startswith("spin2")
    # The paper's on-shell comparison is spin-2 against spin-1 (its Figure 1). Our spin-0
    # on-shell sample is as hard as spin-2 (mean pT 278 against 276 GeV): its heavy-top-limit
    # kinematics overstate the tail, as the model card says.
    for regime in validate.REGIMES:
        assert facts[f"spin2_{regime}"]["mean_pt_gev"] > facts[f"spin1_{regime}"]["mean_pt_gev"]


def test_samples_are_inside_the_selection():
    ev = validate.load_all()["spin1_offshell"]
    assert ev["jet_pt"].min() >= 130 and ev["jet_pt"].max() <= 2000
    assert np.abs(ev["jet_eta"]).max() <= 4
