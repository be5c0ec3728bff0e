import numpy as np

from dmzoo import binning


def test_edges_are_the_papers():
    assert binning.PT_EDGES[0] == 130.0 and binning.PT_EDGES[-1] == 2000.0
    assert binning.ETA_EDGES[0] == -4.0 and binning.ETA_EDGES[-1] == 4.0
    assert len(binning.PT_EDGES) == len(binning.ETA_EDGES) == 31
    assert np.isclose(binning.PT_EDGES[1] - binning.PT_EDGES[0], 62.333333333)


def test_bins_are_half_open():
    pt = np.array([130.0, 2000.0, 1999.999, 192.33333333333334, 500.0, 500.0])
    eta = np.array([0.0, 0.0, 3.9999, 0.0, 4.0, -4.0])
    assert binning.in_range(pt, eta).tolist() == [True, False, True, True, False, True]
    counts = binning.fill(pt, eta)
    assert counts.sum() == 4
    assert counts[0, 15] == 1  # 130 GeV, eta 0: first pT bin
    assert counts[29, 29] == 1  # just below both upper edges
    assert counts[1, 15] == 1  # an edge value goes to the bin above it
    assert counts[5, 0] == 1  # eta = -4 is inside


def test_fill_agrees_with_numpy_histogram2d(sample_events):
    pt, eta = sample_events
    keep = binning.in_range(pt, eta)
    ref, _, _ = np.histogram2d(pt[keep], eta[keep], bins=(binning.PT_EDGES, binning.ETA_EDGES))
    assert np.array_equal(binning.fill(pt, eta), ref)
