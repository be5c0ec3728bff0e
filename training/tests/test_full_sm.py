"""The `full` SM template: Z(->nunu)+jet and the Table 3 backgrounds by cross section."""

import json

import numpy as np
import pytest
from _events import synthetic_events, with_monojet_record, write_sample

from dmzoo import binning
from dmzoo_training import samples, zoo_build


def _set_rate(root, name, sigma_pb, n_generated):
    path = root / name / "sample.json"
    summary = json.loads(path.read_text())
    summary.update(sigma_generated_pb=sigma_pb, n_generated=n_generated)
    path.write_text(json.dumps(summary))


def test_full_sm_template_weights_each_process(tmp_path):
    write_sample(tmp_path, "sm", synthetic_events(10_000, 120.0, 1.6, seed=1))
    assert samples.full_sm_test(tmp_path) is None  # until every background exists
    write_sample(tmp_path, "w_lnu", with_monojet_record(synthetic_events(4_000, 150.0, 1.6, 2), 4))
    write_sample(tmp_path, "ttbar", with_monojet_record(synthetic_events(2_000, 200.0, 1.2, 3), 5))
    _set_rate(tmp_path, "sm", 100.0, 20_000)  # 0.005 pb an event
    _set_rate(tmp_path, "w_lnu", 40.0, 40_000)  # 0.001 pb: a W event weighs 0.2 SM events
    _set_rate(tmp_path, "ttbar", 50.0, 5_000)  # 0.01 pb: 2 SM events
    entry = zoo_build._full_sm_entry(tmp_path)
    expected = np.zeros((30, 30))
    units = {"sm": 1.0, "w_lnu": 0.2, "ttbar": 2.0}
    for name, unit in units.items():
        branches = ("jet_pt", "jet_eta", *(() if name == "sm" else samples.MONOJET_BRANCHES))
        test = samples.split_parts(name, tmp_path, branches)["test"]
        # the backgrounds' events with MET above 130 GeV and every jet 0.4 from it
        keep = slice(None) if name == "sm" else (test["met"] > 130) & (test["dphi_min"] > 0.4)
        expected += unit * binning.fill(test["jet_pt"][keep], test["jet_eta"][keep])
        if name != "sm":
            assert 0.3 < np.mean(keep) < 0.8  # the cuts bite
    assert np.array(entry["counts"]) == pytest.approx(expected, abs=1e-5)
    weights = np.array(entry["event_weight"])
    # each bin's weight of one event lies between the lightest and heaviest process's
    assert weights.min() >= 0.2 - 1e-9 and weights.max() <= 2.0 + 1e-9
    assert entry["composition"] == ["sm", "w_lnu", "ttbar"]
    written = zoo_build.write_templates(tmp_path / "zoo", tmp_path)
    doc = json.loads(written.read_text())
    assert {"sm", "sm_full"} <= set(doc["samples"])
