"""Training one histogram classifier and measuring it against the likelihood-ratio limit.

Every epoch sees freshly drawn training histograms (a fixed set of ~25k histograms of 900
inputs costs AUC), drawn in blocks from bootstrap replicas of the training pools; validation and
test histograms are fixed and come from their own parts of the event pools. Early stopping
watches the validation AUC and keeps the best weights; the learning rate halves when it stalls.

Measured at S/sqrt(B) = 1 on spin1_offshell with the full samples (likelihood-ratio limit
0.797), all with AUC-based stopping: the paper's Table 2 network and optimiser (learning rate
1e-4, no whitening) reach 0.709 in 80 epochs and are still climbing; whitening the bins inside
the graph gives 0.777 in 29 epochs; adding the template replicas gives 0.777 +- 0.003 over three
trainings, no further gain at this pool size (kept, as they cost nothing and guard smaller
pools). With a third of the SM pool, stopping on the validation loss ended every training after
one or two epochs, since the pool's offset moves the loss of both classes alike.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from dmzoo import binning
from dmzoo_training import classifiers, evaluate, histograms, paths, storage
from dmzoo_training import samples as sample_parts
from dmzoo_training.classifiers import Spec
from dmzoo_training.histograms import seed_of
from dmzoo_training.model import Architecture

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainConfig:
    """Settings of one training; the defaults are what the zoo uses."""

    b: int = histograms.B_DEFAULT  # background events per histogram
    n_train: int = 8192  # training histograms per class, drawn afresh every epoch
    n_val: int = 2048  # fixed validation histograms per class
    n_test: int = 4000  # fixed test histograms per class
    batch_size: int = 128
    learning_rate: float = 1e-3  # the paper's 1e-4 needs ten times the epochs for the same AUC
    max_epochs: int = 80
    patience: int = 12  # epochs without a better validation AUC before stopping
    lr_patience: int = 5  # epochs without improvement before halving the learning rate
    resample_templates: bool = True  # bootstrap replicas of the training pools, see histograms
    replica_block: int = 256  # histograms per class drawn from one replica
    # Bin fractions with a linear path to the output, started at the training templates'
    # likelihood ratio (see `_start_at_likelihood_ratio`); Architecture() is the paper's.
    arch: Architecture = field(
        default_factory=lambda: Architecture(normalization="sum", linear_skip=True)
    )
    start_at_likelihood_ratio: bool = True
    # Templates of that start: "smoothed" pools the training and validation parts and smooths
    # them (`histograms.smoothed`); "train" is the training part as drawn.
    likelihood_templates: str = "smoothed"


@dataclass
class Pools:
    """Templates of the SM and some benchmarks: per part, and of the full samples."""

    parts: dict[str, histograms.Templates]
    full: dict[str, np.ndarray]  # regularised full-sample templates, for the likelihood ratio
    n_events: dict[str, int]

    def start_templates(self, config: TrainConfig) -> dict[str, np.ndarray]:
        """The templates whose likelihood ratio a network starts from.

        Never the test part: `auc_optimal` sees it, a network must not. The validation part
        does enter, so the choice of the best epoch leans slightly towards the start; the
        reported AUC comes from the test part alone.
        """
        if config.likelihood_templates == "train":
            return self.parts["train"].probs
        joint = histograms.pooled([self.parts["train"], self.parts["val"]])
        return {name: histograms.smoothed(p) for name, p in joint.items()}


def load_pools(samples, events_dir: Path = paths.EVENTS) -> Pools:
    """The pools of the SM and the named samples (one name or several).

    The SM is stitched from its two generations where both exist (see `samples`).
    """
    names = ["sm", *([samples] if isinstance(samples, str) else samples)]
    names = list(dict.fromkeys(names))
    split = {name: sample_parts.split_parts(name, events_dir) for name in names}
    units = {name: sample_parts.unit_weights(name, events_dir) for name in names}
    parts = {}
    for part in histograms.SPLIT:
        probs, sizes = {}, {}
        for name in names:
            ev = split[name][part]
            n_part = float(ev["weight"].sum())
            n_full = float(sum(split[name][q]["weight"].sum() for q in histograms.SPLIT))
            pseudo = histograms.part_pseudo_count(n_part, n_full)
            weights = None if units[name] is None else ev["weight"]
            probs[name] = histograms.template(
                ev["jet_pt"], ev["jet_eta"], pseudo, weights, units[name]
            )
            sizes[name] = len(ev["jet_pt"]) if units[name] is None else n_part
        parts[part] = histograms.Templates(
            probs, sizes, {n: u for n, u in units.items() if u is not None}
        )
    full = {}
    for name in names:
        counts = sum(
            binning.fill(ev["jet_pt"], ev["jet_eta"], ev["weight"]) for ev in split[name].values()
        )
        full[name] = histograms.regularised(counts, units[name])
    return Pools(
        parts=parts,
        full=full,
        n_events={n: sum(len(ev["jet_pt"]) for ev in split[n].values()) for n in names},
    )


def _configure_tf(seed: int) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        pass  # already set in this process
    tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(seed)


def _bin_moments(
    templates: histograms.Templates, n: int, seed: int, normalization: str, size: int = 4096
):
    """Mean and spread per bin of normalised SM-only training histograms."""
    x = np.random.default_rng(seed_of("moments", seed)).multinomial(
        n, templates.probs["sm"].ravel(), size=size
    )
    peak = np.maximum(x.max(axis=1, keepdims=True), 1)
    if normalization == "sum":
        peak = x.sum(axis=1, keepdims=True)
    x = x / peak
    # A bin the SM leaves empty still has the spread of one event, not zero.
    std = np.maximum(x.std(axis=0), 1.0 / np.median(peak))
    shape = (binning.N_BINS, binning.N_BINS)
    return x.mean(axis=0).reshape(shape), std.reshape(shape)


def _epoch_histograms(
    train: histograms.Templates, spec: Spec, b: int, s: int, config: TrainConfig, rng
):
    """Fresh training histograms, in blocks that each come from their own template replica."""
    if not config.resample_templates:
        return train.draw(spec.classes, b, s, config.n_train, rng)
    xs, ys = [], []
    for start in range(0, config.n_train, config.replica_block):
        n = min(config.replica_block, config.n_train - start)
        x, y = train.resampled(rng).draw(spec.classes, b, s, n, rng)
        xs.append(x)
        ys.append(y)
    return np.concatenate(xs), np.concatenate(ys)


def _predict(model, x: np.ndarray, spec: Spec) -> np.ndarray:
    out = model.predict(x, batch_size=2048, verbose=0)
    return out.ravel() if spec.n_outputs == 1 else out


def _fit(model, next_epoch, validate, config: TrainConfig) -> tuple[float, list[dict]]:
    """The training loop: fresh histograms each epoch, stopping and learning rate on val AUC.

    next_epoch() gives (inputs, labels) for one epoch; validate() the validation AUC. The best
    weights are restored at the end. Returns the best validation AUC and the history.
    """
    # The starting point competes too: a network initialised at the likelihood ratio of its
    # training templates (see `_start_at_likelihood_ratio`) keeps it unless training does better.
    best, best_weights, since_best, since_lr = validate(), model.get_weights(), 0, 0
    lr = config.learning_rate
    history = []
    for epoch in range(config.max_epochs):
        x, y = next_epoch()
        fit = model.fit(x, y, batch_size=config.batch_size, epochs=1, shuffle=True, verbose=0)
        val_auc = validate()
        history.append(
            {"epoch": epoch, "loss": float(fit.history["loss"][0]), "val_auc": val_auc, "lr": lr}
        )
        # The validation AUC, not its loss, decides: the validation pool's SM sits elsewhere than
        # the training pool's, which moves the loss of both classes alike but not their ranking.
        if val_auc > best + 1e-4:
            best, best_weights, since_best, since_lr = val_auc, model.get_weights(), 0, 0
        else:
            since_best += 1
            since_lr += 1
        if since_lr >= config.lr_patience:
            lr /= 2
            model.optimizer.learning_rate.assign(lr)
            since_lr = 0
        if since_best >= config.patience:
            break
    model.set_weights(best_weights)
    return best, history


def _can_start_at_likelihood_ratio(config: TrainConfig, spec: Spec) -> bool:
    """The start needs bin fractions and the linear path."""
    arch = config.arch
    return arch.linear_skip and arch.normalization == "sum"


def _start_at_likelihood_ratio(
    model, templates, spec: Spec, b: int, s: int, mean: np.ndarray, std: np.ndarray
) -> None:
    """Set the network to the likelihood of the given templates: linear path and biases.

    With sum-normalised bins f and N = B + S events, ln L_k = N sum_i f_i ln h_k,i for a class
    whose expected bin probabilities are h_k. On whitened bins z_i = (f_i - m_i) / std_i that is
    sum_i z_i N std_i ln h_k,i + N sum_i m_i ln h_k,i: the first term sets the linear path, the
    second the output bias, and the dense path's weights start at zero. One output (binary) gets
    ln(L_1 / L_0), the exact log-odds; several (multiclass) get ln(L_k / L_0) each, so the
    softmax is the Bayes posterior of equally likely classes. The network begins as the best classifier
    its templates allow, and training adds what their noise hides. Measured: see README.
    """

    def hypothesis(signals):
        if not signals:
            return templates["sm"]
        # A class of several models gets their average, an approximation of their mixture's
        # likelihood that is exact to first order in S / B.
        return np.mean([histograms.mixture(templates, name, b, s) for name in signals], axis=0)

    # Each class against the first: the same posterior, and logits of order one rather than
    # N ln h ~ -3e5, which float32 would round to a few thousandths.
    logs = np.stack([np.log(hypothesis(c)).ravel() for c in spec.classes], axis=1)
    logs = logs - logs[:, :1]
    if spec.n_outputs == 1:
        logs = logs[:, 1:]
    weights = (b + s) * logs * std.reshape(-1, 1)
    bias = (b + s) * mean.reshape(1, -1) @ logs
    model.get_layer("linear_skip").set_weights([weights.astype("float32")])
    out = model.get_layer("output_logits")
    kernel = np.zeros_like(out.get_weights()[0])
    out.set_weights([kernel, bias.ravel().astype("float32")])


def _save(model, result: dict, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save(out_dir / "model.keras")
    storage.atomic_write_text(out_dir / "result.json", json.dumps(result, indent=1, sort_keys=True))
    limit = f"{result['auc_optimal']:.4f}" if result.get("auc_optimal") else "n/a"
    log.info(
        "%s repeat %d: AUC %.4f (limit %s) after %d epochs, %.0f s",
        result["id"],
        result["repeat"],
        result["auc"],
        limit,
        result["epochs"],
        result["seconds"],
    )


def train_one(
    pools: Pools, spec: Spec | str, snr: float, repeat: int, config: TrainConfig, out_dir: Path
) -> dict:
    """Train, evaluate and save one classifier; returns its result record.

    `spec` is a classifier spec, or a benchmark name for its binary classifier.
    """
    import keras

    from dmzoo_training.model import build

    task_started = time.time()
    spec = classifiers.binary(spec) if isinstance(spec, str) else spec
    key = spec.seed_key
    seed = seed_of(key, snr, repeat)
    _configure_tf(seed)
    b, s = config.b, histograms.n_signal(snr, config.b)
    rng = np.random.default_rng(seed)
    x_val, y_val = pools.parts["val"].draw(
        spec.classes, b, s, config.n_val, np.random.default_rng(seed_of("val", key, snr))
    )

    mean, std = _bin_moments(pools.parts["train"], b + s, seed, config.arch.normalization)
    model = build(config.arch, n_outputs=spec.n_outputs, mean=mean, std=std)
    if config.start_at_likelihood_ratio and _can_start_at_likelihood_ratio(config, spec):
        start = pools.start_templates(config)
        _start_at_likelihood_ratio(model, start, spec, b, s, mean, std)
    loss = "binary_crossentropy" if spec.n_outputs == 1 else "sparse_categorical_crossentropy"
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate), loss=loss)
    started = time.time()
    best, history = _fit(
        model,
        lambda: _epoch_histograms(pools.parts["train"], spec, b, s, config, rng),
        lambda: evaluate.score_auc(_predict(model, x_val, spec), y_val),
        config,
    )
    seconds = time.time() - started

    result = {
        "id": spec.model_id(snr),
        "kind": spec.kind,
        "benchmark": spec.benchmark,
        "snr": snr,
        "repeat": repeat,
        "seed": seed,
        "b": b,
        "s": s,
        "auc_val": evaluate.score_auc(_predict(model, x_val, spec), y_val),
        "val_auc_best": best,
        "epochs": len(history),
        "seconds": round(seconds, 1),
        "n_events": pools.n_events,
        "config": asdict(config),
        "history": history,
    }
    result.update(
        evaluate.measure(lambda x: _predict(model, x, spec), pools, spec, snr, b, s, config.n_test)
    )
    # the whole task (validation draw, start, fit, test measurement); `seconds` is the fit
    result["seconds_task"] = round(time.time() - task_started, 1)
    _save(model, result, out_dir)
    return result


PARAMETRIC_RANGE = (0.1, 10.0)  # S/sqrt(B) the parametric networks are trained over
VAL_SNRS = (0.33, 1.0, 3.3)  # where their validation AUC is watched (the mean of the three)


def _parametric_epoch(train, spec: Spec, b: int, config: TrainConfig, rng):
    """Fresh histograms, each block at its own S/sqrt(B), log-uniform over the range."""
    xs, snrs, ys = [], [], []
    low, high = np.log(PARAMETRIC_RANGE)
    for start in range(0, config.n_train, config.replica_block):
        n = min(config.replica_block, config.n_train - start)
        snr = float(np.exp(rng.uniform(low, high)))
        x, y = train.resampled(rng).draw(spec.classes, b, histograms.n_signal(snr, b), n, rng)
        xs.append(x)
        ys.append(y)
        snrs.append(np.full((len(x), 1), snr, dtype=np.float32))
    return [np.concatenate(xs), np.concatenate(snrs)], np.concatenate(ys)


def train_parametric(
    pools: Pools, spec: Spec, repeat: int, config: TrainConfig, out_dir: Path
) -> dict:
    """Train, evaluate and save one network conditioned on S/sqrt(B)."""
    import keras

    from dmzoo_training.model import build_parametric

    task_started = time.time()
    key = spec.seed_key
    seed = seed_of(key, repeat)
    _configure_tf(seed)
    b = config.b
    rng = np.random.default_rng(seed)
    val = []
    for snr in VAL_SNRS:
        s = histograms.n_signal(snr, b)
        x, y = pools.parts["val"].draw(
            spec.classes, b, s, config.n_val, np.random.default_rng(seed_of("val", key, snr))
        )
        val.append((x, np.full((len(x), 1), snr, dtype=np.float32), y))

    def predict(x, snr):
        return model.predict([x, snr], batch_size=2048, verbose=0).ravel()

    def validate():
        return float(np.mean([histograms.auc(predict(x, t), y) for x, t, y in val]))

    mean, std = _bin_moments(pools.parts["train"], b, seed, config.arch.normalization)
    signals = spec.classes[1]
    model = build_parametric(config.arch, mean=mean, std=std, n_models=len(signals), b=b)
    if config.start_at_likelihood_ratio and _can_start_at_likelihood_ratio(config, spec):
        start = pools.start_templates(config)
        ratios = np.stack([np.log(start[n] / start["sm"]).ravel() for n in signals], axis=1)
        offset = (mean - start["sm"]).reshape(-1, 1)
        layer = model.get_layer("likelihood_ratio")
        layer.set_weights([ratios.astype("float32"), offset.astype("float32")])
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate), loss="binary_crossentropy")
    started = time.time()
    best, history = _fit(
        model,
        lambda: _parametric_epoch(pools.parts["train"], spec, b, config, rng),
        validate,
        config,
    )
    seconds = time.time() - started
    result = {
        "id": spec.model_id(None),
        "kind": spec.kind,
        "benchmark": spec.benchmark,
        "snr": None,
        "snr_range": list(PARAMETRIC_RANGE),
        "repeat": repeat,
        "seed": seed,
        "b": b,
        "val_auc_best": best,
        "epochs": len(history),
        "seconds": round(seconds, 1),
        "n_events": pools.n_events,
        "config": asdict(config),
        "history": history,
    }
    result.update(evaluate.measure_parametric(predict, pools, spec, b, config.n_test))
    result["seconds_task"] = round(time.time() - task_started, 1)
    _save(model, result, out_dir)
    return result
