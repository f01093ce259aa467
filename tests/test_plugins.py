"""Plugins: loading, duplicate names, and one test per hook (test_hook_<name>)."""

from __future__ import annotations

import inspect
import json
import re
import textwrap
from collections.abc import Iterator

import pytest

import quorum.hookspecs as hookspecs
from quorum import hookimpl
from quorum.app import create_app
from quorum.auto_labelers import AutoLabeler
from quorum.consensus import ConsensusAlgorithm, ConsensusResult, Consolidated
from quorum.errors import StartupError
from quorum.events import Event
from quorum.models import Role
from quorum.plugins import PluginHost
from quorum.storage import StorageBackend
from quorum.tasktypes import SingleLabelClassification
from quorum.testing import (
    CLAIM,
    AppClient,
    GraphQLClient,
    make_user,
    read_output,
    running_job,
    text_lines,
)
from quorum.workforce import WorkforceProvider

HOOK_NAMES = sorted(name for name in dir(hookspecs) if name.startswith("quorum_"))


@pytest.fixture
def app_with(quorum_settings) -> Iterator:
    """Build an app with extra plugin objects; returns (app, gql)."""
    clients: list[AppClient] = []

    def build(*plugins):
        app = create_app(quorum_settings, plugins=plugins)
        client = AppClient(app)
        clients.append(client)
        return app, GraphQLClient(client)

    yield build
    for client in clients:
        client.close()


# -- meta-tests ---------------------------------------------------------------


@pytest.mark.parametrize("name", HOOK_NAMES)
def test_every_hook_is_documented(name):
    spec = getattr(hookspecs, name)
    doc = inspect.getdoc(spec) or ""
    assert doc, f"{name} has no docstring"
    for parameter in inspect.signature(spec).parameters:
        assert f":param {parameter}:" in doc, f"{name} does not document {parameter}"
    assert ":return:" in doc or inspect.signature(spec).return_annotation in ("None", None)
    if spec.quorum_spec.get("firstresult"):
        assert "Stops at first non-None result." in " ".join(doc.split())


def test_every_hook_has_a_test():
    tests = {name for name in globals() if name.startswith("test_hook_")}
    assert {f"test_hook_{name}" for name in HOOK_NAMES} <= tests


def test_builtins_come_through_the_entry_points(quorum_settings):
    host = PluginHost(quorum_settings)
    assert {
        "builtin_storage_file",
        "builtin_storage_s3",
        "builtin_text_classification",
        "builtin_image_classification",
        "builtin_majority_vote",
        "builtin_private_workforce",
    } <= set(host.plugin_names)
    assert list(host.task_types) == [
        "bounding-box",
        "bounding-box-adjustment",
        "custom",
        "image-classification",
        "image-classification-multilabel",
        "label-verification",
        "named-entity-recognition",
        "semantic-segmentation",
        "star-rating",  # examples/quorum-example-plugins, installed by the test stamp
        "text-classification",
        "text-classification-multilabel",
    ]
    assert host.storage.schemes == ["file", "s3"]


# -- loading ------------------------------------------------------------------


class DuplicateTaskType:
    class TextAgain(SingleLabelClassification):
        name = "text-classification"
        output_type = "groundtruth/text-classification"
        element = "crowd-classifier"

    @hookimpl
    def quorum_task_types(self):
        return [self.TextAgain]


def test_a_duplicate_name_stops_startup_naming_both_plugins(quorum_settings):
    with pytest.raises(StartupError) as error:
        create_app(quorum_settings, plugins=[DuplicateTaskType()])
    message = str(error.value)
    assert "duplicate task type 'text-classification'" in message
    assert "builtin_text_classification" in message


def test_plugins_dir_loads_loose_files(quorum_settings, tmp_path):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "sentiment.py").write_text(
        textwrap.dedent(
            """
            from quorum import hookimpl
            from quorum.tasktypes import SingleLabelClassification

            class Sentiment(SingleLabelClassification):
                name = "sentiment"
                output_type = "groundtruth/text-classification"
                element = "crowd-classifier"
                source_key = "source"

            @hookimpl
            def quorum_task_types():
                return [Sentiment]
            """
        )
    )
    host = PluginHost(quorum_settings.with_overrides(plugins_dir=folder))
    assert "sentiment" in host.task_types
    assert "sentiment" in host.plugin_names


