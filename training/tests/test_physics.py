import math

import numpy as np
import pytest

from dmzoo_training import detector, mediators, mixture
from dmzoo_training.benchmarks import SAMPLES


def test_hcal_resolution_is_the_atlas_cards():
    e = np.array([100.0, 100.0, 100.0])
    got = detector.hcal_resolution(e, np.array([0.0, 2.0, 4.0]))
    expected = [
        math.sqrt(3.02**2 + 0.5205**2 * 100 + 1.59**2),
        math.sqrt(5.0**2 + 0.706**2 * 100),
        math.sqrt(9.42**2 + 100.0),
    ]
    assert got == pytest.approx(expected)


def test_smearing_keeps_the_scale():
    rng = np.random.default_rng(0)
    pt = np.full(200_000, 500.0)
    smeared = detector.smear_pt(pt, np.zeros_like(pt), pt, rng)
    assert smeared.mean() == pytest.approx(500.0, rel=1e-3)
    assert smeared.std() == pytest.approx(
        detector.hcal_resolution(np.array([500.0]), np.zeros(1))[0], rel=0.01
    )


def test_vector_width_per_light_flavour():
    # Gamma(V -> q qbar) = N_c g^2 M / (12 pi) for massless quarks, five of them, plus the top.
    m = 1000.0
    light = 5 * 3 * m / (12 * math.pi)
    assert mediators.width_total(1, m, 10.0) > light
    assert mediators.width_dm(1, m, 10.0) == pytest.approx(m / (12 * math.pi), rel=1e-3)


@pytest.mark.parametrize("spin", [0, 1, 2])
def test_dm_width_closes_at_threshold(spin):
    assert mediators.width_dm(spin, 599.0, 300.0) == 0.0
    assert mediators.width_dm(spin, 601.0, 300.0) > 0.0


def test_far_off_shell_density_forgets_the_mediator_mass():
    # m >> M: rho depends on m and m_DM only (the paper's off-shell regime).
    a = mediators.density(1, 2000.0, 91.1876, 300.0)
    b = mediators.density(1, 2000.0, 200.0, 300.0)
    assert a == pytest.approx(b, rel=0.03)


def test_allocation_is_exact_and_deterministic():
    counts = mixture.allocate(np.array([0.5, 0.3, 0.2, 0.0]), 7)
    assert counts.sum() == 7 and counts.tolist() == [4, 2, 1, 0]


def test_mass_grids_start_at_threshold_and_resolve_the_peak():
    off = SAMPLES["spin1_offshell"].mass_edges()
    assert off[0] == pytest.approx(600.0, rel=1e-5)
    on = SAMPLES["spin1_onshell"].mass_edges()
    gamma = mediators.width_total(1, 1000.0, 10.0)  # about 500 GeV with every coupling 1
    assert np.sum((on > 1000 - gamma / 2) & (on < 1000 + gamma / 2)) >= 10
