"""Quorum's core benchmarks: manifest ingest, claim+submit over HTTP, output-manifest writing.

Run ``.venv/bin/python benchmarks/core.py`` (both databases, full sizes) or add ``--quick``
for a smoke run (SQLite, tiny sizes, under a minute). Every stage goes through the real
code: the ingest and output stages drive :mod:`quorum.runner` on a job created by
:mod:`quorum.services`, and the claim+submit stage talks HTTP to a real ``quorum serve``
subprocess. ``benchmarks/README.md`` explains what each number means.

Results are printed as a table with PASS/FAIL against the project's goals and written to
``benchmarks/results/core-<database>.json``.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import platform
import pstats
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from quorum.simulation.client import GraphQLFailed, LeanClient

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from quorum.db.engine import Database
    from quorum.models import Job
    from quorum.plugins import PluginHost
    from quorum.settings import Settings

# -- goals --------------------------------------------------------------------------------

INGEST_GOAL = 50_000  # items/s, with flat memory
CLAIM_GOAL = 250  # iterations/s for one client ...
CLAIM_P95_GOAL_MS = 10.0  # ... with p95 below this
OUTPUT_GOAL = 100_000  # items/s

#: Peak-RSS growth of the largest ingest may exceed the smallest's by this much (MiB) or
#: by this fraction of it, whichever is larger, and still count as flat.
FLAT_SLACK_MIB = 16.0
FLAT_SLACK_RATIO = 0.25

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
LABELS = ["negative", "positive"]
TASK_TYPE = "text-classification"
CLAIM = "mutation($jobId: ID) { claimTask(jobId: $jobId) { id } }"
SUBMIT = (
    "mutation($taskId: ID!, $answer: JSON!) { submitTask(taskId: $taskId, answer: $answer) { id } }"
)
ANSWER = {"label": "positive"}
WORDS = (
    "the product arrived on time and works exactly as described in the listing "
    "battery life is shorter than promised but the screen is bright and sharp "
    "customer support answered quickly and replaced the broken part for free"
).split()


# -- configuration ------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """What one benchmark run measures."""

    databases: list[str]
    sizes: list[int]
    clients: list[int]
    duration: float
    warmup: float
    rounds: int
    client_mode: str
    serve_items: int
    serve_runner: bool
    pg_url: str
    profile: int
    py_spy: str | None
    quick: bool
    keep: bool
    results_dir: Path


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line (``--child`` is internal: one measured stage in a subprocess)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", help="comma-separated: sqlite,postgresql (default both)")
    parser.add_argument("--sizes", help="manifest sizes (default 100000,1000000)")
    parser.add_argument("--clients", help="concurrent clients per level (default 1,4,16)")
    parser.add_argument("--duration", type=float, help="seconds per claim+submit level (10)")
    parser.add_argument("--warmup", type=float, help="warm-up seconds before each level (1)")
    parser.add_argument("--rounds", type=int, help="rounds of the 1-client level (3)")
    parser.add_argument(
        "--client-mode",
        choices=["auto", "threads", "processes"],
        default="auto",
        help="clients as threads of this process or one process each "
        "(auto: processes above 4 clients on machines with 8+ CPUs, else threads)",
    )
    parser.add_argument(
        "--serve-items", type=int, help="items of each claim+submit job (50000; --quick 5000)"
    )
    parser.add_argument(
        "--no-serve-runner",
        action="store_true",
        help="serve with --no-runner during claim+submit (the job is ingested first by a "
        "runner that then stops): isolates the request path from consolidation",
    )
    parser.add_argument("--pg-url", default=os.environ.get("QUORUM_BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also profile N in-process claim+submit iterations with cProfile",
    )
    parser.add_argument(
        "--py-spy",
        metavar="PATH",
        help="sample the server with this py-spy during an extra 1-client round and print "
        "where its time goes ('auto': py-spy from PATH, if any)",
    )
    parser.add_argument("--quick", action="store_true", help="a small smoke run (< 60 s)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folders")
    parser.add_argument("--results-dir", help="where core-<db>.json go (benchmarks/results)")
    parser.add_argument("--child", choices=["ingest", "output"], help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--lines", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _ints(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def find_py_spy(value: str | None) -> str | None:
    """The py-spy executable to use, if any (``auto`` looks it up on PATH)."""
    if value is None:
        return None
    if value == "auto":
        return shutil.which("py-spy")
    return value


def build_config(args: argparse.Namespace) -> Config:
    """Defaults for a full run, or for ``--quick``; explicit flags win either way."""
    quick = bool(args.quick)
    databases = args.databases or ("sqlite" if quick else "sqlite,postgresql")
    names = [name.strip() for name in databases.split(",") if name.strip()]
    unknown = set(names) - {"sqlite", "postgresql"}
    if unknown:
        raise SystemExit(f"--databases: unknown {', '.join(sorted(unknown))}")
    clients = _ints(args.clients or ("1,4" if quick else "1,4,16"))
    duration = args.duration or (2.0 if quick else 10.0)
    warmup = args.warmup if args.warmup is not None else (0.5 if quick else 1.0)
    rounds = args.rounds or (1 if quick else 3)
    return Config(
        databases=names,
        sizes=_ints(args.sizes or ("500,2000" if quick else "100000,1000000")),
        clients=clients,
        duration=duration,
        warmup=warmup,
        rounds=rounds,
        client_mode=args.client_mode,
        serve_items=args.serve_items or (5_000 if quick else 50_000),
        serve_runner=not args.no_serve_runner,
        pg_url=args.pg_url,
        profile=args.profile,
        py_spy=find_py_spy(args.py_spy),
        quick=quick,
        keep=bool(args.keep),
        results_dir=Path(args.results_dir).resolve() if args.results_dir else RESULTS_DIR,
    )


# -- small helpers ------------------------------------------------------------------------


def mib(kib: float) -> float:
    """KiB (``ru_maxrss`` on Linux) as MiB."""
    return round(kib / 1024, 1)


def _proc_status_kib(field_name: str) -> int | None:
    """A ``VmRSS``/``VmHWM``-style field of ``/proc/self/status`` in KiB (Linux only)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def start_rss_window() -> int:
    """Reset this process's peak RSS where the kernel allows it (``clear_refs`` 5 resets
    ``VmHWM``), so that the next :func:`peak_rss_kib` covers what follows alone; returns
    the current RSS in KiB (the baseline)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
    except OSError:
        pass
    current = _proc_status_kib("VmRSS")
    return current if current is not None else peak_rss_kib()


def peak_rss_kib() -> int:
    """The peak resident set size of this process (since :func:`start_rss_window` where
    supported), in KiB."""
    peak = _proc_status_kib("VmHWM")
    if peak is not None:
        return peak
    maximum = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maximum // 1024 if sys.platform == "darwin" else maximum


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0..100) of ``values``, linearly interpolated."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def verdict(ok: bool) -> str:
    """PASS or FAIL."""
    return "PASS" if ok else "FAIL"


def free_port() -> int:
    """A TCP port on the loopback interface that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def manifest_line(number: int) -> str:
    """One text-classification manifest line: ~120 characters of varied review text."""
    start = (number * 7) % len(WORDS)
    words = [WORDS[(start + step) % len(WORDS)] for step in range(14 + number % 7)]
    return json.dumps({"source": f"Review {number}: {' '.join(words)}", "id": number}) + "\n"


