"""The ``semantic-segmentation`` task type.

Answers (the ``crowd-semantic-segmentation`` element's base64 PNG) are validated field by
field without decoding their pixels; the consolidated mask is written as a PNG object under
``consolidated-annotation/output`` before the item is labeled, and the output line names it
under a ``-ref`` attribute, as in Ground Truth's example line (GROUNDTRUTH.md 2.3). Whole
jobs run through the GraphQL API, and ``quorum consolidate`` prints the mask inline.
"""

from __future__ import annotations

import base64
import io
import json
import re
import struct
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlmodel import select

from quorum.consensus import Consolidated
from quorum.errors import BadInput
from quorum.models import Job
from quorum.output_manifest import label_objects_prefix, labeled_output
from quorum.plugins import PluginHost
from quorum.runner.consolidation import apply, plan, write_responses
from quorum.settings import Settings
from quorum.statuses import Role
from quorum.storage import join_url
from quorum.tasktypes import LabelObject, answer_content
from quorum.testing import SUBMIT, make_team, make_user, running_job, text_lines, write_manifest
from quorum_plugins.task_types.semantic_segmentation import (
    MAX_PNG_BYTES,
    SemanticSegmentation,
)
from tests.cli.in_process import quorum_in_process
from tests.plugins.consensus.test_pixel_vote import LABELS, MAPPINGS, classes, mask
from tests.plugins.task_types.test_structured import (
    answer_everything,
    answer_lines,
    consolidate,
    finished_output,
    shape,
    worker_responses,
)

# -- Ground Truth's example line (GROUNDTRUTH.md 2.3, verbatim) -----------------------------

GT_SEMSEG = json.loads(
    '{"source-ref":"s3://pcbtest22/label/s10.png","S10-label3-ref":"s3://pcbtest22/label/'
    'S10-label3/annotations/consolidated-annotation/output/0_2022-09-09T17:25:31.918770.png",'
    '"S10-label3-ref-metadata":{"internal-color-map":{"0":{"class-name":"BACKGROUND",'
    '"hex-color":"#ffffff","confidence":0},"1":{"class-name":"IC","hex-color":"#2ca02c",'
    '"confidence":0},"2":{"class-name":"resistor1","hex-color":"#1f77b4","confidence":0},'
    '"3":{"class-name":"resistor2","hex-color":"#ff7f0e","confidence":0}},'
    '"type":"groundtruth/semantic-segmentation","human-annotated":"yes",'
    '"creation-date":"2022-09-09T17:25:32.047919","job-name":"labeling-job/s10-label3"}}'
)
GT_ATTRIBUTE = "S10-label3-ref"
GT_LABELS = ["IC", "resistor1", "resistor2"]
#: Ground Truth's name of a consolidated mask: ``<item index>_<ISO timestamp>.png``.
MASK_NAME = re.compile(r"\d+_\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\.png")

#: What workers paint on an 8x6 image (see ``PIXELS`` in test_consensus_masks): road
#: above, a car bottom right. The third worker strays one car pixel into the road.
STREET = ("rrrrrrrr", "rrrrrrrr", "rrrrrrrr", "........", "....cccc", "....cccc")
STRAY = ("rrrrrrrr", "rrrcrrrr", *STREET[2:])
EMPTY = ("........",) * 6
#: The consolidated class indices of ``STREET``: road 1, car 2, background 0.
STREET_CLASSES = [[{"r": 1, "c": 2}.get(char, 0) for char in row] for row in STREET]


def png(width: int = 4, height: int = 3, mode: str = "RGBA") -> bytes:
    """A real PNG of ``width`` x ``height`` pixels."""
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, format="PNG")
    return buffer.getvalue()


def painted(data: bytes | str, width: int = 4, height: int = 3, **mappings: Any) -> dict:
    """An answer carrying ``data`` (bytes are base64-encoded) for a ``width`` x ``height``
    image, with ``mappings`` (default: a colour for each of ``LABELS``)."""
    text = base64.b64encode(data).decode() if isinstance(data, bytes) else data
    return {
        "labeledImage": {"pngImageData": text},
        "labelMappings": mappings or MAPPINGS,
        "inputImageProperties": {"width": width, "height": height},
    }


