"""Helpers for the browser tests: a live server with an admin, the people and jobs of a
test made through GraphQL, sklearn's digits as PNG files, and page-level steps (sign in,
open a job, wait for the next task, the shortcuts dialog, what the server stored)."""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import numpy as np
from PIL import Image
from playwright.sync_api import Page, expect
from sklearn.datasets import load_digits
from sqlmodel import col, select

from quorum.db.engine import Database
from quorum.models import Task
from quorum.services.users import create_user
from quorum.settings import Settings
from quorum.statuses import Role
from quorum.testing import read_output, write_manifest
from tests.live import graphql

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

CREATE_USER = """
mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } token } }
"""
CREATE_TEAM = "mutation($input: CreateTeamInput!) { createTeam(input: $input) { id } }"
CREATE_JOB = "mutation($input: CreateJobInput!) { createJob(input: $input) { id name } }"
JOB = """
query($id: ID!) {
  job(id: $id) {
    status outputManifest labelAttributeName
    items(first: 100) { edges { node { position status manifestLine output } } }
  }
}
"""
CLAIM = "mutation($jobId: ID) { claimTask(jobId: $jobId) { id input } }"
SUBMIT = "mutation($id: ID!, $answer: JSON!) { submitTask(taskId: $id, answer: $answer) { id } }"
RELEASE = "mutation($id: ID!) { releaseTask(taskId: $id) { id status } }"

#: The names of the digits 0-3: the labels of jobs over digit_lines(settings, [0-3]).
DIGITS = ["zero", "one", "two", "three"]
#: A small text-classification job: its labels, and each sentence's right label.
MOODS = ["happy", "sad"]
SENTENCES = {
    "What a lovely sunny morning!": "happy",
    "The cat ran away and never came back.": "sad",
    "We won the lottery today.": "happy",
}


def make_admin(settings: Settings) -> str:
    """An admin straight in the database (before the server starts); returns its token."""
    db = Database(settings.database_url)
    try:
        with db.write() as session:
            _user, token = create_user(session, name="admin", role=Role.ADMIN, actor_id=None)
    finally:
        db.dispose()
    return token


def stored_tasks(settings: Settings, job_id: str) -> dict[str, tuple[str, Any]]:
    """What the server stored for each task of a job, straight from the database:
    ``{task id: (status, answer)}``."""
    db = Database(settings.database_url)
    try:
        with db.read() as session:
            tasks = session.exec(select(Task).where(col(Task.job_id) == int(job_id))).all()
            return {str(task.id): (str(task.status), task.answer) for task in tasks}
    finally:
        db.dispose()


