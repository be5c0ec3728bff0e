"""Figures: written whole as valid images, or a one-line error that names the extra."""

import sys

import pytest
from _inputs import write_tree

from dmzoo.cli import main
from dmzoo.registry import shipped_zoo_path

EXAMPLE = str(shipped_zoo_path() / "examples" / "sm_plus_spin1_offshell_snr4.5.root")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_png(path, width_over_height: float) -> None:
    from matplotlib.image import imread

    assert path.read_bytes()[:8] == PNG_SIGNATURE
    image = imread(path)
    assert image.shape[2] in (3, 4)
    assert image.shape[1] / image.shape[0] == pytest.approx(width_over_height, rel=0.05)
    assert image[..., :3].std() > 0.05  # something is drawn
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left


def test_score_plot_draws_three_panels(tmp_path, capsys):
    out = tmp_path / "summary.png"
    args = ["score", EXAMPLE, "--benchmark", "spin1_offshell", "--snr", "4.5", "--toys", "200"]
    assert main([*args, "--plot", str(out)]) == 0
    assert "Plot written to" in capsys.readouterr().err
    assert_png(out, 3 * 5.2 / 4.4)


@pytest.mark.parametrize(
    "args",
    [
        ["plot", "histogram", EXAMPLE],
        ["plot", "score", EXAMPLE, "--benchmark", "spin1_offshell", "--snr", "1", "--toys", "100"],
        ["plot", "score", EXAMPLE, "--benchmark", "spin1_offshell", "--snr", "1", "--toys", "0"],
        ["plot", "auc"],
        ["plot", "auc", "--benchmark", "spin1_offshell"],
    ],
)
def test_plot_commands_write_pngs(tmp_path, args):
    out = tmp_path / "figure.png"
    assert main([*args, "-o", str(out)]) == 0
    assert_png(out, 5.2 / 4.4)


def test_plot_of_a_histogram_with_no_event_in_a_bin(tmp_path):
    path = write_tree(
        tmp_path / "one.root", "Events", "Jet_pt", "Jet_eta", pt=[[200.0]], eta=[[0.0]]
    )
    out = tmp_path / "figs" / "one.pdf"
    out.parent.mkdir()
    assert main(["plot", "histogram", str(path), "-o", str(out)]) == 0
    assert out.read_bytes()[:5] == b"%PDF-"


@pytest.mark.parametrize("missing", ["matplotlib", "mplhep"])
def test_without_the_plot_extra_one_line_says_what_to_install(
    tmp_path, monkeypatch, capsys, missing
):
    monkeypatch.setitem(sys.modules, missing, None)  # `import missing` now raises ImportError
    out = tmp_path / "x.png"
    for args in (
        ["plot", "auc", "-o", str(out)],
        ["score", EXAMPLE, "--benchmark", "spin1_offshell", "--snr", "1", "--plot", str(out)],
    ):
        assert main(args) == 5
        err = capsys.readouterr().err
        assert err == (
            f"Error: plotting needs the plot extra ({missing} is missing); install it with: "
            "pip install 'dmzoo[plot]'\n"
        )
    assert not out.exists()


def test_bad_plot_paths_fail_in_one_line_and_leave_nothing(tmp_path, capsys):
    assert main(["plot", "auc", "-o", str(tmp_path / "figure.jpg")]) == 2
    assert "must end in .png, .pdf, .svg" in capsys.readouterr().err
    assert main(["plot", "auc", "-o", str(tmp_path / "no" / "such" / "dir.png")]) == 1
    err = capsys.readouterr().err
    assert "cannot write here" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_a_failed_save_leaves_no_file(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    from dmzoo import plots

    def broken(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", broken)
    from dmzoo.errors import OutputFileError

    with pytest.raises(OutputFileError, match="No space left"):
        plots.save(Figure(), tmp_path / "f.png")
    assert list(tmp_path.iterdir()) == []


def test_plots_leave_pyplot_alone(tmp_path):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    assert main(["plot", "histogram", EXAMPLE, "-o", str(tmp_path / "h.png")]) == 0
    assert plt.get_fignums() == before


def test_histogram_of_an_empty_input_is_refused_like_score(tmp_path, capsys):
    import uproot

    path = tmp_path / "empty.root"
    with uproot.recreate(path) as f:
        f.mktree("Events", {"Jet_pt": "var * float32", "Jet_eta": "var * float32"})
    out = tmp_path / "empty.png"
    assert main(["plot", "histogram", str(path), "-o", str(out)]) == 1
    assert capsys.readouterr().err == (
        f"Error: {path}: holds no events; nothing to score, give a file or histogram that has "
        "some\n"
    )
    assert not out.exists()


@pytest.mark.parametrize("kind", ["individual", "binary"])
def test_auc_kinds_are_those_of_dmzoo_auc_and_the_old_ones(tmp_path, kind):
    assert main(["plot", "auc", "--kind", kind, "-o", str(tmp_path / "auc.png")]) == 0


def test_auc_of_a_missing_table_exits_2_like_dmzoo_auc(tmp_path, capsys):
    from test_lookup import copy_zoo

    zoo = ["--zoo", str(copy_zoo(tmp_path).root)]  # without the multiclass table
    assert main(["plot", "auc", "--kind", "multiclass", *zoo, "-o", str(tmp_path / "a.png")]) == 2
    args = ["auc", "--kind", "multiclass", "--benchmark", "spin1_offshell", "--snr", "1", *zoo]
    assert main(args) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("Error: zoo 0.1.0 has no multiclass table") and err[0] == err[1]


def test_score_plot_prints_no_library_warning(tmp_path, capsys):
    args = ["plot", "score", EXAMPLE, "--benchmark", "spin1_offshell", "--snr", "1"]
    assert main([*args, "--toys", "1000", "-o", str(tmp_path / "s.png")]) == 0
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if not line.startswith("Note: ")] == [
        f"Plot written to {tmp_path / 's.png'}"
    ]
