import numpy as np
import pytest
from _inputs import EXPECTED, HEPDATA, NANOAOD, write_tree, write_tree_and_th2

from dmzoo import binning, events
from dmzoo.errors import BinningError, BranchNotFoundError, InputFileError


@pytest.mark.parametrize("fixture", ["nanoaod_like", "delphes_like"])
def test_tree_flavours_follow_the_leading_jet_rules(fixture, request):
    filled = events.read(str(request.getfixturevalue(fixture)))
    got = {k: getattr(filled, k) for k in EXPECTED}
    assert got == EXPECTED
    expected = binning.fill(np.array([250.0, 180.0, 1999.0]), np.array([-1.2, 2.5, 3.99]))
    assert np.array_equal(filled.counts, expected)


def test_flat_scalar_ntuple(flat_scalar):
    filled = events.read(str(flat_scalar))
    assert (filled.n_events, filled.n_selected, filled.n_no_jet, filled.n_out_of_range) == (
        4,
        2,
        1,
        1,
    )
    assert "flat ntuple" in filled.source


def test_user_branch_names(tmp_path):
    path = write_tree(tmp_path / "mine.root", "t", "j_pt", "j_eta")
    filled = events.read(str(path), pt_branch="j_pt", eta_branch="j_eta")
    assert filled.n_selected == EXPECTED["n_selected"]
    with pytest.raises(BranchNotFoundError, match="jet branches dmzoo knows"):
        events.read(str(path))
    with pytest.raises(BranchNotFoundError, match="no branch 'nope'"):
        events.read(str(path), pt_branch="nope", eta_branch="j_eta")


def test_real_nanoaod_counts():
    filled = events.read(str(NANOAOD), selection="leading-jet")
    assert (filled.n_events, filled.n_selected) == (200, 2)
    assert "NanoAOD" in filled.source


def test_chunked_reading_gives_the_same_histogram(nanoaod_like, monkeypatch):
    whole = events.read(str(nanoaod_like))
    monkeypatch.setattr(events, "STEP_SIZE", 2)  # two entries per chunk
    chunked = events.read(str(nanoaod_like))
    assert np.array_equal(whole.counts, chunked.counts)
    assert chunked.n_events == whole.n_events


def test_highest_cycle_counts_once(tmp_path):
    import awkward as ak
    import uproot

    path = write_tree(tmp_path / "cycles.root", "Events", "Jet_pt", "Jet_eta")
    with uproot.update(path) as f:  # a second cycle of the same tree
        f.mktree("Events", {"Jet_pt": "var * float32", "Jet_eta": "var * float32"})
        f["Events"].extend({"Jet_pt": ak.Array([[300.0]]), "Jet_eta": ak.Array([[0.0]])})
    assert len([k for k in uproot.open(path).keys() if k.startswith("Events")]) == 2
    filled = events.read(str(path))
    assert filled.n_events == 1 and filled.n_selected == 1


def test_rntuple_reads_like_a_tree(tmp_path):
    import awkward as ak
    import uproot

    path = tmp_path / "rntuple.root"
    with uproot.recreate(path) as f:
        f["Events"] = {
            "Jet_pt": ak.Array([[250.0, 40.0], [180.0]]),
            "Jet_eta": ak.Array([[-1.2, 0.5], [2.5]]),
        }
    assert "RNTuple" in uproot.open(path).classnames()["Events;1"]
    filled = events.read(str(path))
    assert (filled.n_events, filled.n_selected) == (2, 2)


