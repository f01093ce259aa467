"""Plugins: loading, duplicate names, and one test per hook (test_hook_<name>)."""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
import textwrap
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

import quorum.hookspecs as hookspecs
from quorum import hookimpl
from quorum.app import create_app
from quorum.auto_labelers import AutoLabeler
from quorum.consensus import ConsensusAlgorithm, ConsensusResult, Consolidated
from quorum.errors import StartupError
from quorum.events import Event, TeamCreated
from quorum.plugin_context import JobInfo, PluginContext, WorkerInfo
from quorum.plugins import PluginHost
from quorum.settings import Settings
from quorum.statuses import Role
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

    def build(*plugins, settings=quorum_settings):
        app = create_app(settings, plugins=plugins)
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


# -- how hooks are called: through pluggy, so ordering, wrappers and tracing apply --------


def _team_created() -> TeamCreated:
    return TeamCreated(actor_id=1, entity_id=7, name="ops", member_ids=[])


class Recorder:
    """A ``quorum_event`` and a ``quorum_task_types`` impl that note when they are called."""

    def __init__(self, calls: list[str], name: str) -> None:
        self.calls = calls
        self.name = name

    @hookimpl
    def quorum_event(self, event):
        self.calls.append(f"{self.name} {event.action}")

    @hookimpl
    def quorum_task_types(self):
        self.calls.append(self.name)
        return []


class FirstRecorder(Recorder):
    @hookimpl(tryfirst=True)
    def quorum_event(self, event):
        self.calls.append(f"{self.name} {event.action}")

    @hookimpl(tryfirst=True)
    def quorum_task_types(self):
        self.calls.append(self.name)
        return []


class Wrapping:
    """New-style wrappers: around the event's delivery, and hiding ``custom``."""

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls

    @hookimpl(wrapper=True)
    def quorum_event(self, event):
        self.calls.append("wrapper before")
        try:
            return (yield)
        finally:
            self.calls.append("wrapper after")

    @hookimpl(wrapper=True)
    def quorum_task_types(self):
        self.calls.append("wrapper before")
        contributed = yield
        self.calls.append("wrapper after")
        return [[kind for kind in kinds if kind.name != "custom"] for kinds in contributed]


class OldStyleWrapping:
    """An old-style ``hookwrapper`` that adds a task type to what the others return."""

    @hookimpl(hookwrapper=True)
    def quorum_task_types(self):
        outcome = yield
        outcome.force_result([*outcome.get_result(), [Upper]])


def test_quorum_event_honours_tryfirst_and_wrappers(quorum_settings):
    calls: list[str] = []
    host = PluginHost(
        quorum_settings,
        [Recorder(calls, "plain"), FirstRecorder(calls, "first"), Wrapping(calls)],
    )
    calls.clear()  # what the registration hooks noted
    host.event(_team_created())
    assert calls == [
        "wrapper before",
        "first team.created",
        "plain team.created",
        "wrapper after",
    ]


def test_a_failing_quorum_event_impl_is_logged_by_name_inside_the_wrappers(quorum_settings, caplog):
    calls: list[str] = []
    host = PluginHost(quorum_settings, [FailingListener(), Recorder(calls, "plain")])
    calls.clear()
    wrapping = Wrapping(calls)
    host.pm.register(wrapping, name="wrapping")
    with caplog.at_level("ERROR", logger="quorum.plugins"):
        host.event(_team_created())
    assert calls == ["wrapper before", "plain team.created", "wrapper after"]
    assert "failed in quorum_event(team.created)" in caplog.text
    assert "FailingListener" in caplog.text


def test_registration_hooks_honour_tryfirst_and_wrappers(quorum_settings):
    calls: list[str] = []
    host = PluginHost(
        quorum_settings,
        [Recorder(calls, "plain"), FirstRecorder(calls, "first"), Wrapping(calls)],
    )
    assert calls[:3] == ["wrapper before", "first", "plain"]
    assert calls[-1] == "wrapper after"
    assert "custom" not in host.task_types
    assert "text-classification" in host.task_types


def test_a_class_a_wrapper_adds_is_registered_under_the_wrappers_name(quorum_settings):
    wrapping = OldStyleWrapping()
    with pytest.raises(StartupError) as error:
        PluginHost(quorum_settings, [ShoutingPlugin(), wrapping])
    assert "duplicate task type 'shouting'" in str(error.value)
    assert "ShoutingPlugin" in str(error.value)
    assert "the wrapper of quorum_task_types in plugin" in str(error.value)
    assert "OldStyleWrapping" in str(error.value)


def test_tracing_logs_the_registration_hooks_and_events(quorum_settings, caplog):
    with caplog.at_level("INFO", logger="quorum.plugins"):
        host = PluginHost(quorum_settings.with_overrides(trace_plugins=True))
        host.event(_team_created())
    for hook in (
        "quorum_task_types",
        "quorum_consensus_algorithms",
        "quorum_auto_labelers",
        "quorum_workforce_providers",
        "quorum_storage_backends",
        "quorum_event",
    ):
        assert hook in caplog.text


class NotAGenerator:
    @hookimpl(wrapper=True)
    def quorum_event(self, event):
        return None


