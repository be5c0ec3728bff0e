"""What each kind of classifier tells apart (the paper's sections 3, 4.4 and 5).

A classifier is a list of classes; a class is the set of signal samples its histograms hold
(none: B + S SM events; otherwise B SM events plus S events of one of the samples).

- `binary`: SM only against SM + one benchmark (section 3).
- `multimodel_binary`: SM only against SM + any of the seven labelled benchmarks (section 5.1).
- `multiclass`: SM only and each of the seven labelled benchmarks, eight classes (section 5.2).
- `model_vs_model`: SM + one benchmark against SM + another (section 4.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from dmzoo.registry import BENCHMARKS, make_id

# The multiclass labels 1-7 of the seven trained models (the paper's Table 1).
LABELLED = (
    "alp",
    "spin0_offshell",
    "spin0_onshell",
    "spin1_offshell",
    "spin1_offshell_ps",
    "spin2_onshell",
    "spin2_offshell_ps",
)
HELD_OUT = tuple(b for b in BENCHMARKS if b not in LABELLED)
# Section 4.4 sets the on-shell mediators and the ALP against each other.
VERSUS = ("alp", "spin0_onshell", "spin1_onshell", "spin2_onshell")
SNR_GRID = (0.1, 0.15, 0.22, 0.33, 0.45, 0.67, 1.0, 1.5, 2.2, 3.3, 4.5, 6.7, 10.0)
MULTICLASS_THRESHOLD = 0.25  # a prediction counts if it is the top class and above 2 / 8


@dataclass(frozen=True)
class Spec:
    kind: str
    classes: tuple[tuple[str, ...], ...]
    benchmark: str | None  # the name in model ids and the manifest

    @property
    def labels(self) -> dict[str, str]:
        """Output index -> what it stands for, as written into the metadata."""
        if self.kind == "model_vs_model":
            return {"0": self.classes[0][0], "1": self.classes[1][0]}
        return {str(i): _class_name(c) for i, c in enumerate(self.classes)}

    @property
    def samples(self) -> tuple[str, ...]:
        """Every event sample the classifier draws from, the SM first."""
        signals = sorted({name for c in self.classes for name in c})
        return ("sm", *signals)

    @property
    def pool_samples(self) -> tuple[str, ...]:
        """What training and measuring load: multimodel networks are tested on all ten."""
        if self.kind in ("multimodel_binary", "multiclass") or len(self.classes[-1]) > 1:
            return ("sm", *BENCHMARKS)
        return self.samples

    @property
    def conditioned(self) -> bool:
        """A parametric network: S/sqrt(B) is an input, one network for the whole range."""
        return self.kind == "parametric"

    @property
    def n_outputs(self) -> int:
        return 1 if len(self.classes) == 2 else len(self.classes)

    @property
    def seed_key(self) -> str:
        """The name seeds derive from; a binary's is its benchmark, as in the first zoo."""
        return self.benchmark if self.kind == "binary" else make_id(self.kind, self.benchmark, None)

    def model_id(self, snr: float | None) -> str:
        return make_id(self.kind, self.benchmark, None if self.conditioned else snr)


def _class_name(signals: tuple[str, ...]) -> str:
    if not signals:
        return "sm"
    return signals[0] if len(signals) == 1 else "any of " + ", ".join(signals)


def binary(benchmark: str) -> Spec:
    return Spec("binary", ((), (benchmark,)), benchmark)


def multimodel_binary() -> Spec:
    return Spec("multimodel_binary", ((), LABELLED), None)


def multiclass() -> Spec:
    return Spec("multiclass", ((), *((b,) for b in LABELLED)), None)


def model_vs_model(a: str, b: str) -> Spec:
    return Spec("model_vs_model", ((a,), (b,)), f"{a}_vs_{b}")


def parametric(benchmark: str | None) -> Spec:
    """The network for every S/sqrt(B) of one benchmark, or the multimodel one (None)."""
    signals = LABELLED if benchmark is None else (benchmark,)
    return Spec("parametric", ((), signals), benchmark)


def all_model_vs_model() -> list[Spec]:
    return [model_vs_model(a, b) for a, b in combinations(VERSUS, 2)]


def from_id(model_id: str) -> Spec:
    """The spec behind a model id (its S/sqrt(B) part ignored)."""
    from dmzoo.registry import parse_id

    kind, benchmark, _ = parse_id(model_id)
    if kind == "binary":
        return binary(benchmark)
    if kind == "multimodel_binary":
        return multimodel_binary()
    if kind == "multiclass":
        return multiclass()
    if kind == "model_vs_model":
        a, b = benchmark.split("_vs_")
        return model_vs_model(a, b)
    if kind == "parametric":
        return parametric(benchmark)
    raise ValueError(f"no training spec for {model_id!r}")