def test_th2_and_tree_of_the_same_events_agree(tmp_path, sample_events):
    import uproot

    pt, eta = sample_events
    counts = binning.fill(pt, eta)
    path = write_tree_and_th2(tmp_path / "both.root", pt, eta)
    with uproot.update(path) as f:
        fine = np.histogram2d(pt, eta, bins=(np.linspace(130, 2000, 61), np.linspace(-4, 4, 61)))[0]
        f["fine"] = (fine, np.linspace(130, 2000, 61), np.linspace(-4, 4, 61))
        f["transposed"] = (counts.T, binning.ETA_EDGES, binning.PT_EDGES)
    tree = events.read(f"{path}:Events")
    for name in ("h", "fine", "transposed"):
        th2 = events.read(f"{path}:{name}")
        assert np.array_equal(th2.counts, tree.counts), name
        assert th2.n_selected == tree.n_selected == th2.n_events
    assert any("transposed" in n for n in events.read(f"{path}:transposed").notices)
    assert any("rebinned" in n for n in events.read(f"{path}:fine").notices)


def test_foreign_th2_is_refused_naming_the_edges():
    with pytest.raises(
        BinningError, match=r"x \[-4, 4\) in 40 bins.*not the zoo's pT \[130, 2000\)"
    ):
        events.read(f"{HEPDATA}:hpxpy")


def test_misaligned_refinement_is_refused(tmp_path):
    import uproot

    path = tmp_path / "h.root"
    with uproot.recreate(path) as f:
        f["h"] = (np.ones((45, 30)), np.linspace(130, 2000, 46), binning.ETA_EDGES)
    with pytest.raises(BinningError):
        events.read(f"{path}:h")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("missing.root", "no such file"),
        (f"{HEPDATA}:hpx", "is a TH1F"),
        (f"{HEPDATA}:nothere", "no object 'nothere'"),
    ],
)
def test_bad_inputs_say_what_is_wrong(spec, message):
    with pytest.raises((InputFileError, BranchNotFoundError), match=message):
        events.read(spec)


def test_not_a_root_file(tmp_path):
    bad = tmp_path / "bad.root"
    bad.write_text("not root")
    with pytest.raises(InputFileError, match="not a ROOT file"):
        events.read(str(bad))


def test_split_spec_keeps_existing_paths_whole(tmp_path):
    odd = tmp_path / "a:b.root"
    odd.write_bytes(b"")
    assert events.split_spec(str(odd)) == (odd, None)
    assert events.split_spec("x.root:Events") == (events.Path("x.root"), "Events")


def test_uhi_histograms_are_accepted(sample_events):
    import hist

    pt, eta = sample_events
    h = hist.Hist.new.Reg(30, 130, 2000).Reg(30, -4, 4).Double()
    h.fill(pt, eta)
    filled = events.counts_from_uhi(h)
    assert np.array_equal(filled.counts, binning.fill(pt, eta))


def test_th2_content_beyond_the_range_is_left_out(tmp_path):
    import uproot

    pt_edges = np.append(binning.PT_EDGES, 3000.0)
    eta_edges = np.concatenate([binning.ETA_EDGES, [5.0]])
    counts = np.zeros((31, 31))
    counts[5, 5] = 7.0
    counts[30, 5] = 100.0  # pT 2000-3000: outside
    counts[5, 30] = 50.0  # eta 4-5: outside
    path = tmp_path / "wide.root"
    with uproot.recreate(path) as f:
        f["h"] = (counts, pt_edges, eta_edges)
    filled = events.read(f"{path}:h")
    # As for a tree, the events outside count as read, with their leading jet outside.
    assert (filled.n_events, filled.n_selected, filled.n_out_of_range) == (157, 7, 150)
    assert any("left out" in n for n in filled.notices)


def test_th2_overflow_counts_as_outside_the_histogram(tmp_path):
    """ROOT's flow bins hold the leading jets beyond the axes: outside, like a tree's."""
    import uproot

    counts = np.zeros((30, 30))
    counts[3, 4] = 9.0
    path = tmp_path / "flow.root"
    with uproot.recreate(path) as f:
        f["h"] = (counts, binning.PT_EDGES, binning.ETA_EDGES)
    hist = uproot.open(path)["h"]
    flow = hist.values(flow=True).copy()
    flow[31, 5] = 1000.0  # pT overflow: a leading jet at 5 TeV
    filled = events.counts_from_uhi(_Flowing(hist, flow))
    assert (filled.n_events, filled.n_selected, filled.n_out_of_range) == (1009, 9, 1000)