def test_a_broken_plugin_file_stops_startup(quorum_settings, tmp_path):
    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "broken.py").write_text("import no_such_module_anywhere\n")
    with pytest.raises(StartupError, match=r"broken\.py failed to import"):
        PluginHost(quorum_settings.with_overrides(plugins_dir=folder))


def test_a_plugin_with_an_unknown_hook_stops_startup(quorum_settings):
    class Typo:
        @hookimpl
        def quorum_task_typez(self):
            return []

    with pytest.raises(StartupError, match="unknown hook"):
        PluginHost(quorum_settings, [Typo()])


def test_disabled_plugins_are_not_loaded(quorum_settings):
    host = PluginHost(
        quorum_settings.with_overrides(disabled_plugins=frozenset({"builtin_storage_s3"}))
    )
    assert host.storage.schemes == ["file"]


# -- one test per hook ----------------------------------------------------------


class Upper(SingleLabelClassification):
    name = "shouting"
    output_type = "groundtruth/text-classification"
    element = "crowd-classifier"
    source_key = "source"


class ShoutingPlugin:
    @hookimpl
    def quorum_task_types(self):
        return [Upper]


def test_hook_quorum_task_types(app_with, quorum_settings):
    app, gql = app_with(ShoutingPlugin())
    _, token = make_user(app, "ada", Role.REQUESTER)
    names = [t["name"] for t in gql.ok("{ taskTypes { name } }", token=token)["taskTypes"]]
    assert names == [
        "bounding-box",
        "bounding-box-adjustment",
        "custom",
        "image-classification",
        "image-classification-multilabel",
        "label-verification",
        "named-entity-recognition",
        "semantic-segmentation",
        "shouting",
        "star-rating",
        "text-classification",
        "text-classification-multilabel",
    ]
    job = running_job(app, gql, quorum_settings, taskType="shouting")
    job.label_everything()
    job.run_runner()
    assert job.status()["status"] == "COMPLETED"


class LastWins(ConsensusAlgorithm):
    """Takes the last answer given, with confidence 0.5."""

    name = "last-wins"
    label_kinds = ("single-label",)

    def consolidate(self, answers, labels, state=None):
        labels_by_item = {answer.item: answer.answer["label"] for answer in answers}
        return ConsensusResult(
            labels={
                item: Consolidated(value=label, confidence=0.5)
                for item, label in labels_by_item.items()
            }
        )


class LastWinsPlugin:
    @hookimpl
    def quorum_consensus_algorithms(self):
        return [LastWins]


def test_hook_quorum_consensus_algorithms(app_with, quorum_settings):
    app, gql = app_with(LastWinsPlugin())
    job = running_job(app, gql, quorum_settings, consensus="last-wins", workersPerItem=2, workers=2)
    for worker, label in ((0, "positive"), (1, "negative")):
        while (task := job.claim(worker)) is not None:
            job.submit(task, label, worker)
    job.run_runner()
    done = job.status()
    lines = read_output(done["outputManifest"])
    assert [line["job-1-metadata"]["class-name"] for line in lines] == ["negative"] * 3
    assert {line["job-1-metadata"]["confidence"] for line in lines} == {0.5}


class TinyModel(AutoLabeler):
    name = "tiny"
    description = "always the first class"
    task_types = ("text-classification",)


class TinyModelPlugin:
    @hookimpl
    def quorum_auto_labelers(self):
        return [TinyModel]


def test_hook_quorum_auto_labelers(app_with):
    app, gql = app_with(TinyModelPlugin())
    _, token = make_user(app, "ada", Role.REQUESTER)
    models = gql.ok("{ autoLabelers { name description taskTypes } }", token=token)["autoLabelers"]
    assert {
        "name": "tiny",
        "description": "always the first class",
        "taskTypes": ["text-classification"],
    } in models
    builtin = {model["name"]: model["taskTypes"] for model in models if model["name"] != "tiny"}
    assert builtin == {
        "image-hog-svm": ["image-classification"],
        "text-tfidf-logistic": ["text-classification"],
    }


class Everyone(WorkforceProvider):
    name = "everyone"


class EveryonePlugin:
    @hookimpl
    def quorum_workforce_providers(self):
        return [Everyone]


