"""Quorum's abuse benchmark: the hostile-input probe's attacks (issue 12) replayed against a
real ``quorum serve``, each measured for what it costs everyone else.

The server runs as a subprocess (``--no-runner``, with ``quorum runner`` in a process of
its own beside it, so that the server's numbers are the requests' alone) on a free
loopback port, a fresh data folder and a fresh database (SQLite, or ``--database
postgresql`` on ``$QUORUM_TEST_DATABASE_URL``'s server), at the ``info`` log level (the
access log on, as in production), its output captured to a file. Each attack runs twice
per repeat: alone, for the server's CPU per request (less its idle CPU) and the log bytes
per request; then while a separate process sends ``{ viewer { name } }`` every 20 ms,
for the longest that query took (the stall) and the server's peak RSS. Each attack comes
from a loopback address of its own (127.0.0.10, .11, ...), the watcher from 127.0.0.1.

Goals (issue 12): no unauthenticated request costs more than 10 ms of server CPU or 1 KB
of log; no authenticated request stalls other requests more than 100 ms; the server's RSS
is back within 20 MB of its baseline after the run. They are printed as PASS or MISS next
to the numbers (medians over the repeats); the exit status is 0 either way.

Run ``.venv/bin/python -m benchmarks.abuse`` (full sizes, 3 repeats of each attack, about
five minutes on 2 CPUs) or ``--quick`` (small sizes, one repeat, under a minute).
``benchmarks/README.md`` describes every attack.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import io
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from multiprocessing import get_context
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import psutil
from PIL import Image
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from benchmarks.core import (
    DEFAULT_PG_URL,
    RESULTS_DIR,
    Server,
    ServeSetup,
    Target,
    create_jobs,
    environment,
    place_manifest,
    setup_serve,
    write_manifest,
)
from quorum.simulation.client import LeanClient

#: Where ``--pg-url`` comes from by default (the test suite's PostgreSQL server).
PG_URL_ENV = "QUORUM_TEST_DATABASE_URL"

# -- goals (issue 12) ----------------------------------------------------------------------

#: Server CPU an unauthenticated request may cost (seconds).
ANON_CPU_GOAL_S = 0.010
#: Log bytes an unauthenticated request may write (1 KB).
ANON_LOG_GOAL_BYTES = 1_000
#: How long an authenticated request may stall other requests (seconds).
STALL_GOAL_S = 0.100
#: How far the server's RSS may stay above its baseline after the run (20 MB).
RSS_GOAL_BYTES = 20_000_000

VIEWER = "query { viewer { name } }"
#: A token of the right form that no user holds.
BAD_TOKEN = "qrm_" + "x" * 43
#: How long the watcher waits between two ``viewer`` queries.
WATCH_INTERVAL_S = 0.020
#: How long a single attack request may take before it counts as a timeout.
REQUEST_TIMEOUT_S = 300.0
#: The size of the distinct documents: just under the 16 KiB query limit (the probe's
#: eight 2 MB documents are refused before they are parsed; see the huge floods).
DOCUMENT_BYTES = 16_000
#: Seconds the watcher runs alone to measure what its own requests cost the server.
CALIBRATION_S = 2.0
#: The image a segmentation item shows (the probe's 64 x 48).
ITEM_IMAGE = (64, 48)
SEGMENT_LABEL = "bird"


@dataclass(frozen=True)
class Sizes:
    """How big each attack is."""

    items: int  # items of the text job that items(first: 1000) and the subscriptions read
    typename_huge: int  # aliases of the huge __typename floods
    huge_requests: int  # requests of each huge __typename flood
    cheap_requests: int  # requests of each cheap unauthenticated attack
    body_bytes: int  # of the oversized bodies
    documents: int  # distinct documents of DOCUMENT_BYTES, with and without a token
    heavy_requests: int  # requests of each attack that reads many rows
    subscriptions: int  # jobProgress subscriptions on one websocket ...
    hold_s: float  # ... kept open this long
    mask_side: int  # the decompression bomb's width and height
    settle_s: float  # how long the watcher goes on after a mask is submitted


FULL = Sizes(
    items=200_000,
    typename_huge=300_000,
    huge_requests=3,
    cheap_requests=20,
    body_bytes=16 * 1024 * 1024,
    documents=8,
    heavy_requests=3,
    subscriptions=200,
    hold_s=5.0,
    mask_side=10_000,
    settle_s=3.0,
)
QUICK = Sizes(
    items=500,
    typename_huge=20_000,
    huge_requests=1,
    cheap_requests=5,
    body_bytes=1024 * 1024,
    documents=2,
    heavy_requests=1,
    subscriptions=200,
    hold_s=1.0,
    mask_side=2_000,
    settle_s=1.0,
)


@dataclass(frozen=True)
class Config:
    """What one run measures."""

    sizes: Sizes
    repeats: int
    attacks: list[str] | None
    database: str
    pg_url: str
    quick: bool
    results_dir: Path


# -- measuring the server ------------------------------------------------------------------


def rss_bytes(pid: int) -> int:
    """The resident set size of process ``pid``."""
    return int(psutil.Process(pid).memory_info().rss)


def _watch(base_url: str, token: str, pid: int, control: Connection) -> None:
    """The watcher process: on ``start``, send ``viewer`` every 20 ms and sample the
    server's RSS until ``stop``; then send back the latencies and the peak RSS."""
    with LeanClient(base_url, timeout=REQUEST_TIMEOUT_S) as client:
        while control.recv() == "start":
            latencies: list[float] = []
            failures: list[str] = []
            peak = rss_bytes(pid)
            while not control.poll(WATCH_INTERVAL_S):
                started = time.perf_counter()
                try:
                    client.graphql(token, VIEWER)
                except Exception as exc:
                    failures.append(f"{type(exc).__name__}: {exc}"[:200])
                latencies.append(time.perf_counter() - started)
                peak = max(peak, rss_bytes(pid))
            control.recv()  # "stop"
            control.send({"latencies": latencies, "failures": failures, "peak_rss": peak})