def write_manifest(path: Path, lines: int) -> Path:
    """Write a manifest of ``lines`` lines (once; reused when it already exists)."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    with open(temp, "w", encoding="utf-8", buffering=1 << 20) as handle:
        for number in range(lines):
            handle.write(manifest_line(number))
    temp.replace(path)
    return path


def place_manifest(source: Path, objects_dir: Path, name: str) -> Path:
    """Put a manifest into a data folder's ``objects/`` (hard link, copy as a fallback)."""
    objects_dir.mkdir(parents=True, exist_ok=True)
    target = objects_dir / name
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
    return target


# -- databases ----------------------------------------------------------------------------


class Target:
    """A scratch database per use: a SQLite file in the data folder, or a PostgreSQL
    database created and dropped on the server at ``pg_url``."""

    def __init__(self, name: str, pg_url: str) -> None:
        self.name = name
        self.pg_url = pg_url

    def _admin(self, statement: str) -> None:
        import psycopg

        plain = self.pg_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute(statement)

    def available(self) -> str | None:
        """``None`` if the database can be used, else why not."""
        if self.name == "sqlite":
            return None
        try:
            self._admin("SELECT 1")
        except Exception as exc:
            return f"PostgreSQL at {self.pg_url} is not reachable: {exc}"
        return None

    @contextmanager
    def database(self, data_dir: Path) -> Iterator[str]:
        """A fresh, empty database URL for one stage; dropped afterwards (PostgreSQL)."""
        if self.name == "sqlite":
            data_dir.mkdir(parents=True, exist_ok=True)
            yield f"sqlite:///{data_dir / 'quorum.db.engine'}"
            return
        name = f"quorum_bench_{uuid.uuid4().hex[:10]}"
        self._admin(f'CREATE DATABASE "{name}"')
        try:
            yield self.pg_url.rsplit("/", 1)[0] + "/" + name
        finally:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- stage 1 and 3: ingest and output, each in a fresh subprocess ------------------------


def _settings(data_dir: Path, url: str) -> Settings:
    from quorum.settings import Settings

    return Settings.from_env({"QUORUM_DATA_DIR": str(data_dir), "QUORUM_DATABASE_URL": url})


def _create_job(db: Database, plugins: PluginHost, settings: Settings, manifest: Path) -> int:
    """A requester, a team and a text-classification job on ``manifest``, made by the
    services in one write transaction; returns the job id."""
    from quorum.services.jobs import JobSpec, create_job
    from quorum.services.users import create_team, create_user
    from quorum.statuses import Role

    with db.write() as session:
        requester, _token = create_user(
            session, name="bench-requester", role=Role.REQUESTER, actor_id=None
        )
        worker, _token = create_user(session, name="bench-worker", role=Role.WORKER, actor_id=None)
        assert worker.id is not None
        team = create_team(session, name="bench-team", member_ids=[worker.id], actor_id=None)
        spec = JobSpec(
            name="bench-ingest",
            task_type=TASK_TYPE,
            input_manifest=f"file://{manifest}",
            labels=list(LABELS),
            team_id=team.id,
            workers_per_item=1,
        )
        job = create_job(
            session,
            spec=spec,
            actor=requester,
            plugins=plugins,
        )
        assert job.id is not None
        return job.id


def child_ingest(data_dir: Path, url: str, lines: int) -> dict[str, Any]:
    """Migrate, create the job, then time one runner pass that ingests the manifest."""
    from quorum.db.engine import Database
    from quorum.db.migrate import upgrade
    from quorum.models import Job
    from quorum.plugins import PluginHost
    from quorum.runner.loop import Runner
    from quorum.services.jobs import counters
    from quorum.statuses import JobStatus

    settings = _settings(data_dir, url)
    settings.prepare_data_dir()
    upgrade(url)
    plugins = PluginHost(settings)
    db = Database(url, after_commit=plugins.event)
    job_id = _create_job(db, plugins, settings, settings.objects_dir / "input.manifest")
    baseline = start_rss_window()
    started = time.perf_counter()
    Runner(db, plugins).run_once()
    seconds = time.perf_counter() - started
    peak = peak_rss_kib()
    with db.read() as session:
        job = session.get(Job, job_id)
        assert job is not None
        status, reason = job.status, job.failure_reason
        total = counters(session, job_id).total
    db.dispose()
    if status != JobStatus.IN_PROGRESS or total != lines:
        raise SystemExit(f"ingest went wrong: job {status} ({reason}), {total}/{lines} items")
    return {
        "items": lines,
        "seconds": round(seconds, 3),
        "items_per_s": round(lines / seconds),
        "baseline_rss_mib": mib(baseline),
        "peak_rss_mib": mib(peak),
        "rss_growth_mib": mib(peak - baseline),
    }