def test_a_wrapper_that_cannot_work_is_refused_at_startup(quorum_settings):
    with pytest.raises(StartupError) as error:
        PluginHost(quorum_settings, [NotAGenerator()])
    message = str(error.value)
    assert "NotAGenerator" in message
    assert "quorum_event" in message
    assert "wrapper" in message and "generator" in message


# -- what hooks are given: a context, and value objects instead of rows ----------------


class ContextListener:
    def __init__(self) -> None:
        self.contexts: list[PluginContext] = []

    @hookimpl
    def quorum_task_types(self, context):
        self.contexts.append(context)
        return []

    @hookimpl
    def quorum_event(self, event, context):
        self.contexts.append(context)


def test_a_hook_taking_the_context_receives_it_with_its_plugin_config(
    app_with, quorum_settings, tmp_path
):
    config = tmp_path / "plugins.toml"
    config.write_text('[webhooks]\nurl = "https://example.com/hook"\n')
    listener = ContextListener()
    app, _gql = app_with(
        listener, settings=quorum_settings.with_overrides(plugin_config_file=config)
    )
    make_user(app, "ada", Role.REQUESTER)
    context = listener.contexts[0]  # quorum_task_types's, at startup
    assert len(listener.contexts) > 1
    assert all(given is context for given in listener.contexts)  # and each event's
    assert context.settings.plugin_config_file == config
    assert context.plugin_config("webhooks") == {"url": "https://example.com/hook"}
    assert context.plugin_config("anything-else") == {}
    assert context.storage.schemes == ["file", "s3"]
    assert context.database is not None
    assert context.logger.name == "quorum.plugins"


def test_a_plugin_config_that_is_not_a_table_of_tables_stops_startup(quorum_settings, tmp_path):
    config = tmp_path / "plugins.toml"
    config.write_text('webhooks = "https://example.com/hook"\n')
    with pytest.raises(StartupError, match="webhooks"):
        PluginHost(quorum_settings.with_overrides(plugin_config_file=config))


class SeesValues:
    """Pre- and post-annotation impls that keep the job they are given."""

    def __init__(self) -> None:
        self.jobs: list[JobInfo] = []

    @hookimpl
    def quorum_pre_annotation(self, job, item, context):
        assert isinstance(context, PluginContext)
        self.jobs.append(job)

    @hookimpl
    def quorum_post_annotation(self, job):
        self.jobs.append(job)


class WatchingWorkforce(WorkforceProvider):
    name = "watching"
    seen: ClassVar[list[tuple[JobInfo, WorkerInfo]]] = []

    def may_work(self, job, worker, team_ids):
        self.seen.append((job, worker))
        return True


class WatchingWorkforcePlugin:
    @hookimpl
    def quorum_workforce_providers(self):
        return [WatchingWorkforce]


def test_plugins_get_value_objects_not_rows(app_with, quorum_settings):
    values = SeesValues()
    app, gql = app_with(values, WatchingWorkforcePlugin())
    job = running_job(app, gql, quorum_settings, lines=text_lines(1), workforce="watching")
    job.label_everything("positive")
    job.run_runner()
    assert len(values.jobs) == 2
    info = values.jobs[0]
    assert isinstance(info, JobInfo)
    assert (info.task_type, info.labels, info.workforce, info.consensus) == (
        "text-classification",
        ("negative", "positive"),
        "watching",
        "dawid-skene",
    )
    assert info.workers_per_item == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        info.name = "renamed"  # type: ignore[misc]
    seen_job, worker = WatchingWorkforce.seen[-1]
    assert seen_job == info
    assert isinstance(worker, WorkerInfo)
    assert worker.role == Role.WORKER
    assert worker.organization_id == info.organization_id


# -- entry points -------------------------------------------------------------------


def test_every_builtin_module_with_a_hookimpl_has_an_entry_point():
    root = Path(__file__).resolve().parents[1]
    entry_points = tomllib.loads((root / "pyproject.toml").read_text())["project"]["entry-points"][
        "quorum"
    ]
    named = {value.partition(":")[0] for value in entry_points.values()}
    with_hookimpl = {
        "quorum_plugins." + ".".join(path.relative_to(root / "plugins").with_suffix("").parts)
        for path in (root / "plugins").rglob("*.py")
        if "@hookimpl" in path.read_text()
    }
    assert with_hookimpl, "no plugin module found"
    assert with_hookimpl <= named, f"no entry point for {sorted(with_hookimpl - named)}"


def test_a_plugin_object_entry_point_is_disabled_by_its_name(quorum_settings):
    host = PluginHost(
        quorum_settings.with_overrides(disabled_plugins=frozenset({"builtin_image_classification"}))
    )
    assert "image-classification" not in host.task_types
    assert "text-classification" in host.task_types


def test_the_plugin_config_file_comes_from_quorum_plugin_config(tmp_path):
    settings = Settings.from_env(
        {"QUORUM_DATA_DIR": str(tmp_path), "QUORUM_PLUGIN_CONFIG": str(tmp_path / "p.toml")}
    )
    assert settings.plugin_config_file == tmp_path / "p.toml"
    assert Settings.from_env({"QUORUM_DATA_DIR": str(tmp_path)}).plugin_config_file is None
