"""Choosing a zoo: the shipped copy, a folder, or a revision of a model-hub repository.

The shipped copy is the default and needs no network. A hub zoo is fetched with
huggingface_hub into its cache and used from there: the revision (tag, branch or commit) is
resolved to one commit first, so every file of a zoo comes from the same commit, and then each
file is downloaded when first needed (`list` reads the manifest only, `score` one model and its
tables). Every downloaded file is checked against the manifest's sha256 before use; a file that
does not match is deleted from the cache and refused.

When the hub cannot be reached (HF_HUB_OFFLINE, no connection, a server error) a zoo
selection falls back to the shipped copy with a one-line warning; asking that fallback for a
model only the hub has is then an error that says how to get it. An unknown repository or
revision is an error, not a fallback: the shipped copy is not what was asked for.

Known shortcomings: once the revision is resolved, a server error on a file makes
huggingface_hub retry with backoff (about half a minute) before dmzoo reports it; the revision
call itself does not retry, so the fallback decision is quick. Silencing the client's progress
bars and retry log flips process-wide switches for the length of one download, which another
thread downloading at the same moment would notice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dmzoo import constants
from dmzoo.errors import (
    HubError,
    HubUnavailableError,
    InvalidParameterError,
    ModelNotFoundError,
    ZooIntegrityError,
)
from dmzoo.registry import ModelEntry, Zoo, sha256_file, shipped_zoo_path

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class HubSource:
    """A repository on the model hub and the revision asked for."""

    repo: str
    revision: str

    def __str__(self) -> str:
        return f"{self.repo}@{self.revision}"

    def fetch_hint(self, *names: str) -> str:
        """The command that fetches this source (and the named models) into the cache."""
        return " ".join(["dmzoo fetch --repo", self.repo, "--revision", self.revision, *names])


def hub_source(repo: str | None = None, revision: str | None = None) -> HubSource | None:
    """The hub zoo the options or environment ask for, or None for no hub zoo."""
    repo = repo or constants.hub_repo()
    revision = revision or constants.hub_revision()
    if repo is None and revision is None:
        return None
    source = HubSource(
        repo or constants.DEFAULT_HUB_REPO, revision or constants.DEFAULT_HUB_REVISION
    )
    _check_repo_id(source.repo)
    return source


def _check_repo_id(repo: str) -> None:
    """A repository id the hub could never hold is a bad option value, not a hub failure."""
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(repo)
    except HFValidationError as err:
        raise InvalidParameterError(
            f"repository id {repo!r} (--repo or DMZOO_HUB_REPO) is not valid on the model "
            f"hub ({_short(err)}); give one such as {constants.DEFAULT_HUB_REPO}"
        ) from None


def select_zoo(
    zoo_path: Path | None = None, *, repo: str | None = None, revision: str | None = None
) -> Zoo:
    """The zoo the options select: --zoo, else --repo/--revision, else the environment
    (DMZOO_ZOO, then DMZOO_HUB_REPO/DMZOO_HUB_REVISION), else the shipped copy.

    Raises:
        InvalidParameterError: --zoo given together with --repo or --revision.
        HubError: the hub answered that the repository or revision does not exist, or the
            cache cannot be written.
    """
    if zoo_path is not None and (repo or revision):
        raise InvalidParameterError(
            "--zoo and --repo/--revision select different zoos; give one of them"
        )
    if zoo_path is not None:
        return Zoo(zoo_path)

    source = hub_source(repo, revision)
    if source is None or (not (repo or revision) and constants.zoo_override()):
        return Zoo.default()
    try:
        return HubZoo.open(source)
    except HubUnavailableError as err:
        fallback = ShippedFallback(source, reason=str(err))
        log.warning("%s", fallback.warning)
        return fallback


def _client():
    """huggingface_hub, imported on first use: it is slow to import and most runs never fetch."""
    import huggingface_hub

    return huggingface_hub


def _cache_error(err: OSError, cache: Path, source: HubSource) -> HubError:
    return HubError(
        f"cannot write the model cache {cache} ({err.strerror or err}); set HF_HUB_CACHE "
        "(or HF_HOME) to a writable directory",
        repo=source.repo,
        revision=source.revision,
    )


def _translate(err: Exception, source: HubSource, what: str, cache: Path) -> HubError:
    """One of our errors for what huggingface_hub raised while getting `what`."""
    errors = _client().errors
    if isinstance(err, errors.RepositoryNotFoundError) or (
        isinstance(err, errors.HfHubHTTPError) and _status(err) == 401
    ):
        return HubError(
            f"no repository {source.repo} on the hub (or it is private); check --repo or "
            "DMZOO_HUB_REPO, and log in with `hf auth login` for a private one",
            repo=source.repo,
        )
    if isinstance(err, errors.RevisionNotFoundError):
        return HubError(
            f"repository {source.repo} has no revision {source.revision!r}; check --revision "
            "or DMZOO_HUB_REVISION against the repository's tags",
            repo=source.repo,
            revision=source.revision,
        )
    if isinstance(err, errors.RemoteEntryNotFoundError):
        return HubError(
            f"{source} lacks {what}, which its manifest lists; the published zoo is "
            "incomplete, use another revision",
            repo=source.repo,
            revision=source.revision,
        )
    # A file system error carries an errno; huggingface_hub's own OSErrors (a download cut
    # short, "Consistency check failed") and its HTTP errors do not.
    if (
        isinstance(err, OSError)
        and err.errno is not None
        and not isinstance(err, (errors.HfHubHTTPError, errors.EntryNotFoundError))
    ):
        return _cache_error(err, cache, source)
    if constants.hf_offline():
        return HubUnavailableError(
            f"{what} of zoo {source} is not in the cache and HF_HUB_OFFLINE is set; run "
            f"`{source.fetch_hint()}` while online",
            repo=source.repo,
            revision=source.revision,
        )
    if isinstance(err, (OSError, errors.OfflineModeIsEnabled)) or _is_network(err):
        return HubUnavailableError(
            f"the hub at {constants.hf_endpoint() or 'huggingface.co'} could not give {what} of "
            f"zoo {source} ({_short(err)}); retry later or run `{source.fetch_hint()}`",
            repo=source.repo,
            revision=source.revision,
        )
    raise err


def _status(err: Exception) -> int | None:
    response = getattr(err, "response", None)
    return getattr(response, "status_code", None)


def _is_network(err: Exception) -> bool:
    """True for the transport errors of the HTTP client huggingface_hub uses (httpx or a
    fork of it), whose module name we do not want to depend on."""
    return any(
        cls.__name__ in ("TransportError", "HTTPError") and "httpx" in cls.__module__
        for cls in type(err).__mro__
    )


def _short(err: Exception) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    return text if len(text) <= 120 else text[:117] + "..."


@contextmanager
def _quiet_client() -> Iterator[None]:
    """huggingface_hub without progress bars, and without its retry warnings unless dmzoo
    runs verbose: dmzoo reports progress per file and says in one line what failed."""
    utils = _client().utils
    bars_were_off = utils.are_progress_bars_disabled()
    hf_log = logging.getLogger("huggingface_hub")
    level = hf_log.level
    utils.disable_progress_bars()
    if not log.isEnabledFor(logging.INFO):
        hf_log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        hf_log.setLevel(level)
        if not bars_were_off:
            utils.enable_progress_bars()


def _download(source: HubSource, filename: str, revision: str, cache: Path) -> Path:
    """One file of the repository at `revision`, from the cache or the hub."""
    hf = _client()
    try:
        with _quiet_client():
            found = hf.hf_hub_download(
                source.repo,
                filename,
                revision=revision,
                cache_dir=cache,
                endpoint=constants.hf_endpoint(),
                local_files_only=constants.hf_offline(),
            )
        return Path(found)
    except Exception as err:  # noqa: BLE001  every failure becomes one of ours
        raise _translate(err, source, filename, cache) from err


def resolve_commit(source: HubSource, cache: Path) -> str:
    """The commit the revision names now, or, offline or with the hub down, the one the
    cache recorded for it when it was last fetched."""
    hf = _client()
    why = ""
    if not constants.hf_offline():
        try:
            # One call that fails fast: the file downloads retry for half a minute on a server
            # error before giving up, too long to wait before falling back.
            hf.HfApi(endpoint=constants.hf_endpoint()).model_info(
                source.repo, revision=source.revision
            )
            # Fetching the manifest by the revision's name records name -> commit in the
            # cache (refs/), which is what lets a later run find it offline.
            return _download(source, MANIFEST, source.revision, cache).parent.name
        except HubError:
            raise
        except Exception as err:  # noqa: BLE001
            translated = _translate(err, source, "the revision", cache)
            if not isinstance(translated, HubUnavailableError):
                raise translated from err
            log.info("%s; trying the cache", translated)
            status = _status(err)
            why = f" (HTTP {status})" if status else f" ({_short(err)})"
    manifest = _cached(source, cache)
    if manifest is None:
        if constants.hf_offline():
            raise HubUnavailableError(
                f"zoo {source} is not in the cache and HF_HUB_OFFLINE is set; run "
                f"`{source.fetch_hint()}` while online",
                repo=source.repo,
                revision=source.revision,
            )
        raise HubUnavailableError(
            f"the hub could not be reached for zoo {source}{why} and the cache does not hold it; "
            f"retry later or run `{source.fetch_hint()}` where the hub is reachable",
            repo=source.repo,
            revision=source.revision,
        )
    # The cache keeps snapshots by commit: the manifest's folder names it.
    return manifest.parent.name


def _cached(source: HubSource, cache: Path) -> Path | None:
    """The cached manifest of the source's revision, without any network."""
    found = _client().try_to_load_from_cache(
        source.repo, MANIFEST, cache_dir=cache, revision=source.revision
    )
    return Path(found) if isinstance(found, str) else None


