"""docs/people.md, run as written: its command-line session gives the output it shows,
its GraphQL examples succeed, and it names every user, team and token command and
operation there is. docs/organizations.md's command-line session runs here too."""

from __future__ import annotations

import argparse
import re
import subprocess
from pathlib import Path

import pytest

from quorum.cli.main import build_parser
from quorum.graphql.mutations.users import UserMutationMixin
from quorum.services import users
from quorum.statuses import Role
from quorum.testing import make_user

ROOT = Path(__file__).resolve().parent.parent
PEOPLE = ROOT / "docs" / "people.md"
ORGANIZATIONS = ROOT / "docs" / "organizations.md"
#: A token line of the session: a real token takes its place.
TOKEN = re.compile(r"qrm_[A-Za-z0-9_-]{43}")


def section(title: str, page: Path = PEOPLE) -> str:
    return page.read_text().split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def session_steps(page: Path) -> list[tuple[str, list[str]]]:
    """The ``$ command`` lines of the command-line section, each with its output lines."""
    text = section("On the command line", page)
    [block] = re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    return steps


@pytest.mark.parametrize("page", [PEOPLE, ORGANIZATIONS], ids=lambda page: page.name)
def test_the_command_line_session_prints_what_the_page_shows(quorum_settings, page: Path):
    env = {
        "PATH": f"{ROOT / '.venv' / 'bin'}:/usr/bin:/bin",
        "QUORUM_DATA_DIR": str(quorum_settings.data_dir),
        "QUORUM_DATABASE_URL": quorum_settings.database_url,
    }
    for command, shown in session_steps(page):
        done = subprocess.run(
            ["bash", "-o", "pipefail", "-c", command],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, (command, done.stderr)
        assert done.stderr == "", (command, done.stderr)
        printed = done.stdout.splitlines()
        assert len(printed) == len(shown), (command, printed)
        for got, want in zip(printed, shown, strict=True):
            assert TOKEN.fullmatch(got) if want.startswith("qrm_...") else got == want, command


def test_the_graphql_examples_succeed_after_the_session(quorum_app, gql):
    wendy, _ = make_user(quorum_app, "wendy", Role.WORKER)
    walt, _ = make_user(quorum_app, "walt", Role.WORKER)
    with quorum_app.state.db.write() as session:
        team = users.create_team(session, name="crew", member_ids=[wendy], actor_id=None)
        users.set_disabled(session, users.get_user(session, walt), disabled=True, actor_id=None)
    assert (wendy, walt, team.id) == (1, 2, 1)  # as in the session
    _, admin = make_user(quorum_app, "ada", Role.ADMIN)
    [block] = re.findall(r"```graphql\n(.*?)```", section("Over GraphQL"), flags=re.DOTALL)
    results = [gql.ok(line, {}, admin) for line in block.splitlines()]
    assert results[1]["addTeamMembers"]["members"] == [{"name": "wendy"}, {"name": "walt"}]
    made = results[2]["createToken"]
    assert made["apiToken"] == {"id": "4", "last4": made["token"][-4:]}
    assert [token["name"] for token in results[3]["tokens"]] == [None, "laptop"]
    assert results[4]["revokeToken"] == {"id": "4", "name": "laptop"}
    assert gql.execute("{ viewer { id } }", {}, made["token"])[1][0].code == "UNAUTHENTICATED"


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return next(
        action.choices
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
    )


def test_the_page_names_every_user_and_team_command_and_operation():
    text = PEOPLE.read_text()
    commands = subcommands(build_parser())
    for group in ("user", "team"):
        for name in subcommands(commands[group]):
            assert f"`quorum {group} {name}" in text, (group, name)
    mutations = [
        re.sub(r"_(\w)", lambda match: match.group(1).upper(), field.python_name)
        for field in UserMutationMixin.__strawberry_definition__.fields
    ]
    assert "revokeToken" in mutations
    for operation in ["viewer", "users", "teams", "tokens", *mutations]:
        assert f"`{operation}" in text, operation