def assert_mask(data: bytes, color_map: dict[str, Any], expected: list[list[int]]) -> None:
    """``data`` is Ground Truth's mask: a palettised PNG whose pixel values are the class
    indices ``expected``, with class ``i``'s palette entry the colour of ``color_map[i]``."""
    assert classes(data) == expected
    with Image.open(io.BytesIO(data)) as image:
        palette = image.getpalette()
    assert palette is not None
    for index, entry in color_map.items():
        start = 3 * int(index)
        assert bytes(palette[start : start + 3]).hex() == entry["hex-color"].lstrip("#")


@pytest.fixture(scope="module")
def host(tmp_path_factory) -> PluginHost:
    return PluginHost(Settings.from_env({"QUORUM_DATA_DIR": str(tmp_path_factory.mktemp("q"))}))


# -- registration ---------------------------------------------------------------------------


def test_is_registered_through_its_entry_point(host):
    task_type = host.task_types.get("semantic-segmentation", "taskType")
    assert isinstance(task_type, SemanticSegmentation)
    assert (task_type.element, task_type.output_type, task_type.source_key) == (
        "crowd-semantic-segmentation",
        "groundtruth/semantic-segmentation",
        "source-ref",
    )
    assert (task_type.label_kind, task_type.default_consensus) == ("mask", "pixel-vote")
    assert "mask" in host.consensus_algorithms.get("pixel-vote", "consensus").label_kinds
    assert task_type.label_is_reference
    assert "builtin_semantic_segmentation" in host.plugin_names


def test_label_count_limits():
    # One label at least; at most what a palettised PNG holds besides the background.
    SemanticSegmentation().validate_labels(["road"])
    SemanticSegmentation().validate_labels([f"l{n}" for n in range(255)])
    with pytest.raises(BadInput, match="at least 1 label categories"):
        SemanticSegmentation().validate_labels([])
    with pytest.raises(BadInput, match="at most 255 categories"):
        SemanticSegmentation().validate_labels([f"l{n}" for n in range(256)])


# -- answers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        painted(png()),
        painted(png(mode="P")),  # any PNG mode; pixel-vote reads them all as RGBA
        painted(png(), road={"color": "#00ff00"}),  # a label not painted needs no colour
        {**painted(png()), "labelMappings": {}},  # nothing painted: all background
        mask(*STREET),
    ],
)
def test_accepts_the_elements_output(answer):
    assert SemanticSegmentation().validate_answer(answer, LABELS) == answer


def test_a_whole_float_image_size_becomes_an_int():
    cleaned = SemanticSegmentation().validate_answer(painted(png(), 4.0, 3.0), LABELS)
    assert cleaned["inputImageProperties"] == {"width": 4, "height": 3}
    assert isinstance(cleaned["inputImageProperties"]["width"], int)


