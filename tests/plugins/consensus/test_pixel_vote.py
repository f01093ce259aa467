"""``pixel-vote``: per-pixel majority over the workers' masks, smoothed where they disagree."""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image

from quorum.colors import internal_color_map
from quorum.consensus import WorkerAnswer
from quorum.plugins import PluginHost
from quorum.settings import Settings
from quorum_plugins.consensus.pixel_vote import PixelVote, label_colors

LABELS = ["road", "car"]
#: The worker UI's colours, which differ from the consolidated palette.
MAPPINGS = {"road": {"color": "#00ff00"}, "car": {"color": "#FF00FF"}}
#: One character per pixel in the masks below.
PIXELS = {
    ".": (0, 0, 0, 0),  # transparent: background
    "w": (255, 255, 255, 255),  # white: background
    "r": (0, 255, 0, 255),  # road
    "c": (255, 0, 255, 255),  # car
    "n": (0, 254, 0, 255),  # nearly road: background (exact match only)
    "t": (0, 255, 0, 0),  # road's colour but transparent: background
}


def mask(*rows: str) -> dict:
    """A worker's answer whose RGBA mask is drawn by ``rows`` (see ``PIXELS``)."""
    pixels = np.array([[PIXELS[char] for char in row] for row in rows], np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return {
        "labeledImage": {"pngImageData": base64.b64encode(buffer.getvalue()).decode()},
        "labelMappings": MAPPINGS,
        "inputImageProperties": {"width": len(rows[0]), "height": len(rows)},
    }


def consolidate(*answers: dict, item: object = "img", labels=LABELS):
    """Consolidate one item on which worker ``w<i>`` gave ``answers[i]``."""
    given = [
        WorkerAnswer(item=item, worker=f"w{index}", answer=content)
        for index, content in enumerate(answers)
    ]
    return PixelVote().consolidate(given, labels)


def classes(value: bytes) -> list[list[int]]:
    """The class indices of a consolidated mask, decoded with Pillow."""
    with Image.open(io.BytesIO(value)) as image:
        assert image.mode == "P"
        return np.asarray(image).tolist()


def test_is_registered_through_its_entry_point(tmp_path):
    host = PluginHost(Settings.from_env({"QUORUM_DATA_DIR": str(tmp_path)}))
    algorithm = host.consensus_algorithms.get("pixel-vote", "consensus")
    assert isinstance(algorithm, PixelVote)
    assert algorithm.label_kinds == ("mask",)
    assert "builtin_pixel_vote" in host.plugin_names


def test_the_mask_is_a_palette_png_of_class_indices():
    drawn = mask("rrc", "w.c")
    label = consolidate(drawn, drawn, drawn).labels["img"]
    assert label.value.startswith(b"\x89PNG")
    assert classes(label.value) == [[1, 1, 2], [0, 0, 2]]
    with Image.open(io.BytesIO(label.value)) as image:
        palette = image.getpalette()
    assert palette is not None
    # White, then the colours the workers painted road and car with (MAPPINGS).
    assert palette[:9] == [0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0x00, 0xFF, 0x00, 0xFF]
    assert set(palette[9:]) == {0xFF}  # padding in white
    assert label.confidence == 1.0
    assert set(label.details) == {"internal-color-map", "skipped-workers"}


def test_the_color_map_matches_ground_truths_example_line():
    # GROUNDTRUTH.md 2.3, from semseg_output.manifest.
    example = json.loads(
        '{"internal-color-map":{"0":{"class-name":"BACKGROUND","hex-color":"#ffffff",'
        '"confidence":0},"1":{"class-name":"IC","hex-color":"#2ca02c","confidence":0},'
        '"2":{"class-name":"resistor1","hex-color":"#1f77b4","confidence":0},'
        '"3":{"class-name":"resistor2","hex-color":"#ff7f0e","confidence":0}}}'
    )["internal-color-map"]
    ours = internal_color_map(["IC", "resistor1", "resistor2"], 0)
    assert list(ours) == list(example)
    for key, entry in ours.items():
        assert list(entry) == list(example[key])
        assert entry["class-name"] == example[key]["class-name"]
        assert entry["confidence"] == example[key]["confidence"]
    assert [entry["hex-color"] for entry in ours.values()] == [
        "#ffffff",
        "#1f77b4",
        "#ff7f0e",
        "#2ca02c",
    ]


def test_the_color_map_repeats_category10_after_ten_labels():
    colors = internal_color_map([f"l{i}" for i in range(11)], 0.5)
    assert colors["10"]["hex-color"] == "#17becf"
    assert colors["11"]["hex-color"] == "#1f77b4"
    assert {entry["confidence"] for entry in colors.values()} == {0.5}


def test_only_exact_visible_label_colors_count():
    label = consolidate(mask("rc.wnt")).labels["img"]
    assert classes(label.value) == [[1, 2, 0, 0, 0, 0]]


def test_a_vote_tie_goes_to_the_lower_class():
    result = consolidate(mask("rr.."), mask("cccc"))
    label = result.labels["img"]
    assert classes(label.value) == [[1, 1, 0, 0]]
    assert label.confidence == 0.5
    assert label.details["internal-color-map"]["2"] == {
        "class-name": "car",
        "hex-color": "#ff00ff",  # as the workers painted it
        "confidence": 0.5,
    }


def test_smoothing_fills_a_contested_pixel_from_its_neighbours():
    def ring(centre: str) -> dict:
        return mask(".....", ".ccc.", f".c{centre}c.", ".ccc.", ".....")

    result = consolidate(ring("c"), ring("r"), ring("."))
    label = result.labels["img"]
    # The centre's vote is a three-way tie (background would win); its 3x3 mode is car.
    assert classes(label.value)[2] == [0, 2, 2, 2, 0]
    assert label.confidence == 0.97  # (24 unanimous pixels + 1/3) / 25
    assert [result.workers[f"w{i}"].agreement for i in range(3)] == [1.0, 0.96, 0.96]


def test_smoothing_removes_contested_specks_but_keeps_unanimous_ones():
    speck = mask("...", ".c.", "...")
    contested = consolidate(speck, speck, mask("rrr", "rrr", "rrr")).labels["img"]
    assert classes(contested.value) == [[0, 0, 0], [0, 0, 0], [0, 0, 0]]
    unanimous = consolidate(speck, speck, speck).labels["img"]
    assert classes(unanimous.value) == [[0, 0, 0], [0, 2, 0], [0, 0, 0]]


def test_a_single_worker_gives_its_mask_at_zero_confidence():
    result = consolidate(mask("rc", ".c"))
    label = result.labels["img"]
    assert classes(label.value) == [[1, 2], [0, 2]]
    assert label.confidence == 0.0
    assert {entry["confidence"] for entry in label.details["internal-color-map"].values()} == {0.0}
    assert result.workers["w0"].agreement == 1.0


def test_masks_of_another_size_are_skipped_and_reported():
    result = consolidate(mask("rc", "rc"), mask("rc", "rc"), mask("ccc", "ccc", "ccc"))
    label = result.labels["img"]
    assert classes(label.value) == [[1, 2], [1, 2]]
    assert label.details["skipped-workers"] == ["w2"]
    assert label.confidence == 1.0
    assert result.workers["w2"].agreement == 0.0


def test_a_spammer_is_outvoted_and_scores_low():
    honest = mask("rrcc", "rrcc")
    result = consolidate(honest, honest, honest, mask("c.r.", ".crw"))
    label = result.labels["img"]
    assert classes(label.value) == [[1, 1, 2, 2], [1, 1, 2, 2]]
    assert label.confidence == 0.75
    assert result.workers["w3"].agreement == 0.0
    assert result.workers["w0"].agreement == 1.0


def test_a_sparse_worker_lowers_confidence():
    full = mask("cc", "cc")
    result = consolidate(full, full, mask("..", ".."))
    label = result.labels["img"]
    assert classes(label.value) == [[2, 2], [2, 2]]
    assert label.confidence == 0.67
    assert result.workers["w2"].agreement == 0.0


def test_several_items_in_one_call():
    given = [
        WorkerAnswer(item=1, worker="ann", answer=mask("rr")),
        WorkerAnswer(item=2, worker="ann", answer=mask("cc")),
        WorkerAnswer(item=1, worker="bob", answer=mask("rr")),
        WorkerAnswer(item=2, worker="bob", answer=mask("c.")),
    ]
    result = PixelVote().consolidate(given, LABELS)
    assert classes(result.labels[1].value) == [[1, 1]]
    assert classes(result.labels[2].value) == [[2, 0]]
    assert result.labels[2].confidence == 0.75
    assert result.workers["ann"].answers == 2
    assert result.workers["ann"].agreement == 0.75  # 1 on item 1, 1/2 on item 2
    assert result.workers["bob"].agreement == 1.0


def test_more_labels_than_a_palette_holds_are_refused():
    with pytest.raises(ValueError, match="at most 255 labels"):
        consolidate(mask("r"), labels=[f"l{i}" for i in range(256)])


def test_label_colours_follow_most_workers_and_fall_back_to_category10():
    def answer_with(mappings):
        return WorkerAnswer(item="img", worker=len(mappings), answer={"labelMappings": mappings})

    answers = [
        answer_with({"road": {"color": "#00FF00"}}),
        answer_with({"road": {"color": "#00ff00"}, "car": {"color": "#123456"}}),
        answer_with({"road": {"color": "#abcdef"}}),
    ]
    assert label_colors(answers, ["road", "car", "sky"]) == ["#00ff00", "#123456", "#2ca02c"]
