"""A job's examples for workers: what a right answer looks like, beside the instructions.

``createJob(input: {examples})`` takes up to ``MAX_EXAMPLES`` objects, each with a
``label`` (one of the job's categories; optional for task types without categories), and
a ``text`` and/or an ``image`` (a storage URL, like a manifest's ``source-ref``), and an
optional ``note`` saying why. The portal shows them with the full instructions; an image
reaches the browser through a signed or presigned URL (``Job.examples { imageUrl }``).
"""

from __future__ import annotations

from typing import Any

from quorum.errors import BadInput
from quorum.storage import Storage

MAX_EXAMPLES = 20
MAX_TEXT = 2_000
_FIELDS = ("label", "text", "image", "note")


def _text(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise BadInput(f"{field}: must be non-empty text")
    if len(value) > MAX_TEXT:
        raise BadInput(f"{field}: at most {MAX_TEXT:,} characters")
    return value


def check_examples(value: Any, labels: list[str], storage: Storage) -> list[dict[str, str]] | None:
    """The examples, checked; raises :class:`BadInput` naming the field
    (``examples[2].image: ...``)."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise BadInput("examples: must be a list of {label, text, image, note} objects")
    if len(value) > MAX_EXAMPLES:
        raise BadInput(f"examples: at most {MAX_EXAMPLES}, got {len(value)}")
    checked: list[dict[str, str]] = []
    for index, example in enumerate(value):
        field = f"examples[{index}]"
        if not isinstance(example, dict):
            raise BadInput(f"{field}: must be an object with label, text, image or note")
        unknown = sorted(set(example) - set(_FIELDS))
        if unknown:
            raise BadInput(f"{field}.{unknown[0]}: unknown; use label, text, image and note")
        label = _text(example.get("label"), f"{field}.label")
        if label is not None and labels and label not in labels:
            raise BadInput(f"{field}.label: {label!r} is not one of this job's labels")
        if labels and label is None:
            raise BadInput(f"{field}.label: missing; say which category the example shows")
        text = _text(example.get("text"), f"{field}.text")
        image = _text(example.get("image"), f"{field}.image")
        if image is not None:
            try:
                storage.check_url(image)
            except BadInput as exc:
                raise BadInput(f"{field}.image: {exc.message}") from None
        if text is None and image is None:
            raise BadInput(f"{field}: give a text or an image (or both)")
        note = _text(example.get("note"), f"{field}.note")
        entry = {"label": label, "text": text, "image": image, "note": note}
        checked.append({key: item for key, item in entry.items() if item is not None})
    return checked
