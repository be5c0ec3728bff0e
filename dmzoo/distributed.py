"""Filling the histogram on a Dask cluster: uproot.dask reads the trees, dask-histogram fills.

Needs the `dask` extra (dask, dask-awkward, dask-histogram, distributed). The scheduler is
`"local"` (a LocalCluster over this machine's cores, on 127.0.0.1), the address of a running
scheduler (`tcp://host:8786`), or a `distributed.Client` the caller already holds. Workers
read the files by the paths given here, so on a cluster they must see the same file system,
and they need dmzoo installed.

Every partition goes through `_bin_codes`, built on `events.leading_jets` and the `binning`
rules of the single-process path, so both give the same histogram bin for bin. The event
bookkeeping rides in the flow bins of the pT axis: an event with no usable jet is filled at
pT bin -1 (underflow), one whose leading jet falls outside the histogram at pT bin 30
(overflow). A third axis holds each event's `events.jet_flags`, for the notes about awkward
jets. One histogram per file thus carries every count and note the report lists.

NOTE: each file gets its own `uproot.dask` call, so the client opens every file once (to
locate its tree) and the graph grows with the number of files; fine for hundreds of files. For
many thousands, one call over all files with per-file partition bookkeeping would scale better.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from dmzoo import binning, events, filesets
from dmzoo import selection as selections
from dmzoo.errors import (
    BranchNotFoundError,
    DmzooError,
    InvalidParameterError,
    MissingDependencyError,
)

log = logging.getLogger(__name__)

LOCAL = "local"
INSTALL = "pip install 'dmzoo[dask]'"
# Loopback only, the status pages included (the scheduler and workers always serve HTTP; on
# a free port): a local cluster is for this machine's cores, not a service.
LOCAL_CLUSTER: dict[str, Any] = {
    "host": "127.0.0.1",
    "dashboard_address": "127.0.0.1:0",
    "worker_dashboard_address": "127.0.0.1:0",
    "threads_per_worker": 1,
    # Its workers' shutdown warnings (a worker killed after Ctrl-C) are not the user's business.
    "silence_logs": logging.CRITICAL,
}
CONNECT_TIMEOUT = "10s"


def require(option: str = "--dask/--scheduler") -> None:
    """Import the extra's packages, or say in one line what to install."""
    try:
        import dask  # noqa: F401
        import dask_awkward  # noqa: F401
        import dask_histogram  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as err:
        raise MissingDependencyError(
            f"{option} needs the dask extra ({err.name} is missing); install it with {INSTALL}"
        ) from None


@contextmanager
def connect(scheduler: Any) -> Iterator[Any]:
    """A `distributed.Client` for `scheduler`; one this function starts it also closes.

    Raises:
        InvalidParameterError: no scheduler answers at the address.
    """
    from distributed import Client

    if isinstance(scheduler, Client):
        yield scheduler
        return
    if scheduler == LOCAL:
        with _local_cluster() as cluster, Client(cluster) as client:
            log.info("local Dask cluster with %d workers", len(cluster.workers))
            yield client
        return
    try:
        client = Client(str(scheduler), timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError, ValueError) as err:
        raise InvalidParameterError(
            f"--scheduler {scheduler}: no Dask scheduler answered ({events._one_line(err)}); "
            "give the address `dask scheduler` prints (tcp://host:8786) or use --dask"
        ) from None
    with client:
        yield client


@contextmanager
def _ctrl_c_ignored() -> Iterator[None]:
    """SIGINT ignored while the cluster starts, which its worker processes inherit.

    Ctrl-C then reaches only this process, which closes the cluster and with it the workers,
    and no worker prints a traceback of its own. A cluster interrupted half-started would also
    fail distributed's exit hook with one. Shortcoming: a Ctrl-C in the second or two of the
    start is lost; the next one counts.
    """
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def _local_cluster() -> Any:
    from distributed import LocalCluster

    try:
        with _ctrl_c_ignored():
            return LocalCluster(**LOCAL_CLUSTER)
    except Exception as err:  # distributed wraps whatever stopped it in a RuntimeError
        raise InvalidParameterError(
            f"--dask: could not start a local Dask cluster ({events._one_line(err)}); "
            "start one with `dask scheduler` and `dask worker` and pass --scheduler"
        ) from None


