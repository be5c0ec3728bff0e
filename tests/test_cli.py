"""The command line as a user meets it: real console script, real files, exit codes."""

import json
import subprocess
import sys

import pytest
from _inputs import HEPDATA, NANOAOD

from dmzoo.cli import main
from dmzoo.registry import shipped_zoo_path


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dmzoo.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_score_real_nanoaod_json():
    out = run(
        "score",
        str(NANOAOD),
        "--benchmark",
        "spin1_offshell",
        "--snr",
        "1.2",
        "--json",
        "--selection",
        "leading-jet",
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["n_events"] == 200 and data["n_selected"] == 2
    assert data["benchmark"] == "spin1_offshell" and data["snr_requested"] == 1.2
    # the parametric network, fed 1.2 itself
    assert data["snr_model"] == 1.2 and data["model"] == "parametric-spin1_offshell"
    assert data["model_kind"] == "parametric"
    assert 0.0 <= data["score"] <= 1.0
    assert "trained on 50000" in out.stderr  # two events are far from what the model knows
    cal = data["calibration"]
    assert cal["n_events"] == 2 and cal["n_toys"] == 1000 and len(cal["decisions"]) == 2
    assert set(cal["decisions"][0]) == {
        "background_rejection",
        "threshold",
        "observed_above",
        "power",
        "power_error",
    }


def test_score_human_summary(nanoaod_like):
    out = run("score", str(nanoaod_like), "--benchmark", "spin1_offshell", "--snr", "0.1")
    assert out.returncode == 0, out.stderr
    assert "events read 6, selected 3, no usable jet 1" in out.stdout
    assert "parametric-spin1_offshell" in out.stdout
    assert "calibration: 1000 SM-only and 1000 signal pseudo-experiments of 3 events" in out.stdout
    assert "p-value under SM only" in out.stdout and "99% background rejection" in out.stdout


def test_foreign_th2_is_refused_in_one_line():
    out = run("score", f"{HEPDATA}:hpxpy", "--benchmark", "spin1_offshell", "--snr", "1.2")
    assert out.returncode == 1
    assert out.stderr.startswith("Error: ") and out.stderr.count("\n") == 1
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["score", "nope.root", "--benchmark", "spin1_offshell", "--snr", "1"], 1, "no such file"),
        (
            ["score", str(NANOAOD), "--benchmark", "spin1_offshel", "--snr", "1"],
            2,
            "did you mean spin1_offshell",
        ),
        (
            ["score", str(NANOAOD), "--benchmark", "spin1_offshell", "--snr", "-1"],
            2,
            "finite positive",
        ),
        (
            ["score", str(NANOAOD), "--benchmark", "spin1_offshell", "--snr", "nan"],
            2,
            "finite positive",
        ),
        (
            ["score", str(NANOAOD), "--benchmark", "spin1_offshell", "--snr", "abc"],
            2,
            "is not a valid float",
        ),
        (["score", str(NANOAOD), "--benchmark", "spin1_offshell"], 2, "Missing option '--snr'"),
        (["info", "binary-spin1_offshell-snr1.7"], 2, "did you mean"),
        (
            ["score", str(NANOAOD), "--benchmark", "spin1_offshell", "--snr", "1", "--toys", "-5"],
            2,
            "--toys",
        ),
        (
            ["score", str(NANOAOD), "--benchmark", "spin1_offshell", "--snr", "1"]
            + ["--sqrt-s", "13600"],
            2,
            "is the collision energy in TeV",
        ),
    ],
)
def test_bad_input_exit_codes(args, code, message, capsys):
    assert main(args) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_empty_selection_is_an_error(tmp_path):
    from _inputs import write_tree

    path = write_tree(
        tmp_path / "low.root", "Events", "Jet_pt", "Jet_eta", pt=[[50.0]], eta=[[0.0]]
    )
    out = run("score", str(path), "--benchmark", "spin1_offshell", "--snr", "1")
    assert out.returncode == 1 and "nothing to score" in out.stderr


def test_list_and_info(capsys):
    assert main(["list", "binary-spin1_offshell-snr*", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed["models"]) == 13
    assert main(["info", "binary-spin1_offshell-snr1.5", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["metadata"]["kind"] == "binary" and info["input"] == "histogram"


def test_version(capsys):
    assert main(["--version"]) == 0
    assert "dmzoo, version" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args",
    [
        ["score", str(NANOAOD), "--benchmark", "spin1_offshell", "--snr", "text"],
        ["score", str(NANOAOD), "--benchmark", "spin1_offshell"],
        ["score", "--bogus"],
        ["bogus"],
    ],
)
def test_usage_errors_are_one_line_with_exit_2(args, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and err.count("\n") == 1 and "--help" in err


def test_bare_command_shows_help(capsys):
    assert main([]) == 0
    assert "Histogram classifiers" in capsys.readouterr().out


@pytest.mark.parametrize("cut", [0.0, 0.1, 0.5])
def test_truncated_and_empty_files_fail_in_one_line(tmp_path, cut, capsys):
    from dmzoo.registry import shipped_zoo_path

    data = (shipped_zoo_path() / "examples" / "sm_only.root").read_bytes()
    bad = tmp_path / "cut.root"
    bad.write_bytes(data[: int(len(data) * cut)])
    code = main(["score", str(bad), "--benchmark", "spin1_offshell", "--snr", "1"])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("Error: ") and err.count("\n") == 1
    assert "cut.root" in err


def test_corrupted_compressed_data_names_the_file(tmp_path, capsys):
    from dmzoo.registry import shipped_zoo_path

    data = bytearray((shipped_zoo_path() / "examples" / "sm_only.root").read_bytes())
    for i in range(len(data) // 3, len(data) // 3 + 4000, 7):
        data[i] ^= 0xFF
    bad = tmp_path / "flipped.root"
    bad.write_bytes(bytes(data))
    code = main(["score", str(bad), "--benchmark", "spin1_offshell", "--snr", "1"])
    err = capsys.readouterr().err
    assert code == 1 and "flipped.root" in err and err.count("\n") == 1


def test_jes_goes_with_either_selection(capsys):
    example = str(shipped_zoo_path() / "examples" / "sm_only.root")
    base = ["score", example, "--benchmark", "spin1_offshell", "--snr", "1", "--toys", "0"]
    assert main([*base, "--selection", "leading-jet", "--jes", "-0.02", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["selection"]["name"] == "leading-jet"
    assert out["selection"]["thresholds"]["jes"] == -0.02
    assert main([*base, "--selection", "leading-jet", "--jes", "0.02", "--met-min", "200"]) == 2
    err = capsys.readouterr().err
    assert "--met-min belongs to --selection monojet" in err and "--jes" not in err
