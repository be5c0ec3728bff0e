"""Every environment variable dmzoo reads, and the defaults they override, in one place.

dmzoo's own:

DMZOO_DEBUG          show tracebacks from the CLI (any non-empty value but 0)
DMZOO_ZOO            path of a zoo folder to use instead of the one shipped in the package
DMZOO_HUB_REPO       model-hub repository to take the zoo from (default DEFAULT_HUB_REPO
                     once a hub zoo is asked for)
DMZOO_HUB_REVISION   its revision: tag, branch or commit (default DEFAULT_HUB_REVISION)

Setting either DMZOO_HUB_ variable selects a hub zoo, as `--repo`/`--revision` do; options beat
the environment, and DMZOO_ZOO beats the DMZOO_HUB_ variables. Without any of them dmzoo uses
the shipped copy and never touches the network.

huggingface_hub's, read here at call time (the library reads them once, at import) so that
every fetch follows the environment of the moment:

HF_HUB_OFFLINE       1: no network; hub zoos come from the cache or not at all
HF_ENDPOINT          the hub's address (default https://huggingface.co)
HF_HUB_CACHE         where fetched zoos are kept (default $HF_HOME/hub)
HF_HOME              huggingface_hub's home (default ~/.cache/huggingface)
"""

from __future__ import annotations

import os
from pathlib import Path

FORMAT_VERSION = "1"  # of the ONNX metadata contract and the manifest

# The hub repository the zoo is published to, and the tag of the release whose content ships
# inside the package (tag = "v" + the manifest's zoo_version; a test holds the two together).
DEFAULT_HUB_REPO = "dmzoo/monojet-histogram-classifiers"
DEFAULT_HUB_REVISION = "v0.1.0"


def debug() -> bool:
    return os.environ.get("DMZOO_DEBUG", "") not in ("", "0")


def zoo_override() -> Path | None:
    value = os.environ.get("DMZOO_ZOO")
    return Path(value) if value else None


def hub_repo() -> str | None:
    return os.environ.get("DMZOO_HUB_REPO") or None


def hub_revision() -> str | None:
    return os.environ.get("DMZOO_HUB_REVISION") or None


def hf_offline() -> bool:
    """huggingface_hub's offline switch, with its own reading of true values."""
    value = os.environ.get("HF_HUB_OFFLINE") or os.environ.get("TRANSFORMERS_OFFLINE") or ""
    return value.upper() in ("1", "ON", "YES", "TRUE")


def hf_endpoint() -> str | None:
    value = os.environ.get("HF_ENDPOINT")
    return value.rstrip("/") if value else None


def hf_cache_dir() -> Path:
    """The hub cache huggingface_hub would use: $HF_HUB_CACHE, else $HF_HOME/hub."""
    if os.environ.get("HF_HUB_CACHE"):
        return Path(os.path.expandvars(os.environ["HF_HUB_CACHE"])).expanduser()
    home = os.environ.get("HF_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join("~", ".cache"), "huggingface"
    )
    return Path(os.path.expandvars(home)).expanduser() / "hub"