GOOD = painted(png())
TRUNCATED = png()[:-20]
#: A PNG's signature, then a header chunk of the right length holding nonsense.
BAD_HEADER = png()[:8] + b"\x00\x00\x00\x0dIHDR" + b"x" * 17
DATA = "answer.labeledImage.pngImageData"


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("mask", "answer: must be a JSON object like"),
        ({**GOOD, "initialValueModified": True}, "answer.initialValueModified: unknown field"),
        ({"labelMappings": {}, "inputImageProperties": {}}, "answer.labeledImage: missing"),
        ({**GOOD, "labeledImage": "abc"}, "answer.labeledImage: must be a JSON object like"),
        ({**GOOD, "labeledImage": {}}, f"{DATA}: missing"),
        ({**GOOD, "labeledImage": {"pngImageData": 3}}, f"{DATA}: must be a string of base64"),
        (painted("not base64!"), f"{DATA}: not valid base64"),
        (painted("iVBORw0KGgo"), f"{DATA}: not valid base64"),  # bad padding
        (painted(b""), f"{DATA}: not a PNG"),
        (painted(b"GIF89a" + png()[6:]), f"{DATA}: not a PNG"),
        (painted(BAD_HEADER), f"{DATA}: not a PNG (its header cannot be read)"),
        (painted(TRUNCATED), f"{DATA}: a damaged PNG"),
        (
            painted(png(), 8, 6),
            f"{DATA}: the PNG is 4x3 pixels, but answer.inputImageProperties says 8x6",
        ),
        (painted(png(), 4, 4), f"{DATA}: the PNG is 4x3 pixels, but answer.inputImageProper"),
        ({**GOOD, "inputImageProperties": {"width": 4}}, "answer.inputImageProperties.height:"),
        (painted(png(), 0, 3), "answer.inputImageProperties.width: must be at least 1"),
        (
            painted(png(), 20_000, 5_001),
            "answer.inputImageProperties: 20000x5001 is over 100 Mpx",
        ),
        ({**GOOD, "labelMappings": []}, "answer.labelMappings: must be a JSON object like"),
        (
            painted(png(), dog={"color": "#ff0000"}),
            "answer.labelMappings: 'dog' is not one of this job's labels (road, car)",
        ),
        (painted(png(), road="#00ff00"), "answer.labelMappings.road: must be a JSON object"),
        (painted(png(), road={}), "answer.labelMappings.road.color: missing"),
        (
            painted(png(), road={"color": "#00ff00", "alpha": 1}),
            "answer.labelMappings.road.alpha: unknown field",
        ),
        (
            painted(png(), car={"color": "red"}),
            "answer.labelMappings.car.color: must be a colour like #rrggbb, got 'red'",
        ),
        (painted(png(), car={"color": "#f0f"}), "answer.labelMappings.car.color: must be a c"),
        (painted(png(), car={"color": "#00ff0g"}), "answer.labelMappings.car.color: must be a"),
        (painted(png(), car={"color": 0xFF00FF}), "answer.labelMappings.car.color: must be a"),
        (
            painted(png(), road={"color": "#00ff00"}, car={"color": "#00FF00"}),
            "answer.labelMappings.car.color: #00FF00 is already 'road''s colour",
        ),
    ],
)
def test_refuses_naming_the_field(answer, message):
    with pytest.raises(BadInput) as error:
        SemanticSegmentation().validate_answer(answer, LABELS)
    assert error.value.message.startswith(message)


