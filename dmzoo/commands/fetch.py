"""`dmzoo fetch`: put a hub zoo into the local cache ahead of use (say, before going offline)."""

from __future__ import annotations

import click

from dmzoo.commands import dump, hub_choice, hub_options, json_option


@click.command()
@click.argument("models", nargs=-1)
@hub_options
@json_option
def fetch(models: tuple[str, ...], as_json: bool) -> None:
    """Fetch a zoo from the model hub into the cache: every file, or the named MODELS with the
    manifest, tables and templates. Each file is checked against the manifest's sha256.

    \b
    Examples:
      dmzoo fetch
      dmzoo fetch --revision v0.1.0 binary-spin1_offshell-snr1
    """
    from dmzoo import constants
    from dmzoo.hub import HubSource, HubZoo, hub_source

    repo, revision = hub_choice()
    source = hub_source(repo, revision) or HubSource(
        constants.DEFAULT_HUB_REPO, constants.DEFAULT_HUB_REVISION
    )
    # Said once the revision is found, so that a failure to find it is the only line.
    zoo = HubZoo.open(source)
    click.echo(f"Fetching zoo {source} into {constants.hf_cache_dir()}", err=True)

    def progress(done: int, total: int, rel: str) -> None:
        click.echo(f"  [{done}/{total}] {rel}", err=True)

    files = zoo.fetch_all(models, progress=progress)
    if as_json:
        click.echo(
            dump(
                {
                    "repo": source.repo,
                    "revision": source.revision,
                    "commit": zoo.commit,
                    "zoo_version": zoo.version,
                    "path": str(zoo.root),
                    "files": files,
                }
            )
        )
        return
    click.echo(
        f"zoo {zoo.version} from {source} (commit {zoo.commit[:12]}): {len(files)} files "
        f"verified in {zoo.root}"
    )
