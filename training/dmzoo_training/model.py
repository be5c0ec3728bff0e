"""The histogram DNN of the paper's Table 2, with the max-bin normalisation inside the graph."""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
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


@keras.saving.register_keras_serializable(package="dmzoo")
class SumNormalization(layers.Layer):
    """Divide each histogram by its total: the empirical bin probabilities.

    For a fixed number of events the likelihood-ratio statistic is linear in these fractions,
    so a network that sees them (and has a linear path to its output) can represent the
    Neyman-Pearson test exactly; the max-normalised image leaves it a per-histogram factor,
    the largest bin, to undo.
    """

    def call(self, x):
        total = ops.sum(x, axis=(1, 2), keepdims=True)
        # Not the 1e-12 of the max-bin layer: tf2onnx merges equal constants in some
        # conversions of a process and not in others, which made exports differ in bytes.
        return x / ops.maximum(total, 1e-9)


@keras.saving.register_keras_serializable(package="dmzoo")
class BinStandardization(layers.Layer):
    """Fixed per-bin shift and scale that whiten the normalised SM histograms.

    The signal shifts each bin by a small fraction of its Poisson spread, and the bins differ
    by orders of magnitude in content; without whitening the optimiser sees mostly the few
    full bins and the network stays near AUC 0.5 at low S/sqrt(B). Mean and spread are those of
    SM-only training histograms, frozen at build time and exported with the graph.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        shape = (binning.N_BINS, binning.N_BINS)
        self.mean = self.add_weight(shape=shape, initializer="zeros", trainable=False, name="mean")
        self.inv_std = self.add_weight(
            shape=shape, initializer="ones", trainable=False, name="inv_std"
        )

    def call(self, x):
        return (x - self.mean) * self.inv_std


@dataclass(frozen=True)
class Architecture:
    """Dense layers after flattening; Table 2 of the paper is 3 x 20 with dropout 0.2."""

    hidden: tuple[int, ...] = (20, 20, 20)
    dropout: float = 0.2
    standardize: bool = True  # whiten the bins (not in the paper; measured to matter)
    normalization: str = "max"  # "max": the paper's image; "sum": bin fractions
    linear_skip: bool = False  # a linear path from the whitened bins to the output
    # "dense": the DNN above; "cnn": the paper's CNN of Table 2 (for its comparison, section
    # 3.2.2), conv 3x3 x 32, max-pool 2x2, conv 3x3 x 64, max-pool 2x2, dense output.
    layers: str = "dense"


def _normalised_bins(inputs, arch: Architecture, mean, std):
    """Max-bin (and sum) normalisation and whitening: the graph's first layers, in one place."""
    x = MaxBinNormalization(name="max_bin_normalization")(inputs)
    if arch.normalization == "sum":
        x = SumNormalization(name="sum_normalization")(x)
    if arch.standardize:
        white = BinStandardization(name="bin_standardization")
        x = white(x)
        if mean is not None:
            white.mean.assign(mean.astype("float32"))
            white.inv_std.assign((1.0 / std).astype("float32"))
    return x


def build(arch: Architecture, n_outputs: int = 1, mean=None, std=None) -> keras.Model:
    """The classifier; mean and std (of normalised SM histograms) set the whitening layer."""
    inputs = keras.Input(shape=(binning.N_BINS, binning.N_BINS), name="histogram")
    x = _normalised_bins(inputs, arch, mean, std)
    if arch.layers == "cnn":
        return keras.Model(inputs, _cnn(x, n_outputs))
    flat = layers.Flatten()(x)
    x = flat
    for i, width in enumerate(arch.hidden):
        x = layers.Dense(width, activation="relu", name=f"dense_{i}")(x)
        x = layers.Dropout(arch.dropout, name=f"dropout_{i}")(x)
    logits = layers.Dense(n_outputs, name="output_logits")(x)
    if arch.linear_skip:
        linear = layers.Dense(n_outputs, use_bias=False, name="linear_skip")(flat)
        logits = layers.Add(name="logit_sum")([logits, linear])
    activation = "sigmoid" if n_outputs == 1 else "softmax"
    outputs = layers.Activation(activation, name="output")(logits)
    return keras.Model(inputs, outputs)


def _cnn(x, n_outputs: int):
    """The paper's CNN on the normalised image (Table 2)."""
    x = layers.Reshape((binning.N_BINS, binning.N_BINS, 1), name="image")(x)
    x = layers.Conv2D(32, 3, activation="relu", name="conv_0")(x)
    x = layers.MaxPooling2D(2, name="pool_0")(x)
    x = layers.Conv2D(64, 3, activation="relu", name="conv_1")(x)
    x = layers.MaxPooling2D(2, name="pool_1")(x)
    x = layers.Flatten()(x)
    activation = "sigmoid" if n_outputs == 1 else "softmax"
    return layers.Dense(n_outputs, activation=activation, name="output")(x)


