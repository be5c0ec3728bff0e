"""The bad-input corpus: every input we could think of that is wrong or awkward, through the CLI.

Each error case asserts the documented exit code, exactly one `Error:` line on stderr that names
the problem and the fix, no traceback, and that no file was left behind where dmzoo writes.
The awkward cases that are not errors assert the answer and the note that says what was done.
`docs/errors.md` lists every case with the line it gets.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import uproot
from _inputs import write_tree
from _mockhub import MockHub, zoo_files

from dmzoo import binning
from dmzoo.cli import main
from dmzoo.registry import shipped_zoo_path

ZOO = shipped_zoo_path()
SM_ONLY = ZOO / "examples" / "sm_only.root"
REPO = "dmzoo-test/zoo"
MODEL = "binary-spin1_offshell-snr1"
MODEL_PATH = f"models/{MODEL}.onnx"
SCORE = ["--benchmark", "spin1_offshell", "--snr", "1", "--toys", "0", "--grid"]
NAN, INF = float("nan"), float("inf")


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error(err: str, *keywords: str) -> None:
    """One `Error:` line on stderr holding every keyword, and no traceback; `Note:` lines about
    what was read before the failure may precede it."""
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if not line.startswith("Note: ")]
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    for word in keywords:
        assert word in lines[0], f"{word!r} not in {lines[0]!r}"


def files_under(folder: Path) -> set[Path]:
    """Every file and folder below `folder`, hidden temporary files included."""
    return set(folder.rglob("*")) if folder.exists() else set()


# -- inputs ------------------------------------------------------------------------------------


def _tree(path: Path, pt, eta) -> str:
    return str(write_tree(path, "Events", "Jet_pt", "Jet_eta", pt=pt, eta=eta))


def _th2(path: Path, counts, pt_edges=binning.PT_EDGES, eta_edges=binning.ETA_EDGES) -> str:
    # uproot's statistics (sum of w x^2) overflow for the absurd contents some cases hold.
    with uproot.recreate(path) as f, np.errstate(over="ignore", invalid="ignore"):
        f["h"] = (np.asarray(counts, dtype=float), pt_edges, eta_edges)
    return str(path)


def _th1(path: Path) -> Path:
    with uproot.recreate(path) as f:
        f["h"] = np.histogram(np.array([200.0, 300.0]), bins=10, range=(130.0, 2000.0))
    return path


def _cut(path: Path, fraction: float) -> str:
    data = SM_ONLY.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return str(path)


def _flipped(path: Path) -> str:
    data = bytearray(SM_ONLY.read_bytes())
    for i in range(len(data) // 3, len(data) // 3 + 4000, 7):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    return str(path)


def _write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


def _empty_tree(path: Path) -> str:
    with uproot.recreate(path) as f:
        f.mktree("Events", {"Jet_pt": "var * float32", "Jet_eta": "var * float32"})
    return str(path)


def _no_jet_branches(path: Path) -> str:
    with uproot.recreate(path) as f:
        f.mktree("Events", {"MET_pt": np.float32})
        f["Events"].extend({"MET_pt": np.array([250.0, 300.0], dtype=np.float32)})
    return str(path)


def _folder(path: Path) -> str:
    path.mkdir()
    return str(path)


LFS_POINTER = (
    "version https://git-lfs.github.com/spec/v1\n"
    "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
    "size 550786\n"
)
NEGATIVE_BIN = np.ones((30, 30))
NEGATIVE_BIN[4, 7] = -2.5  # what a weighted fill with negative weights leaves
NAN_BIN = np.ones((30, 30))
NAN_BIN[0, 0] = NAN


@dataclass
class Case:
    """A bad input file: how to make it, the extra options, and what its error must say."""

    make: Callable[[Path], str]
    problem: tuple[str, ...]
    fix: tuple[str, ...]
    options: tuple[str, ...] = ()
    code: int = 1


INPUT_CASES = {
    "missing file": Case(
        lambda d: str(d / "nope.root"), ("nope.root: no such file",), ("check the path",)
    ),
    "a directory": Case(
        lambda d: _folder(d / "run1"), ("run1: is a folder",), ("give a ROOT file",)
    ),
    "empty file": Case(
        lambda d: _write(d / "empty.root", ""), ("is empty (0 bytes)",), ("write it again",)
    ),
    "text file": Case(
        lambda d: _write(d / "notes.root", "pt eta\n250 0.1\n"),
        ("notes.root: not a ROOT file", "starts with b'pt eta"),
        ("give a .root file written by ROOT or uproot",),
    ),
    "truncated ROOT file": Case(
        lambda d: _cut(d / "cut.root", 0.5),
        ("cut.root: is cut short (275393 bytes of the 550786 its header announces)",),
        ("copy or write it again",),
    ),
    "ROOT header only": Case(
        lambda d: _cut(d / "head.root", 0.001),
        ("head.root: is cut short (550 bytes of the 550786",),
        ("copy or write it again",),
    ),
    "corrupted compressed data": Case(
        lambda d: _flipped(d / "flipped.root"),
        ("flipped.root: could not read it",),
        ("the file looks damaged, check it with ROOT or write it again",),
    ),
    "git-lfs pointer file": Case(
        lambda d: _write(d / "lfs.root", LFS_POINTER),
        ("lfs.root: is a git-lfs pointer, not the data",),
        ("run `git lfs pull`",),
    ),
    "tree with no events": Case(
        lambda d: _empty_tree(d / "noev.root"),
        ("noev.root: holds no events; nothing to score",),
        ("give a file or histogram that has some",),
    ),
    "no jet branches": Case(
        lambda d: _no_jet_branches(d / "met.root"),
        ("met.root: tree 'Events' has no jet branches dmzoo knows", "Jet_pt/Jet_eta (NanoAOD)"),
        ("name yours with --pt-branch and --eta-branch",),
    ),
    "named branch missing": Case(
        lambda d: str(SM_ONLY),
        ("sm_only.root: tree 'events' has no branch 'ak4_pt'", "include jet_eta, jet_phi, jet_pt"),
        ("with --pt-branch and --eta-branch",),
        options=("--pt-branch", "ak4_pt"),
    ),
    "jet branches that do not pair up": Case(
        lambda d: _tree(d / "pairs.root", [[300.0, 200.0]], [[0.1]]),
        ("pairs.root: Jet_pt and Jet_eta", "different numbers of jets"),
        ("give branches of the same jets with --pt-branch and --eta-branch",),
    ),
    "events all outside the range": Case(
        lambda d: _tree(d / "out.root", [[50.0], [2500.0], [300.0]], [[0.0], [0.0], [4.5]]),
        ("none of its 3 events has a leading jet inside the histogram",),
        ("check that pT is in GeV",),
    ),
    "pT in MeV": Case(
        lambda d: _tree(d / "mev.root", [[250_000.0], [400_000.0]], [[0.1], [-1.0]]),
        (
            "none of its 2 events has a leading jet inside the histogram",
            "2 lie above 2000: the pT values look like MeV",
        ),
        ("convert pT to GeV (divide by 1000)",),
    ),
    "NaN, inf and negative pT only": Case(
        lambda d: _tree(
            d / "nan.root",
            [[NAN], [INF], [-300.0], [NAN, 300.0]],
            [[0.0], [0.0], [0.0], [0.0, INF]],
        ),
        ("none of its 4 events has a leading jet inside the histogram",),
        ("check that pT is in GeV",),
    ),
    "events with no jets only": Case(
        lambda d: _tree(d / "nojets.root", [[], [], []], [[], [], []]),
        ("none of its 3 events has a jet with a finite pT and eta",),
        ("check the jet branches (--pt-branch, --eta-branch)",),
    ),
    "TH1 instead of TH2": Case(
        lambda d: str(_th1(d / "th1.root")),
        ("th1.root: holds no TTree, RNTuple or TH2 to score, only h (TH1D)",),
        ("give a tree of jets or a 2D histogram of the leading jet's pT and eta",),
    ),
    "TH1 named": Case(
        lambda d: f"{_th1(d / 'th1.root')}:h",
        ("'h' is a TH1D, not a TTree, RNTuple or TH2",),
        ("give a tree of jets or a 2D histogram",),
    ),
    "TH2 with other binning": Case(
        lambda d: _th2(
            d / "other.root", np.ones((10, 10)), np.linspace(0, 1000, 11), np.linspace(-3, 3, 11)
        ),
        ("binning x [0, 1000) in 10 bins, y [-3, 3) in 10 bins is not the zoo's pT [130, 2000)",),
        ("rebook the histogram with the zoo's binning or score the events themselves",),
    ),
    "weighted TH2 with negative bins": Case(
        lambda d: _th2(d / "neg.root", NEGATIVE_BIN),
        ("neg.root:h: some bins are negative (a weighted histogram?)",),
        ("fill it unweighted or score the events themselves",),
    ),
    "TH2 with a NaN bin": Case(
        lambda d: _th2(d / "nanbin.root", NAN_BIN),
        ("nanbin.root:h: some bins hold NaN or infinity",),
        ("fill it with event counts",),
    ),
    "object not in the file": Case(
        lambda d: f"{SM_ONLY}:Events",
        ("sm_only.root: no object 'Events'",),
        ("the file holds events;1",),
    ),
    "glob matching nothing": Case(
        lambda d: str(d / "run*.root"),
        ("run*.root: the pattern matches no file",),
        ("check the folder and the quotes around it",),
    ),
    "no file name": Case(
        lambda d: "", ("no input file given",), ("pass file.root or file.root:object",)
    ),
    "unknown benchmark": Case(
        lambda d: str(SM_ONLY),
        ("no binary model for benchmark 'spin1_ofshell' in zoo 0.1.0",),
        ("did you mean spin1_offshell",),  # the nearest first; a zoo may name more
        options=("--benchmark", "spin1_ofshell"),
        code=2,
    ),
    "S/sqrt(B) zero": Case(
        lambda d: str(SM_ONLY),
        ("S/sqrt(B) must be a finite positive number, not 0.0",),
        ("give one such as 1.5",),
        options=("--snr", "0"),
        code=2,
    ),
    "S/sqrt(B) negative": Case(
        lambda d: str(SM_ONLY),
        ("S/sqrt(B) must be a finite positive number, not -2.0",),
        ("give one such as 1.5",),
        options=("--snr", "-2"),
        code=2,
    ),
    "S/sqrt(B) NaN": Case(
        lambda d: str(SM_ONLY),
        ("S/sqrt(B) must be a finite positive number, not nan",),
        ("give one such as 1.5",),
        options=("--snr", "nan"),
        code=2,
    ),
    "TH2 with absurd counts": Case(
        lambda d: _th2(d / "huge.root", np.full((30, 30), 1e303)),
        ("huge.root:h: holds 9e+305 events, more than any collider records (at most 1e+12",),
        ("fill it with event counts",),
    ),
    "TH2 whose sum overflows": Case(
        lambda d: _th2(d / "overflow.root", np.full((30, 30), 1e306)),
        ("overflow.root:h: holds inf events, more than any collider records",),
        ("fill it with event counts",),
    ),
    "too many pseudo-experiments": Case(
        lambda d: str(SM_ONLY),
        ("toys must be at most 1,000,000, not 99,999,999,999,999,999,999",),
        ("resolve a p-value of 1e-6", "give fewer"),
        options=("--toys", "99999999999999999999"),
        code=2,
    ),
    "S/sqrt(B) infinite": Case(
        lambda d: str(SM_ONLY),
        ("S/sqrt(B) must be a finite positive number, not inf",),
        ("give one such as 1.5",),
        options=("--snr", "inf"),
        code=2,
    ),
}


@pytest.mark.parametrize("name", list(INPUT_CASES))
def test_bad_input_file(name, tmp_path, capsys):
    case = INPUT_CASES[name]
    inputs = tmp_path / "in"
    inputs.mkdir()
    spec = case.make(inputs)
    before = files_under(tmp_path)
    # Later options win in click, so a case's own --benchmark or --snr replaces SCORE's.
    code, out, err = run(capsys, "score", spec, *SCORE, *case.options)
    assert code == case.code, err
    assert out == ""
    assert_one_error(err, *case.problem, *case.fix)
    assert files_under(tmp_path) == before


def test_same_file_twice_is_refused(capsys):
    code, _, err = run(capsys, "score", str(SM_ONLY), str(SM_ONLY), *SCORE)
    assert code == 1
    assert_one_error(err, f"{SM_ONLY}: given twice", "list each file once")


def _linked(folder: Path, source: Path) -> str:
    os.link(source, folder / "hard.root")
    return str(folder / "hard.root")


@pytest.mark.parametrize(
    ("spell", "what"),
    [
        (lambda d, f: [f, f"{f}:events"], "TTree 'events'"),
        (lambda d, f: [f"{d}/sm_*.root:events", f], "TTree 'events'"),
        (lambda d, f: [f, _linked(d, Path(f))], "TTree 'events'"),
        (lambda d, f: [_th2(d / "h.root", np.ones((30, 30))), f"{d / 'h.root'}:h"], "TH2D 'h'"),
    ],
    ids=["name and name:object", "glob and name", "hard link", "TH2 and TH2:h"],
)
def test_one_object_under_two_spellings_is_refused(spell, what, tmp_path, capsys):
    """The same object named twice would count its events twice, whatever the spelling."""
    sm = tmp_path / "sm_only.root"
    shutil.copy(SM_ONLY, sm)
    first, second = spell(tmp_path, str(sm))
    code, out, err = run(capsys, "score", first, second, *SCORE)
    assert code == 1 and out == ""
    assert_one_error(err, f"the same {what} as", "list each file once, or its events count twice")


# -- options of the lookup commands ------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "problem", "fix"),
    [
        (["snr", "--sigma-signal", "50fb", "--lumi", "139/km"], "--lumi '139/km'", "e.g. 139/fb"),
        (["snr", "--sigma-signal", "50fb", "--lumi", "139"], "--lumi '139'", "e.g. 139/fb"),
        (["snr", "--sigma-signal", "50", "--lumi", "139/fb"], "--sigma-signal '50'", "e.g. 50fb"),
        (["snr", "--sigma-signal", "139/fb", "--lumi", "139/fb"], "is a luminosity", "50fb"),
        (
            ["snr", "--sigma-signal", "50fb", "--lumi", "139/fb", "--background", "zz"],
            "unknown process 'zz'",
            "known: z_nunu",
        ),
        (["auc", "--benchmark", "spin1_offshell", "--snr", "0"], "not 0.0", "such as 1.5"),
        (["auc", "--benchmark", "spin1_ofshell", "--snr", "1"], "'spin1_ofshell'", "did you mean"),
        (["reach", "--lumi", "139/fb", "--auc", "1.5"], "--auc must lie in (0.5, 1)", "not 1.5"),
        (
            ["snr", "--sigma-signal", "1e308pb", "--lumi", "139/fb"],
            "S = inf, B = 5.81131e+06: the cross section times the luminosity is beyond any "
            "number of events",
            "give --sigma-signal and --lumi a collider could see",
        ),
        (
            ["snr", "--sigma-signal", "50fb", "--lumi", "1e306/fb"],
            "--lumi '1e306/fb' overflows when converted",
            "give a value a collider could reach",
        ),
        (
            ["snr", "--sigma-signal", "50fb", "--lumi", "139/fb", "--background", "all,zoo_sm"],
            "--background 'all,zoo_sm': all stands alone",
            "give it by itself or list processes",
        ),
        (["reach", "--lumi", "139/fb", "--auc", "1"], "--auc must lie in (0.5, 1)", "not 1"),
        (
            ["list", "--repo", "bad repo id!!"],
            "repository id 'bad repo id!!' (--repo or DMZOO_HUB_REPO) is not valid",
            "give one such as dmzoo/monojet-histogram-classifiers",
        ),
    ],
    ids=[
        "lumi unit",
        "bare lumi",
        "bare cross section",
        "lumi as cross section",
        "unknown background",
        "auc snr zero",
        "auc unknown benchmark",
        "unreachable auc",
        "overflowing cross section",
        "overflowing luminosity",
        "all with other processes",
        "perfect separation",
        "invalid repository id",
    ],
)
def test_bad_option_values(args, problem, fix, capsys):
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert_one_error(err, problem, fix)


# -- outputs: refused whole, nothing half-written ----------------------------------------------


def test_plot_into_a_missing_folder(tmp_path, capsys):
    target = tmp_path / "nowhere" / "summary.png"
    code, _, err = run(capsys, "score", str(SM_ONLY), *SCORE, "--plot", str(target))
    assert code == 1
    assert_one_error(
        err, f"{target}: cannot write here (no folder {target.parent})", "choose a writable folder"
    )
    assert files_under(tmp_path) == set()


def test_plot_with_an_unknown_suffix(tmp_path, capsys):
    target = tmp_path / "summary.jpg"
    code, _, err = run(capsys, "plot", "histogram", str(SM_ONLY), "-o", str(target))
    assert code == 2
    assert_one_error(err, "a plot file must end in .png, .pdf, .svg", "rename it")
    assert files_under(tmp_path) == set()


def test_plot_failing_while_written_leaves_nothing(tmp_path, monkeypatch, capsys):
    from matplotlib.figure import Figure

    def full_disk(self, f, **kwargs):
        f.write(b"\x89PNG half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", full_disk)
    target = tmp_path / "h.png"
    code, _, err = run(capsys, "plot", "histogram", str(SM_ONLY), "-o", str(target))
    assert code == 1
    assert_one_error(err, f"{target}: cannot write it (No space left on device)", "writable path")
    assert files_under(tmp_path) == set()


def test_tables_below_a_regular_file(tmp_path, capsys):
    # Not a permission test: the tests may run as root, who writes anywhere.
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run(capsys, "tables", "--kind", "individual", "-o", str(blocker / "auc.csv"))
    assert code == 1
    assert_one_error(
        err, f"-o {blocker / 'auc.csv'}: cannot write (Not a directory)", "choose a writable path"
    )
    assert files_under(tmp_path) == {blocker}


def test_tables_failing_while_written_leaves_nothing(tmp_path, monkeypatch, capsys):
    def refuse(src, dst):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr("dmzoo.commands.lookup.os.replace", refuse)
    target = tmp_path / "auc.md"
    code, _, err = run(capsys, "tables", "--kind", "individual", "-o", str(target))
    assert code == 1
    assert_one_error(err, "cannot write (Input/output error)", "choose a writable path")
    assert files_under(tmp_path) == set()


# -- zoos: local folders -----------------------------------------------------------------------


@pytest.fixture
def zoo_copy(tmp_path) -> Path:
    zoo = tmp_path / "zoo"
    shutil.copytree(ZOO, zoo, ignore=shutil.ignore_patterns("examples", "figures"))
    return zoo


def test_corrupted_model_in_a_zoo_folder(zoo_copy, capsys):
    model = zoo_copy / MODEL_PATH
    data = bytearray(model.read_bytes())
    data[100:110] = b"x" * 10
    model.write_bytes(bytes(data))
    code, out, err = run(capsys, "score", str(SM_ONLY), *SCORE, "--zoo", str(zoo_copy))
    assert code == 3 and out == ""
    assert_one_error(
        err, f"{MODEL}: {MODEL_PATH} has sha256", "refusing it", "reinstall or re-fetch the zoo"
    )


@pytest.mark.parametrize("where", ["model", "file"])
def test_manifest_path_traversal_in_a_zoo_folder(zoo_copy, where, capsys):
    manifest = json.loads((zoo_copy / "manifest.json").read_text())
    if where == "model":
        manifest["models"][0]["path"] = "../../etc/passwd"
    else:
        manifest["files"]["/etc/passwd"] = "0" * 64
    (zoo_copy / "manifest.json").write_text(json.dumps(manifest))
    code, _, err = run(capsys, "list", "--zoo", str(zoo_copy))
    assert code == 3
    assert_one_error(err, "passwd' leaves the zoo", "use one from a trusted source")


def test_zoo_folder_without_manifest(tmp_path, capsys):
    code, _, err = run(capsys, "list", "--zoo", str(tmp_path / "nozoo"))
    assert code == 3
    assert_one_error(
        err, "nozoo/manifest.json: no manifest", "give the folder that holds manifest.json"
    )


def test_manifest_that_is_not_json(zoo_copy, capsys):
    (zoo_copy / "manifest.json").write_text("{not json")
    code, _, err = run(capsys, "list", "--zoo", str(zoo_copy))
    assert code == 3
    assert_one_error(err, "manifest.json: unreadable (JSONDecodeError)", "re-fetch the zoo")


# -- zoos from the model hub (the real client against a mock hub on 127.0.0.1) -----------------


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    for var in ("DMZOO_ZOO", "DMZOO_HUB_REPO", "DMZOO_HUB_REVISION", "HF_HUB_OFFLINE", "HF_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    # A cut download is retried five times a second apart; the waiting proves nothing here.
    monkeypatch.setattr("huggingface_hub.file_download.time.sleep", lambda s: None)
    return tmp_path / "cache"


@pytest.fixture
def hub(cache, monkeypatch):
    """The shipped zoo as v0.1.0, and a tag `bad` whose snr1 model is not what the manifest says."""
    mock = MockHub()
    files = zoo_files(ZOO)
    mock.add_commit(REPO, files, "main", "v0.1.0")
    mock.add_commit(REPO, files | {MODEL_PATH: files[MODEL_PATH][:-8] + b"tampered"}, "bad")
    mock.start()
    monkeypatch.setenv("HF_ENDPOINT", mock.endpoint)
    yield mock
    mock.stop()


def cached_model_files(cache: Path) -> list[Path]:
    return [p for p in cache.rglob("*.onnx*")]


def test_corrupted_model_from_the_hub_is_deleted(hub, cache, capsys):
    code, out, err = run(capsys, "score", str(SM_ONLY), *SCORE, "--repo", REPO, "--revision", "bad")
    assert code == 3 and out == ""
    assert_one_error(
        err,
        f"{MODEL_PATH} from {REPO}@bad has sha256",
        "deleted it from the cache and refused it",
        "fetch again",
    )
    assert cached_model_files(cache) == []
    blobs = [p.read_bytes() for p in (cache / "models--dmzoo-test--zoo" / "blobs").iterdir()]
    assert not any(b.endswith(b"tampered") for b in blobs)


def test_manifest_path_traversal_from_the_hub(hub, capsys):
    files = zoo_files(ZOO)
    manifest = json.loads(files["manifest.json"])
    manifest["models"][0]["path"] = "../../../escape.onnx"
    hub.add_commit(REPO, files | {"manifest.json": json.dumps(manifest).encode()}, "evil")
    code, _, err = run(capsys, "list", "--repo", REPO, "--revision", "evil")
    assert code == 3
    assert_one_error(err, "'../../../escape.onnx' leaves the zoo", "use one from a trusted source")


def test_offline_with_an_empty_cache(hub, cache, monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    code, _, err = run(capsys, "fetch", "--repo", REPO)
    assert code == 4
    assert_one_error(
        err,
        f"zoo {REPO}@v0.1.0 is not in the cache and HF_HUB_OFFLINE is set",
        f"run `dmzoo fetch --repo {REPO} --revision v0.1.0` while online",
    )
    assert hub.requests == [] and files_under(cache) == set()


def test_offline_with_an_empty_cache_falls_back_for_score(hub, monkeypatch, capsys):
    """Not an error: the shipped zoo answers, and one warning says so."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    code, out, err = run(capsys, "score", str(SM_ONLY), *SCORE, "--repo", REPO, "--json")
    result = json.loads(out)
    assert code == 0 and result["model"] == MODEL
    (line,) = [e for e in err.splitlines() if "shipped" in e]
    assert line.startswith("Warning: ") and "HF_HUB_OFFLINE is set" in line
    assert line.endswith("using the zoo shipped with dmzoo instead (0.1.0)")
    # A script reading the JSON sees the stand-in too, not only a human reading stderr.
    assert result["warnings"][0] == line.removeprefix("Warning: ")
    assert hub.requests == []


