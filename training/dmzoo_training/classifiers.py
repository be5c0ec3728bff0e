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

from dmzoo.registry import make_id

# The paper's Table 1 in order, with the multiclass labels of the seven trained models.
BENCHMARKS = (
    "alp",
    "spin0_offshell",
    "spin0_onshell",
    "spin0_offshell_ps",
    "spin1_offshell",
    "spin1_onshell",
    "spin1_offshell_ps",
    "spin2_offshell",
    "spin2_onshell",
    "spin2_offshell_ps",
)
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
MULTICLASS_THRESHOLD = 0.25  # a prediction counts if it is the top class and above 2 / 8


@dataclass(frozen=True)
class Spec:
    kind: str
    classes: tuple[tuple[str, ...], ...]
    benchmark: str | None  # the name in model ids and the manifest

    @property
    def labels(self) -> dict[str, str]:
        """Output index -> what it stands for, as written into the metadata."""
        if self.kind == "multimodel_binary":
            return {"0": "sm", "1": "any of " + ", ".join(LABELLED)}
        if self.kind == "model_vs_model":
            return {"0": self.classes[0][0], "1": self.classes[1][0]}
        return {str(i): (c[0] if c else "sm") for i, c in enumerate(self.classes)}

    @property
    def samples(self) -> tuple[str, ...]:
        """Every event sample the classifier draws from, the SM first."""
        signals = sorted({name for c in self.classes for name in c})
        return ("sm", *signals)

    @property
    def pool_samples(self) -> tuple[str, ...]:
        """What training and measuring load: multimodel networks are tested on all ten."""
        if self.kind in ("multimodel_binary", "multiclass"):
            return ("sm", *BENCHMARKS)
        return self.samples

    @property
    def n_outputs(self) -> int:
        return 1 if len(self.classes) == 2 else len(self.classes)

    @property
    def seed_key(self) -> str:
        """The name seeds derive from; a binary's is its benchmark, as in the first zoo."""
        return self.benchmark if self.kind == "binary" else make_id(self.kind, self.benchmark, None)

    def model_id(self, snr: float) -> str:
        return make_id(self.kind, self.benchmark, snr)


def binary(benchmark: str) -> Spec:
    return Spec("binary", ((), (benchmark,)), benchmark)


def multimodel_binary() -> Spec:
    return Spec("multimodel_binary", ((), LABELLED), None)


def multiclass() -> Spec:
    return Spec("multiclass", ((), *((b,) for b in LABELLED)), None)


def model_vs_model(a: str, b: str) -> Spec:
    return Spec("model_vs_model", ((a,), (b,)), f"{a}_vs_{b}")


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
    raise ValueError(f"no training spec for {model_id!r}")