def read(
    specs: Sequence[str],
    *,
    scheduler: Any = LOCAL,
    pt_branch: str | None = None,
    eta_branch: str | None = None,
    selection: selections.Selection | str | None = None,
) -> events.FilledHistogram:
    """The zoo's histogram of every file `specs` name, filled on a Dask cluster.

    Files are located here, by the rules of `events.read` (which tree, which branches); the
    trees are read and filled by the workers. A TH2 is already a histogram: it is read here.
    The workers apply the paper's rule only: a selection with a cut that would run on one of
    the trees (a `monojet` selection on Delphes or NanoAOD) is refused before any work.

    Raises:
        MissingDependencyError: the dask extra is not installed.
        InvalidParameterError: no scheduler at the address; a selection cut would run.
        InputFileError, BranchNotFoundError, BinningError: as `events.read`.
    """
    require()
    chosen = selections.get(selection)
    targets = {
        s: events.locate(s, pt_branch=pt_branch, eta_branch=eta_branch)
        for s in filesets.expand(specs)
    }
    filesets.refuse_same_objects(targets)
    _refuse_cuts(chosen, targets)
    lazy = {s: _lazy_histogram(t) for s, t in targets.items() if _on_workers(t)}
    with connect(scheduler) as client:
        filled = _compute(client, lazy, targets)
    parts = []
    for spec, target in targets.items():
        if spec in filled:
            part = filled[spec]
            events.add_jet_notices(part, f"{target.path.name}:{target.name}")
            part.selection = _paper_rule_report(chosen, target, part)
        else:
            part = _read_here(spec, target, chosen)
        part.source = events.describe(target)
        parts.append((spec, part))
    return filesets.combine(parts)


def _refuse_cuts(chosen: selections.Selection, targets: dict[str, events.Target]) -> None:
    """The workers fill by the paper's rule; a cut that would run needs one process.

    TODO: the cuts could run on the workers too (their branches read by uproot.dask, the
    failing cut's index carried as a bin code like the bookkeeping); until then, one process.
    """
    for spec, target in targets.items():
        if not _on_workers(target):
            continue
        if chosen.jes:
            raise InvalidParameterError(
                f"{spec}: --jes runs in one process only; drop --dask/--scheduler"
            )
        found = selections.resolve(chosen, target.branches)
        ready = [c.name for c in chosen.cuts() if all(q in found for q in c.needs)]
        if ready:
            raise InvalidParameterError(
                f"{spec}: --selection {chosen.name} (cuts {', '.join(ready)}) runs in one "
                "process only; drop --dask/--scheduler, or pass --selection leading-jet"
            )


def _paper_rule_report(
    chosen: selections.Selection, target: events.Target, part: events.FilledHistogram
) -> selections.SelectionReport:
    """The cutflow of a tree filled on the workers: no cut of `chosen` had its branches."""
    found = selections.resolve(chosen, target.branches)
    report = selections.empty_report(chosen, found, f"tree {target.name!r}")
    report.n_read = part.n_events
    for cut in report.cuts:
        cut.events = part.n_selected
    said = selections.notice(report, f"{target.path.name}:{target.name}")
    if said:
        part.notices.append(said)
    return report


def _on_workers(target: events.Target) -> bool:
    """TTrees go to the workers; TH2s and RNTuples are read here (see `_read_here`)."""
    return target.is_tree and "RNTuple" not in target.classname


def _read_here(
    spec: str, target: events.Target, chosen: selections.Selection
) -> events.FilledHistogram:
    """A TH2 is already a histogram, nothing to distribute. An RNTuple is read here because
    uproot 5.7's dask reader of RNTuples cannot be sent to a worker (its task fails to
    unpickle, KeyError '__setstate__'); once uproot fixes that, RNTuples can go to the workers.
    """
    part = events.read(
        spec,
        pt_branch=target.pt_key or None,
        eta_branch=target.eta_key or None,
        selection=chosen,
    )
    if target.is_tree:
        part.notices.append(
            f"{spec}: an RNTuple, read on this machine, not on the Dask workers (uproot's "
            "dask reader of RNTuples does not reach workers yet)"
        )
    return part