def test_refuses_a_png_over_40_mb_before_decoding_it():
    # Ground Truth's limit on an image file; the base64 text is not even decoded.
    too_long = "A" * (4 * -(-MAX_PNG_BYTES // 3) + 4)
    with pytest.raises(BadInput) as error:
        SemanticSegmentation().validate_answer(painted(too_long), LABELS)
    assert error.value.message == f"{DATA}: the PNG is over 40 MB"


# -- output lines ---------------------------------------------------------------------------


def street_label(host, *drawn):
    """The consolidated label of one item painted ``drawn`` (rows per worker)."""
    return consolidate(host, "pixel-vote", LABELS, *(mask(*rows) for rows in drawn))


def test_the_mask_is_written_as_a_png_object(host):
    label = street_label(host, STREET, STREET, STRAY)
    stored = SemanticSegmentation().label_object(label, LABELS)
    assert (stored.extension, stored.content_type) == (".png", "image/png")
    assert_mask(stored.data, label.details["internal-color-map"], STREET_CLASSES)


def test_a_mask_that_is_not_png_bytes_is_refused():
    with pytest.raises(TypeError, match="a consolidated mask is PNG bytes, got str"):
        SemanticSegmentation().label_object(Consolidated(value="iVBOR", confidence=1), LABELS)


def test_the_output_line_is_ground_truths(host):
    circuit = {"IC": {"color": "#00ff00"}, "resistor1": {"color": "#FF00FF"}}
    drawn = [mask(*STREET) for _ in range(3)]
    for answer in drawn:
        answer["labelMappings"] = circuit
    label = consolidate(host, "pixel-vote", GT_LABELS, *drawn)
    url = GT_SEMSEG[GT_ATTRIBUTE]
    value, metadata = labeled_output(
        SemanticSegmentation(), replace(label, value=url), GT_LABELS, "S10-label3"
    )
    line = {
        "source-ref": GT_SEMSEG["source-ref"],
        GT_ATTRIBUTE: value,
        f"{GT_ATTRIBUTE}-metadata": metadata,
    }
    assert shape(line) == shape(GT_SEMSEG)
    assert value == url
    expected = GT_SEMSEG[f"{GT_ATTRIBUTE}-metadata"]
    assert metadata["job-name"] == expected["job-name"]
    assert metadata["type"] == expected["type"]
    assert metadata["human-annotated"] == "yes"
    color_map = metadata["internal-color-map"]
    assert [entry["class-name"] for entry in color_map.values()] == [
        entry["class-name"] for entry in expected["internal-color-map"].values()
    ]
    assert color_map["0"]["hex-color"] == "#ffffff"
    assert {entry["confidence"] for entry in color_map.values()} == {1.0}  # one per image


def test_a_label_without_a_color_map_gets_pixel_votes():
    # A custom consolidation (quorum_post_annotation) may give the mask alone.
    value, metadata = SemanticSegmentation().output_label(
        Consolidated(value="s3://b/mask.png", confidence=0.8), LABELS
    )
    assert value == "s3://b/mask.png"
    assert metadata == {
        "internal-color-map": {
            "0": {"class-name": "BACKGROUND", "hex-color": "#ffffff", "confidence": 0.8},
            "1": {"class-name": "road", "hex-color": "#1f77b4", "confidence": 0.8},
            "2": {"class-name": "car", "hex-color": "#ff7f0e", "confidence": 0.8},
        }
    }


def test_worker_responses_wrap_the_answer_in_the_element_name():
    assert answer_content(SemanticSegmentation(), GOOD) == {"crowd-semantic-segmentation": GOOD}


def test_a_label_object_inlines_as_a_data_url():
    stored = LabelObject(data=b"\x89PNG", extension=".png", content_type="image/png")
    assert stored.data_url() == "data:image/png;base64,iVBORw=="


# -- whole jobs through the GraphQL API -----------------------------------------------------


def street_images(settings: Settings, count: int) -> list[dict[str, Any]]:
    """``count`` manifest lines naming real 8x6 PNG images in the local object store."""
    folder = settings.objects_dir / "streets"
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for index in range(count):
        (folder / f"{index}.png").write_bytes(png(8, 6, "RGB"))
        lines.append({"source-ref": f"file://{folder / f'{index}.png'}", "id": index})
    return lines


def street_job(app, gql, settings, *, workers: int, images: int = 2):
    return running_job(
        app,
        gql,
        settings,
        lines=street_images(settings, images),
        workers=workers,
        name="street-scenes",
        taskType="semantic-segmentation",
        labels=LABELS,
        workersPerItem=workers,
    )


def test_a_semantic_segmentation_job_end_to_end(quorum_app, quorum_settings, gql, quorum_client):
    job = street_job(quorum_app, gql, quorum_settings, workers=3)
    created = gql.ok(
        "query($id: ID!) { job(id: $id) { consensus labelAttributeName } }",
        {"id": job.id},
        job.requester,
    )["job"]
    assert created == {"consensus": "pixel-vote", "labelAttributeName": "street-scenes-ref"}
    task = job.claim()
    too_small = painted(png(4, 3), 8, 6)
    error = gql.error(SUBMIT, {"taskId": task["id"], "answer": too_small}, job.workers[0][1])
    assert (error.code, error.message) == (
        "BAD_INPUT",
        f"{DATA}: the PNG is 4x3 pixels, but answer.inputImageProperties says 8x6",
    )
    drawn = {0: [STREET, STREET, STRAY], 1: [EMPTY, EMPTY, EMPTY]}
    answer_everything(job, lambda worker, position: mask(*drawn[position][worker]))
    street, empty = finished_output(job, quorum_settings)
    attribute = "street-scenes-ref"
    assert set(street) == {"source-ref", "id", attribute, f"{attribute}-metadata"}
    metadata = street[f"{attribute}-metadata"]
    assert set(metadata) == set(GT_SEMSEG[f"{GT_ATTRIBUTE}-metadata"])
    assert metadata["type"] == "groundtruth/semantic-segmentation"
    assert metadata["job-name"] == "labeling-job/street-scenes"
    assert {entry["confidence"] for entry in metadata["internal-color-map"].values()} == {0.99}
    manifest = job.status()["outputManifest"]
    masks = manifest.replace("manifests/output/output.manifest", "annotations/") + (
        "consolidated-annotation/output/"
    )
    for line, expected in [(street, STREET_CLASSES), (empty, [[0] * 8] * 6)]:
        url = line[attribute]
        assert url.startswith(masks) and MASK_NAME.fullmatch(url.removeprefix(masks)), url
        assert url.removeprefix(masks).startswith(f"{line['id']}_")
        data = Path(url.removeprefix("file://")).read_bytes()
        assert_mask(data, line[f"{attribute}-metadata"]["internal-color-map"], expected)
    assert {"crowd-semantic-segmentation": mask(*STRAY)} in worker_responses(job)
    items = gql.ok(
        "query($id: ID!) { job(id: $id) { items { edges { node { labelUrl } } } } }",
        {"id": job.id},
        job.requester,
    )["job"]["items"]["edges"]
    fetched = quorum_client.get(items[0]["node"]["labelUrl"])  # how the console shows masks
    assert fetched.content == Path(street[attribute].removeprefix("file://")).read_bytes()


def test_the_mask_is_written_before_the_item_is_labeled(quorum_app, quorum_settings, gql):
    job = street_job(quorum_app, gql, quorum_settings, workers=1, images=1)
    task = job.claim()
    job.gql.ok(SUBMIT, {"taskId": task["id"], "answer": mask(*STREET)}, job.workers[0][1])
    plugins, db = quorum_app.state.plugins, quorum_app.state.db
    with db.read() as session:
        stored_job = session.exec(select(Job).where(Job.name == "street-scenes")).one()
        batch = plan(session, plugins, stored_job, partial=False)
    (outcome,) = batch.outcomes
    assert outcome.stored is not None
    key, stored = outcome.stored
    url = json.loads("{" + (outcome.output or "") + "}")["street-scenes-ref"]
    assert url == join_url(label_objects_prefix(stored_job), key) == outcome.value
    path = Path(url.removeprefix("file://"))
    assert not path.exists()
    write_responses(plugins, plugins.storage, stored_job, batch.outcomes)
    assert path.read_bytes() == stored.data
    assert job.status()["counters"]["humanLabeled"] == 0
    with db.write() as session:
        assert apply(session, stored_job, batch) == 1
    assert job.status()["counters"]["humanLabeled"] == 1


# -- the label attribute name (GROUNDTRUTH.md 1.3) ------------------------------------------

CREATE = """
mutation($input: CreateJobInput!) { createJob(input: $input) { labelAttributeName } }
"""


def create_job_with(app, gql, settings, **fields):
    """createJob's ``(data, errors)`` for a job of ``fields`` over a small manifest."""
    _, requester = make_user(app, "rita", Role.REQUESTER)
    spec = {
        "name": "masks",
        "taskType": "semantic-segmentation",
        "inputManifest": write_manifest(settings, "m.manifest", text_lines(1)),
        "labels": ["a", "b"],
        "teamId": str(make_team(app, "crew", [])),
        **fields,
    }
    return gql.execute(CREATE, {"input": spec}, requester)


@pytest.mark.parametrize(
    ("fields", "attribute"),
    [
        ({}, "masks-ref"),  # the job name, with -ref appended
        ({"name": "masks-ref"}, "masks-ref"),  # ... unless it ends with it already
        ({"name": "S10-label3"}, "S10-label3-ref"),
        ({"labelAttributeName": "S10-label3-ref"}, "S10-label3-ref"),
        ({"taskType": "text-classification"}, "masks"),
    ],
)
def test_the_label_attribute_of_a_mask_ends_with_ref(
    quorum_app, quorum_settings, gql, fields, attribute
):
    data, errors = create_job_with(quorum_app, gql, quorum_settings, **fields)
    assert not errors, errors
    assert data is not None
    assert data["createJob"]["labelAttributeName"] == attribute


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"labelAttributeName": "masks"},
            "labelAttributeName: 'masks' must end with -ref for semantic-segmentation, "
            "whose label is the URL of an object",
        ),
        (
            {"name": "source"},
            "labelAttributeName (the job name and -ref): 'source-ref' is reserved for Ground "
            "Truth's manifest keys",
        ),
        (
            {"labelAttributeName": "masks-ref-metadata"},
            "labelAttributeName: 'masks-ref-metadata' is reserved for Ground Truth's manifest keys",
        ),
        (
            {"taskType": "text-classification", "labelAttributeName": "pets-ref"},
            "labelAttributeName: 'pets-ref' must not end with -ref for text-classification",
        ),
        (
            {"taskType": "bounding-box", "name": "boxes-ref"},
            "labelAttributeName (the job name): 'boxes-ref' must not end with -ref for "
            "bounding-box",
        ),
    ],
)
def test_a_label_attribute_against_the_rules_is_refused(
    quorum_app, quorum_settings, gql, fields, message
):
    _data, errors = create_job_with(quorum_app, gql, quorum_settings, **fields)
    assert [(error.code, error.message) for error in errors] == [("BAD_INPUT", message)]


