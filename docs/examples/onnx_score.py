"""Score monojet events with a dmzoo model using only numpy and onnxruntime.

No dmzoo import: this is what a framework that ships onnxruntime has to do. The binning is
read from the model's own metadata, so the same code serves every model of the zoo.

    python onnx_score.py MODEL.onnx [MODEL.onnx ...] --events events.npz
    python onnx_score.py MODEL.onnx [MODEL.onnx ...] --counts histograms.npy [--snr 1.2]

`events.npz` holds the jets of every event, flattened: `jet_pt` (GeV) and `jet_eta` with one
value per jet, and `n_jets` with the number of jets of each event, in event order. A
`histograms.npy` holds raw counts [N, 30, 30] (axis 0 pT, axis 1 eta). One JSON object goes to
stdout: the library versions, the histogram's bookkeeping (for --events) and, per model, its
outputs. Parametric models (two inputs) are fed `--snr`, the S/sqrt(B) to test.

Works with onnxruntime 1.15 and newer, and numpy 1.21 and newer.
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import onnxruntime as ort


def load(path: str) -> tuple[ort.InferenceSession, dict]:
    """A CPU session and the model's metadata (JSON-valued keys decoded)."""
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    meta = dict(session.get_modelmeta().custom_metadata_map)
    for key in ("binning", "labels", "snr", "b_train", "metrics", "training", "provenance"):
        if key in meta:
            meta[key] = json.loads(meta[key])
    return session, meta


