"""The paper's event-by-event DNN (section 3.1) and its combination over histograms (6.1).

A network of the paper's Table 2 (three dense layers of 20, dropout 0.2, sigmoid) learns to
tell single signal events from single SM events by the leading jet's (pT, eta, phi), trained on
the training parts with the SM weighted to the signal's total (so its output c estimates
q / (p + q) and c / (1 - c) the per-event likelihood ratio q / p), stopped early on the
validation part's loss. Its test AUC per event is Figure 5's.

Combined (Figure 19): a histogram of B SM and S signal events has the likelihood ratio
prod_events (1 - phi + phi r(x)) with phi = S / (B + S). The zoo's test histograms are binned,
so r is averaged over the SM events of each bin (training and validation parts) and the
statistic is sum_bins n_bin ln(1 - phi + phi r_bin), measured on the very test histograms of
the zoo's grid networks.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from dmzoo import binning
from dmzoo_training import classifiers, evaluate, histograms, paths
from dmzoo_training import samples as sample_parts
from dmzoo_training.classifiers import SNR_GRID
from dmzoo_training.histograms import seed_of

log = logging.getLogger(__name__)

BRANCHES = ("jet_pt", "jet_eta", "jet_phi")
BATCH = 1024
MAX_EPOCHS = 40
PATIENCE = 4


def weighted_auc(scores: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> float:
    """AUC with event weights: the weighted probability that a signal outscores an SM event."""
    order = np.argsort(scores, kind="stable")
    s, y, w = scores[order], labels[order].astype(bool), weights[order]
    # ties count half: group equal scores
    _, start = np.unique(s, return_index=True)
    bounds = np.append(start, len(s))
    below, total = 0.0, 0.0
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        w_sig = w[a:b][y[a:b]].sum()
        w_bkg = w[a:b][~y[a:b]].sum()
        total += w_sig * (below + 0.5 * w_bkg)
        below += w_bkg
    return float(total / (w[y].sum() * w[~y].sum()))


ROC_POINTS = 51  # per curve, evenly spaced in the SM efficiency


def weighted_roc(scores: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> dict:
    """The ROC curve with event weights at ROC_POINTS SM efficiencies from 0 to 1: for each,
    the signal efficiency of the threshold that keeps that share of the SM (the paper's
    Figure 5 plots these two against each other)."""
    order = np.argsort(-scores, kind="stable")
    y, w = labels[order].astype(bool), weights[order]
    tpr = np.concatenate([[0.0], np.cumsum(np.where(y, w, 0.0)) / w[y].sum()])
    fpr = np.concatenate([[0.0], np.cumsum(np.where(y, 0.0, w)) / w[~y].sum()])
    grid = np.linspace(0.0, 1.0, ROC_POINTS)
    return {"fpr": grid.tolist(), "tpr": np.interp(grid, fpr, tpr).tolist()}


def _features(ev: dict) -> np.ndarray:
    return np.stack([np.log(ev["jet_pt"]), ev["jet_eta"], ev["jet_phi"]], axis=1)


def _part(sm: dict, sig: dict):
    """Features, labels and weights of one part; the SM's weights sum to the signal's count."""
    x = np.concatenate([_features(sm), _features(sig)]).astype(np.float32)
    y = np.concatenate([np.zeros(len(sm["weight"])), np.ones(len(sig["weight"]))])
    w_sm = sm["weight"] * len(sig["weight"]) / sm["weight"].sum()
    w = np.concatenate([w_sm, np.ones(len(sig["weight"]))])
    return x, y.astype(np.float32), w.astype(np.float32)


def train(benchmark: str, events_dir: Path = paths.EVENTS, seed: int = 0) -> dict:
    """Train the event-level network of one benchmark; its AUCs per event and combined."""
    import keras

    from dmzoo_training.train import _configure_tf

    _configure_tf(seed_of("event-level", benchmark, seed))
    sm = sample_parts.split_parts("sm", events_dir, BRANCHES)
    sig = sample_parts.split_parts(benchmark, events_dir, BRANCHES)
    x_train, y_train, w_train = _part(sm["train"], sig["train"])
    x_val, y_val, w_val = _part(sm["val"], sig["val"])
    mean, std = x_train.mean(axis=0), x_train.std(axis=0)
    model = keras.Sequential(
        [keras.Input(shape=(3,)), keras.layers.Normalization(mean=mean, variance=std**2)]
        + [
            layer
            for i in range(3)
            for layer in (
                keras.layers.Dense(20, activation="relu", name=f"dense_{i}"),
                keras.layers.Dropout(0.2, name=f"dropout_{i}"),
            )
        ]
        + [keras.layers.Dense(1, activation="sigmoid", name="output")]
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    stop = keras.callbacks.EarlyStopping(patience=PATIENCE, restore_best_weights=True)
    fit = model.fit(
        x_train,
        y_train,
        sample_weight=w_train,
        batch_size=BATCH,
        epochs=MAX_EPOCHS,
        validation_data=(x_val, y_val, w_val),
        callbacks=[stop],
        verbose=0,
        shuffle=True,
    )
    x_test, y_test, w_test = _part(sm["test"], sig["test"])
    scores = model.predict(x_test, batch_size=8192, verbose=0).ravel()
    out = {
        "benchmark": benchmark,
        "auc_event": weighted_auc(scores, y_test, w_test),
        "roc": weighted_roc(scores, y_test, w_test),
        "epochs": len(fit.history["loss"]),
        "n_train_signal": int(len(sig["train"]["weight"])),
        "n_train_sm": int(len(sm["train"]["weight"])),
    }
    ratio = _ratio_per_bin(model, [sm["train"], sm["val"]])
    out["combined"] = _combined(ratio, benchmark, events_dir)
    log.info("event-level %s: AUC per event %.4f", benchmark, out["auc_event"])
    return out


def _ratio_per_bin(model, parts: list[dict]) -> np.ndarray:
    """The network's likelihood ratio c / (1 - c) averaged over the SM events of each bin."""
    ev = {k: np.concatenate([p[k] for p in parts]) for k in (*BRANCHES, "weight")}
    c = model.predict(_features(ev).astype(np.float32), batch_size=8192, verbose=0).ravel()
    r = c / np.clip(1.0 - c, 1e-7, None)
    weighted = binning.fill(ev["jet_pt"], ev["jet_eta"], ev["weight"] * r)
    total = binning.fill(ev["jet_pt"], ev["jet_eta"], ev["weight"])
    # A bin without SM events gets the network's ratio at its centre.
    empty = total <= 0
    if empty.any():
        pt_c = 0.5 * (binning.PT_EDGES[1:] + binning.PT_EDGES[:-1])
        eta_c = 0.5 * (binning.ETA_EDGES[1:] + binning.ETA_EDGES[:-1])
        grid_pt, grid_eta = np.meshgrid(pt_c, eta_c, indexing="ij")
        centre = {
            "jet_pt": grid_pt[empty],
            "jet_eta": grid_eta[empty],
            "jet_phi": np.zeros(int(empty.sum())),
        }
        cc = model.predict(_features(centre).astype(np.float32), verbose=0).ravel()
        weighted[empty], total[empty] = cc / np.clip(1.0 - cc, 1e-7, None), 1.0
    return weighted / total


def _combined(
    ratio: np.ndarray, benchmark: str, events_dir: Path, b: int = 50_000, n_test: int = 4000
) -> list[dict]:
    """AUC of the combined statistic on the zoo's test histograms at every grid point."""
    from dmzoo_training.train import load_pools

    pools = load_pools(benchmark, events_dir)
    spec = classifiers.binary(benchmark)
    rows = []
    for snr in SNR_GRID:
        s = histograms.n_signal(snr, b)
        phi = s / (b + s)
        x, y = evaluate.held_out(pools, spec, snr, b, n_test)
        t = x.reshape(len(x), -1).astype(np.float64) @ np.log(1 - phi + phi * ratio).ravel()
        rows.append({"snr": snr, "auc_combined": histograms.auc(t, y)})
    return rows
