"""The ``quorum`` command line: serve, runner, migrate, user, job wait, consolidate, simulate.

Settings come from ``QUORUM_*`` environment variables; flags override them.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import gc
import json
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Callable, Hashable, Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO, TypeAlias

from quorum.consensus import WorkerAnswer
from quorum.errors import BadInput, NotFound, PluginError, QuorumError, StartupError
from quorum.settings import Settings
from quorum.statuses import DEFAULT_ORGANIZATION_ID, FINAL_JOB_STATUSES, JobStatus, Role


def settings_for(args: argparse.Namespace) -> Settings:
    """The settings from the environment, with the command line's overrides."""
    settings = Settings.from_env()
    if getattr(args, "plugins_dir", None):
        settings = settings.with_overrides(plugins_dir=Path(args.plugins_dir).resolve())
    return settings


def _listen(host: str, port: int) -> socket.socket:
    """The server's listening socket; :class:`StartupError` saying how to pick another
    port when this one is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(
                f"port {port} on {host} is already in use (another quorum serve?); pick "
                f"another with --port, QUORUM_PORT or `make run PORT={port + 1}`"
            ) from None
        raise StartupError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def _log_at(level: str) -> None:
    """Let log lines of ``level`` and above through (only ``serve`` and ``migrate`` talk;
    every other command prints what was asked for and warnings alone)."""
    logging.getLogger().setLevel(level)


def server_url(args: argparse.Namespace) -> str:
    """``--server``, or this machine's server on the port setting (``QUORUM_PORT``)."""
    return args.server or f"http://127.0.0.1:{Settings.from_env().port}"


def api_token(args: argparse.Namespace) -> str:
    """``--token`` or ``$QUORUM_TOKEN``; :class:`BadInput` when neither is set."""
    token: str | None = args.token or os.environ.get("QUORUM_TOKEN")
    if not token:
        raise BadInput("--token: an API token is needed (or set QUORUM_TOKEN)")
    return token


def freeze_startup_objects() -> None:
    """Take what is loaded by now (modules, the schema, the plugins' numpy and scikit-learn:
    some 270,000 objects) out of the garbage collector's full collections, which otherwise
    walk them all (~140 ms, a pause of every request) whenever one comes due."""
    gc.collect()
    gc.freeze()


def cmd_serve(args: argparse.Namespace) -> int:
    """Migrate, then serve HTTP (with the runner in-process unless ``--no-runner``)."""
    import uvicorn

    from quorum.app import create_app
    from quorum.db.migrate import upgrade
    from quorum.http.access_log import drop_uvicorn_websocket_lines

    settings = settings_for(args)
    port = settings.port if args.port is None else args.port
    listener = _listen(args.host, port)
    _log_at(args.log_level.upper())
    settings.prepare_data_dir()
    upgrade(settings.database_url)
    app = create_app(settings, run_runner=not args.no_runner)
    freeze_startup_objects()
    config = uvicorn.Config(
        app,
        host=args.host,
        port=port,
        log_level=args.log_level,
        access_log=False,
        ws_max_size=2 * settings.max_query_bytes,  # a subscribe message: query + variables
    )  # the app logs each request itself, without secrets (quorum.http.access_log)
    drop_uvicorn_websocket_lines()
    uvicorn.Server(config).run(sockets=[listener])
    return 0


def cmd_runner(args: argparse.Namespace) -> int:
    """Run the background loop alone, until SIGINT or SIGTERM."""
    from quorum.db.engine import Database
    from quorum.plugins import PluginHost
    from quorum.runner.loop import Runner

    settings = settings_for(args)
    settings.prepare_data_dir()
    host = PluginHost(settings)
    runner = Runner(
        Database(settings.database_url, after_commit=host.event),
        host,
        settings.runner_poll_seconds,
        settings.runner_lease_seconds,
    )
    signal.signal(signal.SIGTERM, lambda *_: runner.stop())
    runner.start()
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    runner.stop()
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """Bring the database schema up to date (alembic says what it ran)."""
    _log_at("INFO")
    settings = settings_for(args)
    settings.prepare_data_dir()
    from quorum.db.migrate import upgrade  # alembic: only the commands that migrate load it

    upgrade(settings.database_url)
    return 0


