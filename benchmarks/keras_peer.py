"""The paper's way, as a peer to `dmzoo score`: uproot, numpy's histogram2d, a Keras model.

    python benchmarks/keras_peer.py NTUPLE.root MODEL.keras [--throughput N]

Reads the two branches, fills the 30 x 30 histogram of pT vs eta with numpy, loads the Keras
model the zoo's ONNX file was exported from (its custom layers are registered by importing
dmzoo_training.model) and prints the score as JSON. With --throughput N it also times
`model.predict` on N histograms.
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("ntuple")
    parser.add_argument("model")
    parser.add_argument("--throughput", type=int, default=0)
    args = parser.parse_args()

    import keras
    import numpy as np
    import uproot

    import dmzoo_training.model  # noqa: F401  registers the custom layers

    tree = uproot.open(args.ntuple)["ntuple"]
    branches = tree.arrays(["jet_pt", "jet_eta"], library="np")
    # histogram2d's last bin is closed; the zoo's are half-open, a measure-zero difference here.
    counts, _, _ = np.histogram2d(
        branches["jet_pt"], branches["jet_eta"], bins=30, range=[[130, 2000], [-4, 4]]
    )
    model = keras.saving.load_model(args.model)
    score = float(model.predict(counts[None].astype(np.float32), verbose=0).ravel()[0])
    report = {"score": score, "n_selected": int(counts.sum())}
    if args.throughput:
        rng = np.random.default_rng(0)
        batch = rng.poisson(50.0, size=(args.throughput, 30, 30)).astype(np.float32)
        model.predict(batch[:1024], batch_size=1024, verbose=0)  # build and warm up
        start = time.perf_counter()
        model.predict(batch, batch_size=1024, verbose=0)
        report["histograms_per_s"] = args.throughput / (time.perf_counter() - start)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