@dataclass
class Server:
    """The live server the browser talks to, and its admin."""

    url: str
    settings: Settings
    admin: str

    def gql(self, token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
        """Run an operation that must succeed; returns its data."""
        with httpx.Client(base_url=self.url, timeout=30) as client:
            return graphql(client, token, query, variables)


@dataclass
class Crew:
    """A requester and workers in a team of their own: the people of one test."""

    server: Server
    requester: str
    workers: list[str]
    team_id: str

    @classmethod
    def make(cls, server: Server, tag: str, workers: int = 1) -> Crew:
        """People named after ``tag`` (unique per test: names are unique, and stable names
        keep the screenshots the same from run to run)."""

        def user(name: str, role: str) -> tuple[str, str]:
            made = server.gql(
                server.admin, CREATE_USER, {"input": {"name": f"{name}-{tag}", "role": role}}
            )["createUser"]
            return made["user"]["id"], made["token"]

        _, requester = user("rita", "REQUESTER")
        people = [user("wendy" if n == 0 else f"worker{n}", "WORKER") for n in range(workers)]
        team = server.gql(
            server.admin,
            CREATE_TEAM,
            {"input": {"name": f"crew-{tag}", "memberIds": [ident for ident, _ in people]}},
        )["createTeam"]
        return cls(server, requester, [token for _, token in people], team["id"])

    def create_job(self, name: str, lines: list[dict[str, Any]], **fields: Any) -> str:
        """A job over ``lines`` for this crew's team; returns its id once it is IN_PROGRESS."""
        manifest = write_manifest(self.server.settings, f"{name}-{uuid.uuid4().hex[:6]}", lines)
        job = self.server.gql(
            self.requester,
            CREATE_JOB,
            {"input": {"name": name, "inputManifest": manifest, "teamId": self.team_id, **fields}},
        )["createJob"]
        self.wait_for(job["id"], "IN_PROGRESS")
        return str(job["id"])

    def job(self, job_id: str) -> dict[str, Any]:
        """The job as its requester reads it."""
        data: dict[str, Any] = self.server.gql(self.requester, JOB, {"id": job_id})["job"]
        return data

    def wait_for(self, job_id: str, status: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            job = self.job(job_id)
            if job["status"] == status or time.monotonic() > deadline:
                assert job["status"] == status, job
                return job
            time.sleep(0.2)

    def output(self, job_id: str) -> list[dict[str, Any]]:
        """The output manifest's lines once the job completed."""
        job = self.wait_for(job_id, "COMPLETED")
        return read_output(job["outputManifest"])

    def items_output(self, job_id: str) -> dict[int, Any]:
        """Each item's output as the requester reads it through GraphQL, by position."""
        edges = self.job(job_id)["items"]["edges"]
        return {edge["node"]["position"]: edge["node"]["output"] for edge in edges}

    def answer(
        self, job_id: str, answer: Callable[[dict[str, Any]], Any], items: int | None = None
    ) -> list[dict[str, Any]]:
        """Each worker in turn claims and submits up to ``items`` tasks of the job (all it
        can get when None) through GraphQL, answering ``answer(task)`` (the task's ``id``
        and ``input``); returns the tasks submitted."""
        done: list[dict[str, Any]] = []
        for worker in self.workers:
            for _ in range(items if items is not None else 10_000):
                task = self.server.gql(worker, CLAIM, {"jobId": job_id})["claimTask"]
                if task is None:
                    break
                self.server.gql(worker, SUBMIT, {"id": task["id"], "answer": answer(task)})
                done.append(task)
        return done


def digit_lines(settings: Settings, digits: list[int]) -> list[dict[str, Any]]:
    """Manifest lines of scikit-learn digit images (the first sample of each digit in
    ``digits``), written as PNG files into the server's object store. Each line keeps the
    true digit under ``digit``, which passes through to the output."""
    data = load_digits()
    folder = settings.objects_dir / "digits"
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for digit in digits:
        index = int(np.flatnonzero(data.target == digit)[0])
        pixels = (255 - data.images[index] * 255 / 16).astype(np.uint8)
        path = folder / f"digit-{digit}.png"
        Image.fromarray(pixels, mode="L").resize((64, 64), Image.Resampling.NEAREST).save(path)
        lines.append({"source-ref": f"file://{path}", "digit": digit})
    return lines


def assert_submitted(settings: Settings, job_id: str, answers: dict[str, Any]) -> None:
    """The job's tasks are exactly those of ``answers`` ({task id: answer}), each
    SUBMITTED with its answer, as the server stored them."""
    assert stored_tasks(settings, job_id) == {
        task: ("SUBMITTED", answer) for task, answer in answers.items()
    }


def enter_token(page: Page, url: str, token: str) -> None:
    """Open ``url`` (the portal or the console) and send ``token`` from its sign-in form."""
    page.goto(url)
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()


def sign_in(page: Page, server: Server, token: str) -> None:
    """Open the portal and sign in with ``token``, as a worker would."""
    enter_token(page, f"{server.url}/work", token)
    expect(page.get_by_role("heading", name="Jobs with work for you")).to_be_visible()
    expect(page.locator("quorum-job-list[aria-busy]")).to_have_count(0)  # the list is loaded


def open_job(page: Page, name: str) -> None:
    """Click the job ``name`` in the portal's list of jobs."""
    page.get_by_role("button", name=re.compile(re.escape(name))).click()


def start_labeling(
    page: Page, crew: Crew, name: str, lines: list[dict[str, Any]], **fields: Any
) -> str:
    """Create the job ``name`` over ``lines`` (``fields`` as createJob takes them), sign
    the crew's first worker in and open the job; returns its id."""
    job_id = crew.create_job(name, lines, **fields)
    sign_in(page, crew.server, crew.workers[0])
    open_job(page, name)
    return job_id


def no_more_work(page: Page, job: str) -> None:
    """The portal is back at the list, saying the job ``job`` has no more work."""
    expect(page.get_by_role("status")).to_have_text(f"No more work in “{job}”.")


def check_shortcuts(page: Page, *texts: str) -> None:
    """``?`` opens the list of shortcuts, which names each of ``texts``; Escape closes it."""
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    for text in texts:
        expect(dialog).to_contain_text(text)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def task_id(page: Page) -> str:
    """The id of the task on screen (waits for one)."""
    screen = page.locator("quorum-labeling[data-task-id]")
    expect(screen).to_be_visible()
    value = screen.get_attribute("data-task-id")
    assert value
    return value


def after_task(page: Page, previous: str) -> None:
    """Wait until the screen moved on from task ``previous``: another task, or the list."""
    page.wait_for_function(
        """previous => {
            const screen = document.querySelector("quorum-labeling");
            if (!screen) return Boolean(document.querySelector("quorum-job-list h2"));
            const id = screen.dataset.taskId;
            const idle = !screen.querySelector(".actions button:disabled");
            return idle && id !== undefined && id !== previous;
        }""",
        arg=previous,
    )


def shown_image(page: Page) -> str:
    """The file name of the image the element shows, once it has loaded."""
    image = page.locator("quorum-labeling .stage img")
    expect(image).to_be_visible()
    page.wait_for_function(
        "() => { const i = document.querySelector('quorum-labeling .stage [src]')"
        ".shadowRoot.querySelector('img'); return i.complete && i.naturalWidth > 0; }"
    )
    src = image.get_attribute("src")
    assert src
    return Path(urlparse(src).path).name


def shown_text(page: Page) -> str:
    """The text the element shows."""
    target = page.locator("quorum-labeling .stage classification-target")
    expect(target).to_be_visible()
    return target.inner_text()


def screenshot(page: Page, name: str) -> None:
    """Take a screenshot of the viewport; with ``QUORUM_SCREENSHOTS=1`` (``make
    screenshots``) save it as docs/screenshots/<name>.png, the README's pictures. Without
    it nothing is written, so a test run leaves the checkout as it was."""
    if os.environ.get("QUORUM_SCREENSHOTS") != "1":
        page.screenshot()
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