class Watcher:
    """A separate process polling ``viewer`` (so that the attacking client's own work
    cannot delay it: it has its own interpreter and GIL)."""

    def __init__(self, base_url: str, token: str, pid: int) -> None:
        context = get_context("spawn")
        self.control, child = context.Pipe()
        self.process = context.Process(
            target=_watch, args=(base_url, token, pid, child), daemon=True
        )
        self.process.start()

    def start(self) -> None:
        """Begin polling."""
        self.control.send("start")

    def stop(self) -> dict[str, Any]:
        """Stop polling (after the query in flight returns); what was seen."""
        self.control.send("stop")
        report: dict[str, Any] = self.control.recv()
        return report

    def close(self) -> None:
        """End the process."""
        self.control.send("quit")
        self.process.join(timeout=10)


@dataclass(frozen=True)
class Baseline:
    """The server left alone (its runner polls), and the watcher's polls with nothing
    else running."""

    idle_cpu_per_s: float
    latency_p50_s: float
    latency_max_s: float
    polls: int


@dataclass
class Measured:
    """One repeat of one attack: a quiet pass (CPU and log), then a watched pass (stall)."""

    requests: int
    outcomes: list[str]
    cpu_per_request_s: float
    log_per_request_bytes: float
    peak_extra_rss_bytes: int
    stall_s: float
    polls: int
    watcher_failures: list[str]


