"""Object ids as clients write them: the canonical decimal form, and only that.

Python's ``int()`` reads ``" 1"``, ``"01"``, ``"+1"``, ``"1_0"`` and other scripts' digits
(``"\\u0661"``, Arabic-Indic one) as numbers, so one object would answer to many spellings. An
id is ASCII digits without a sign, a space or a leading zero, from 1 to the largest
64-bit key the databases hold.
"""

from __future__ import annotations

import re

#: The largest id: the databases' keys are 64-bit signed integers.
MAX_ID = 2**63 - 1
#: A canonical id: ``[0-9]`` is ASCII in Python's ``re`` (``\d`` would take every script).
_CANONICAL = re.compile(r"[1-9][0-9]{0,18}")


def canonical_id(text: str) -> int | None:
    """The id ``text`` spells canonically (``"42"``), else ``None`` (``"042"``, ``" 42"``,
    ``"\\u0664\\u0662"``, ``"0"``, past :data:`MAX_ID`)."""
    if _CANONICAL.fullmatch(text) is None:
        return None
    number = int(text)
    return number if number <= MAX_ID else None