def cmd_user_create(args: argparse.Namespace) -> int:
    """Create a user and print their id, then their token, one a line (the token last,
    so that ``tail -n 1`` is the token)."""
    from quorum.db.engine import Database
    from quorum.db.migrate import upgrade
    from quorum.services.organizations import find_organization
    from quorum.services.users import create_user

    settings = settings_for(args)
    settings.prepare_data_dir()
    upgrade(settings.database_url)
    db = Database(settings.database_url)
    try:
        with db.write() as session:
            organization = find_organization(session, args.organization, "--organization")
            assert organization.id is not None
            user, token = create_user(
                session,
                name=args.name,
                role=Role(args.role),
                actor_id=None,
                organization_id=organization.id,
            )
    finally:
        db.dispose()
    print(user.id)
    print(token)
    return 0


def read_answers(lines: Iterable[str]) -> list[tuple[int, dict[str, Any]]]:
    """Parse ``{"item", "worker", "answer"}`` JSON lines; :class:`QuorumError` names the line."""
    records: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BadInput(f"line {number}: not valid JSON ({exc.msg})") from None
        if not isinstance(record, dict) or not {"item", "worker", "answer"} <= set(record):
            raise BadInput(
                f'line {number}: expected {{"item": ..., "worker": ..., "answer": {{...}}}}'
            )
        records.append((number, record))
    return records


def consolidate_lines(
    lines: Iterable[str],
    task_type_name: str,
    labels: Sequence[str],
    algorithm_name: str | None,
    out: TextIO,
) -> None:
    """Consolidate answers read from ``lines`` and write one JSON line per item to ``out``.

    The label is written as in the output manifest, except a reference label (a task type
    with ``label_is_reference``: semantic-segmentation masks): with no storage to write
    its object to, the label is the object inline, as a ``data:image/png;base64,...`` URL.
    Metadata drawn from the item's answers is written too (verification's
    ``worker-feedback``); with no task input to compare with, an adjustment's
    ``adjustment-status`` follows the answers' ``initialValueModified``.
    """
    from quorum.label_kinds import check_consolidated, consensus_source
    from quorum.output_manifest import labeled_output
    from quorum.plugins import PluginHost

    host = PluginHost(Settings.from_env())
    task_type = host.task_types.get(task_type_name, "--task-type")
    task_type.validate_labels(labels)
    algorithm = host.consensus_for(
        task_type, algorithm_name or task_type.default_consensus, "--algorithm"
    )
    answers: list[WorkerAnswer] = []
    order: dict[Hashable, list[dict[str, Any]]] = {}
    for number, record in read_answers(lines):
        try:
            answer = task_type.validate_answer(record["answer"], labels)
        except BadInput as exc:
            raise BadInput(f"line {number}: {exc.message}") from None
        item = _hashable(record["item"], number, "item")
        answers.append(
            WorkerAnswer(
                item=item, worker=_hashable(record["worker"], number, "worker"), answer=answer
            )
        )
        order.setdefault(item, []).append(answer)
    result = algorithm.consolidate(answers, labels)
    source = consensus_source(algorithm.name, host.consensus_algorithms.owner(algorithm.name))
    for item, given in order.items():
        label = result.labels[item]
        try:
            check_consolidated(task_type.label_kind, label, labels, source)
        except PluginError as exc:
            raise PluginError(f"item {item!r}: {exc.message}") from None
        if task_type.label_is_reference:
            inline = task_type.label_object(label, labels).data_url()
            label = dataclasses.replace(label, value=inline)
        value, metadata = labeled_output(task_type, label, labels, None, answers=given)
        out.write(json.dumps({"item": item, "label": value, "metadata": metadata}) + "\n")


def _hashable(value: Any, number: int, field: str) -> Hashable:
    if isinstance(value, str | int) and not isinstance(value, bool):
        return value
    raise BadInput(f"line {number}: {field} must be a string or an integer")