# -- quorum consolidate ---------------------------------------------------------------------


def consolidate_masks(tmp_path, answers: str):
    return quorum_in_process(
        "consolidate",
        "--task-type",
        "semantic-segmentation",
        "--labels",
        ",".join(LABELS),
        env={"QUORUM_DATA_DIR": str(tmp_path)},
        stdin=answers,
    )


def test_consolidate_prints_the_mask_inline_as_a_data_url(tmp_path):
    answers = answer_lines(
        ("a", 1, mask(*STREET)),
        ("a", 2, mask(*STRAY)),
        ("a", 3, mask(*STREET)),
        ("b", 1, mask(*EMPTY)),
    )
    result = consolidate_masks(tmp_path, answers)
    assert result.returncode == 0, result.stderr
    a, b = (json.loads(line) for line in result.stdout.splitlines())
    assert (a["item"], b["item"]) == ("a", "b")
    prefix = "data:image/png;base64,"
    assert a["label"].startswith(prefix)
    color_map = a["metadata"]["internal-color-map"]
    assert_mask(base64.b64decode(a["label"].removeprefix(prefix)), color_map, STREET_CLASSES)
    assert classes(base64.b64decode(b["label"].removeprefix(prefix))) == [[0] * 8] * 6
    assert a["metadata"]["type"] == "groundtruth/semantic-segmentation"
    assert "job-name" not in a["metadata"]
    assert color_map["1"] == {"class-name": "road", "hex-color": "#00ff00", "confidence": 0.99}
    # one worker: confidence 0, as in Ground Truth
    assert {entry["confidence"] for entry in b["metadata"]["internal-color-map"].values()} == {0}