def _label_all(db: Database, plugins: PluginHost, job: Job) -> float:
    """Mark every item HUMAN_LABELED with a realistic output fragment (one bulk UPDATE,
    alternating the two labels); returns the seconds it took (setup, not measured)."""
    from sqlalchemy import text

    from quorum.consensus import Consolidated
    from quorum.output_manifest import label_fragment, labeled_output

    task_type = plugins.task_types.get(job.task_type, "taskType")
    fragments = [
        label_fragment(
            job.label_attribute_name,
            *labeled_output(task_type, Consolidated(label, 0.93), job.labels, job.name),
        )
        for label in job.labels
    ]
    started = time.perf_counter()
    with db.write() as session:
        session.execute(
            text(
                "UPDATE items SET status = 'HUMAN_LABELED', open = :no, confidence = 0.93, "
                "output = CASE WHEN position % 2 = 0 THEN :first ELSE :second END "
                "WHERE job_id = :job_id"
            ),
            {"no": False, "first": fragments[0], "second": fragments[1], "job_id": job.id},
        )
    return time.perf_counter() - started


def count_lines(path: Path) -> int:
    """How many lines a file has."""
    total = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            total += chunk.count(b"\n")
    return total


def child_output(data_dir: Path, url: str, lines: int) -> dict[str, Any]:
    """Label every item of the ingested job, then time writing its output manifest."""
    from sqlmodel import select

    from quorum.db.engine import Database
    from quorum.models import Job
    from quorum.output_manifest import write_output_manifest
    from quorum.plugins import PluginHost

    settings = _settings(data_dir, url)
    plugins = PluginHost(settings)
    db = Database(url, after_commit=plugins.event)
    with db.read() as session:
        job = session.exec(select(Job)).one()
    setup = _label_all(db, plugins, job)
    baseline = start_rss_window()
    started = time.perf_counter()
    with db.read() as session:
        output_url = write_output_manifest(session, plugins.storage, job)
    seconds = time.perf_counter() - started
    peak = peak_rss_kib()
    db.dispose()
    path = Path(output_url.removeprefix("file://"))
    written = count_lines(path)
    size = path.stat().st_size
    path.unlink()
    if written != lines:
        raise SystemExit(f"output went wrong: {written} lines written, {lines} expected")
    return {
        "items": lines,
        "seconds": round(seconds, 3),
        "items_per_s": round(lines / seconds),
        "bytes": size,
        "label_setup_seconds": round(setup, 2),
        "baseline_rss_mib": mib(baseline),
        "peak_rss_mib": mib(peak),
        "rss_growth_mib": mib(peak - baseline),
    }


def run_child(stage: str, data_dir: Path, url: str, lines: int) -> dict[str, Any]:
    """Run one stage in a fresh interpreter and return what it printed (a JSON object)."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        stage,
        "--data-dir",
        str(data_dir),
        "--database-url",
        url,
        "--lines",
        str(lines),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{stage} child failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def memory_flat(ingests: Sequence[dict[str, Any]]) -> bool | None:
    """Whether the peak-RSS growth of the largest ingest stayed within the slack of the
    smallest's; ``None`` with a single size."""
    if len(ingests) < 2:
        return None
    ordered = sorted(ingests, key=lambda row: row["items"])
    small, large = ordered[0]["rss_growth_mib"], ordered[-1]["rss_growth_mib"]
    return bool(large - small <= max(FLAT_SLACK_MIB, FLAT_SLACK_RATIO * small))


def bench_ingest_output(
    target: Target, config: Config, root: Path, manifests: dict[int, Path]
) -> dict[str, Any]:
    """Stages 1 and 3 for every size: ingest into a fresh database, then write its output."""
    ingests: list[dict[str, Any]] = []
    outputs: list[dict[str, Any]] = []
    for size in config.sizes:
        data_dir = root / f"{target.name}-ingest-{size}"
        with target.database(data_dir) as url:
            place_manifest(manifests[size], data_dir / "objects", "input.manifest")
            ingest = run_child("ingest", data_dir, url, size)
            print(
                f"  ingest {size:>9,} items: {ingest['items_per_s']:>9,} items/s  "
                f"peak RSS {ingest['peak_rss_mib']} MiB (baseline {ingest['baseline_rss_mib']})",
                flush=True,
            )
            output = run_child("output", data_dir, url, size)
            print(
                f"  output {size:>9,} items: {output['items_per_s']:>9,} items/s  "
                f"({output['bytes'] / 1e6:.0f} MB; "
                f"labeling setup {output['label_setup_seconds']} s)",
                flush=True,
            )
        ingests.append(ingest)
        outputs.append(output)
        if not config.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    flat = memory_flat(ingests)
    ingest_ok = min(row["items_per_s"] for row in ingests) >= INGEST_GOAL and flat is not False
    output_ok = min(row["items_per_s"] for row in outputs) >= OUTPUT_GOAL
    return {
        "ingest": {"sizes": ingests, "memory_flat": flat, "goal": verdict(ingest_ok)},
        "output": {"sizes": outputs, "goal": verdict(output_ok)},
    }


# -- stage 2: claim+submit against a real server ------------------------------------------