def test_delphes_rntuple_reads_its_nested_fields(tmp_path):
    """uproot 5.7 writes a Delphes-like `Jet` record as an RNTuple whose subfields `Jet.PT`
    and `Jet.Eta` live inside the `Jet` field; the same jets as a TTree give the same counts."""
    import awkward as ak
    import uproot

    jets = ak.zip(
        {
            "PT": ak.Array([[40.0, 250.0], [180.0], [2500.0]]),
            "Eta": ak.Array([[0.5, -1.2], [2.5], [0.0]]),
        }
    )
    path = tmp_path / "delphes.root"
    with uproot.recreate(path) as f:
        f["Delphes"] = {"Jet": jets}
    assert uproot.open(path)["Delphes"].keys() == ["Jet", "Jet.PT", "Jet.Eta"]
    filled = events.read(str(path))
    assert filled.source == "ROOT::RNTuple Delphes (Delphes: Jet.PT, Jet.Eta)"
    assert (filled.n_events, filled.n_selected, filled.n_out_of_range) == (3, 2, 1)
    assert np.array_equal(filled.counts, binning.fill([250.0, 180.0], [-1.2, 2.5]))


class _Flowing:
    """A UHI histogram with flow bins of our choosing."""

    def __init__(self, hist, flow):
        self.axes, self.kind, self._flow = hist.axes, "COUNT", flow

    def values(self, flow=False):
        return self._flow if flow else self._flow[1:-1, 1:-1]


@pytest.mark.parametrize(
    ("value", "message"), [(np.nan, "NaN"), (np.inf, "NaN or infinity"), (-5.0, "negative")]
)
def test_impossible_th2_contents_are_refused(tmp_path, value, message):
    import uproot

    counts = np.ones((30, 30))
    counts[3, 3] = value
    path = tmp_path / "bad.root"
    with uproot.recreate(path) as f:
        f["h"] = (counts, binning.PT_EDGES, binning.ETA_EDGES)
    with pytest.raises(BinningError, match=message):
        events.read(f"{path}:h")


def test_ties_in_pt_do_not_depend_on_the_stored_order():
    import awkward as ak

    a = events.leading_jets(ak.Array([[300.0, 300.0]]), ak.Array([[0.0, 4.5]]))
    b = events.leading_jets(ak.Array([[300.0, 300.0]]), ak.Array([[4.5, 0.0]]))
    assert a[1][0] == b[1][0] == 0.0  # the lower eta leads


def test_fixed_size_jet_arrays_read_like_jagged_ones(tmp_path):
    import uproot

    path = tmp_path / "fixed.root"
    pt = np.array([[500.0, 100.0, np.nan], [300.0, 200.0, 2500.0]], dtype=np.float32)
    eta = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.5]], dtype=np.float32)
    with uproot.recreate(path) as f:
        f["events"] = {"jet_pt": pt, "jet_eta": eta}
    filled = events.read(str(path))
    assert (filled.n_events, filled.n_selected, filled.n_out_of_range) == (2, 1, 1)
    lead = events.leading_jets(pt, eta)
    assert lead[0].tolist() == [500.0, 2500.0]


def test_jagged_pt_with_flat_eta_is_refused_clearly(tmp_path):
    import awkward as ak
    import uproot

    path = tmp_path / "mixed.root"
    with uproot.recreate(path) as f:
        f.mktree("events", {"jet_pt": "var * float32", "jet_eta": np.float32})
        f["events"].extend(
            {"jet_pt": ak.Array([[200.0, 30.0]]), "jet_eta": np.array([0.0], np.float32)}
        )
    with pytest.raises(BranchNotFoundError, match="differ in structure"):
        events.read(str(path))


def test_a_missing_cycle_names_what_the_file_holds(nanoaod_like):
    with pytest.raises(InputFileError, match="holds Events;1"):
        events.read(f"{nanoaod_like}:Events;7")