def test_unwritable_cache_directory(hub, cache, monkeypatch, capsys):
    blocker = cache.parent / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("HF_HUB_CACHE", str(blocker / "cache"))
    code, _, err = run(capsys, "score", str(SM_ONLY), *SCORE, "--repo", REPO)
    assert code == 4
    assert_one_error(
        err,
        f"cannot write the model cache {blocker / 'cache'}",
        "set HF_HUB_CACHE (or HF_HOME) to a writable directory",
    )
    assert files_under(cache.parent) == {blocker}


def test_interrupted_download(hub, cache, capsys):
    hub.faults[MODEL_PATH] = "cut"
    code, out, err = run(capsys, "score", str(SM_ONLY), *SCORE, "--repo", REPO)
    assert code == 4 and out == ""
    assert_one_error(
        err, f"could not give {MODEL_PATH} of zoo {REPO}@v0.1.0", "retry later or run `dmzoo fetch"
    )
    assert cached_model_files(cache) == []
    assert not [p for p in cache.rglob("*.incomplete")]


def test_model_only_the_hub_has_while_offline(hub, monkeypatch, capsys):
    """The one case of two lines: the fallback's warning comes when the zoo is chosen, before
    anything asks it for a model it lacks (hub.select_zoo cannot know that yet)."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # a network off the shipped grid
    code, _, err = run(capsys, "info", "binary-spin1_offshell-snr0.8", "--repo", REPO)
    assert code == 4
    warning, err = err.split("\n", 1)
    assert warning.startswith("Warning: ") and "using the zoo shipped" in warning
    assert_one_error(
        err,
        "model 'binary-spin1_offshell-snr0.8' is not in the shipped zoo 0.1.0",
        f"run `dmzoo fetch --repo {REPO} --revision v0.1.0 binary-spin1_offshell-snr0.8`",
    )


# -- awkward inputs that are not errors: the right answer, and a note ----------------------------


def _score_json(capsys, spec: str, *options: str) -> tuple[dict, list[str]]:
    code, out, err = run(capsys, "score", spec, *SCORE, *options, "--json")
    assert code == 0, err
    assert "Traceback" not in err and "Error" not in err
    return json.loads(out), err.splitlines()


def test_unsorted_jets_take_the_highest_pt(tmp_path, capsys):
    spec = _tree(
        tmp_path / "unsorted.root",
        [[40.0, 250.0, 60.0], [300.0, 500.0]],
        [[0.5, -1.2, 3.0], [0.0, 2.0]],
    )
    result, notes = _score_json(capsys, spec)
    assert (result["n_events"], result["n_selected"]) == (2, 2)
    assert notes[0] == (
        "Note: unsorted.root:Events: in 2 events the jets are not stored in decreasing pT; "
        "the highest-pT jet was taken as the leading one"
    )
    pt, eta = [250.0, 500.0], [-1.2, 2.0]
    expected, _ = _score_json(
        capsys, _tree(tmp_path / "sorted.root", [[p] for p in pt], [[e] for e in eta])
    )
    assert result["score"] == expected["score"]


def test_some_nan_and_inf_jets_are_dropped(tmp_path, capsys):
    spec = _tree(
        tmp_path / "nan.root",
        [[NAN, 180.0], [INF], [300.0, 200.0]],
        [[0.0, 2.5], [0.1], [NAN, 1.0]],
    )
    result, notes = _score_json(capsys, spec)
    # Leading jets (180, 2.5), none, (200, 1.0): the NaN-eta jet of 300 GeV does not lead.
    assert (result["n_events"], result["n_selected"], result["n_no_jet"]) == (3, 2, 1)
    assert (
        "Note: nan.root:Events: in 3 events jets with a NaN or infinite pT or eta were dropped"
        in notes
    )
    assert "Note: nan.root:Events: 1 event with no usable jet left out" in notes


def test_negative_pt_is_noted_and_never_leads(tmp_path, capsys):
    spec = _tree(tmp_path / "neg.root", [[-900.0, 200.0], [-300.0]], [[0.0, 1.0], [0.0]])
    result, notes = _score_json(capsys, spec)
    assert (result["n_selected"], result["n_out_of_range"]) == (1, 1)
    assert any(
        "neg.root:Events: in 2 events a jet has a negative pT" in n and "check the pT branch" in n
        for n in notes
    )


def test_events_with_no_jets_are_counted(tmp_path, capsys):
    spec = _tree(tmp_path / "some.root", [[], [250.0], [], [400.0]], [[], [0.0], [], [1.0]])
    result, notes = _score_json(capsys, spec)
    assert (result["n_events"], result["n_selected"], result["n_no_jet"]) == (4, 2, 2)
    assert "Note: some.root:Events: 2 events with no usable jet left out" in notes


def test_weighted_th2_is_scored_with_a_note(tmp_path, capsys):
    counts = np.full((30, 30), 1.5)
    result, notes = _score_json(capsys, _th2(tmp_path / "w.root", counts))
    assert result["n_events"] == 1350.0
    assert any("bin contents are not whole numbers (weighted?)" in n for n in notes)


@pytest.mark.parametrize(
    ("snr", "model", "bound"), [("1e6", "snr10", ">="), ("1e-6", "snr0.1", "<=")]
)
def test_snr_far_outside_the_grid_is_a_bound(snr, model, bound, capsys):
    result, notes = _score_json(capsys, str(SM_ONLY), "--snr", snr)
    assert result["model"] == f"binary-spin1_offshell-{model}"
    assert f"Note: no model at S/sqrt(B) = {float(snr):g}; used the nearest, {model[3:]}" in notes
    code, out, _ = run(capsys, "auc", "--benchmark", "spin1_offshell", "--snr", snr)
    assert code == 0 and f"AUC {bound} " in out and "outside the grid" in out


# -- the real entry points: no traceback reaches stderr, unless asked for ------------------------


def _process(args: list[str], script: bool = False, **env: str) -> subprocess.CompletedProcess:
    command = (
        [str(Path(sys.executable).parent / "dmzoo")]
        if script
        else [sys.executable, "-m", "dmzoo.cli"]
    )
    return subprocess.run(
        command + args, capture_output=True, text=True, env=os.environ | env, timeout=120
    )


@pytest.mark.parametrize("script", [False, True], ids=["python -m dmzoo.cli", "dmzoo script"])
def test_processes_print_one_line(script, tmp_path):
    text = _write(tmp_path / "notes.root", "pt eta\n")
    cut = _cut(tmp_path / "cut.root", 0.5)
    for args, code in (
        (["score", text, *SCORE], 1),
        (["score", cut, *SCORE], 1),
        (["score", str(SM_ONLY), *SCORE, "--benchmark", "spin1_ofshell"], 2),
    ):
        out = _process(args, script=script, DMZOO_DEBUG="")
        assert out.returncode == code
        assert_one_error(out.stderr)
        assert out.stdout == ""


def test_debug_variable_shows_the_traceback(tmp_path):
    out = _process(["score", str(tmp_path / "nope.root"), *SCORE], DMZOO_DEBUG="1")
    assert out.returncode == 1
    assert out.stderr.startswith("Traceback (most recent call last):")
    assert out.stderr.rstrip().splitlines()[-1] == (
        f"dmzoo.errors.InputFileError: {tmp_path / 'nope.root'}: no such file; check the path"
    )