class Server:
    """A ``quorum serve`` subprocess on a free port, logging to a file."""

    def __init__(
        self, data_dir: Path, url: str, *, runner: bool = True, log_level: str = "warning"
    ) -> None:
        """``log_level`` is ``quorum serve --log-level`` (``info`` adds the access log)."""
        self.data_dir = data_dir
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "QUORUM_DATA_DIR": str(data_dir),
            "QUORUM_DATABASE_URL": url,
        }
        self.runner = runner
        self.log_level = log_level
        self.log_path = data_dir / "serve.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def quorum(self) -> str:
        """The ``quorum`` command of this interpreter's environment."""
        return str(Path(sys.executable).parent / "quorum")

    def start(self) -> None:
        """Start the server and wait until ``/healthz`` answers."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [self.quorum, "serve", "--port", str(self.port), "--log-level", self.log_level]
        if not self.runner:
            command.append("--no-runner")
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"quorum serve exited:\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"quorum serve did not become healthy:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 15 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def cpu_seconds(self) -> float:
        """CPU time the server process has used so far."""
        import psutil

        assert self.process is not None
        times = psutil.Process(self.process.pid).cpu_times()
        return float(times.user + times.system)

    def log_tail(self) -> str:
        """The end of the server's log."""
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def create_user(self, name: str, role: str) -> str:
        """``quorum user create NAME --role ROLE``; returns the printed token."""
        done = subprocess.run(
            [self.quorum, "user", "create", name, "--role", role],
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"quorum user create {name} failed:\n{done.stderr[-2000:]}")
        return done.stdout.strip().splitlines()[-1]


@dataclass
class ServeSetup:
    """The requester, the workers' tokens and their team, for a claim+submit run."""

    requester: str
    worker_tokens: list[str]
    team_id: str


def setup_serve(server: Server, workers: int) -> ServeSetup:
    """Users via ``quorum user create``; their team via GraphQL ``createTeam``."""
    names = [("bench-requester", "requester")] + [
        (f"bench-worker-{index}", "worker") for index in range(workers)
    ]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        tokens = list(pool.map(lambda pair: server.create_user(*pair), names))
    requester, worker_tokens = tokens[0], tokens[1:]
    with LeanClient(server.base_url) as client:
        member_ids = [
            client.graphql(token, "query { viewer { id } }")["viewer"]["id"]
            for token in worker_tokens
        ]
        team = client.graphql(
            requester,
            "mutation($input: CreateTeamInput!) { createTeam(input: $input) { id } }",
            {"input": {"name": "bench-team", "memberIds": member_ids}},
        )["createTeam"]
    return ServeSetup(requester=requester, worker_tokens=worker_tokens, team_id=team["id"])


def create_jobs(
    server: Server,
    setup: ServeSetup,
    manifest: Path,
    count: int,
    *,
    task_type: str = TASK_TYPE,
    labels: Sequence[str] = LABELS,
) -> list[str]:
    """``count`` jobs on ``manifest`` via GraphQL ``createJob``, each IN_PROGRESS on return
    (one fresh job per measured round, so that every round starts from the same state)."""
    job_ids = []
    with LeanClient(server.base_url) as client:
        for index in range(count):
            job = client.graphql(
                setup.requester,
                "mutation($input: CreateJobInput!) { createJob(input: $input) { id } }",
                {
                    "input": {
                        "name": f"bench-{task_type}-{index}",
                        "taskType": task_type,
                        "inputManifest": f"file://{manifest}",
                        "labels": list(labels),
                        "teamId": setup.team_id,
                        "workersPerItem": 1,
                    }
                },
            )["createJob"]
            job_ids.append(job["id"])
        for job_id in job_ids:
            wait_in_progress(client, setup.requester, job_id)
    return job_ids


def wait_in_progress(client: LeanClient, token: str, job_id: str, timeout: float = 300) -> None:
    """Poll ``job(id) { status }`` until the runner has ingested the job."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.graphql(
            token,
            "query($id: ID!) { job(id: $id) { status failureReason } }",
            {"id": job_id},
        )["job"]
        if job["status"] == "IN_PROGRESS":
            return
        if job["status"] == "FAILED":
            raise RuntimeError(f"the claim+submit job failed: {job['failureReason']}")
        time.sleep(0.2)
    raise RuntimeError("the claim+submit job did not reach IN_PROGRESS in time")


@dataclass(frozen=True)
class ClientSpec:
    """What one client does: which server, as whom, for how long."""

    base_url: str
    token: str
    job_id: str
    warmup: float
    duration: float


@dataclass
class ClientResult:
    """One client's measured iterations (seconds each), errors and whether it ran dry."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str | None = None
    ran_out: bool = False
    cpu_seconds: float = 0.0


def claim_submit(client: LeanClient, spec: ClientSpec) -> bool:
    """One iteration: claim a task, answer it. ``False`` when nothing was left to claim."""
    claimed = client.graphql(spec.token, CLAIM, {"jobId": spec.job_id})["claimTask"]
    if claimed is None:
        return False
    client.graphql(spec.token, SUBMIT, {"taskId": claimed["id"], "answer": ANSWER})
    return True


def client_loop(spec: ClientSpec, ready: Callable[[], object]) -> ClientResult:
    """Loop claim+submit over one keep-alive connection; iterations that start after the
    warm-up and before the end are measured. ``ready`` is called (a barrier) first."""
    result = ClientResult()
    cpu_start = time.thread_time()
    with LeanClient(spec.base_url) as client:
        ready()
        measure_from = time.perf_counter() + spec.warmup
        end = measure_from + spec.duration
        while (started := time.perf_counter()) < end:
            try:
                if not claim_submit(client, spec):
                    result.ran_out = True
                    break
            except GraphQLFailed as exc:
                result.errors += 1
                result.first_error = result.first_error or str(exc)
                continue
            if started >= measure_from:
                result.latencies.append(time.perf_counter() - started)
    result.cpu_seconds = time.thread_time() - cpu_start
    return result


def _process_client(spec: ClientSpec, barrier: Any, queue: Any) -> None:
    """Entry point of a client process: run the loop, send the result back."""
    queue.put(asdict(client_loop(spec, barrier.wait)))


