"""JSON that clients send, decoded and checked the same way everywhere: GraphQL request
bodies (:class:`quorum.app.QuorumGraphQL`), answers and manifest lines.

Python's :mod:`json` takes more than JSON, and fails in ways a client should never see: it
reads ``NaN``, ``Infinity`` and ``1e400`` (infinite) as numbers, keeps lone surrogates
(``"\\ud800"``: no UTF-8 text can hold one, so the database, the output manifest and the
browser fail on it or garble it later), raises :class:`RecursionError` on deep nesting and
:class:`ValueError` on an integer past its digit limit. :func:`loads` and
:func:`check_json` refuse each of these with a :class:`BadInput` naming the field, as
I-JSON (RFC 7493) does:

- arrays and objects nest at most :data:`MAX_DEPTH` (100) levels;
- an integer has at most :data:`MAX_INTEGER_DIGITS` (4,300, Python's own limit) digits;
- every number is finite;
- every string, keys included, is Unicode text: no lone surrogate.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from quorum.errors import BadInput

#: The most levels of arrays and objects a JSON value may nest.
MAX_DEPTH = 100
#: The most digits of a JSON integer (Python's default ``sys.get_int_max_str_digits()``).
MAX_INTEGER_DIGITS = 4_300
#: What separates the keys and values of an object (used to find the key at fault).
_SEPARATORS = re.compile(r"[\s,:]*")
_OPENING = re.compile(r"\s*\{")


class _LongInteger:
    """An integer literal over :data:`MAX_INTEGER_DIGITS`, kept by its length until
    :func:`check_json` says where it is."""

    def __init__(self, digits: int) -> None:
        self.digits = digits


def _integer(text: str) -> int | _LongInteger:
    digits = len(text.lstrip("-"))
    if digits > MAX_INTEGER_DIGITS:
        return _LongInteger(digits)
    try:
        return int(text)
    except ValueError:  # the interpreter was given a lower digit limit
        return _LongInteger(digits)


def _join(field: str, key: str | int) -> str:
    """The path of ``key`` inside ``field`` (``variables.input``, ``answer[2]``), with a
    key's lone surrogates written out as ``\\udXXX`` so that the message can be logged."""
    if isinstance(key, int):
        return f"{field}[{key}]"
    shown = key.encode("utf-8", "backslashreplace").decode("utf-8")
    return f"{field}.{shown}" if field else shown


def check_string(text: str, field: str) -> None:
    """Raise :class:`BadInput` naming ``field`` if ``text`` holds a lone surrogate."""
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadInput(
            f"{field or 'request body'}: holds a lone surrogate (\\u{ord(text[exc.start]):x}) "
            f"at character {exc.start + 1:,}; text must be valid Unicode"
        ) from None


def check_json(value: Any, field: str, depth: int = 1) -> None:
    """Raise :class:`BadInput` naming the path (from ``field``) of the first value in the
    decoded JSON ``value`` that is not I-JSON: a number that is not finite or an integer
    over :data:`MAX_INTEGER_DIGITS` digits, a string or key with a lone surrogate, or
    arrays and objects nested deeper than :data:`MAX_DEPTH`."""
    where = field or "request body"
    if isinstance(value, str):
        check_string(value, field)
    elif isinstance(value, float) and not math.isfinite(value):
        raise BadInput(f"{where}: {value} is not a JSON number; numbers must be finite")
    elif isinstance(value, _LongInteger):
        raise BadInput(
            f"{where}: an integer of {value.digits:,} digits; at most {MAX_INTEGER_DIGITS:,}"
        )
    elif isinstance(value, dict | list):
        if depth > MAX_DEPTH:
            shown = where if len(where) <= 100 else where[:100] + "..."
            raise BadInput(f"{shown}: nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, dict):
            for key, inner in value.items():
                path = _join(field, key)
                check_string(key, path)
                check_json(inner, path, depth + 1)
        else:
            for index, inner in enumerate(value):
                check_json(inner, _join(field, index), depth + 1)


def loads(data: str | bytes, field: str = "") -> Any:
    """``data`` decoded as JSON and checked with :func:`check_json`; :class:`BadInput`
    naming ``field`` (a request body when empty) and the path inside it otherwise."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise BadInput(f"{field or 'request body'}: not UTF-8 ({exc.reason})") from None
    try:
        value = json.loads(text, parse_int=_integer)
    except json.JSONDecodeError as exc:
        raise BadInput(
            f"{field or 'request body'}: not valid JSON ({exc.msg} at line {exc.lineno} "
            f"column {exc.colno})"
        ) from None
    except RecursionError:  # nested past Python's own limit (about 1,000 levels)
        raise BadInput(
            f"{_culprit(text, field) or 'request body'}: nested more than {MAX_DEPTH} levels deep"
        ) from None
    check_json(value, field)
    return value


def _too_deep(value: Any, depth: int = 1) -> bool:
    """Whether arrays and objects nest in ``value`` deeper than :data:`MAX_DEPTH`."""
    if not isinstance(value, dict | list):
        return False
    if depth > MAX_DEPTH:
        return True
    inner = value.values() if isinstance(value, dict) else value
    return any(_too_deep(item, depth + 1) for item in inner)


def _culprit(text: str, field: str) -> str:
    """The path of the top-level key of the JSON object ``text`` whose value cannot be
    decoded (``field`` itself if there is none): only to name it in the error."""
    decoder = json.JSONDecoder(parse_int=_integer)

    def skip(index: int) -> int:
        return _SEPARATORS.match(text, index).end()  # type: ignore[union-attr]

    opening = _OPENING.match(text)
    if opening is None:
        return field
    index = skip(opening.end())
    try:
        while index < len(text):
            key, index = decoder.raw_decode(text, index)
            try:
                value, index = decoder.raw_decode(text, skip(index))
                deep = _too_deep(value)
            except RecursionError:
                deep = True
            if deep:
                return _join(field, key) if isinstance(key, str) else field
            index = skip(index)
    except (RecursionError, ValueError):  # not a well-formed object
        pass
    return field
