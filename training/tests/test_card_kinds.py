"""The model card's result lines, on small tables whose answers are known."""

from dmzoo_training import card_kinds


def write(zoo, name, text):
    (zoo / "tables").mkdir(parents=True, exist_ok=True)
    (zoo / "tables" / f"{name}.csv").write_text(text)


def test_reach_interpolates_in_log_snr(tmp_path):
    write(
        tmp_path,
        "auc_individual",
        "benchmark,snr,auc,auc_optimal\n"
        "spin1_onshell,1,0.8,0.85\n"
        "spin1_onshell,2,0.95,0.96\n"
        "spin1_onshell,4,0.995,0.999\n",
    )
    lines = card_kinds.reach_lines(tmp_path)
    # AUC 0.9 two thirds of the way from 1 to 2 in log: 2^(2/3) = 1.587; the limit's
    # (0.9 - 0.85) / 0.11 of the way; 0.99 at 2 x 2^((0.99 - 0.95) / 0.045) = 3.70
    assert lines[2] == (
        f"| spin1_onshell | 1.59 | {2 ** (0.05 / 0.11):.2f} | 1.3 | 3.70 "
        f"| {2 * 2 ** (0.03 / 0.039):.2f} |"
    )


def test_multimodel_lines_split_trained_and_held_out(tmp_path):
    write(
        tmp_path,
        "auc_multimodel_binary",
        "benchmark,snr,auc,auc_optimal,trained_on,ratio_to_individual,ratio_to_optimal\n"
        "alp,1,0.62,0.64,true,0.97,0.96875\n"
        "spin1_onshell,1,0.80,0.81,true,0.99,0.98765\n"
        "spin1_offshell_ps,1,0.84,0.86,false,0.98,0.97674\n"
        "alp,0.1,0.51,0.515,true,0.99,0.99029\n",
    )
    first, second = card_kinds.multimodel_lines(tmp_path)
    assert "0.620 to 0.800 on those seven and 0.840 to 0.840" in first
    assert "(spin1_offshell_ps)" in first
    # the alp row at 0.1 is below the 0.6 limit: not the worst ratio despite 0.990
    assert "0.970 to 0.990 of its AUC" in second
    assert "at worst 0.969 (alp at 1)" in second


def test_absent_tables_give_no_lines(tmp_path):
    for lines in (
        card_kinds.reach_lines,
        card_kinds.multimodel_lines,
        card_kinds.multiclass_lines,
        card_kinds.model_vs_model_lines,
        card_kinds.trained_comparison_lines,
    ):
        assert lines(tmp_path) == []


def test_robustness_lines_and_figures(tmp_path):
    from dmzoo_training import plots

    write(
        tmp_path,
        "auc_energy",
        "study,benchmark,snr,auc,auc_nominal,auc_optimal,auc_optimal_nominal,note,"
        "sm_above_nominal_90\n"
        "13tev,spin1_onshell,0.45,0.654,0.643,0.66,0.65,thin tail,0.0205\n"
        "13tev,spin1_onshell,1,0.8025,0.8064,0.81,0.812,thin tail,0.025\n",
    )
    (line,) = card_kinds.robustness_lines(tmp_path)
    assert "13 TeV histograms, 13tev" in line
    assert "moves by -0.004 to +0.011 (the limit by -0.002 to +0.010)" in line
    assert "2.1% to 2.5%" in line and line.endswith("; thin tail.")  # 0.0205 rounds up
    drawn = plots.figures(tmp_path / "tables", tmp_path / "figures")
    assert [p.name for p in drawn] == ["auc_energy.png", "auc_energy_calibration.png"]
    assert all(p.stat().st_size > 0 for p in drawn)
