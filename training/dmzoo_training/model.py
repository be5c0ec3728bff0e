"""The histogram DNN of the paper's Table 2, with the max-bin normalisation inside the graph."""

from __future__ import annotations

from dataclasses import dataclass

import keras
from keras import layers, ops

from dmzoo import binning


@keras.saving.register_keras_serializable(package="dmzoo")
class MaxBinNormalization(layers.Layer):
    """Divide each histogram by its largest bin (the paper's normalisation).

    Living inside the model means an exported ONNX file takes raw counts, and a histogram
    scaled by any constant gives the same output.
    """

    def call(self, x):
        peak = ops.max(x, axis=(1, 2), keepdims=True)
        return x / ops.maximum(peak, 1e-12)


@dataclass(frozen=True)
class Architecture:
    """Dense layers after flattening; Table 2 of the paper is 3 x 20 with dropout 0.2."""

    hidden: tuple[int, ...] = (20, 20, 20)
    dropout: float = 0.2


def build(arch: Architecture, n_outputs: int = 1) -> keras.Model:
    inputs = keras.Input(shape=(binning.N_BINS, binning.N_BINS), name="histogram")
    x = MaxBinNormalization(name="max_bin_normalization")(inputs)
    x = layers.Flatten()(x)
    for i, width in enumerate(arch.hidden):
        x = layers.Dense(width, activation="relu", name=f"dense_{i}")(x)
        x = layers.Dropout(arch.dropout, name=f"dropout_{i}")(x)
    activation = "sigmoid" if n_outputs == 1 else "softmax"
    outputs = layers.Dense(n_outputs, activation=activation, name="output")(x)
    return keras.Model(inputs, outputs)
