"""Limits on what a request may bring, in one place: sizes of free-text fields and label
lists, checked by the services and task types that take them. The limit on a request's
body is the HTTP layer's (:mod:`quorum.http.limits`).

Every refusal names the field and says the limit; text with a lone surrogate (which the
command line makes of bytes that are not UTF-8) is refused too (:mod:`quorum.json_input`).
The limits are generous for real work and keep one request from costing the server (or
every worker it is shown to) more than a few megabytes:

================================  ==========  =========================================
Field                             Limit       Why
================================  ==========  =========================================
labels per job (default)          1,000       Ground Truth's API has no limit for
                                              single-label classification; its console
                                              stops at 30. Task types may set a lower
                                              ``max_labels`` (50 for multi-label and
                                              boxes, as Ground Truth; 255 for masks).
a label name                      256 chars   Ground Truth's limit
job ``instructions``              10,000      sent with every task and job listing
job ``fullInstructions``          100,000     HTML shown on demand
job ``template``                  200,000     (:mod:`quorum.templates`)
user and team names               200
an answer's ``workerComment``     1,000       as label verification's ``comment``
================================  ==========  =========================================
"""

from __future__ import annotations

from quorum.errors import BadInput
from quorum.json_input import check_string

#: The most label categories a job may have, unless its task type says fewer.
MAX_LABELS = 1_000
#: The longest label category name (Ground Truth's limit).
MAX_LABEL_CHARS = 256
#: The longest short ``instructions`` of a job.
MAX_INSTRUCTIONS_CHARS = 10_000
#: The longest ``fullInstructions`` of a job.
MAX_FULL_INSTRUCTIONS_CHARS = 100_000
#: The longest user or team name.
MAX_NAME_CHARS = 200
#: The longest ``workerComment`` (or other comment) in an answer.
MAX_COMMENT_CHARS = 1_000


def check_text(value: str | None, field: str, most: int) -> None:
    """Raise :class:`BadInput` naming ``field`` if ``value`` is longer than ``most``
    characters (saying the limit) or is not Unicode text (a lone surrogate, which the
    command line makes of bytes that are not UTF-8); ``None`` passes."""
    if value is None:
        return
    if len(value) > most:
        raise BadInput(f"{field}: at most {most:,} characters, got {len(value):,}")
    check_string(value, field)
