"""Running a zoo model with onnxruntime, after checking its metadata fits our histogram.

Grid models take one input, the histogram; parametric models a second one, `snr`, and
`predict` then needs S/sqrt(B) inside their trained range (see `dmzoo.parametric`).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from dmzoo import binning, constants, parametric
from dmzoo.errors import BinningError, InvalidParameterError, ZooIntegrityError

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
    """One ONNX model of the zoo: float32 [N, 30, 30] raw counts in, probabilities out.

    `parametric` is True for a model that also takes S/sqrt(B); `snr_range` is then its
    trained (min, max), else None.
    """

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
        self.name = path.name
        self.input_names = [i.name for i in self.session.get_inputs()]
        self.input_name = self.input_names[0]
        self.parametric = self.metadata["kind"] == parametric.KIND
        self._check_inputs()
        self.snr_range = (
            parametric.snr_range(self.metadata["snr"], path.name) if self.parametric else None
        )
        self._check_binning(path.name)

    def _check_inputs(self) -> None:
        """One input for a grid model; `histogram` and `snr` for a parametric one."""
        if self.parametric:
            expected = sorted((parametric.HISTOGRAM_INPUT, parametric.SNR_INPUT))
            if sorted(self.input_names) != expected:
                raise ZooIntegrityError(
                    f"{self.name}: a parametric model takes inputs histogram and snr, this one "
                    f"{', '.join(self.input_names)}; re-export it"
                )
            self.input_name = parametric.HISTOGRAM_INPUT
        elif len(self.input_names) != 1:
            raise ZooIntegrityError(
                f"{self.name}: kind {self.metadata['kind']} takes one input, the histogram; this "
                f"file has {', '.join(self.input_names)}; re-export it or mark it parametric"
            )

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

    def predict(self, counts: np.ndarray, snr: object = None) -> np.ndarray:
        """Output for one [30, 30] histogram or a batch [N, 30, 30] of raw counts.

        `snr` (parametric models only, required there): S/sqrt(B), one value for the batch or
        one per histogram, inside the trained range `snr_range`.

        Raises:
            InvalidParameterError: snr missing for a parametric model, given to a grid model,
                or outside the trained range.
        """
        x = np.asarray(counts, dtype=np.float32)
        single = x.ndim == 2
        if single:
            x = x[None]
        if x.shape[1:] != (binning.N_BINS, binning.N_BINS):
            raise BinningError(
                f"histogram shape {x.shape[1:]} is not ({binning.N_BINS}, {binning.N_BINS})"
            )
        feed = {self.input_name: x}
        if self.parametric:
            if snr is None:
                raise InvalidParameterError(
                    f"{self.name}: a parametric model needs S/sqrt(B); call predict(counts, snr=...)"
                )
            feed[parametric.SNR_INPUT] = parametric.column(snr, len(x), self.snr_range, self.name)
        elif snr is not None:
            raise InvalidParameterError(
                f"{self.name}: a grid model, trained at S/sqrt(B) = {self.metadata['snr']}, takes "
                "no snr; call predict(counts)"
            )
        out = self.session.run(None, feed)[0]
        return out[0] if single else out