def run_clients_threads(
    specs: Sequence[ClientSpec], monitor: Callable[[], float]
) -> tuple[list[ClientResult], float]:
    """Every client as a thread of this process; ``monitor`` runs here once they start."""
    barrier = threading.Barrier(len(specs) + 1)
    with ThreadPoolExecutor(max_workers=len(specs)) as pool:
        futures = [pool.submit(client_loop, spec, barrier.wait) for spec in specs]
        barrier.wait()
        measured = monitor()
        return [future.result() for future in futures], measured


def run_clients_processes(
    specs: Sequence[ClientSpec], monitor: Callable[[], float]
) -> tuple[list[ClientResult], float]:
    """Every client as its own process (spawned, so clients share no GIL); ``monitor``
    runs here once they start."""
    context = get_context("spawn")
    barrier = context.Barrier(len(specs) + 1)
    queue = context.Queue()
    processes = [
        context.Process(target=_process_client, args=(spec, barrier, queue), daemon=True)
        for spec in specs
    ]
    for process in processes:
        process.start()
    barrier.wait(timeout=120)
    measured = monitor()
    results = [ClientResult(**queue.get(timeout=600)) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    return results, measured


def summarize_level(
    clients: int,
    mode: str,
    duration: float,
    elapsed: float,
    results: Sequence[ClientResult],
    cpu: float,
) -> dict[str, Any]:
    """Iterations/s, latency percentiles and errors of one level (one round); ``cpu`` is
    the server's CPU seconds during the measured ``duration``, ``elapsed`` the clients'
    whole run (warm-up included), over which their own CPU is counted."""
    latencies = [value for result in results for value in result.latencies]
    return {
        "clients": clients,
        "mode": mode,
        "iterations": len(latencies),
        "iterations_per_s": round(len(latencies) / duration, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "p95_ms": round(percentile(latencies, 95) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "max_ms": round(max(latencies, default=float("nan")) * 1000, 1),
        "errors": sum(result.errors for result in results),
        "first_error": next((r.first_error for r in results if r.first_error), None),
        "ran_out": any(result.ran_out for result in results),
        "server_cpu_percent": round(100 * cpu / duration),
        "client_cpu_percent": round(100 * sum(r.cpu_seconds for r in results) / elapsed),
    }


def client_mode_for(config: Config, clients: int) -> str:
    """Threads or processes for a level. ``auto``: threads, unless there are more than 4
    clients and at least 8 CPUs (with fewer CPUs, client processes only take CPU from the
    server, which is the bottleneck; see the README)."""
    if config.client_mode != "auto":
        return config.client_mode
    return "processes" if clients > 4 and (os.cpu_count() or 1) >= 8 else "threads"


def run_level(
    server: Server, setup: ServeSetup, job_id: str, config: Config, clients: int, mode: str
) -> dict[str, Any]:
    """One round of ``clients`` concurrent workers on a fresh job."""
    specs = [
        ClientSpec(server.base_url, token, job_id, config.warmup, config.duration)
        for token in setup.worker_tokens[:clients]
    ]

    def server_cpu_in_window() -> float:
        time.sleep(config.warmup)
        before = server.cpu_seconds()
        time.sleep(config.duration)
        return server.cpu_seconds() - before

    run_clients = run_clients_processes if mode == "processes" else run_clients_threads
    results, cpu = run_clients(specs, server_cpu_in_window)
    elapsed = config.warmup + config.duration
    return summarize_level(clients, mode, config.duration, elapsed, results, cpu)


def median_round(rounds: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The round with the median iterations/s (the lower median for an even count)."""
    ordered = sorted(rounds, key=lambda row: row["iterations_per_s"])
    return ordered[(len(ordered) - 1) // 2]


def rounds_per_level(config: Config) -> list[tuple[int, int]]:
    """``(clients, rounds)`` per level: the 1-client level gets ``config.rounds``."""
    return [(clients, config.rounds if clients == 1 else 1) for clients in config.clients]


def bench_claim_submit(
    target: Target, config: Config, root: Path, manifest: Path
) -> dict[str, Any]:
    """Stage 2: a real server, one worker per client, a fresh job per round."""
    data_dir = root / f"{target.name}-serve"
    plan = rounds_per_level(config)
    levels: list[dict[str, Any]] = []
    spied: dict[str, Any] | None = None
    with target.database(data_dir) as url:
        placed = place_manifest(manifest, data_dir / "objects", "claim.manifest")
        server = Server(data_dir, url)  # its runner ingests the jobs
        server.start()
        try:
            setup = setup_serve(server, max(config.clients))
            wanted = sum(count for _, count in plan) + (1 if config.py_spy else 0)
            jobs = iter(create_jobs(server, setup, placed, wanted))
            if not config.serve_runner:
                server = restart_without_runner(server)
            for clients, count in plan:
                mode = client_mode_for(config, clients)
                rounds = [
                    run_level(server, setup, next(jobs), config, clients, mode)
                    for _ in range(count)
                ]
                level = median_round(rounds)
                level["rounds"] = [row["iterations_per_s"] for row in rounds]
                levels.append(level)
                print_level(level)
            if config.py_spy:
                spied = sampled_round(server, setup, next(jobs), config, root / "py-spy.txt")
        finally:
            server.stop()
            if not config.keep:
                shutil.rmtree(data_dir, ignore_errors=True)
    single = next((level for level in levels if level["clients"] == 1), None)
    ok = (
        single is not None
        and single["iterations_per_s"] >= CLAIM_GOAL
        and single["p95_ms"] < CLAIM_P95_GOAL_MS
        and not any(level["errors"] or level["ran_out"] for level in levels)
    )
    return {
        "levels": levels,
        "py_spy_1_client": spied,
        "job_items": config.serve_items,
        "runner_in_server": config.serve_runner,
        "goal": verdict(ok),
    }


def sampled_round(
    server: Server, setup: ServeSetup, job_id: str, config: Config, out: Path
) -> dict[str, Any] | None:
    """An extra, unreported 1-client round with py-spy sampling the server."""
    assert server.process is not None
    seconds = config.warmup + config.duration
    with py_spy_recording(config, server.process.pid, seconds, out):
        level = run_level(server, setup, job_id, config, 1, "threads")
    report = summarize_py_spy(out)
    if report is not None:
        report["round"] = {key: level[key] for key in ("iterations_per_s", "p50_ms", "p95_ms")}
        print_py_spy(report)
    return report


def restart_without_runner(server: Server) -> Server:
    """The jobs are ingested; serve again with ``--no-runner`` (no consolidation behind)."""
    server.stop()
    fresh = Server(server.data_dir, server.env["QUORUM_DATABASE_URL"], runner=False)
    fresh.start()
    return fresh


def print_level(level: dict[str, Any]) -> None:
    """One line per claim+submit level."""
    rounds = level.get("rounds", [])
    extra = f" (rounds: {', '.join(f'{value:g}' for value in rounds)})" if len(rounds) > 1 else ""
    problems = ""
    if level["errors"]:
        problems += f"  {level['errors']} errors: {level['first_error']}"
    if level["ran_out"]:
        problems += "  RAN OUT OF ITEMS (raise --serve-items)"
    print(
        f"  claim+submit {level['clients']:>2} client(s) [{level['mode']}]: "
        f"{level['iterations_per_s']:>7.1f} it/s  p50 {level['p50_ms']:.2f} ms  "
        f"p95 {level['p95_ms']:.2f} ms  CPU server {level['server_cpu_percent']}% "
        f"clients {level['client_cpu_percent']}%"
        f"{extra}{problems}",
        flush=True,
    )


# -- optional: where the server's time goes (py-spy on the live server) -------------------

#: Named parts of the server, as regular expressions over py-spy frames; a sample counts
#: for every part whose pattern appears anywhere in its stack.
SERVER_PARTS = {
    "HTTP protocol (uvicorn)": r"httptools_impl\.py|h11_impl\.py",
    "GraphQL parse": r"parse \(graphql/language/parser\.py",
    "GraphQL validation": r"validate \(graphql/validation/validate\.py",
    "resolver transaction (Context.write)": r"Context\.write\.<locals>\.run",
    "  authenticate caller": r"_authenticate \(",
    "  claim_task service": r"claim_task \([^)]*services/tasks\.py",
    "    pick-item query": r"_pick_item \(",
    "  submit_task service": r"submit_task \([^)]*services/tasks\.py",
    "  audit trail": r"(?:record|pending_inserts) \([^)]*audit\.py",
    "  task_view (response object)": r"task_view \(",
    "  ORM flush": r"Session\.flush \(sqlalchemy",
    "  commit": r"Session\.commit \(sqlalchemy",
    "  in the DB driver": r"do_execute \(sqlalchemy|do_commit \(sqlalchemy|\(psycopg/",
    "runner thread": r"Runner\.run_forever",
    "  consolidate": r"consolidate \([^)]*runner/consolidation\.py",
    "    worker-response files": r"write_many \(",
}
#: Leaf frames of a thread that waits rather than works.
IDLE_LEAVES = re.compile(
    r"\((?:threading|selectors|queue)\.py|Runner\.run \(asyncio/runners\.py|"
    r"WorkerThread\.run \(anyio|_worker \(concurrent"
)


@contextmanager
def py_spy_recording(config: Config, pid: int, seconds: float, out: Path) -> Iterator[None]:
    """Sample process ``pid`` with py-spy for ``seconds`` while the block runs."""
    assert config.py_spy is not None
    command = [config.py_spy, "record", "--pid", str(pid), "--rate", "200"]
    command += ["--duration", str(max(1, round(seconds))), "--format", "raw"]
    command += ["--output", str(out), "--nonblocking", "--threads"]
    spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        yield
    finally:
        _out, err = spy.communicate(timeout=seconds + 60)
        if spy.returncode != 0:
            print(f"  py-spy failed ({spy.returncode}): {err.decode(errors='replace')[-300:]}")


def summarize_py_spy(path: Path) -> dict[str, Any] | None:
    """Share of the server's busy samples per named part, and the top leaf frames."""
    if not path.exists():
        return None
    parts = {name: re.compile(pattern) for name, pattern in SERVER_PARTS.items()}
    inclusive = dict.fromkeys(parts, 0)
    leaves: dict[str, int] = {}
    busy = total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        leaf = stack.rsplit(";", 1)[-1]
        if IDLE_LEAVES.search(leaf):
            continue
        busy += count
        leaf = re.sub(r":\d+\)$", ")", leaf)
        leaves[leaf] = leaves.get(leaf, 0) + count
        for name, pattern in parts.items():
            if pattern.search(stack):
                inclusive[name] += count
    if not busy:
        return None
    top = sorted(leaves.items(), key=lambda item: item[1], reverse=True)[:12]
    return {
        "samples": total,
        "busy_samples": busy,
        "percent_of_busy": {name: round(100 * n / busy, 1) for name, n in inclusive.items()},
        "top_leaf_frames": [{"frame": f, "percent": round(100 * n / busy, 1)} for f, n in top],
    }


def print_py_spy(report: dict[str, Any]) -> None:
    """The py-spy summary, compactly."""
    round_ = report.get("round", {})
    print(
        f"  py-spy (extra 1-client round, {round_.get('iterations_per_s')} it/s): server busy "
        f"in {report['busy_samples']} of {report['samples']} samples; share of busy samples:"
    )
    for name, percent in report["percent_of_busy"].items():
        print(f"    {percent:5.1f}%  {name}")
    print("    top leaf frames:")
    for row in report["top_leaf_frames"][:8]:
        print(f"    {row['percent']:5.1f}%  {row['frame']}")


# -- optional: where claim+submit time goes (cProfile, in-process) ------------------------


def _inline_threadpool() -> None:
    """Run the resolvers' database work on the event loop thread, so cProfile sees it
    (the real server runs it on a thread pool; the work is the same)."""
    import quorum.graphql.context as context_module

    async def inline(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    context_module.__dict__["run_blocking"] = inline


def _bucket(filename: str, name: str) -> str:
    """Which layer a profiled function belongs to."""
    rules = [
        ("/quorum/", "quorum"),
        ("/server/", "quorum"),
        ("/plugins/", "quorum"),
        ("sqlalchemy", "sqlalchemy"),
        ("sqlmodel", "sqlalchemy"),
        ("psycopg", "driver"),
        ("strawberry", "strawberry+graphql-core"),
        ("/graphql/", "strawberry+graphql-core"),
        ("httpx", "http client (benchmark side)"),
        ("httpcore", "http client (benchmark side)"),
        ("starlette", "starlette"),
        ("asyncio", "asyncio"),
        ("anyio", "asyncio"),
        ("json", "json"),
    ]
    for needle, bucket in rules:
        if needle in filename:
            return bucket
    if "sqlite3" in name or "psycopg" in name:
        return "driver"
    return "other"


def profile_claim_submit(target: Target, root: Path, iterations: int, keep: bool) -> dict[str, Any]:
    """Profile ``iterations`` claim+submit rounds through the real app (ASGI, in-process)."""
    import asyncio

    from sqlalchemy import event

    from quorum.app import create_app
    from quorum.db.migrate import upgrade
    from quorum.runner.loop import Runner

    _inline_threadpool()
    data_dir = root / f"{target.name}-profile"
    with target.database(data_dir) as url:
        settings = _settings(data_dir, url)
        settings.prepare_data_dir()
        write_manifest(settings.objects_dir / "input.manifest", iterations + 100)
        upgrade(url)
        app = create_app(settings)
        db, plugins = app.state.db, app.state.plugins
        job_id = _create_job(db, plugins, settings, settings.objects_dir / "input.manifest")
        Runner(db, plugins).run_once()
        token = _worker_token(db)
        statements = 0

        def count(*_args: Any) -> None:
            nonlocal statements
            statements += 1

        event.listen(db.engine, "before_cursor_execute", count)
        profiler = cProfile.Profile()
        seconds = asyncio.run(_profiled_loop(app, token, str(job_id), iterations, profiler))
        db.dispose()
    if not keep:
        shutil.rmtree(data_dir, ignore_errors=True)
    return _profile_report(profiler, iterations, seconds, statements)


def _worker_token(db: Database) -> str:
    """A fresh token for the benchmark worker (tokens are only stored hashed)."""
    from sqlmodel import select

    from quorum.auth import issue_token
    from quorum.models import User

    with db.write() as session:
        worker = session.exec(select(User).where(User.name == "bench-worker")).one()
        return str(issue_token(session, worker))


async def _profiled_loop(
    app: Starlette, token: str, job_id: str, iterations: int, profiler: cProfile.Profile
) -> float:
    """Warm up, then profile the claim+submit loop; returns the profiled seconds."""
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

        async def once() -> None:
            claim = await client.post(
                "/graphql", json={"query": CLAIM, "variables": {"jobId": job_id}}, headers=headers
            )
            task = claim.json()["data"]["claimTask"]
            body = {"query": SUBMIT, "variables": {"taskId": task["id"], "answer": ANSWER}}
            submitted = await client.post("/graphql", json=body, headers=headers)
            assert not submitted.json().get("errors"), submitted.text

        for _ in range(20):
            await once()
        started = time.perf_counter()
        profiler.enable()
        for _ in range(iterations):
            await once()
        profiler.disable()
        return time.perf_counter() - started


def _profile_report(
    profiler: cProfile.Profile, iterations: int, seconds: float, statements: int
) -> dict[str, Any]:
    """Top functions by own time and by cumulative time, and own time per layer."""
    stats = pstats.Stats(profiler)
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in raw.values()) or 1.0
    layers: dict[str, float] = {}
    functions = []
    for (filename, line, name), (_cc, calls, tottime, cumtime, _callers) in raw.items():
        layer = _bucket(filename, name)
        layers[layer] = layers.get(layer, 0.0) + tottime
        where = f"{Path(filename).name}:{line}({name})" if line else name
        functions.append((where, calls, tottime, cumtime))
    by_own = sorted(functions, key=lambda row: row[2], reverse=True)[:15]
    by_cum = [
        row
        for row in sorted(functions, key=lambda row: row[3], reverse=True)
        if any(key in row[0] for key in ("tasks.py", "audit.py", "context.py", "task.py", "db.py"))
    ][:12]
    return {
        "iterations": iterations,
        "ms_per_iteration_profiled": round(1000 * seconds / iterations, 2),
        "sql_statements_per_iteration": round(statements / iterations, 1),
        "own_time_by_layer_percent": {
            layer: round(100 * value / total, 1)
            for layer, value in sorted(layers.items(), key=lambda kv: kv[1], reverse=True)
        },
        "top_own_time": [
            {
                "function": where,
                "calls_per_iteration": round(calls / iterations, 1),
                "percent": round(100 * own / total, 1),
            }
            for where, calls, own, _cum in by_own
        ],
        "top_quorum_cumulative": [
            {
                "function": where,
                "calls_per_iteration": round(calls / iterations, 1),
                "percent": round(100 * cum / total, 1),
            }
            for where, calls, _own, cum in by_cum
        ],
    }


def print_profile(report: dict[str, Any]) -> None:
    """The profile, compactly."""
    print(
        f"  profile: {report['ms_per_iteration_profiled']} ms/iteration under cProfile, "
        f"{report['sql_statements_per_iteration']} SQL statements per claim+submit"
    )
    layers = ", ".join(f"{k} {v}%" for k, v in report["own_time_by_layer_percent"].items())
    print(f"    own time by layer: {layers}")
    print("    top functions by own time:")
    for row in report["top_own_time"][:10]:
        print(f"      {row['percent']:5.1f}%  {row['calls_per_iteration']:>6}x  {row['function']}")
    print("    quorum hot path, cumulative:")
    for row in report["top_quorum_cumulative"]:
        print(f"      {row['percent']:5.1f}%  {row['calls_per_iteration']:>6}x  {row['function']}")


# -- the run ------------------------------------------------------------------------------


def _git(*args: str) -> str:
    """The output of a git command in the repository, or empty."""
    done = subprocess.run(
        ["git", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent,
    )
    return done.stdout.rstrip() if done.returncode == 0 else ""


def environment() -> dict[str, Any]:
    """Where and on what the numbers were measured (uncommitted changes included)."""
    changed = [line[3:] for line in _git("status", "--porcelain").splitlines()]
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "commit": _git("rev-parse", "--short", "HEAD") or None,
        "uncommitted": [path for path in changed if not path.startswith("benchmarks/")],
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def bench_database(
    target: Target, config: Config, root: Path, manifests: dict[int, Path]
) -> dict[str, Any]:
    """Every stage for one database."""
    print(f"\n== {target.name} ==", flush=True)
    started = time.perf_counter()
    result: dict[str, Any] = {"database": target.name}
    result.update(bench_ingest_output(target, config, root, manifests))
    result["claim_submit"] = bench_claim_submit(target, config, root, manifests[config.serve_items])
    if config.profile:
        result["profile"] = profile_claim_submit(target, root, config.profile, config.keep)
        print_profile(result["profile"])
    result["seconds"] = round(time.perf_counter() - started, 1)
    return result


Row = tuple[str, str, str, str]


def _ingest_rows(db: str, ingest: dict[str, Any]) -> list[Row]:
    rows = [
        (
            db,
            f"ingest {row['items']:,}",
            f"{row['items_per_s']:,} items/s",
            f"peak RSS {row['peak_rss_mib']} MiB (+{row['rss_growth_mib']})",
        )
        for row in ingest["sizes"]
    ]
    flat = {True: "flat", False: "NOT flat", None: "n/a"}[ingest["memory_flat"]]
    goal = f">= {INGEST_GOAL:,}/s, flat memory"
    return [*rows, (db, "ingest goal", goal, f"{ingest['goal']} (memory {flat})")]


def _claim_rows(db: str, claim: dict[str, Any]) -> list[Row]:
    rows = [
        (
            db,
            f"claim+submit x{level['clients']}",
            f"{level['iterations_per_s']:.1f} it/s",
            f"p50 {level['p50_ms']:.2f} ms, p95 {level['p95_ms']:.2f} ms",
        )
        for level in claim["levels"]
    ]
    goal = f"1 client >= {CLAIM_GOAL}/s, p95 < {CLAIM_P95_GOAL_MS:g} ms"
    return [*rows, (db, "claim+submit goal", goal, claim["goal"])]


def _output_rows(db: str, output: dict[str, Any]) -> list[Row]:
    rows = [
        (
            db,
            f"output {row['items']:,}",
            f"{row['items_per_s']:,} items/s",
            f"peak RSS {row['peak_rss_mib']} MiB (+{row['rss_growth_mib']})",
        )
        for row in output["sizes"]
    ]
    return [*rows, (db, "output goal", f">= {OUTPUT_GOAL:,}/s", output["goal"])]


def print_table(results: Sequence[dict[str, Any]]) -> None:
    """The compact summary table of every database."""
    rows: list[Row] = []
    for result in results:
        db = result["database"]
        rows += _ingest_rows(db, result["ingest"])
        rows += _claim_rows(db, result["claim_submit"])
        rows += _output_rows(db, result["output"])
    widths = [max(len(row[index]) for row in rows) for index in range(4)]
    print()
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())


def write_results(result: dict[str, Any], config: Config) -> Path:
    """``<results dir>/core-<db>.json``."""
    config.results_dir.mkdir(parents=True, exist_ok=True)
    path = config.results_dir / f"core-{result['database']}.json"
    payload = {"config": asdict(config), "environment": environment(), **result}
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
    return path


def run(config: Config) -> int:
    """Run every stage on every database; the exit status is 0 even when a goal fails
    (goals are reported, not enforced), 1 when a stage could not run."""
    root = Path(tempfile.mkdtemp(prefix="quorum-bench-"))
    print(
        f"scratch folder {root}; sizes {config.sizes}; clients {config.clients}; "
        f"{config.duration:g} s per level",
        flush=True,
    )
    manifests = {
        size: write_manifest(root / "manifests" / f"{size}.manifest", size)
        for size in sorted({*config.sizes, config.serve_items})
    }
    results: list[dict[str, Any]] = []
    status = 0
    try:
        for name in config.databases:
            target = Target(name, config.pg_url)
            problem = target.available()
            if problem is not None:
                print(f"\n== {name} == skipped: {problem}")
                status = 1
                continue
            result = bench_database(target, config, root, manifests)
            results.append(result)
            print(
                f"  results written to {write_results(result, config)} ({result['seconds']} s)",
                flush=True,
            )
    finally:
        if not config.keep:
            shutil.rmtree(root, ignore_errors=True)
    if results:
        print_table(results)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark (or, with ``--child``, one measured stage)."""
    args = parse_args(argv)
    if args.child:
        stage = child_ingest if args.child == "ingest" else child_output
        print(json.dumps(stage(Path(args.data_dir), args.database_url, args.lines)))
        return 0
    return run(build_config(args))


if __name__ == "__main__":
    sys.exit(main())