def cmd_consolidate(args: argparse.Namespace) -> int:
    """``quorum consolidate``: answers in (FILE or stdin), one label per item out."""
    labels = [label.strip() for label in args.labels.split(",") if label.strip()]
    source = open(args.file, encoding="utf-8") if args.file else sys.stdin
    try:
        consolidate_lines(source, args.task_type, labels, args.algorithm, sys.stdout)
    finally:
        if args.file:
            source.close()
    return 0


def cmd_simulate_workers(args: argparse.Namespace) -> int:
    """``quorum simulate workers``: make simulated workers and their team (see
    :mod:`quorum.simulation.workforce`); their tokens go to ``--out`` (and the team id to
    stdout), or everything to stdout."""
    from quorum.simulation.workforce import SimulatedWorkforce

    crew = SimulatedWorkforce.create(server_url(args), api_token(args), args.count, name=args.name)
    text = json.dumps(crew.to_json(), indent=2)
    if args.out is None:
        print(text)
        return 0
    fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # tokens inside
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
    print(crew.team_id)
    return 0


def cmd_simulate_run(args: argparse.Namespace) -> int:
    """``quorum simulate run``: the workers of ``--workers`` answer job ``--job`` until it
    ends; prints the report as JSON. Exit status 1 if the job did not end in ``--timeout``
    or failed."""
    from quorum.simulation.answers import (
        WorkerBehaviour,
        broadcast,
        load_confusions,
        parse_accuracies,
    )
    from quorum.simulation.workforce import SimulatedWorkforce

    accuracies = parse_accuracies(args.accuracy)
    confusions = load_confusions(Path(args.confusion)) if args.confusion else [None]
    crew = SimulatedWorkforce.load(Path(args.workers), server=args.server)
    count = len(crew.workers)
    behaviours = [
        WorkerBehaviour(accuracy, confusion)
        for accuracy, confusion in zip(
            broadcast(accuracies, count, "--accuracy"),
            broadcast(confusions, count, "--confusion"),
            strict=True,
        )
    ]
    report = crew.work(
        args.job, behaviours, truth_key=args.truth_key, seed=args.seed, timeout=args.timeout
    )
    print(json.dumps(report.to_json(), indent=2))
    if report.status == "FAILED":
        print(
            f"quorum: error: job {args.job} failed (its requester reads why: "
            f"quorum job wait {args.job}, or the console)",
            file=sys.stderr,
        )
        return 1
    if not report.finished:
        when = "when the workers stopped" if args.timeout is None else f"after {args.timeout:g} s"
        print(f"quorum: error: job {args.job} is still {report.status} {when}", file=sys.stderr)
        return 1
    return 0


JOB_STATUS = "query($id: ID!) { job(id: $id) { status failureReason } }"
#: A job in one of these statuses never changes again.
FINAL_STATUSES = frozenset(status.value for status in FINAL_JOB_STATUSES)


def wait_for_status(
    read_status: Callable[[], dict[str, Any]], wanted: str, timeout: float, poll: float = 0.2
) -> tuple[bool, dict[str, Any]]:
    """Poll ``read_status`` (a job's ``{status, failureReason}``) until it says ``wanted``,
    a final status, or ``timeout`` seconds pass; (reached ``wanted``, the last answer)."""
    deadline = time.monotonic() + timeout
    while True:
        job = read_status()
        if job["status"] == wanted:
            return True, job
        if job["status"] in FINAL_STATUSES or time.monotonic() >= deadline:
            return False, job
        time.sleep(poll)


def cmd_job_wait(args: argparse.Namespace) -> int:
    """``quorum job wait``: print the job's status once it is ``--status``; exit status 1
    when it ends in another final status or ``--timeout`` passes first."""
    from quorum.simulation.client import LeanClient

    token = api_token(args)
    with LeanClient(server_url(args)) as client:

        def read_status() -> dict[str, Any]:
            job = client.graphql(token, JOB_STATUS, {"id": args.id})["job"]
            if job is None:
                raise NotFound(f"ID: there is no job {args.id}")
            return dict(job)

        reached, job = wait_for_status(read_status, args.status, args.timeout)
    print(job["status"])
    if reached:
        return 0
    if job["status"] in FINAL_STATUSES:
        reason = f": {job['failureReason']}" if job.get("failureReason") else ""
        print(
            f"quorum: error: job {args.id} ended {job['status']}{reason}, not {args.status}",
            file=sys.stderr,
        )
    else:
        print(
            f"quorum: error: job {args.id} is still {job['status']} after {args.timeout:g} s, "
            f"not {args.status}",
            file=sys.stderr,
        )
    return 1


