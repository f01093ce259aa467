"""Custom tasks: a job's own Liquid template, rendered per task, answered with free JSON."""

from __future__ import annotations

from typing import Any

import pytest
from PIL import Image

from quorum.consensus import WorkerAnswer
from quorum.statuses import Role
from quorum.templates import CROWD_ELEMENTS_URL, to_json
from quorum.testing import CREATE_JOB, make_user, read_output, running_job
from quorum_plugins.consensus.identical_answers import IdenticalAnswers
from tests.factories import row_counts

TEMPLATE = """<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>
<crowd-form>
  <p>{{ task.input.manifestLine.source }}</p>
  <img src="{{ task.input.manifestLine.picture | grant_read_access }}">
  <crowd-classifier name="sentiment" categories="{{ task.input.manifestLine.choices | to_json }}">
  </crowd-classifier>
</crowd-form>
"""
CLAIM = """
mutation($jobId: ID) { claimTask(jobId: $jobId) { id renderedTemplate input } }
"""
RELEASE = "mutation($taskId: ID!) { releaseTask(taskId: $taskId) { id status } }"
SUBMIT = """
mutation($taskId: ID!, $answer: JSON!) { submitTask(taskId: $taskId, answer: $answer) { id } }
"""


def custom_job(quorum_app, quorum_settings, gql, lines: list[dict[str, Any]], workers: int = 1):
    picture = quorum_settings.objects_dir / "pictures" / "cat.png"
    picture.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (4, 4), "white").save(picture)
    for line in lines:
        line.setdefault("picture", f"file://{picture}")
    return running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=lines,
        workers=workers,
        taskType="custom",
        labels=[],
        template=TEMPLATE,
        workersPerItem=workers,
    )


def test_a_worker_gets_the_template_rendered_for_their_task(quorum_app, quorum_settings, gql):
    lines = [{"source": "<script>alert('owned')</script> is it good?", "choices": ["good", "bad"]}]
    job = custom_job(quorum_app, quorum_settings, gql, lines)
    task = gql.ok(CLAIM, {"jobId": job.id}, job.workers[0][1])["claimTask"]
    html = task["renderedTemplate"]
    assert f'<script src="{CROWD_ELEMENTS_URL}"></script>' in html
    assert "assets.crowd.aws" not in html
    assert "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt; is it good?" in html
    assert "<script>alert" not in html
    assert 'src="/objects/' in html and "signature=" in html  # a signed, expiring URL
    assert 'categories="[&#34;good&#34;, &#34;bad&#34;]"' in html


def test_identical_answers_are_the_label_and_the_output_is_ground_truths_custom_line(
    quorum_app, quorum_settings, gql
):
    job = custom_job(
        quorum_app, quorum_settings, gql, [{"source": "one", "id": 7, "choices": []}], workers=3
    )
    answers = [
        {"sentiment": {"label": "good"}, "note": "fine"},
        {"note": "fine", "sentiment": {"label": "good"}},  # same answer, other key order
        {"sentiment": {"label": "bad"}, "note": ""},
    ]
    for worker, answer in enumerate(answers):
        task = gql.ok(CLAIM, {"jobId": job.id}, job.workers[worker][1])["claimTask"]
        gql.ok(SUBMIT, {"taskId": task["id"], "answer": answer}, job.workers[worker][1])
    job.run_runner()
    status = job.status()
    assert status["status"] == "COMPLETED"
    (line,) = read_output(status["outputManifest"])
    assert line["id"] == 7 and line["source"] == "one"
    assert line["job-1"] == {"sentiment": {"label": "good"}, "note": "fine"}
    metadata = line["job-1-metadata"]
    assert set(metadata) == {"type", "job-name", "human-annotated", "creation-date"}
    assert metadata["type"] == "groundtruth/custom"
    assert metadata["job-name"] == "labeling-job/job-1"
    assert metadata["human-annotated"] == "yes"