def leading_jets(
    jet_pt: np.ndarray, jet_eta: np.ndarray, n_jets: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pT, eta) of each event's leading jet, and which events have one.

    Jets whose pT or eta is NaN or infinite are dropped. The leading jet is the highest-pT jet
    left, whatever the stored order; among equal pT the lowest eta wins. Returns
    (pt, eta, has_jet) with one entry per event; pt and eta are 0 where has_jet is False.
    """
    jet_pt = np.asarray(jet_pt, dtype=np.float64)
    jet_eta = np.asarray(jet_eta, dtype=np.float64)
    n_events = len(n_jets)
    event = np.repeat(np.arange(n_events), n_jets)
    ok = np.isfinite(jet_pt) & np.isfinite(jet_eta)
    event, pt, eta = event[ok], jet_pt[ok], jet_eta[ok]
    # Sort by event, then pT descending, then eta ascending: each event's first jet leads.
    order = np.lexsort((eta, -pt, event))
    event, pt, eta = event[order], pt[order], eta[order]
    first = np.ones(len(event), dtype=bool)
    first[1:] = event[1:] != event[:-1]
    lead_pt = np.zeros(n_events)
    lead_eta = np.zeros(n_events)
    has_jet = np.zeros(n_events, dtype=bool)
    lead_pt[event[first]] = pt[first]
    lead_eta[event[first]] = eta[first]
    has_jet[event[first]] = True
    return lead_pt, lead_eta, has_jet


def fill(pt: np.ndarray, eta: np.ndarray, binning: dict) -> np.ndarray:
    """Raw counts [n_pt, n_eta] in the model's bins; entries outside are not counted.

    The axes are linear and every bin is left-closed, [low, high), as in ROOT: a jet at exactly
    the upper edge falls outside. The bin index is ROOT's fixed-axis formula, so a TH2 filled
    by ROOT from the same jets gives the same counts.
    """
    pt_edges = np.asarray(binning["pt"]["edges"], dtype=np.float64)
    eta_edges = np.asarray(binning["eta"]["edges"], dtype=np.float64)
    for edges in (pt_edges, eta_edges):
        if not np.allclose(np.diff(edges), edges[1] - edges[0]):
            raise ValueError("this example handles linear axes only")
    inside = (
        (pt >= pt_edges[0]) & (pt < pt_edges[-1]) & (eta >= eta_edges[0]) & (eta < eta_edges[-1])
    )
    i = _bin_index(pt[inside], pt_edges)
    j = _bin_index(eta[inside], eta_edges)
    n_pt, n_eta = len(pt_edges) - 1, len(eta_edges) - 1
    flat = np.bincount(i * n_eta + j, minlength=n_pt * n_eta)
    return flat.reshape(n_pt, n_eta).astype(np.float32)


def _bin_index(x: np.ndarray, edges: np.ndarray) -> np.ndarray:
    n = len(edges) - 1
    index = np.floor(n * (x - edges[0]) / (edges[-1] - edges[0])).astype(np.int64)
    return np.clip(index, 0, n - 1)  # rounding just below the upper edge


def predict(session: ort.InferenceSession, counts: np.ndarray, snr: float | None = None):
    """The model's output for a batch [N, 30, 30] of raw counts (the graph normalises them).

    A parametric model (kind `parametric`) also takes `snr`, float32 [N, 1], the S/sqrt(B)
    itself; it must lie in the range of the metadata's `snr` ({"min": ..., "max": ...}).
    """
    counts = np.asarray(counts, dtype=np.float32)
    feed = {"histogram": counts}
    if len(session.get_inputs()) == 2:
        if snr is None:
            raise InputError("a parametric model takes S/sqrt(B) too; give --snr")
        feed["snr"] = np.full((len(counts), 1), snr, dtype=np.float32)
    return session.run(None, feed)[0]


class InputError(Exception):
    """A bad input file: the message says what is wrong and what to do."""


def read_events(path: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """jet_pt, jet_eta, n_jets from an npz, checked to describe the same jets."""
    try:
        with np.load(path) as data:
            arrays = [np.asarray(data[k]) for k in ("jet_pt", "jet_eta", "n_jets")]
    except KeyError as err:
        raise InputError(f"{path}: no array {err}; it needs jet_pt, jet_eta and n_jets") from None
    except (OSError, ValueError) as err:
        raise InputError(f"{path}: cannot be read as an npz file ({err})") from None
    jet_pt, jet_eta, n_jets = arrays
    if not (len(jet_pt) == len(jet_eta) == int(n_jets.sum())) or np.any(n_jets < 0):
        raise InputError(
            f"{path}: {len(jet_pt)} jet_pt and {len(jet_eta)} jet_eta values, n_jets sums to "
            f"{int(n_jets.sum())}; give one pT and one eta per jet and n_jets per event"
        )
    return jet_pt, jet_eta, n_jets


def main(argv: list[str] | None = None) -> int:
    try:
        return run(argv)
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


def run(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("models", nargs="+", help="dmzoo .onnx files")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--events", help="npz with jet_pt, jet_eta, n_jets")
    source.add_argument("--counts", help="npy with raw counts [N, 30, 30]")
    parser.add_argument("--snr", type=float, help="S/sqrt(B) for parametric models")
    args = parser.parse_args(argv)

    report: dict = {"onnxruntime": ort.__version__, "numpy": np.__version__, "models": {}}
    if args.events:
        pt, eta, has_jet = leading_jets(*read_events(args.events))
    for path in args.models:
        try:
            session, meta = load(path)
        except Exception as err:  # onnxruntime raises its own types (NoSuchFile, Fail...)
            raise InputError(
                f"{path}: onnxruntime cannot load it ({type(err).__name__}); check the path "
                "and that it is a dmzoo .onnx model"
            ) from None
        if args.events:
            counts = fill(pt[has_jet], eta[has_jet], meta["binning"])[None]
            n_selected = int(counts.sum())
            report["histogram"] = {
                "n_events": len(has_jet),
                "n_selected": n_selected,
                "n_no_jet": int((~has_jet).sum()),
                "n_out_of_range": int(has_jet.sum()) - n_selected,
            }
        else:
            counts = np.load(args.counts)
        report["models"][path] = {
            "kind": meta["kind"],
            "benchmark": meta.get("benchmark"),
            "snr": meta.get("snr"),
            "outputs": predict(session, counts, args.snr).tolist(),
        }
    json.dump(report, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