def test_hook_quorum_workforce_providers(app_with, quorum_settings):
    app, gql = app_with(EveryonePlugin())
    job = running_job(app, gql, quorum_settings, workforce="everyone")
    _, stranger = make_user(app, "stranger", Role.WORKER)  # in no team at all
    task = gql.ok(CLAIM, {"jobId": job.id}, stranger)["claimTask"]
    assert task is not None


class MemoryStorage(StorageBackend):
    scheme = "mem"
    objects: dict[str, bytes] = {}

    def open_lines(self, url):
        from contextlib import nullcontext

        return nullcontext(iter(self.objects[url].splitlines(keepends=True)))

    def write_lines(self, url, lines):
        self.objects[url] = b"".join(lines)

    def write_bytes(self, url, data, content_type="application/json"):
        self.objects[url] = data


class MemoryPlugin:
    @hookimpl
    def quorum_storage_backends(self):
        return [MemoryStorage]


def test_hook_quorum_storage_backends(app_with, quorum_settings):
    MemoryStorage.objects = {
        "mem://in/x.manifest": b"".join(json.dumps(line).encode() + b"\n" for line in text_lines(2))
    }
    app, gql = app_with(MemoryPlugin())
    job = running_job(
        app,
        gql,
        quorum_settings,
        lines=["unused"],
        inputManifest="mem://in/x.manifest",
        outputPath="mem://out",
    )
    job.label_everything()
    job.run_runner()
    done = job.status()
    assert done["outputManifest"] == "mem://out/job-1/manifests/output/output.manifest"
    lines = MemoryStorage.objects[done["outputManifest"]].decode().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [0, 1]


class PreAnnotation:
    @hookimpl
    def quorum_pre_annotation(self, job, item):
        if item["id"] == 1:
            return "skip"
        return {"hint": f"look at {item['id']}"}


def test_hook_quorum_pre_annotation(app_with, quorum_settings):
    app, gql = app_with(PreAnnotation())
    job = running_job(app, gql, quorum_settings)
    assert job.status()["counters"]["skipped"] == 1
    positions = []
    while (task := job.claim()) is not None:
        assert task["input"]["hint"] == f"look at {task['item']['position']}"
        positions.append(task["item"]["position"])
        job.submit(task, "positive")
    assert positions == [0, 2]
    job.run_runner()
    lines = read_output(job.status()["outputManifest"])
    assert lines[1] == {"source": "text number 1", "id": 1}
    assert lines[0]["job-1"] == 1


class PostAnnotation:
    @hookimpl
    def quorum_post_annotation(self, job, item, answers):
        if item["id"] == 0:
            return Consolidated(value="negative", confidence=0.99)
        return None


def test_hook_quorum_post_annotation(app_with, quorum_settings):
    app, gql = app_with(PostAnnotation())
    job = running_job(app, gql, quorum_settings)
    job.label_everything("positive")
    job.run_runner()
    lines = read_output(job.status()["outputManifest"])
    assert [line["job-1"] for line in lines] == [0, 1, 1]
    assert lines[0]["job-1-metadata"]["confidence"] == 0.99


class Listener:
    def __init__(self):
        self.events: list[Event] = []

    @hookimpl
    def quorum_event(self, event):
        self.events.append(event)


class FailingListener:
    @hookimpl
    def quorum_event(self, event):
        raise RuntimeError("webhook down")


def test_hook_quorum_event(app_with, quorum_settings):
    listener = Listener()
    app, gql = app_with(listener, FailingListener())
    job = running_job(app, gql, quorum_settings, lines=text_lines(1))
    task = job.claim()
    job.submit(task, "positive")
    # A rejected answer rolls back: no event for it.
    _data, errors = gql.execute(
        'mutation($id: ID!) { submitTask(taskId: $id, answer: {label: "maybe"}) { id } }',
        {"id": task["id"]},
        job.workers[0][1],
    )
    assert errors
    job.run_runner()
    actions = [event.action for event in listener.events]
    assert actions[-7:] == [
        "job.created",
        "job.started",
        "task.claimed",
        "task.submitted",
        "item.labeled",
        "worker.assessed",
        "job.completed",
    ]
    assert re.fullmatch(r"file://.*/output\.manifest", listener.events[-1].properties()["output"])