def discard(path: Path) -> None:
    """Remove a cached file: the snapshot's link and the blob it points to."""
    blob = path.resolve()
    for p in (path, blob):
        p.unlink(missing_ok=True)


class HubZoo(Zoo):
    """A zoo in the hub cache, one commit of one repository; files arrive on first use."""

    def __init__(self, root: Path, source: HubSource, commit: str, cache: Path) -> None:
        super().__init__(root)
        self.source = source
        self.commit = commit
        self.cache = cache

    @classmethod
    def open(cls, source: HubSource) -> HubZoo:
        """Resolve the revision and fetch the manifest (or find both in the cache)."""
        cache = constants.hf_cache_dir()
        commit = resolve_commit(source, cache)
        manifest = _download(source, MANIFEST, commit, cache)
        log.info("zoo %s is commit %s in %s", source, commit, manifest.parent)
        return cls(manifest.parent, source, commit, cache)

    def fetch(self, rel: str, sha256: str) -> Path:
        """The file `rel`, downloaded if need be and matching `sha256`, or an error."""
        path = _download(self.source, rel, self.commit, self.cache)
        digest = sha256_file(path)
        if digest != sha256:
            discard(path)
            raise ZooIntegrityError(
                f"{rel} from {self.source} has sha256 {digest[:12]}..., the manifest says "
                f"{sha256[:12]}...; deleted it from the cache and refused it, fetch again or "
                "report the broken upload"
            )
        return path

    def path(self, entry: ModelEntry) -> Path:
        return self.fetch(entry.path, entry.sha256)

    def file_path(self, rel: str) -> Path:
        expected = self.file_hashes.get(rel)
        if expected is None:
            return super().file_path(rel)  # the error for a file the manifest does not list
        return self.fetch(rel, expected)

    def needed(self, model_ids: tuple[str, ...] = ()) -> list[tuple[str, str]]:
        """(path, sha256) of every file, or of the named models and the tables and templates
        that scoring them needs."""
        if not model_ids:
            entries = self.entries
            files = list(self.file_hashes.items())
        else:
            entries = [self.get(m) for m in model_ids]
            files = [
                (rel, sha)
                for rel, sha in self.file_hashes.items()
                if rel.startswith(("tables/", "templates/"))
            ]
        return [(e.path, e.sha256) for e in entries] + files

    def fetch_all(
        self,
        model_ids: tuple[str, ...] = (),
        progress: Callable[[int, int, str], None] | None = None,
    ) -> list[str]:
        """Fetch what `needed` lists, reporting (done, total, path) after each file."""
        todo = self.needed(model_ids)
        for i, (rel, sha) in enumerate(todo, 1):
            self.fetch(rel, sha)
            if progress:
                progress(i, len(todo), rel)
        return [MANIFEST] + [rel for rel, _ in todo]


