"""Collect the field errors of one request, so that a refusal names every field at fault.

A form sent with four mistakes gets one answer listing all four, not four answers one
after the other. Each check runs inside :meth:`FieldErrors.check`; a refused check is
recorded under the field its message names (``"labels: needs at least 2 ..."`` →
``labels``), and :meth:`FieldErrors.raise_if_any` then raises one error for them all:

- one mistake: that error itself (its code and message unchanged), with
  ``extensions.fields``;
- several: :class:`BadInput` whose message lists them, with ``extensions.fields``.

``extensions.fields`` is a list of ``{"field": ..., "message": ...}`` in the order the
checks ran; each message names its field as before, so it reads on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from quorum.errors import BadInput, Conflict, NotFound, QuorumError

#: The field a message begins with: ``name``, ``gold.minAccuracy``, ``examples[2].label``,
#: ``labelAttributeName (the job name)``.
_FIELD = re.compile(
    r"([A-Za-z][A-Za-z0-9]*(?:\[\d+\])?(?:\.[A-Za-z][A-Za-z0-9]*(?:\[\d+\])?)*)"
    r"(?: \([^)]*\))?: "
)


def field_of(message: str, default: str) -> str:
    """The field ``message`` names at its start, or ``default`` when it names none."""
    match = _FIELD.match(message)
    return match.group(1) if match else default


class FieldErrors:
    """The refused checks of one request, in the order they ran."""

    def __init__(self) -> None:
        self._errors: list[tuple[str, QuorumError]] = []

    @contextmanager
    def check(self, field: str) -> Iterator[None]:
        """Run a check; a :class:`BadInput`, :class:`NotFound` or :class:`Conflict` it
        raises is recorded under the field its message names (else ``field``)."""
        try:
            yield
        except (BadInput, NotFound, Conflict) as exc:
            self._errors.append((field_of(exc.message, field), exc))

    def failed(self, field: str) -> bool:
        """Whether a check of ``field`` (or of one of its parts) was refused."""
        return any(name == field or name.startswith(f"{field}.") for name, _ in self._errors)

    def fields(self) -> list[dict[str, Any]]:
        """``extensions.fields``: each refused field with its message."""
        return [{"field": name, "message": exc.message} for name, exc in self._errors]

    def raise_if_any(self) -> None:
        """Raise one error naming every refused field; nothing when all checks passed."""
        if not self._errors:
            return
        fields = self.fields()
        if len(self._errors) == 1:
            error = self._errors[0][1]
            error.extensions["fields"] = fields
            raise error
        listed = "; ".join(exc.message for _, exc in self._errors)
        raise BadInput(f"{len(fields)} fields need fixing: {listed}", fields=fields)
