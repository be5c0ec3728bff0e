"""Running a zoo model with onnxruntime, after checking its metadata fits our histogram."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from dmzoo import binning, constants
from dmzoo.errors import BinningError, ZooIntegrityError

log = logging.getLogger(__name__)

REQUIRED_METADATA = (
    "dmzoo_format_version",
    "kind",
    "binning",
    "normalization",
    "snr",
    "labels",
    "b_train",
)
JSON_KEYS = ("binning", "labels", "metrics", "training", "provenance", "snr", "b_train")


class Model:
    """One ONNX model of the zoo: float32 [N, 30, 30] raw counts in, probabilities out."""

    def __init__(self, path: Path) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as err:  # onnxruntime raises its own untyped errors
            raise ZooIntegrityError(f"{path.name}: onnxruntime cannot load it ({err})") from None
        raw = self.session.get_modelmeta().custom_metadata_map
        missing = [k for k in REQUIRED_METADATA if k not in raw]
        if missing:
            raise ZooIntegrityError(f"{path.name}: metadata lacks {', '.join(missing)}")
        self.metadata = {k: (json.loads(v) if k in JSON_KEYS else v) for k, v in raw.items()}
        self.input_name = self.session.get_inputs()[0].name
        self._check_binning(path.name)

    def _check_binning(self, name: str) -> None:
        theirs = self.metadata["binning"]
        ours = json.loads(binning.binning_json())
        for axis in binning.AXES:
            if not np.allclose(theirs[axis]["edges"], ours[axis]["edges"]):
                raise BinningError(f"{name}: trained on another {axis} binning than this dmzoo's")
        if self.metadata["dmzoo_format_version"] != constants.FORMAT_VERSION:
            raise ZooIntegrityError(
                f"{name}: metadata format {self.metadata['dmzoo_format_version']}, this dmzoo "
                f"reads {constants.FORMAT_VERSION}; upgrade dmzoo or use a matching zoo"
            )

    def predict(self, counts: np.ndarray) -> np.ndarray:
        """Output for one [30, 30] histogram or a batch [N, 30, 30] of raw counts."""
        x = np.asarray(counts, dtype=np.float32)
        single = x.ndim == 2
        if single:
            x = x[None]
        if x.shape[1:] != (binning.N_BINS, binning.N_BINS):
            raise BinningError(
                f"histogram shape {x.shape[1:]} is not ({binning.N_BINS}, {binning.N_BINS})"
            )
        out = self.session.run(None, {self.input_name: x})[0]
        return out[0] if single else out
