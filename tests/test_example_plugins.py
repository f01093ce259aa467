"""The example plugin package (examples/quorum-example-plugins), installed into the test
environment and found through its entry points, driven through the real server: the
``median-box`` algorithm's boxes in the output manifest, the ``name-pattern`` workforce
over GraphQL, and the ``star-rating`` task type's element module. The browser test of the
element is tests/browser/test_plugin_element.py. docs/plugins.md shows parts of this file."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from quorum_example_plugins.median_box import MedianBox
from quorum_example_plugins.star_rating import StarRating

from quorum.consensus import WorkerAnswer
from quorum.errors import StartupError
from quorum.plugins import PluginHost
from quorum.statuses import Role
from quorum.testing import (
    CLAIM,
    create_job,
    make_user,
    read_output,
    running_job,
    text_lines,
    write_manifest,
)

EXAMPLE = Path(__file__).parents[1] / "examples" / "quorum-example-plugins"


@pytest.fixture
def quorum_settings(quorum_settings, tmp_path):
    """The example's plugins come through their entry points; the name-pattern workforce
    is configured as any plugin is, by its table in the ``QUORUM_PLUGIN_CONFIG`` file."""
    config = tmp_path / "plugins.toml"
    config.write_text('[example_name_pattern_workforce]\npattern = "vetted-"\n')
    return quorum_settings.with_overrides(plugin_config_file=config)


def test_every_example_plugin_comes_through_its_entry_point(quorum_settings):
    host = PluginHost(quorum_settings)
    assert {
        "example_median_box",
        "example_name_pattern_workforce",
        "example_star_rating",
    } <= set(host.plugin_names)
    assert "median-box" in list(host.consensus_algorithms)
    assert "name-pattern" in list(host.workforces)
    assert "star-rating" in list(host.task_types)


def test_an_example_plugin_is_turned_off_by_its_entry_point_name(quorum_settings):
    host = PluginHost(
        quorum_settings.with_overrides(disabled_plugins=frozenset({"example_median_box"}))
    )
    assert "median-box" not in list(host.consensus_algorithms)
    assert "star-rating" in list(host.task_types)


def image(settings, name: str, width: int = 640, height: int = 480) -> str:
    """A PNG of ``width`` x ``height`` in the local object store; its file:// URL."""
    path = settings.objects_dir / "images" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    Image.new("RGB", (width, height)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return f"file://{path}"


def drawn(*boxes: tuple[str, int, int, int, int]) -> dict:
    """A bounding-box answer on a 640x480 image: ``(label, left, top, width, height)``."""
    return {
        "boundingBoxes": [
            {"label": label, "left": left, "top": top, "width": width, "height": height}
            for label, left, top, width, height in boxes
        ],
        "inputImageProperties": {"width": 640, "height": 480},
    }


def test_median_box_consolidates_three_workers_boxes(quorum_app, gql, quorum_settings):
    job = running_job(
        quorum_app,
        gql,
        quorum_settings,
        lines=[{"source-ref": image(quorum_settings, "shelf.png")}],
        workers=3,
        taskType="bounding-box",
        labels=["logo", "price"],
        consensus="median-box",
        workersPerItem=3,
    )
    answers = [
        drawn(("logo", 10, 20, 100, 50), ("price", 300, 400, 60, 30)),
        drawn(("logo", 12, 22, 104, 50)),
        drawn(("logo", 90, 20, 100, 70)),  # a stray logo: the median keeps it out
    ]
    for worker, answer in enumerate(answers):
        job.submit(job.claim(worker), answer, worker)
    job.run_runner()

    (line,) = read_output(job.status()["outputManifest"])
    assert line["job-1"] == {
        "image_size": [{"width": 640, "height": 480, "depth": 3}],
        # price: one worker of three drew it, fewer than half
        "annotations": [{"class_id": 0, "top": 20, "left": 12, "height": 50, "width": 100}],
    }
    metadata = line["job-1-metadata"]
    assert metadata["objects"] == [{"confidence": 1.0}]
    assert metadata["class-map"] == {"0": "logo"}
    assert metadata["type"] == "groundtruth/object-detection"


def test_median_box_keeps_a_label_half_of_the_workers_drew_and_scores_the_workers():
    answers = [
        WorkerAnswer(item="a", worker=1, answer=drawn(("logo", 10, 20, 100, 50))),
        WorkerAnswer(item="a", worker=2, answer=drawn(("logo", 11, 20, 100, 50))),
        WorkerAnswer(item="b", worker=1, answer=drawn()),
        WorkerAnswer(item="b", worker=2, answer=drawn(("price", 0, 0, 5, 5))),
        WorkerAnswer(item="b", worker=3, answer=drawn()),
    ]
    result = MedianBox().consolidate(answers, ["logo", "price"])
    # Two boxes: their median is their mean; both workers drew it.
    assert result.labels["a"].value["annotations"] == [
        {"class_id": 0, "top": 20, "left": 10.5, "height": 50, "width": 100}
    ]
    assert result.labels["a"].confidence == 1.0
    assert result.labels["a"].details == {"objects": [{"confidence": 1.0}]}
    # One price of three workers: fewer than half, dropped.
    assert (result.labels["b"].value["annotations"], result.labels["b"].confidence) == ([], 0.0)
    # Worker 2 drew the dropped price: agrees on one label of two on item b.
    assert {worker: quality.agreement for worker, quality in result.workers.items()} == {
        1: 1.0,
        2: 0.75,
        3: 1.0,
    }


def test_the_name_pattern_workforce_admits_only_matching_workers(quorum_app, gql, quorum_settings):
    _, requester = make_user(quorum_app, "rita", Role.REQUESTER)
    _, vetted = make_user(quorum_app, "vetted-ana", Role.WORKER)
    _, other = make_user(quorum_app, "bo", Role.WORKER)
    job = create_job(
        gql,
        requester,
        name="open-to-vetted",
        taskType="text-classification",
        inputManifest=write_manifest(quorum_settings, "texts.manifest", text_lines(3)),
        labels=["negative", "positive"],
        workforce="name-pattern",  # no teamId: the workforce needs none
    )
    quorum_app.state.runner.run_until_idle()

    task = gql.ok(CLAIM, {"jobId": job["id"]}, vetted)["claimTask"]
    assert task is not None
    refused = gql.error(CLAIM, {"jobId": job["id"]}, other)
    assert refused.code == "FORBIDDEN"
    assert refused.message == "jobId: you are not in the workforce of job 'open-to-vetted'"
    listed = "{ availableJobs { name } }"
    assert gql.ok(listed, {}, vetted)["availableJobs"] == [{"name": "open-to-vetted"}]
    assert gql.ok(listed, {}, other)["availableJobs"] == []


def test_a_pattern_that_is_no_regular_expression_stops_startup(quorum_settings, tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('[example_name_pattern_workforce]\npattern = "vetted-("\n')
    with pytest.raises(StartupError, match="example_name_pattern_workforce"):
        PluginHost(quorum_settings.with_overrides(plugin_config_file=config))


def test_the_star_rating_element_is_served_from_the_package(quorum_client):
    served = quorum_client.get("/elements/star-rating.js")
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("text/javascript")
    assert served.text == StarRating().element_file().read_text()
    assert StarRating().element_file().is_relative_to(EXAMPLE / "src")


def test_the_example_package_builds_a_wheel_with_its_element_and_entry_points(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(EXAMPLE),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("quorum_example_plugins-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = archive.read(next(n for n in names if n.endswith("entry_points.txt")))
    assert "quorum_example_plugins/star_rating.js" in names
    assert "example_median_box = quorum_example_plugins.median_box" in entry_points.decode()