def _lazy_histogram(target: events.Target) -> Any:
    """The dask-histogram of one tree's bin codes, not yet computed."""
    import boost_histogram as bh
    import dask_awkward as dak
    import dask_histogram.boost as dhb
    import uproot

    pt_name, eta_name = _field(target.pt_key), _field(target.eta_key)
    try:
        arrays = uproot.dask(
            {str(target.path): target.key},
            filter_name=[pt_name, eta_name],
            step_size=events.STEP_SIZE,
        )
    except DmzooError:
        raise
    except Exception as err:  # as in events.read: a damaged file fails deep in uproot
        raise events.damaged(target.path, err) from None
    codes = dak.map_partitions(
        _bin_codes, arrays[pt_name], arrays[eta_name], meta=_codes_meta(), label="dmzoo-bins"
    )
    hist = dhb.Histogram(
        bh.axis.Integer(0, binning.N_BINS, underflow=True, overflow=True),
        bh.axis.Integer(0, binning.N_BINS, underflow=False, overflow=False),
        bh.axis.Integer(0, events.N_FLAGS, underflow=False, overflow=False),
        storage=bh.storage.Int64(),
    )
    return hist.fill(codes.i, codes.j, codes.f)


def _field(key: str) -> str:
    """uproot.dask names each field by the branch's own name, without its parents."""
    return key.rsplit("/", 1)[-1]


def _compute(
    client: Any, lazy: dict[str, Any], targets: dict[str, events.Target]
) -> dict[str, events.FilledHistogram]:
    """Every file's histogram from the cluster, a failure named by its file."""
    futures = dict(zip(lazy, client.compute(list(lazy.values())), strict=True))
    done = {}
    for spec, future in futures.items():
        target = targets[spec]
        try:
            done[spec] = _from_codes(future.result())
        except ValueError as err:  # pT and eta do not pair up, as in events.fill_from_tree
            raise BranchNotFoundError(
                f"{spec}: {target.pt_key} and {target.eta_key}: {err}", path=spec
            ) from None
        except Exception as err:
            raise events.damaged(target.path, err) from None
    return done


def _from_codes(hist: Any) -> events.FilledHistogram:
    """Counts and bookkeeping from a histogram of bin codes (see the module's docstring)."""
    by_flags = np.asarray(hist.values(flow=True), dtype=np.float64)
    values = by_flags.sum(axis=2)
    n_no_jet, n_out = int(values[0].sum()), int(values[-1].sum())
    counts = values[1:-1]
    n_bad, n_negative, n_unsorted = events.count_flags(by_flags.sum(axis=(0, 1)))
    return events.FilledHistogram(
        counts=counts,
        n_events=int(values.sum()),
        n_selected=int(counts.sum()),
        n_no_jet=n_no_jet,
        n_out_of_range=n_out,
        n_bad_jet_events=n_bad,
        n_negative_pt_events=n_negative,
        n_unsorted=n_unsorted,
    )


def _bin_codes(pt: Any, eta: Any) -> Any:
    """Per event, the leading jet's (pT bin, eta bin); pT bin -1: no jet, 30: outside; and
    the event's `events.jet_flags`."""
    import awkward as ak

    if ak.backend(pt, eta) == "typetracer":
        # dask-awkward traces the graph without data to learn which columns it reads.
        ak.typetracer.touch_data(pt)
        ak.typetracer.touch_data(eta)
        return _codes_meta()
    lead_pt, lead_eta, has = events.leading_jets(pt, eta)
    inside = has & binning.in_range(lead_pt, lead_eta)
    i = np.where(has, binning.N_BINS, -1)
    j = np.zeros(len(has), dtype=np.int64)
    i[inside] = binning.bin_index(lead_pt[inside], *binning.PT_RANGE)
    j[inside] = binning.bin_index(lead_eta[inside], *binning.ETA_RANGE)
    return ak.zip({"i": i, "j": j, "f": events.jet_flags(pt, eta)})


def _codes_meta() -> Any:
    """What `_bin_codes` returns, as a typetracer of unknown length."""
    import awkward as ak

    empty = ak.zip(
        {"i": np.zeros(0, np.int64), "j": np.zeros(0, np.int64), "f": np.zeros(0, np.int64)}
    )
    return ak.Array(empty.layout.to_typetracer(forget_length=True))