@keras.saving.register_keras_serializable(package="dmzoo")
class LogSnr(layers.Layer):
    """ln(S/sqrt(B)) of the `snr` input: the network sees the decades, not the raw value."""

    def call(self, snr):
        return ops.log(ops.maximum(snr, 1e-6))


@keras.saving.register_keras_serializable(package="dmzoo")
class LikelihoodRatio(layers.Layer):
    """The Neyman-Pearson log-odds of "B SM + S signal" against "B + S SM", at any S/sqrt(B).

    With bin fractions f, N = B + S events, signal fraction phi = S / N and per-bin signal/SM
    ratios r_i, a histogram holding one of K models has
    ln L1/L0 = ln( (1/K) sum_k exp(N sum_i f_i ln(1 - phi + phi r_ik)) ),
    exact for the mixture of K models the multimodel networks are trained on (K = 1: one
    benchmark). S/sqrt(B) enters through phi and N, so one set of ratios serves the whole range;
    the ratios are trained, starting from those of smoothed templates. B is the training
    histograms' B, fixed in the graph as the grid models fix it by training.

    The fractions are first shifted by `offset`, the mean SM training fractions minus the SM
    template the ratios come from. Without it an SM-only histogram sits at N phi sum_i
    (m_i - p_i) r_i, which a smoothed template's small bias in the tail (where r is large)
    makes tens of units of log-odds at large S/sqrt(B): measured, the shipped SM-only example
    scored a logit of -54 at S/sqrt(B) = 4.5, and float32 rounded the scores of SM and signal
    pseudo-experiments alike to zero. For one model the shift is a constant at each S/sqrt(B)
    and changes no AUC.
    """

    def __init__(self, n_models: int = 1, b: float = 50_000.0, **kwargs):
        super().__init__(**kwargs)
        self.n_models = n_models
        self.b = float(b)
        self.log_ratio = self.add_weight(
            shape=(binning.N_BINS * binning.N_BINS, n_models),
            initializer="zeros",
            name="log_ratio",
        )
        self.offset = self.add_weight(
            shape=(binning.N_BINS * binning.N_BINS, 1),
            initializer="zeros",
            trainable=False,
            name="offset",
        )

    def call(self, fractions, snr):
        s = snr * self.b**0.5  # [N, 1]
        n = self.b + s
        phi = s / n
        flat = ops.reshape(fractions, (-1, binning.N_BINS * binning.N_BINS, 1)) - self.offset
        per_bin = ops.log(1.0 - phi[:, :, None] + phi[:, :, None] * ops.exp(self.log_ratio))
        t = n * ops.sum(flat * per_bin, axis=1)  # [N, K]: ln L_k / L0 of each model
        return ops.logsumexp(t, axis=1, keepdims=True) - float(np.log(self.n_models))

    def get_config(self):
        return {**super().get_config(), "n_models": self.n_models, "b": self.b}


def build_parametric(
    arch: Architecture, n_outputs: int = 1, mean=None, std=None, *, n_models: int = 1, b=50_000
) -> keras.Model:
    """The classifier conditioned on S/sqrt(B): inputs `histogram` and `snr` [N, 1].

    ln(S/sqrt(B)) joins the flattened, whitened bins at the first dense layer and again before
    the output, so both the features and the final weighting can follow the signal strength.
    With `arch.linear_skip` (and bin fractions) the `LikelihoodRatio` of `n_models` models is
    added to the dense path's logit, which starts at zero: the network begins as the likelihood
    ratio of its starting templates at every S/sqrt(B) and trains from there.
    """
    inputs = keras.Input(shape=(binning.N_BINS, binning.N_BINS), name="histogram")
    snr = keras.Input(shape=(1,), name="snr")
    x = _normalised_bins(inputs, arch, mean, std)
    log_snr = LogSnr(name="log_snr")(snr)
    x = layers.Concatenate(name="bins_and_snr")([layers.Flatten()(x), log_snr])
    for i, width in enumerate(arch.hidden):
        x = layers.Dense(width, activation="relu", name=f"dense_{i}")(x)
        x = layers.Dropout(arch.dropout, name=f"dropout_{i}")(x)
    x = layers.Concatenate(name="features_and_snr")([x, log_snr])
    if not (arch.linear_skip and arch.normalization == "sum" and n_outputs == 1):
        activation = "sigmoid" if n_outputs == 1 else "softmax"
        outputs = layers.Dense(n_outputs, activation=activation, name="output")(x)
        return keras.Model([inputs, snr], outputs)
    logits = layers.Dense(1, kernel_initializer="zeros", name="output_logits")(x)
    fractions = SumNormalization(name="fractions")(inputs)
    llr = LikelihoodRatio(n_models, b, name="likelihood_ratio")(fractions, snr)
    logits = layers.Add(name="logit_sum")([logits, llr])
    outputs = layers.Activation("sigmoid", name="output")(logits)
    return keras.Model([inputs, snr], outputs)