class ShippedFallback(Zoo):
    """The shipped zoo standing in for a hub zoo that could not be reached. A model only the
    hub has is an error that names the way to fetch it."""

    def __init__(self, source: HubSource, *, reason: str) -> None:
        super().__init__(shipped_zoo_path())
        self.source = source
        self.reason = reason
        # Answers carry it too (a score's JSON `warnings`), so a script sees the stand-in.
        self.warning = f"{reason}; using the zoo shipped with dmzoo instead ({self.version})"

    def _only_on_hub(self, what: str, names: tuple[str, ...] = ()) -> HubError:
        return HubError(
            f"{what} is not in the shipped zoo {self.version} and the hub could not give "
            f"zoo {self.source}; run `{self.source.fetch_hint(*names)}` where the hub is "
            "reachable (not with HF_HUB_OFFLINE=1)",
            repo=self.source.repo,
            revision=self.source.revision,
        )

    def get(self, model_id: str) -> ModelEntry:
        try:
            return super().get(model_id)
        except ModelNotFoundError:
            raise self._only_on_hub(f"model {model_id!r}", (model_id,)) from None

    def nearest(self, benchmark: str, snr: float, kind: str = "binary") -> ModelEntry:
        try:
            return super().nearest(benchmark, snr, kind)
        except ModelNotFoundError as err:
            # The shipped zoo's own hint (a close name) still helps when the name is a typo.
            raise self._only_on_hub(f"a {kind} model for {benchmark!r} ({err})") from None

    def file_path(self, rel: str) -> Path:
        if rel not in self.file_hashes:
            raise self._only_on_hub(rel)
        return super().file_path(rel)
