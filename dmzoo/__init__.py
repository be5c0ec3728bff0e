"""dmzoo: pretrained histogram classifiers for dark matter in monojet events at the LHC.

    >>> import dmzoo
    >>> result = dmzoo.score("data.root", benchmark="spin1_offshell", snr=1.2)  # doctest: +SKIP

The heavy imports (uproot, onnxruntime) happen on first use, so `import dmzoo` is quick.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["Zoo", "ScoreResult", "score", "__version__"]


def __getattr__(name: str) -> Any:
    if name == "score":
        from dmzoo.scoring import score

        return score
    if name == "ScoreResult":
        from dmzoo.scoring import ScoreResult

        return ScoreResult
    if name == "Zoo":
        from dmzoo.registry import Zoo

        return Zoo
    raise AttributeError(f"module 'dmzoo' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