class Probe:
    """The server under attack, its log, and the watcher."""

    def __init__(self, server: Server, watcher: Watcher) -> None:
        assert server.process is not None
        self.server = server
        self.pid = server.process.pid
        self.watcher = watcher
        self.baseline = Baseline(0.0, 0.0, 0.0, 0)

    def log_bytes(self) -> int:
        """How much the server has written to its log so far."""
        return self.server.log_path.stat().st_size

    def calibrate(self) -> Baseline:
        """The server's CPU while idle, then the watcher's latency with nothing else."""
        cpu = self.server.cpu_seconds()
        time.sleep(CALIBRATION_S)
        idle_cpu_per_s = (self.server.cpu_seconds() - cpu) / CALIBRATION_S
        self.watcher.start()
        time.sleep(CALIBRATION_S)
        latencies = self.watcher.stop()["latencies"]
        self.baseline = Baseline(
            idle_cpu_per_s=idle_cpu_per_s,
            latency_p50_s=statistics.median(latencies),
            latency_max_s=max(latencies),
            polls=len(latencies),
        )
        return self.baseline

    def measure(self, attack: Callable[[], list[str]], settle_s: float) -> Measured:
        """Run ``attack`` (it returns one outcome per request) and wait ``settle_s`` for
        work it left behind, twice: alone, for the server's CPU and log per request (less
        its idle CPU), then with the watcher polling, for the longest stall."""
        rss, cpu, log = rss_bytes(self.pid), self.server.cpu_seconds(), self.log_bytes()
        started = time.perf_counter()
        outcomes = attack()
        time.sleep(settle_s)
        seconds = time.perf_counter() - started
        time.sleep(0.2)  # the last log lines
        requests = max(len(outcomes), 1)
        cpu_used = self.server.cpu_seconds() - cpu - seconds * self.baseline.idle_cpu_per_s
        log_written = self.log_bytes() - log
        self.watcher.start()
        attack()
        time.sleep(settle_s)
        report = self.watcher.stop()
        return Measured(
            requests=len(outcomes),
            outcomes=outcomes,
            cpu_per_request_s=max(cpu_used, 0.0) / requests,
            log_per_request_bytes=log_written / requests,
            peak_extra_rss_bytes=report["peak_rss"] - rss,
            stall_s=max(report["latencies"]),
            polls=len(report["latencies"]),
            watcher_failures=report["failures"],
        )


# -- sending ------------------------------------------------------------------------------


def outcome(status: int, payload: bytes) -> str:
    """``413``, ``500``, ``200 ok`` or ``200 BAD_INPUT``: the status and the first error's
    ``extensions.code`` of a GraphQL answer."""
    try:
        answer = json.loads(payload)
    except ValueError:
        return str(status)
    if not isinstance(answer, dict):
        return str(status)
    errors = answer.get("errors") or []
    if not errors:
        return f"{status} ok" if status == 200 else str(status)
    code = (errors[0].get("extensions") or {}).get("code") or "no code"
    return f"{status} {code}"


class Sender:
    """POSTs to ``/graphql`` of one server, one fresh connection per request (a refused
    body may close the connection), from the loopback address ``source``: each attack
    comes from an address of its own, so that what the server holds against one address
    (the limit on refused tokens) stays with that attack and spares the watcher."""

    def __init__(self, server: Server, source: str = "127.0.0.1") -> None:
        self.host, self.port, self.source = "127.0.0.1", server.port, source
        self.ws_url = f"ws://127.0.0.1:{server.port}/graphql"

    def post(self, body: bytes, token: str | None, *, chunked: bool = False) -> str:
        """Send one body, with ``Authorization: Bearer`` when ``token`` is given, whole or
        in 64 KiB chunks of ``Transfer-Encoding: chunked`` (no ``Content-Length``);
        the outcome."""
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        connection = http.client.HTTPConnection(
            self.host, self.port, timeout=REQUEST_TIMEOUT_S, source_address=(self.source, 0)
        )
        try:
            try:
                if chunked:
                    pieces = (body[start : start + 65536] for start in range(0, len(body), 65536))
                    connection.request("POST", "/graphql", pieces, headers, encode_chunked=True)
                else:
                    connection.request("POST", "/graphql", body, headers)
            except TimeoutError:
                return "timeout"
            except OSError:
                pass  # the server answered and closed before the body was all sent
            try:
                response = connection.getresponse()
                return outcome(response.status, response.read())
            except TimeoutError:
                return "timeout"
            except (OSError, http.client.HTTPException):
                return "connection closed"
        finally:
            connection.close()

    def each(
        self, bodies: Sequence[bytes], token: str | None, *, chunked: bool = False
    ) -> Callable[[], list[str]]:
        """An attack that posts ``bodies`` one after the other."""
        return lambda: [self.post(body, token, chunked=chunked) for body in bodies]


def body(query: str, variables: dict[str, Any] | None = None) -> bytes:
    """A GraphQL request body."""
    return json.dumps({"query": query, "variables": variables or {}}).encode()


def aliases(selection: str, count: int, prefix: str = "a") -> str:
    """A query selecting ``selection`` ``count`` times under distinct aliases."""
    return "{ " + " ".join(f"{prefix}{index}: {selection}" for index in range(count)) + " }"


