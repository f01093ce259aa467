"""The built-in auto-labeling models learn small real problems and refuse bad input."""

from __future__ import annotations

import io
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import load_digits

from quorum.plugins import PluginHost
from quorum.settings import Settings
from quorum_plugins.auto_labelers.image import ImageHogSvm
from quorum_plugins.auto_labelers.text import TextTfidfLogistic

DIGITS = [str(d) for d in range(10)]


def encode(pixels: np.ndarray, mode: str = "L", size: int = 8, fmt: str = "PNG") -> bytes:
    image = Image.fromarray(pixels.astype(np.uint8), mode="L").convert(mode)
    buffer = io.BytesIO()
    image.resize((size, size)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def digits():
    data = load_digits()
    chosen = np.random.default_rng(0).permutation(len(data.target))[:900]
    images = [encode(image * 255.0 / 16.0) for image in data.images[chosen]]
    return images, data.target[chosen].astype(np.int64), data.images[chosen]


@pytest.fixture(scope="module")
def digit_rows(digits):
    return ImageHogSvm(DIGITS).featurize(digits[0])


def test_the_image_model_learns_digits_from_png_bytes(digits, digit_rows):
    _, labels, _ = digits
    model = ImageHogSvm(DIGITS, seed=1)
    model.fit(digit_rows[:600], labels[:600])
    proba = model.predict_proba(digit_rows[600:])
    assert proba.shape == (300, 10) and np.allclose(proba.sum(axis=1), 1.0)
    assert (proba.argmax(axis=1) == labels[600:]).mean() > 0.93
    sure = proba.max(axis=1) >= 0.9
    assert sure.mean() > 0.6 and (proba[sure].argmax(axis=1) == labels[600:][sure]).mean() > 0.97


def test_the_image_model_reads_colour_and_any_size(digits, digit_rows):
    _, labels, pixels = digits
    model = ImageHogSvm(DIGITS)
    model.fit(digit_rows[:600], labels[:600])
    variants = [
        encode(pixels[600] * 255.0 / 16.0, "RGB", 64, "JPEG"),
        encode(pixels[601] * 255.0 / 16.0, "RGBA", 30, "PNG"),
        encode(pixels[602] * 255.0 / 16.0, "P", 200, "GIF"),
    ]
    rows = model.featurize(variants)
    assert rows.shape == (3, digit_rows.shape[1])
    assert (model.predict_proba(rows).argmax(axis=1) == labels[600:603]).sum() >= 2


def test_a_class_missing_from_training_gets_probability_zero(digits, digit_rows):
    _, labels, _ = digits
    seen = labels[:600] != 9
    model = ImageHogSvm(DIGITS)
    model.fit(digit_rows[:600][seen], labels[:600][seen])
    proba = model.predict_proba(digit_rows[600:650])
    assert proba.shape == (50, 10) and np.all(proba[:, 9] == 0)
    assert np.allclose(proba.sum(axis=1), 1.0)


def test_one_class_or_one_example_of_a_class_still_fits(digits, digit_rows):
    _, labels, _ = digits
    only_threes = ImageHogSvm(DIGITS)
    only_threes.fit(digit_rows[labels == 3][:5], np.full(5, 3))
    assert np.all(only_threes.predict_proba(digit_rows[:4])[:, 3] == 1.0)
    rows = np.vstack([digit_rows[labels == 0][:10], digit_rows[labels == 1][:1]])
    lone = ImageHogSvm(DIGITS)
    lone.fit(rows, np.array([0] * 10 + [1]))
    assert lone.predict_proba(digit_rows[:2]).shape == (2, 10)


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (b"certainly not an image", "item 1: not an image Pillow can read"),
        ("a caption, not an image", "item 1: image-hog-svm labels images"),
    ],
)
def test_the_image_model_refuses_what_is_not_an_image(digits, item, message):
    with pytest.raises(ValueError, match=message):
        ImageHogSvm(DIGITS).featurize([digits[0][0], item])


TOPICS = {
    "sport": "match goal team coach player season league score referee striker".split(),
    "food": "recipe oven flour butter sauce dinner taste chef garlic bake".split(),
    "weather": "rain storm forecast sunny wind cloud snow temperature cold humid".split(),
}
FILLER = "the a today we it was very and some really".split()


def sentences(count: int, seed: int) -> tuple[list[str], np.ndarray]:
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(count):
        label = i % len(TOPICS)
        words = rng.sample(TOPICS[list(TOPICS)[label]], 3)
        words += rng.sample(FILLER, 4)
        rng.shuffle(words)
        texts.append(" ".join(words).capitalize() + ".")
        labels.append(label)
    return texts, np.array(labels, dtype=np.int64)


def test_the_text_model_learns_topics_from_a_few_dozen_sentences():
    train, train_labels = sentences(36, seed=1)
    test, test_labels = sentences(30, seed=2)
    model = TextTfidfLogistic(list(TOPICS))
    model.fit(model.featurize(train), train_labels)
    proba = model.predict_proba(model.featurize(test))
    assert proba.shape == (30, 3) and np.allclose(proba.sum(axis=1), 1.0)
    assert (proba.argmax(axis=1) == test_labels).mean() >= 0.9


def test_the_text_model_gives_an_unseen_class_probability_zero_and_refuses_bytes():
    train, labels = sentences(24, seed=3)
    model = TextTfidfLogistic([*TOPICS, "politics"])
    model.fit(model.featurize(train), labels)
    proba = model.predict_proba(model.featurize(["Storm and rain today."]))
    assert proba.shape == (1, 4) and proba[0, 3] == 0 and proba[0].argmax() == 2
    with pytest.raises(ValueError, match="item 0: text-tfidf-logistic labels text, got bytes"):
        model.featurize([b"raw bytes"])


def test_both_models_are_installed_for_their_task_types(tmp_path: Path):
    host = PluginHost(Settings.from_env({"QUORUM_DATA_DIR": str(tmp_path)}))
    text = host.auto_labelers.get("text-tfidf-logistic", "autoLabeling.model")
    image = host.auto_labelers.get("image-hog-svm", "autoLabeling.model")
    assert text.task_types == ("text-classification",)
    assert image.task_types == ("image-classification",)