class _Parser(argparse.ArgumentParser):
    """An argument parser whose epilog may be computed when its help is shown (the names
    of the installed plugins' task types and algorithms, which need the plugins loaded)."""

    epilog_factory: Callable[[], str] | None = None

    def format_help(self) -> str:
        """The help, with the computed epilog."""
        if self.epilog_factory is not None:
            self.epilog = self.epilog_factory()
        return super().format_help()


Commands: TypeAlias = "argparse._SubParsersAction[_Parser]"


def add_group(commands: Commands, name: str, help_text: str, dest: str) -> Commands:
    """A command group (``quorum user ...``); bare, it prints its help."""
    group = commands.add_parser(name, help=help_text, description=help_text)
    group.set_defaults(handler=lambda _args: _print_help(group))
    return group.add_subparsers(dest=dest, metavar="COMMAND")


def _print_help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 0


SERVER_HELP = "the Quorum server (default: http://127.0.0.1:$QUORUM_PORT, 8000 if unset)"


def _add_simulate(commands: Commands) -> None:
    simulate = add_group(
        commands,
        "simulate",
        "simulated workers for benchmarks, demos and tests: real WORKER users who claim "
        "and submit through the GraphQL API and answer from a truth key of each manifest "
        "line; first `simulate workers` (then create the job with the team id it prints), "
        "then `simulate run`",
        "simulate_command",
    )
    workers = simulate.add_parser("workers", help="create simulated workers and their team")
    workers.add_argument("--server", help=SERVER_HELP)
    workers.add_argument("--token", help="an admin's API token (default: $QUORUM_TOKEN)")
    workers.add_argument("--count", type=int, required=True, help="how many workers (required)")
    workers.add_argument("--name", help="team name and worker name prefix (default: random)")
    workers.add_argument(
        "--out",
        help="write the workers (with tokens) here and print the team id (default: print "
        "everything as JSON)",
    )
    workers.set_defaults(handler=cmd_simulate_workers)
    run = simulate.add_parser("run", help="answer a job's tasks as the simulated workers")
    run.add_argument("--workers", required=True, help="the file `simulate workers` wrote")
    run.add_argument("--job", required=True, help="the job's id (required)")
    run.add_argument("--server", help="the Quorum server (default: the workers' own)")
    run.add_argument(
        "--accuracy",
        default="1.0",
        help="share of right answers: one value, or one per worker (default: 1.0)",
    )
    run.add_argument(
        "--confusion",
        help='JSON {"true": {"answered": probability}} for the wrong answers, or a list '
        "with one per worker (default: wrong answers drawn uniformly)",
    )
    run.add_argument(
        "--truth-key", default="true-label", help="manifest key of the truth (default: true-label)"
    )
    run.add_argument("--seed", type=int, help="make the answers repeatable (default: random)")
    run.add_argument(
        "--timeout", type=float, help="give up after this many seconds (default: never)"
    )
    run.set_defaults(handler=cmd_simulate_run)


def _add_job(commands: Commands) -> None:
    job = add_group(commands, "job", "follow jobs through the GraphQL API", "job_command")
    wait = job.add_parser(
        "wait",
        help="wait until a job has a status, and print it",
        description="Wait until job ID has --status and print it; exit status 1 when the "
        "job ends in another final status (COMPLETED, STOPPED, FAILED) or --timeout passes.",
    )
    wait.add_argument("id", metavar="ID", help="the job's id")
    wait.add_argument(
        "--status",
        required=True,
        choices=[status.value for status in JobStatus],
        help="the status to wait for (required)",
    )
    wait.add_argument(
        "--timeout", type=float, default=60.0, help="give up after this many seconds (default: 60)"
    )
    wait.add_argument("--server", help=SERVER_HELP)
    wait.add_argument("--token", help="an API token (default: $QUORUM_TOKEN)")
    wait.set_defaults(handler=cmd_job_wait)


