"""`dmzoo auc`, `tables`, `snr`, `reach` as a user meets them: output, JSON, exit codes, files."""

import json
import os
from pathlib import Path

import pytest
from test_lookup import MULTICLASS, POWERLESS_EDGE, copy_zoo

from dmzoo.cli import main
from dmzoo.lookup import open_zoo

README = Path(__file__).resolve().parents[1] / "README.md"


def zoo_table_lines() -> list[str]:
    """The lines of the individual table of the zoo `dmzoo` uses here (DMZOO_ZOO or shipped)."""
    return open_zoo(None).table_path("auc_individual.csv").read_text().splitlines()


def test_auc_human_line_names_method_limit_and_zoo(capsys):
    assert main(["auc", "--benchmark", "spin1_offshell", "--snr", "1.2", "--grid"]) == 0
    assert capsys.readouterr().out == (
        "spin1_offshell, individual, S/sqrt(B) = 1.2: AUC 0.840 +- 0.004 (interpolated in log "
        "S/sqrt(B)), likelihood-ratio limit 0.842 [zoo 0.1.0]\n"
    )
    # the parametric network, measured at 1.2 itself, answers by default
    assert main(["auc", "--benchmark", "spin1_offshell", "--snr", "1.2"]) == 0
    assert capsys.readouterr().out == (
        "spin1_offshell, individual, parametric-spin1_offshell, S/sqrt(B) = 1.2: "
        "AUC 0.840 +- 0.004 (grid point), likelihood-ratio limit 0.843; nearest grid model 0.840 "
        "[zoo 0.1.0]\n"
    )


def test_auc_outside_the_grid_says_so(tmp_path, capsys):
    assert main(["auc", "--benchmark", "spin1_offshell", "--snr", "0.05", "--grid"]) == 0
    assert (
        "AUC <= 0.546 (outside the grid, below 0.1: edge value as a bound), likelihood-ratio "
        "limit <= 0.547 [zoo 0.1.0]\n"
    ) in capsys.readouterr().out
    # An edge of 0.499 is a fluctuation of a powerless model; the bound is 0.5, with the reason.
    zoo = copy_zoo(tmp_path, {"auc_individual.csv": POWERLESS_EDGE})
    args = ["auc", "--benchmark", "spin1_offshell", "--snr", "0.05", "--zoo", str(zoo.root)]
    args.append("--grid")
    assert main(args) == 0
    assert (
        "AUC <= 0.500 (outside the grid, below 0.1: edge value as a bound; the edge's AUC is "
        "below 0.5, a coin toss, so 0.5), likelihood-ratio limit <= 0.528"
    ) in capsys.readouterr().out


def test_auc_json_kind_all(tmp_path, capsys):
    zoo = copy_zoo(tmp_path, {"auc_multiclass.csv": MULTICLASS})
    args = ["auc", "--benchmark", "spin1_offshell", "--snr", "1", "--kind", "all", "--json"]
    args.append("--grid")
    assert main([*args, "--zoo", str(zoo.root)]) == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert [a["kind"] for a in doc["answers"]] == ["individual", "multiclass"]
    first = doc["answers"][0]
    assert (first["auc"], first["method"], first["zoo_version"]) == (0.79826, "grid point", "0.1.0")
    assert "Note: zoo 0.1.0 has no multimodel table" in captured.err


