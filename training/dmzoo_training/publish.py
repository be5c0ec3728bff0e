"""Publish zoo/ to a model-hub repository: one commit of the manifest, every file it lists and
MODEL_CARD.md as the repository's README.md, then a tag naming the release.

Only what the manifest lists goes up, after every hash is checked, so the hub holds exactly
the zoo the runtime verifies. Files go up in one commit through `HfApi.create_commit`; the
client picks regular or LFS/Xet upload per file as the hub tells it. The tag defaults to
"v" + the manifest's zoo_version, the revision dmzoo's default points to.
"""

from __future__ import annotations

import logging
from pathlib import Path

from dmzoo.hub import MANIFEST
from dmzoo.registry import Zoo

log = logging.getLogger(__name__)


def zoo_operations(zoo_dir: Path, card: Path) -> list:
    """Commit operations for the verified zoo and its model card."""
    from huggingface_hub import CommitOperationAdd

    zoo = Zoo(zoo_dir)
    for entry in zoo.entries:
        zoo.path(entry)  # raises on a missing file or a hash that differs from the manifest
    for rel in zoo.file_hashes:
        zoo.file_path(rel)
    rels = [e.path for e in zoo.entries] + list(zoo.file_hashes)
    ops = [CommitOperationAdd(path_in_repo=MANIFEST, path_or_fileobj=str(zoo_dir / MANIFEST))]
    ops += [
        CommitOperationAdd(path_in_repo=rel, path_or_fileobj=str(zoo_dir / rel)) for rel in rels
    ]
    ops.append(CommitOperationAdd(path_in_repo="README.md", path_or_fileobj=str(card)))
    return ops


def publish(
    zoo_dir: Path,
    repo: str,
    *,
    tag: str | None = None,
    card: Path | None = None,
    endpoint: str | None = None,
    token: str | None = None,
    private: bool = False,
) -> dict:
    """Upload the zoo to `repo` (created if missing) and tag the commit; returns what was done.

    Raises:
        dmzoo.errors.ZooIntegrityError: a file of the zoo does not match its manifest.
        huggingface_hub.errors.HfHubHTTPError: the hub refused (a tag that exists, no rights).
    """
    from huggingface_hub import HfApi

    zoo_dir = Path(zoo_dir)
    card = card or zoo_dir.parent / "MODEL_CARD.md"
    version = Zoo(zoo_dir).version
    tag = tag or f"v{version}"
    ops = zoo_operations(zoo_dir, card)

    api = HfApi(endpoint=endpoint, token=token)
    api.create_repo(repo, private=private, exist_ok=True)
    if _exists(api, repo, tag):
        raise ValueError(
            f"{repo} already has a revision {tag}; a published tag never moves, so raise "
            "zoo_version or pass another --revision"
        )
    commit = api.create_commit(repo, ops, commit_message=f"dmzoo zoo {version}")
    api.create_tag(repo, tag=tag, revision=commit.oid, tag_message=f"dmzoo zoo {version}")
    log.info("published %d files to %s at %s (%s)", len(ops), repo, tag, commit.oid)
    return {
        "repo": repo,
        "tag": tag,
        "commit": commit.oid,
        "files": [op.path_in_repo for op in ops],
    }


def _exists(api, repo: str, revision: str) -> bool:
    """Whether the revision names something in the repository already (checked before the
    commit, so a refused tag leaves no stray commit behind)."""
    from huggingface_hub.errors import RevisionNotFoundError

    try:
        api.model_info(repo, revision=revision)
    except RevisionNotFoundError:
        return False
    return True