def aliases_of_bytes(selection: str, size: int, prefix: str) -> str:
    """:func:`aliases` of about ``size`` bytes (each alias starts with ``prefix``, so that
    documents with different prefixes differ)."""
    each = len(f"{prefix}{size}: {selection} ")
    return aliases(selection, max(size // each, 1), prefix)


def deep_introspection(depth: int) -> str:
    """``__schema { types { fields { type { fields { type ... } } } } } }``, ``depth`` levels."""
    inner = "name"
    for _ in range(max(depth - 2, 2) // 2):
        inner = f"fields {{ type {{ {inner} }} }}"
    return f"{{ __schema {{ types {{ {inner} }} }} }}"


NESTED_CONNECTIONS = (
    "{ jobs(first: 100) { edges { node { id items(first: 1000) "
    "{ edges { node { id position manifestLine } } } } } } }"
)


# -- the decompression bomb ----------------------------------------------------------------


def png(width: int, height: int, mode: str = "RGB") -> bytes:
    """A blank PNG of ``width`` x ``height`` (mode ``1``, one bit a pixel, keeps a
    10,000 x 10,000 bomb at 12 MB in this process and a few hundred KB on the wire)."""
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, format="PNG")
    return buffer.getvalue()


def mask_answer(side: int) -> dict[str, Any]:
    """A segmentation answer whose mask is ``side`` x ``side`` pixels, and says so."""
    return {
        "labeledImage": {"pngImageData": base64.b64encode(png(side, side, "1")).decode("ascii")},
        "labelMappings": {SEGMENT_LABEL: {"color": "#ff7f0e"}},
        "inputImageProperties": {"width": side, "height": side},
    }


# -- the attacks ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Attack:
    """One row of the table."""

    name: str
    who: str  # "anonymous", "worker" or "requester"
    what: str
    run: Callable[[], list[str]]
    settle_s: float = 0.2


@dataclass(frozen=True)
class Victims:
    """What the attacks need from the server: tokens, and the jobs they read."""

    setup: ServeSetup
    text_job: str
    segment_job: str

    @property
    def worker(self) -> str:
        """The attacking worker's token (the watcher is the second worker)."""
        return self.setup.worker_tokens[0]


def subscription_flood(
    send: Sender, token: str, job_id: str, count: int, hold_s: float
) -> Callable[[], list[str]]:
    """``count`` ``jobProgress`` subscriptions on one graphql-transport-ws websocket, held
    open ``hold_s`` seconds; one outcome per subscription: ``next``, or the error code."""

    def attack() -> list[str]:
        seen: dict[str, str] = {}
        query = "subscription($id: ID!) { jobProgress(jobId: $id) { total humanLabeled } }"
        try:
            with connect(
                send.ws_url,
                subprotocols=[Subprotocol("graphql-transport-ws")],
                open_timeout=30,
                source_address=(send.source, 0),
            ) as ws:
                init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
                ws.send(json.dumps(init))
                if json.loads(ws.recv(timeout=30))["type"] != "connection_ack":
                    return ["no connection_ack"] * count
                for index in range(count):
                    payload = {"query": query, "variables": {"id": job_id}}
                    ws.send(json.dumps({"id": str(index), "type": "subscribe", "payload": payload}))
                deadline = time.monotonic() + hold_s
                while (left := deadline - time.monotonic()) > 0:
                    try:
                        message = json.loads(ws.recv(timeout=left))
                    except TimeoutError:
                        break
                    kind, key = message.get("type"), str(message.get("id"))
                    if kind == "next" and key not in seen:
                        errors = message["payload"].get("errors")
                        seen[key] = _error_code(errors[0]) if errors else "next"
                    elif kind == "error":
                        seen[key] = f"error {_error_code(message['payload'][0])}"
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd is not None else "none"
            return [seen.get(str(index), f"closed {code}") for index in range(count)]
        return [seen.get(str(index), "no answer") for index in range(count)]

    return attack


def _error_code(error: dict[str, Any]) -> str:
    """A GraphQL error's ``extensions.code``, or the start of its message if it has none."""
    code = (error.get("extensions") or {}).get("code")
    return str(code) if code else repr(str(error.get("message"))[:60])


def mask_bomb(
    server: Server, send: Sender, token: str, job_id: str, side: int
) -> Callable[[], list[str]]:
    """Claim a task of the segmentation job, then submit a ``side`` x ``side`` mask."""
    with LeanClient(server.base_url) as client:
        task = client.graphql(
            token, "mutation($id: ID) { claimTask(jobId: $id) { id } }", {"id": job_id}
        )["claimTask"]
    if task is None:
        raise RuntimeError("the segmentation job gave the worker no task")
    submit = (
        "mutation($id: ID!, $answer: JSON!) { submitTask(taskId: $id, answer: $answer) { id } }"
    )
    payload = body(submit, {"id": task["id"], "answer": mask_answer(side)})
    return send.each([payload], token)


def attacks(server: Server, victims: Victims, sizes: Sizes) -> Iterator[Attack]:
    """Every attack, in the order they run, its requests built before it runs (but for
    :func:`distinct_documents`, which makes new ones each time)."""
    addresses = (f"127.0.0.{number}" for number in itertools.count(10))

    def fresh() -> Sender:
        return Sender(server, next(addresses))

    cheap, worker, requester = sizes.cheap_requests, victims.worker, victims.setup.requester
    huge = body(aliases("__typename", sizes.typename_huge))
    yield Attack(
        "anon-typename",
        "anonymous",
        "2,000 aliased __typename",
        fresh().each([body(aliases("__typename", 2_000))] * cheap, None),
    )
    yield Attack(
        "anon-bad-token",
        "anonymous",
        "2,000 aliased __typename with a token nobody has",
        fresh().each([body(aliases("__typename", 2_000))] * cheap, BAD_TOKEN),
    )
    yield Attack(
        "anon-typename-huge",
        "anonymous",
        f"{sizes.typename_huge:,} aliased __typename ({len(huge) / 1e6:.1f} MB)",
        fresh().each([huge] * sizes.huge_requests, None),
    )
    yield Attack(
        "anon-unknown-fields",
        "anonymous",
        "2,000 aliased unknown fields (validation errors)",
        fresh().each([body(aliases("nope", 2_000))] * cheap, None),
    )
    yield Attack(
        "anon-deep-nesting",
        "anonymous",
        "introspection nested 100 deep",
        fresh().each([body(deep_introspection(100))] * cheap, None),
    )
    yield Attack(
        "anon-connections",
        "anonymous",
        "jobs(first: 100) > items(first: 1000)",
        fresh().each([body(NESTED_CONNECTIONS)] * cheap, None),
    )
    big = b" " * sizes.body_bytes
    yield Attack(
        "anon-body",
        "anonymous",
        f"{sizes.body_bytes / 2**20:g} MiB body with Content-Length",
        fresh().each([big] * 3, None),
    )
    yield Attack(
        "anon-chunked-body",
        "anonymous",
        f"{sizes.body_bytes / 2**20:g} MiB chunked body",
        fresh().each([big] * 3, None, chunked=True),
    )
    yield Attack(
        "anon-distinct-docs",
        "anonymous",
        f"{sizes.documents} different {DOCUMENT_BYTES // 1000} KB alias documents",
        distinct_documents(fresh(), sizes.documents, None),
    )
    deep_json = b'{"query": "query($v: JSON) { __typename }", "variables": {"v": ' + (
        b"[" * 1_000 + b"]" * 1_000 + b"}}"
    )
    yield Attack(
        "anon-deep-json",
        "anonymous",
        "JSON variables nested 1,000 deep",
        fresh().each([deep_json] * cheap, None),
    )
    digits = b"7" * 5_000
    yield Attack(
        "anon-big-int-variable",
        "anonymous",
        "a 5,000-digit integer variable",
        fresh().each(
            [
                b'{"query": "query($n: Int) { jobs(first: $n) { edges { node { id } } } }", '
                b'"variables": {"n": ' + digits + b"}}"
            ]
            * cheap,
            None,
        ),
    )
    yield Attack(
        "anon-big-int-literal",
        "anonymous",
        "a 5,000-digit integer in the query",
        fresh().each(
            [body("{ jobs(first: " + digits.decode() + ") { edges { node { id } } } }")] * cheap,
            None,
        ),
    )
    yield Attack(
        "anon-surrogate",
        "anonymous",
        "a lone surrogate (\\ud800) as an ID variable",
        fresh().each(
            [
                b'{"query": "query($id: ID!) { job(id: $id) { id } }", '
                b'"variables": {"id": "\\ud800"}}'
            ]
            * cheap,
            None,
        ),
    )
    yield Attack(
        "worker-typename-huge",
        "worker",
        f"{sizes.typename_huge:,} aliased __typename ({len(huge) / 1e6:.1f} MB)",
        fresh().each([huge] * sizes.huge_requests, worker),
    )
    yield Attack(
        "worker-available-jobs",
        "worker",
        "300 aliased availableJobs",
        fresh().each(
            [body(aliases("availableJobs { id name instructions labels }", 300))]
            * sizes.heavy_requests,
            worker,
        ),
    )
    yield Attack(
        "worker-mask-bomb",
        "worker",
        f"{sizes.mask_side:,} x {sizes.mask_side:,} PNG mask for a "
        f"{ITEM_IMAGE[0]} x {ITEM_IMAGE[1]} image",
        mask_bomb(server, fresh(), worker, victims.segment_job, sizes.mask_side),
        settle_s=sizes.settle_s,
    )
    items = (
        f'job(id: "{victims.text_job}") '
        "{ items(first: 1000) { edges { node { id position manifestLine } } } }"
    )
    yield Attack(
        "requester-items",
        "requester",
        f"100 aliased items(first: 1000) of a {sizes.items:,}-item job",
        fresh().each([body(aliases(items, 100))] * sizes.heavy_requests, requester),
    )
    yield Attack(
        "requester-connections",
        "requester",
        "jobs(first: 100) > items(first: 1000)",
        fresh().each([body(NESTED_CONNECTIONS)] * sizes.heavy_requests, requester),
    )
    yield Attack(
        "requester-distinct-docs",
        "requester",
        f"{sizes.documents} different {DOCUMENT_BYTES // 1000} KB alias documents",
        distinct_documents(fresh(), sizes.documents, requester),
    )
    yield Attack(
        "requester-subscriptions",
        "requester",
        f"{sizes.subscriptions} jobProgress on one websocket, {sizes.hold_s:g} s "
        f"({sizes.items:,} items)",
        subscription_flood(fresh(), requester, victims.text_job, sizes.subscriptions, sizes.hold_s),
    )


def distinct_documents(send: Sender, count: int, token: str | None) -> Callable[[], list[str]]:
    """An attack that posts ``count`` alias documents of :data:`DOCUMENT_BYTES`, each one
    the server has not seen before (the parse and validation caches cannot help)."""
    turns = itertools.count()

    def attack() -> list[str]:
        turn = next(turns)
        return [
            send.post(
                body(aliases_of_bytes("__typename", DOCUMENT_BYTES, f"t{turn}d{index}_")), token
            )
            for index in range(count)
        ]

    return attack


# -- setting up ----------------------------------------------------------------------------


def setup(server: Server, root: Path, sizes: Sizes) -> Victims:
    """Users, a team, a text job of ``sizes.items`` items and a one-item segmentation job
    on a 64 x 48 image, all IN_PROGRESS."""
    people = setup_serve(server, workers=2)
    objects = server.data_dir / "objects"
    manifest = place_manifest(
        write_manifest(root / "text.manifest", sizes.items), objects, "abuse-text.manifest"
    )
    (text_job,) = create_jobs(server, people, manifest, 1)
    image = objects / "abuse-image.png"
    image.write_bytes(png(*ITEM_IMAGE))
    segments = objects / "abuse-segments.manifest"
    segments.write_text(json.dumps({"source-ref": f"file://{image}"}) + "\n")
    (segment_job,) = create_jobs(
        server, people, segments, 1, task_type="semantic-segmentation", labels=[SEGMENT_LABEL]
    )
    return Victims(setup=people, text_job=text_job, segment_job=segment_job)


def warm_up(server: Server, victims: Victims) -> None:
    """One ordinary request of each kind the attacks abuse, so that the baseline RSS
    includes what any first request loads."""
    with LeanClient(server.base_url) as client:
        client.graphql(victims.worker, VIEWER)
        client.graphql(victims.worker, "{ availableJobs { id name } }")
        client.graphql(
            victims.setup.requester,
            "query($id: ID!) { job(id: $id) { items(first: 10) { edges { node { id } } } } }",
            {"id": victims.text_job},
        )
    subscription_flood(Sender(server), victims.setup.requester, victims.text_job, 1, 0.5)()


# -- reporting -----------------------------------------------------------------------------


def summarize(outcomes: Sequence[str]) -> str:
    """``200 BAD_INPUT x20``: each outcome and how often."""
    counts = Counter(outcomes)
    return ", ".join(f"{name} x{count}" for name, count in counts.most_common())


def judge(who: str, cpu_s: float, log_bytes: float, stall_s: float) -> tuple[str, bool]:
    """The goal that applies to the attacker, and whether the numbers meet it."""
    if who == "anonymous":
        return "<= 10 ms CPU, <= 1 KB log", cpu_s <= ANON_CPU_GOAL_S and (
            log_bytes <= ANON_LOG_GOAL_BYTES
        )
    return "stall <= 100 ms", stall_s <= STALL_GOAL_S


def report(
    attack: Attack, repeats: list[Measured], before_rss: int, after_rss: int
) -> dict[str, Any]:
    """The row of one attack: medians over its repeats, its RSS growth over all of them."""
    cpu = statistics.median(one.cpu_per_request_s for one in repeats)
    log = statistics.median(one.log_per_request_bytes for one in repeats)
    stall = statistics.median(one.stall_s for one in repeats)
    goal, met = judge(attack.who, cpu, log, stall)
    return {
        "name": attack.name,
        "who": attack.who,
        "what": attack.what,
        "requests": repeats[0].requests,
        "outcomes": summarize(repeats[0].outcomes),
        "cpu_ms": cpu * 1000,
        "log_bytes": log,
        "extra_rss_mb": (after_rss - before_rss) / 1e6,
        "peak_extra_rss_mb": max(one.peak_extra_rss_bytes for one in repeats) / 1e6,
        "stall_ms": stall * 1000,
        "stall_max_ms": max(one.stall_s for one in repeats) * 1000,
        "watcher_failures": [text for one in repeats for text in one.watcher_failures],
        "goal": goal,
        "pass": met,
        "repeats": [asdict(one) for one in repeats],
    }


def print_table(rows: Sequence[dict[str, Any]]) -> None:
    """One line per attack."""
    header = [
        "attack", "who", "what", "req", "answered", "CPU ms/req", "log B/req",
        "RSS +MB", "peak +MB", "stall ms", "max", "goal", "",
    ]  # fmt: skip
    lines = [header]
    for row in rows:
        lines.append(
            [
                row["name"], row["who"], row["what"], str(row["requests"]), row["outcomes"],
                f"{row['cpu_ms']:.2f}", f"{row['log_bytes']:,.0f}", f"{row['extra_rss_mb']:.1f}",
                f"{row['peak_extra_rss_mb']:.1f}", f"{row['stall_ms']:.0f}",
                f"{row['stall_max_ms']:.0f}", row["goal"], "PASS" if row["pass"] else "MISS",
            ]
        )  # fmt: skip
    widths = [max(len(line[index]) for line in lines) for index in range(len(header))]
    for line in lines:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        )


# -- the run -------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> Config:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat")
    parser.add_argument("--repeats", type=int, help="runs of each attack (3; --quick 1)")
    parser.add_argument("--items", type=int, help="items of the text job (200000; --quick 500)")
    parser.add_argument("--attacks", help="comma-separated attack names (default: all)")
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgresql"],
        default="sqlite",
        help="the server's database: a SQLite file, or a fresh PostgreSQL database on "
        "--pg-url's server, dropped afterwards",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(PG_URL_ENV) or DEFAULT_PG_URL,
        help=f"a PostgreSQL server to create the database on (${PG_URL_ENV})",
    )
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.items:
        sizes = replace(sizes, items=args.items)
    names = [name.strip() for name in args.attacks.split(",")] if args.attacks else None
    return Config(
        sizes=sizes,
        repeats=args.repeats or (1 if args.quick else 3),
        attacks=names,
        database=args.database,
        pg_url=args.pg_url,
        quick=bool(args.quick),
        results_dir=args.results_dir,
    )


