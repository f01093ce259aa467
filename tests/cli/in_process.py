"""``quorum`` run in the test's own process: what :func:`tests.cli.test_cli.quorum` does in a
subprocess, without starting an interpreter and loading the plugins each time."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from unittest import mock

from quorum.cli.main import main


@dataclass(frozen=True)
class Result:
    """How a command ended, as ``subprocess.CompletedProcess`` has it."""

    returncode: int
    stdout: str
    stderr: str


@contextlib.contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    """``os.environ`` with no ``QUORUM_*`` variable but those of ``env``, as a subprocess
    started with ``env`` alone would see it."""
    ours = {key: value for key, value in os.environ.items() if not key.startswith("QUORUM_")}
    with mock.patch.dict(os.environ, {**ours, **env}, clear=True):
        yield


def quorum_in_process(*args: str, env: Mapping[str, str], stdin: str | None = None) -> Result:
    """Run ``quorum ARGS`` with the settings of ``env`` and ``stdin`` as its standard input;
    returns its exit status and what it wrote."""
    out, err = io.StringIO(), io.StringIO()
    with (
        _environment(env),
        mock.patch.object(sys, "stdin", io.StringIO(stdin or "")),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            status = main(list(args))
        except SystemExit as exc:  # argparse refusing the command line
            status = exc.code if isinstance(exc.code, int) else 1
    return Result(status, out.getvalue(), err.getvalue())