def test_consolidate_names_the_bad_line_and_field(tmp_path):
    answers = answer_lines(("a", 1, mask(*STREET)), ("a", 2, painted("not base64!")))
    result = consolidate_masks(tmp_path, answers)
    assert result.returncode == 2
    assert f"line 2: {DATA}: not valid base64" in result.stderr


def truncated_png(width: int, height: int) -> bytes:
    """A PNG with a valid header and checksums whose image data is cut short: the one
    IDAT chunk holds the first half of the compressed pixels, with its CRC recomputed."""
    raw = b"".join(b"\x00" + bytes(range(4 * width)) for _ in range(height))
    data = zlib.compress(raw)[:12]

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def test_a_truncated_mask_is_refused_at_submit(quorum_app, quorum_settings, gql):
    job = street_job(quorum_app, gql, quorum_settings, workers=1, images=1)
    task = job.claim()
    error = gql.error(
        SUBMIT,
        {"taskId": task["id"], "answer": painted(truncated_png(8, 6), 8, 6)},
        job.workers[0][1],
    )
    assert error.code == "BAD_INPUT"
    assert error.message.startswith(f"{DATA}: the PNG cannot be decoded"), error.message
    assert job.claim()["id"] == task["id"]  # still the worker's, unanswered
    gql.ok(SUBMIT, {"taskId": task["id"], "answer": mask(*STREET)}, job.workers[0][1])


def test_a_mask_bigger_than_the_image_is_refused_before_it_is_decoded(
    quorum_app, quorum_settings, gql
):
    job = street_job(quorum_app, gql, quorum_settings, workers=1, images=1)
    task = job.claim()
    bomb = painted(png(10_000, 10_000, "1"), 10_000, 10_000)
    error = gql.error(SUBMIT, {"taskId": task["id"], "answer": bomb}, job.workers[0][1])
    assert (error.code, error.message) == (
        "BAD_INPUT",
        "answer.inputImageProperties: 10000x10000, but the item's image is 8x6",
    )