def test_snr_human_output_says_what_the_efficiency_multiplies(capsys):
    assert main(["snr", "--sigma-signal", "50fb", "--lumi", "139 fb^-1"]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert "B = 139 fb^-1 x (Z(->nunu)+jet 53.6 pb x 0.78) = 5,811,312 events" in out
    assert "S = sigma_signal x efficiency_signal x L" in out
    assert "spin1_offshell: efficiency_signal 0.4602 (zoo sample" in out
    assert "S = 3,198.1, S/sqrt(B) = 1.327" in out
    assert "individual, parametric-spin1_offshell: AUC 0.863 +- 0.004 (interpolated" in out
    assert "outside that range" in captured.err


def test_snr_json_has_the_api_fields(capsys):
    args = ["snr", "--sigma-signal", "0.05pb", "--lumi", "139/fb", "--efficiency-signal", "1"]
    args += ["--benchmark", "spin1_offshell", "--background", "z_nunu,w_taunu", "--json"]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["background"]["processes"] == ["z_nunu", "w_taunu"]
    assert doc["background"]["sigma_x_efficiency_pb"] == pytest.approx(41.808 + 4.96)
    (row,) = doc["rows"]
    assert row["benchmark"] == "spin1_offshell"
    assert row["signal_events"] == pytest.approx(6950.0) and row["efficiency_source"] == "given"
    assert row["snr"] == pytest.approx(6950.0 / (46.768 * 139_000.0) ** 0.5)
    assert doc["efficiency_meaning"].startswith("S = sigma_signal x efficiency_signal x L")


def test_reach_human_and_json(capsys):
    assert main(["reach", "--benchmark", "spin1_offshell", "--lumi", "139fb-1"]) == 0
    out = capsys.readouterr().out
    assert (
        "classifier: S/sqrt(B) 1.575 (interpolated), sigma_signal x efficiency_signal 27.3 fb"
        in out
    )
    assert "= sigma_signal 59.4 fb at the zoo sample's efficiency 0.4602" in out
    assert "likelihood-ratio limit: S/sqrt(B) 1.552" in out
    args = ["reach", "--benchmark", "spin1_offshell", "--lumi", "139/fb", "--auc", "0.95"]
    assert main([*args, "--json"]) == 0
    (answer,) = json.loads(capsys.readouterr().out)["answers"]
    assert answer["target_auc"] == 0.95 and answer["classifier"]["status"] == "interpolated"
    assert answer["benchmark"] == "spin1_offshell"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["auc", "--benchmark", "spin1_ofshell", "--snr", "1"], "did you mean spin1_offshell"),
        (["auc", "--benchmark", "spin1_offshell", "--snr", "nan"], "finite positive"),
        (["auc", "--benchmark", "spin1_offshell", "--snr", "0"], "finite positive"),
        (["snr", "--sigma-signal", "50", "--lumi", "139/fb"], "write a number and a unit"),
        (["snr", "--sigma-signal", "50 mb", "--lumi", "139/fb"], "(ab, fb, pb, nb)"),
        (["snr", "--sigma-signal", "-1fb", "--lumi", "139/fb"], "finite positive"),
        (["snr", "--sigma-signal", "50fb", "--lumi", "139fb"], "reads as a cross section"),
        (["snr", "--sigma-signal", "50fb", "--lumi", "0/fb"], "finite positive"),
        (
            ["snr", "--sigma-signal", "50fb", "--lumi", "139/fb", "--efficiency-signal", "1.2"],
            "(0, 1]",
        ),
        (
            ["snr", "--sigma-signal", "50fb", "--lumi", "139/fb", "--efficiency-signal", "nan"],
            "(0, 1]",
        ),
        (
            ["snr", "--sigma-signal", "50fb", "--lumi", "139/fb", "--background", "wtaunu"],
            "did you mean w_taunu",
        ),
        (["reach", "--lumi", "139/fb", "--auc", "0.4"], "(0.5, 1)"),
    ],
)
def test_bad_values_are_one_line_with_exit_2(args, message, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and err.count("\n") == 1 and message in err


def test_tables_to_stdout_and_to_a_file(tmp_path, capsys):
    assert main(["tables", "--kind", "individual"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "kind,zoo_version,benchmark,snr,auc,auc_std,n_trainings,auc_optimal,auc_asymptotic,"
        "auc_error,ratio_to_optimal"
    )
    # the zoo's own table, each line behind its kind and zoo version
    table = zoo_table_lines()
    assert lines[1:] == [f"individual,0.1.0,{line}" for line in table[1:]]
    assert (
        "individual,0.1.0,spin1_offshell,1,0.79826,0.00000,5,0.80032,0.80813,0.00496,0.99743"
        in lines
    )
    out = tmp_path / "auc.md"
    assert main(["tables", "-o", str(out)]) == 0
    text = out.read_text()
    assert text.startswith("### AUC, binary classifier trained on the benchmark alone")
    assert (
        "| spin1_offshell | 1 | 0.79826 | 0.00000 | 5 | 0.80032 | 0.80813 | 0.00496 | 0.99743 |"
        in text
    )
    assert os.listdir(tmp_path) == ["auc.md"]  # no temporary file left


def test_tables_json_file(tmp_path):
    out = tmp_path / "auc.json"
    assert main(["tables", "-o", str(out)]) == 0
    doc = json.loads(out.read_text())
    rows = doc["tables"]["individual"]["rows"]
    assert len(rows) == len(zoo_table_lines()) - 1
    assert len([r for r in rows if r["benchmark"] == "spin1_offshell"]) == 13


def test_unwritable_output_leaves_nothing(tmp_path, capsys):
    target = tmp_path / "no-such-dir" / "auc.csv"
    assert main(["tables", "-o", str(target)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1].startswith("Error: -o ") and "choose a writable path" in err[-1]
    assert [line for line in err if line.startswith("Error")] == err[-1:]
    assert not target.parent.exists()


def test_a_failed_write_removes_its_temporary_file(tmp_path, monkeypatch, capsys):
    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    assert main(["tables", "-o", str(tmp_path / "auc.csv")]) == 1
    assert "Permission denied" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    "args",
    [
        ["snr", "--sigma-signal", "50fb", "--lumi", "139/fb", "--benchmark", "spin1_offshell"],
        ["reach", "--benchmark", "spin1_offshell", "--lumi", "139/fb", "--auc", "0.9"],
    ],
)
def test_readme_worked_example_is_what_the_commands_print(args, capsys):
    assert main(args) == 0
    readme = README.read_text(encoding="utf-8")
    assert f"$ dmzoo {' '.join(args)}" in readme
    lines = [line for line in capsys.readouterr().out.splitlines() if "note:" not in line]
    shortened = ["  B = "]  # the README leaves the reach's B line out
    for line in lines:
        assert line in readme or (args[0] == "reach" and line.startswith(*shortened)), line


def test_auc_of_a_kind_the_zoo_lacks(tmp_path, capsys):
    zoo = copy_zoo(tmp_path)  # without the multiclass grid table
    args = ["auc", "--benchmark", "spin1_offshell", "--snr", "1", "--kind", "multiclass"]
    assert main([*args, "--zoo", str(zoo.root)]) == 2
    err = capsys.readouterr().err
    assert "no multiclass table (tables/auc_multiclass.csv)" in err and err.count("\n") == 1


def test_tables_of_a_kind_the_zoo_lacks(tmp_path, capsys):
    zoo = copy_zoo(tmp_path)  # without the multimodel grid table
    assert main(["tables", "--kind", "multimodel", "--zoo", str(zoo.root)]) == 2
    err = capsys.readouterr().err
    assert "no multimodel table" in err and err.count("\n") == 1
