"""The ``quorum`` command line: serve, runner, migrate, user create, consolidate, simulate.

Settings come from ``QUORUM_*`` environment variables; flags override them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import signal
import sys
from collections.abc import Hashable, Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from quorum.consensus import WorkerAnswer
from quorum.errors import BadInput, QuorumError, StartupError
from quorum.migrate import upgrade
from quorum.models import Role
from quorum.settings import Settings


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    if getattr(args, "plugins_dir", None):
        settings = settings.with_overrides(plugins_dir=Path(args.plugins_dir).resolve())
    return settings


def cmd_serve(args: argparse.Namespace) -> int:
    """Migrate, then serve HTTP (with the runner in-process unless ``--no-runner``)."""
    import uvicorn

    from quorum.app import create_app

    settings = _settings(args)
    settings.prepare_data_dir()
    upgrade(settings.database_url)
    app = create_app(settings, run_runner=not args.no_runner)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, access_log=False)
    return 0


def cmd_runner(args: argparse.Namespace) -> int:
    """Run the background loop alone, until SIGINT or SIGTERM."""
    from quorum.db import Database
    from quorum.plugins import PluginHost
    from quorum.runner.loop import Runner

    settings = _settings(args)
    settings.prepare_data_dir()
    host = PluginHost(settings)
    runner = Runner(Database(settings.database_url, after_commit=host.event), host)
    signal.signal(signal.SIGTERM, lambda *_: runner.stop())
    runner.start()
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    runner.stop()
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """Bring the database schema up to date."""
    settings = _settings(args)
    settings.prepare_data_dir()
    upgrade(settings.database_url)
    return 0


def cmd_user_create(args: argparse.Namespace) -> int:
    """Create a user and print their token alone on stdout."""
    from quorum.db import Database
    from quorum.services.users import create_user

    settings = _settings(args)
    settings.prepare_data_dir()
    upgrade(settings.database_url)
    db = Database(settings.database_url)
    try:
        with db.write() as session:
            _user, token = create_user(session, name=args.name, role=Role(args.role), actor_id=None)
    finally:
        db.dispose()
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
    from quorum.plugins import PluginHost
    from quorum.runner.output import labeled_output

    host = PluginHost(Settings.from_env())
    task_type = host.task_types.get(task_type_name, "--task-type")
    task_type.validate_labels(labels)
    algorithm = host.consensus_algorithms.get(
        algorithm_name or task_type.default_consensus, "--algorithm"
    )
    if task_type.label_kind not in algorithm.label_kinds:
        raise BadInput(
            f"--algorithm: {algorithm.name} cannot consolidate {task_type.label_kind} answers"
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
    for item, given in order.items():
        label = result.labels[item]
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
    :mod:`quorum.simulate`); their tokens go to ``--out`` (and the team id to stdout), or
    everything to stdout."""
    from quorum.simulate import SimulatedWorkforce

    token = args.token or os.environ.get("QUORUM_TOKEN")
    if not token:
        raise BadInput("--token: an admin's API token is needed (or set QUORUM_TOKEN)")
    crew = SimulatedWorkforce.create(args.server, token, args.count, name=args.name)
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
    from quorum.simulate import SimulatedWorkforce
    from quorum.simulate_answers import (
        WorkerBehaviour,
        broadcast,
        load_confusions,
        parse_accuracies,
    )

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
        print(f"quorum: error: job {args.job} failed: {report.failure_reason}", file=sys.stderr)
        return 1
    if not report.finished:
        when = "when the workers stopped" if args.timeout is None else f"after {args.timeout:g} s"
        print(f"quorum: error: job {args.job} is still {report.status} {when}", file=sys.stderr)
        return 1
    return 0


def _add_simulate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    simulate = commands.add_parser(
        "simulate",
        help="simulated workers that answer from a ground-truth key",
        description="Simulated workers for benchmarks, demos and tests: real WORKER users "
        "who claim and submit through the GraphQL API and answer from a truth key of each "
        "manifest line. First `simulate workers` (then create the job with the team id it "
        "prints), then `simulate run`.",
    ).add_subparsers(dest="simulate_command", required=True)
    workers = simulate.add_parser("workers", help="create simulated workers and their team")
    workers.add_argument("--server", default="http://127.0.0.1:8000")
    workers.add_argument("--token", help="an admin's API token (default: $QUORUM_TOKEN)")
    workers.add_argument("--count", type=int, required=True)
    workers.add_argument("--name", help="team name and worker name prefix (default: random)")
    workers.add_argument("--out", help="write the workers (with tokens) here; print the team id")
    workers.set_defaults(handler=cmd_simulate_workers)
    run = simulate.add_parser("run", help="answer a job's tasks as the simulated workers")
    run.add_argument("--workers", required=True, help="the file `simulate workers` wrote")
    run.add_argument("--job", required=True)
    run.add_argument("--server", help="default: the server the workers were made on")
    run.add_argument(
        "--accuracy", default="1.0", help="share of right answers: one value, or one per worker"
    )
    run.add_argument(
        "--confusion",
        help='JSON {"true": {"answered": probability}} for the wrong answers, or a list '
        "with one per worker (default: wrong answers drawn uniformly)",
    )
    run.add_argument("--truth-key", default="true-label", help="manifest key of the truth")
    run.add_argument("--seed", type=int, help="make the answers repeatable")
    run.add_argument(
        "--timeout", type=float, help="give up after this many seconds (default: never)"
    )
    run.set_defaults(handler=cmd_simulate_run)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``quorum``."""
    parser = argparse.ArgumentParser(
        prog="quorum", description="A self-hosted data labeling server."
    )
    parser.add_argument("--plugins-dir", help="also load every *.py plugin file in this folder")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate the database, then serve HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-runner", action="store_true", help="do not run the runner in-process")
    serve.add_argument("--log-level", default="info")
    serve.set_defaults(handler=cmd_serve)

    commands.add_parser("runner", help="run the background loop alone").set_defaults(
        handler=cmd_runner
    )
    commands.add_parser("migrate", help="alembic upgrade head").set_defaults(handler=cmd_migrate)

    user = commands.add_parser("user", help="manage users").add_subparsers(
        dest="user_command", required=True
    )
    create = user.add_parser("create", help="create a user and print their token")
    create.add_argument("name")
    create.add_argument("--role", required=True, choices=[role.value for role in Role])
    create.set_defaults(handler=cmd_user_create)

    consolidate = commands.add_parser(
        "consolidate",
        help="consolidate answers from JSON Lines",
        description="Consolidate answers read as JSON Lines and print one JSON line per "
        "item: the label as in the output manifest, and its metadata. A label Ground Truth "
        "stores as an object of its own (a semantic-segmentation mask) is printed inline, "
        "as a data:image/png;base64,... URL.",
    )
    consolidate.add_argument("--task-type", required=True)
    consolidate.add_argument(
        "--labels", required=True, help="comma-separated, in class-index order"
    )
    consolidate.add_argument("--algorithm")
    consolidate.add_argument("file", nargs="?")
    consolidate.set_defaults(handler=cmd_consolidate)
    _add_simulate(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except (QuorumError, StartupError) as exc:
        print(f"quorum: error: {exc}", file=sys.stderr)
        return 2