def choose(planned: Sequence[Attack], names: list[str] | None) -> list[Attack]:
    """The attacks ``--attacks`` names (all of them by default)."""
    known = [attack.name for attack in planned]
    unknown = sorted(set(names or ()) - set(known))
    if unknown:
        raise SystemExit(f"--attacks: unknown {', '.join(unknown)} (known: {', '.join(known)})")
    return [attack for attack in planned if names is None or attack.name in names]


def measure_all(server: Server, root: Path, config: Config) -> dict[str, Any]:
    """Set the server up, measure the watcher alone, then every attack in turn."""
    started = time.perf_counter()
    victims = setup(server, root, config.sizes)
    print(f"set up on {config.database} in {time.perf_counter() - started:.1f} s", flush=True)
    chosen = choose(list(attacks(server, victims, config.sizes)), config.attacks)
    warm_up(server, victims)
    assert server.process is not None
    watcher = Watcher(server.base_url, victims.setup.worker_tokens[1], server.process.pid)
    try:
        probe = Probe(server, watcher)
        time.sleep(1.0)
        baseline_rss = rss_bytes(probe.pid)
        calibration = probe.calibrate()
        print(
            f"baseline: RSS {baseline_rss / 1e6:.1f} MB, idle CPU "
            f"{calibration.idle_cpu_per_s * 1000:.1f} ms/s; the watcher alone: "
            f"{calibration.polls} polls, p50 {calibration.latency_p50_s * 1000:.1f} ms, "
            f"max {calibration.latency_max_s * 1000:.1f} ms",
            flush=True,
        )
        rows = []
        for attack in chosen:
            before = rss_bytes(probe.pid)
            repeats = [probe.measure(attack.run, attack.settle_s) for _ in range(config.repeats)]
            row = report(attack, repeats, before, rss_bytes(probe.pid))
            print(
                f"{attack.name}: {row['outcomes']}; {row['cpu_ms']:.2f} ms CPU, "
                f"{row['log_bytes']:,.0f} B log per request; stall {row['stall_ms']:.0f} ms"
                + (
                    f"; the watcher failed: {row['watcher_failures']}"
                    if row["watcher_failures"]
                    else ""
                ),
                flush=True,
            )
            rows.append(row)
        time.sleep(2.0)
        final_rss = rss_bytes(probe.pid)
    finally:
        watcher.close()
    return {
        "baseline_rss_mb": baseline_rss / 1e6,
        "final_rss_mb": final_rss / 1e6,
        "rss_pass": final_rss - baseline_rss <= RSS_GOAL_BYTES,
        "watcher": asdict(calibration),
        "attacks": rows,
    }