def add_user_commands(commands: Commands) -> Commands:
    """``quorum user`` and its ``create``; returns the group, which
    :mod:`quorum.cli.people` extends with its own commands."""
    user = add_group(commands, "user", "manage users", "user_command")
    create = user.add_parser(
        "create", help="create a user and print their id, then their token (shown once)"
    )
    create.add_argument("name", help="the user's name, unique")
    create.add_argument(
        "--role",
        required=True,
        choices=[role.value for role in Role],
        help="what the user may do (required)",
    )
    create.add_argument(
        "--organization",
        default=str(DEFAULT_ORGANIZATION_ID),
        metavar="NAME|ID",
        help="the organization the user belongs to (default: the default organization)",
    )
    create.set_defaults(handler=cmd_user_create)
    return user


def _plugin_catalog() -> str:
    """The installed task types and consensus algorithms, and the input's format."""
    from quorum.plugins import PluginHost

    host = PluginHost(Settings.from_env())
    task_types = ", ".join(
        f"{name} (default algorithm {task_type.default_consensus})"
        for name, task_type in host.task_types.items()
    )
    algorithms = ", ".join(
        f"{name} ({'/'.join(algorithm.label_kinds)})"
        for name, algorithm in host.consensus_algorithms.items()
    )
    return (
        'Input: one JSON object a line, {"item": ID, "worker": ID, "answer": {...}}, IDs '
        "strings or integers, the answer as the task type's workers send it (e.g. "
        f'{{"label": "cat"}}). Task types: {task_types}. Algorithms (the label kinds they '
        f"consolidate): {algorithms}."
    )


def _add_consolidate(commands: Commands) -> None:
    consolidate = commands.add_parser(
        "consolidate",
        help="consolidate answers from JSON Lines",
        description="Consolidate answers read as JSON Lines and print one JSON line per "
        "item: the label as in the output manifest, and its metadata. A label Ground Truth "
        "stores as an object of its own (a semantic-segmentation mask) is printed inline, "
        "as a data:image/png;base64,... URL.",
    )
    consolidate.epilog_factory = _plugin_catalog
    consolidate.add_argument(
        "--task-type", required=True, help="the answers' task type (required; listed below)"
    )
    consolidate.add_argument(
        "--labels", required=True, help="comma-separated, in class-index order (required)"
    )
    consolidate.add_argument(
        "--algorithm", help="consensus algorithm (default: the task type's; listed below)"
    )
    consolidate.add_argument(
        "file", nargs="?", help="the answers, JSON Lines (default: standard input)"
    )
    consolidate.set_defaults(handler=cmd_consolidate)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``quorum``."""
    parser = _Parser(prog="quorum", description="A self-hosted data labeling server.")
    parser.set_defaults(handler=lambda _args: _print_help(parser))
    parser.add_argument(
        "--plugins-dir",
        help="also load every *.py plugin file in this folder (default: $QUORUM_PLUGINS_DIR)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", help="migrate the database, then serve HTTP")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    serve.add_argument(
        "--port", type=int, help="port to listen on (default: $QUORUM_PORT, 8000 if unset)"
    )
    serve.add_argument(
        "--no-runner",
        action="store_true",
        help="do not run the background runner in-process (default: run it)",
    )
    serve.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="the server log's level; the access log's lines are info (default: info)",
    )
    serve.set_defaults(handler=cmd_serve)

    commands.add_parser("runner", help="run the background loop alone").set_defaults(
        handler=cmd_runner
    )
    commands.add_parser(
        "migrate", help="bring the database schema up to date (alembic upgrade head)"
    ).set_defaults(handler=cmd_migrate)
    from quorum.cli.organizations import add_organization_commands
    from quorum.cli.people import add_people_commands  # they build on this module

    add_organization_commands(commands)
    add_people_commands(commands, add_user_commands(commands))
    _add_job(commands)
    _add_consolidate(commands)
    _add_simulate(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except (QuorumError, StartupError, OSError) as exc:
        print(f"quorum: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