def test_a_custom_line_may_have_no_source(quorum_app, quorum_settings, gql):
    job = custom_job(quorum_app, quorum_settings, gql, [{"question": "How many cats?"}])
    assert job.status()["status"] == "IN_PROGRESS"
    task = gql.ok(CLAIM, {"jobId": job.id}, job.workers[0][1])["claimTask"]
    assert task["input"]["taskObject"] is None
    assert task["input"]["manifestLine"]["question"] == "How many cats?"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "template: custom jobs need a worker template"),
        ({"template": "  "}, "template: is empty"),
        ({"template": "<p>\n{% if %}</p>"}, "template: line 2: missing expression"),
        ({"template": "a\nb\n{{ x | shout }}"}, "template: line 3: unknown filter 'shout'"),
        ({"template": "{% for x in y %}"}, "template: line 1: expected tag endfor"),
        ({"template": '{% include "header" %}'}, "include and render cannot load other"),
    ],
)
def test_bad_templates_are_refused_at_create_job(quorum_app, gql, fields, message):
    _, token = make_user(quorum_app, "requester", Role.REQUESTER)
    spec = {
        "name": "custom-1",
        "taskType": "custom",
        "inputManifest": "file:///nowhere.manifest",
        "labels": [],
        **fields,
    }
    error = gql.error(CREATE_JOB, {"input": spec}, token)
    assert error.code == "BAD_INPUT"
    assert message in error.message
    assert row_counts(quorum_app)["jobs"] == 0


def test_to_json_is_safe_inside_a_script():
    assert to_json({"a": "</script><b>&"}) == '{"a": "\\u003c/script\\u003e\\u003cb\\u003e\\u0026"}'


def answer(item: int, worker: int, value: dict[str, Any]) -> WorkerAnswer:
    return WorkerAnswer(item=item, worker=worker, answer=value)


def test_identical_answers_reports_ties_and_single_workers():
    result = IdenticalAnswers().consolidate(
        [
            answer(1, 1, {"n": 1}),
            answer(1, 2, {"n": 2}),
            answer(2, 1, {"n": 5}),
        ],
        [],
    )
    tie, single = result.labels[1], result.labels[2]
    assert (tie.value, tie.confidence) == ({"n": 1}, 0.25)  # first given wins a 1:1 tie
    assert (single.value, single.confidence) == ({"n": 5}, 0.0)
    assert result.workers[1].agreement == 1.0 and result.workers[2].agreement == 0.0


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        (
            "{% for i in (1..100000) %}{% for j in (1..100000) %}x{% endfor %}{% endfor %}",
            "loop iteration limit reached",
        ),
        (
            '{% assign s = "xxxxxxxxxx" %}{% for i in (1..30) %}'
            "{% assign s = s | append: s %}{% endfor %}{{ s }}",
            "local namespace limit reached",
        ),
        ("{{ task.input.manifestLine.n | divided_by: 0 }}", "can&#39;t divide by 0"),
    ],
)
def test_a_template_that_fails_on_a_task_says_so_and_the_task_can_be_released(
    quorum_app, quorum_settings, gql, template, reason
):
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=[{"source": "x", "n": 3}],
        taskType="custom",
        labels=[],
        template=template,
    )
    task = gql.ok(CLAIM, {"jobId": job.id}, job.workers[0][1])["claimTask"]
    assert "This task cannot be shown: template: line 1: " in task["renderedTemplate"]
    assert reason in task["renderedTemplate"]
    released = gql.ok(RELEASE, {"taskId": task["id"]}, job.workers[0][1])["releaseTask"]
    assert released["status"] == "RELEASED"


def nested(levels: int) -> list[object]:
    """A list inside a list... ``levels`` deep."""
    value: list[object] = [1]
    for _ in range(levels - 1):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"notes": "x" * 70_000}, "a custom task's answer may have at most 65,536"),
        ({"a": nested(21)}, "nested deeper than 20 levels"),
        (["not", "an", "object"], "answer: must be a JSON object"),
    ],
)
def test_oversized_or_odd_custom_answers_are_refused(
    quorum_app, quorum_settings, gql, answer, message
):
    job = custom_job(quorum_app, quorum_settings, gql, [{"source": "one", "choices": []}])
    task = gql.ok(CLAIM, {"jobId": job.id}, job.workers[0][1])["claimTask"]
    error = gql.error(SUBMIT, {"taskId": task["id"], "answer": answer}, job.workers[0][1])
    assert error.code == "BAD_INPUT" and message in error.message