def run(config: Config) -> dict[str, Any]:
    """A server on a fresh database and data folder, attacked; removed afterwards."""
    target = Target(config.database, config.pg_url)
    problem = target.available()
    if problem is not None:
        raise SystemExit(problem)
    with tempfile.TemporaryDirectory(prefix="quorum-abuse-") as folder:
        root = Path(folder)
        with target.database(root / "data") as url:
            server = Server(root / "data", url, runner=False, log_level="info")
            server.start()
            try:
                with runner_beside(server):
                    return measure_all(server, root, config)
            finally:
                server.stop()


@contextmanager
def runner_beside(server: Server) -> Iterator[None]:
    """``quorum runner`` in a process of its own on the server's database and data folder
    (as a deployment may run it), so that the server's CPU and RSS are the requests' alone:
    a runner pass over a job of many items costs tens of milliseconds every half second."""
    with open(server.data_dir / "runner.log", "ab") as log:
        process = subprocess.Popen(
            [server.quorum, "runner"], env=server.env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; goals are reported, not enforced (the exit status is 0)."""
    config = parse_args(argv)
    result = run(config)
    print()
    print_table(result["attacks"])
    growth = result["final_rss_mb"] - result["baseline_rss_mb"]
    verdict = "PASS" if result["rss_pass"] else "MISS"
    print(
        f"\nRSS after the run {result['final_rss_mb']:.1f} MB, baseline "
        f"{result['baseline_rss_mb']:.1f} MB: {growth:+.1f} MB (goal <= +20 MB) {verdict}"
    )
    missed = [row["name"] for row in result["attacks"] if not row["pass"]]
    print(
        f"goals met by {len(result['attacks']) - len(missed)} of {len(result['attacks'])} attacks"
    )
    config.results_dir.mkdir(parents=True, exist_ok=True)
    path = config.results_dir / "abuse.json"
    payload = {"config": asdict(config), "environment": environment(), **result}
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    print(f"results written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
