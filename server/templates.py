"""Custom worker templates: Ground Truth's Liquid HTML, rendered per task with python-liquid.

A job's ``template`` is the HTML a worker sees for each task, written as in Ground Truth
(GROUNDTRUTH.md, "custom templates"): Liquid with autoescaping on, the variable
``task.input`` (the task's input: ``taskObject``, ``manifestLine`` and what a
pre-annotation hook added) and Ground Truth's filters:

- ``grant_read_access``: a storage URL (``s3://...``, ``file://...``) becomes a URL the
  browser can fetch for a while (presigned, or signed by this server); anything else is
  returned unchanged.
- ``to_json``: JSON text of the value, with ``<``, ``>`` and ``&`` written as ``\\u003c``,
  ``\\u003e`` and ``\\u0026`` so that it is safe inside a ``<script>`` too (there, add
  ``skip_autoescape``).
- ``escape_once``: HTML-escape without escaping existing entities (Liquid's own).
- ``skip_autoescape``: output the value as it is, unescaped.

The script Ground Truth's templates load (``https://assets.crowd.aws/crowd-html-elements.js``)
is replaced by Quorum's own elements (``CROWD_ELEMENTS_URL``), which are added when a
template does not load them. The page renders the result inside a sandboxed frame with no
access to the page's origin (web/), so a template sees only its own task's input and can
neither read the worker's session nor call the API.

Templates are checked when a job is created: a syntax error or an unknown filter is a
:class:`~quorum.errors.BadInput` naming the line. Rendering is bounded (``LOOP_ITERATION_LIMIT``
loop iterations, ``OUTPUT_LIMIT`` characters, ``NAMESPACE_LIMIT`` bytes of variables), since
a requester writes the template and it runs for every task claimed; a template that fails
on one task's data renders as a page saying why, so that the worker can release the task.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from typing import Any

from liquid import Environment, RenderContext
from liquid.exceptions import LiquidError, TemplateNotFoundError
from liquid.filter import with_context
from markupsafe import Markup, escape

from quorum.errors import BadInput

#: Where Ground Truth's templates load the crowd elements from.
GROUND_TRUTH_ELEMENTS_URL = "https://assets.crowd.aws/crowd-html-elements.js"
#: Quorum's crowd elements: a classic script, as Ground Truth's, that loads them as modules
#: (web/crowd/).
CROWD_ELEMENTS_URL = "/static/crowd/crowd-html-elements.js"
#: Longest template accepted, in characters.
MAX_TEMPLATE_CHARS = 200_000
#: Rendering limits: loop iterations, characters of output, bytes of assigned variables.
LOOP_ITERATION_LIMIT = 100_000
OUTPUT_LIMIT = 2_000_000
NAMESPACE_LIMIT = 1_000_000
_SCRIPT_TAG = f'<script src="{CROWD_ELEMENTS_URL}"></script>'
_FAILED = (
    '<p role="alert">This task cannot be shown: {reason}. Release it (or skip it) and tell '
    "the job's requester.</p>"
)
_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def to_json(value: object) -> str:
    """Ground Truth's ``to_json``: the value as JSON text, safe inside HTML and scripts."""
    return json.dumps(value, ensure_ascii=False, default=str).translate(_JSON_ESCAPES)


def skip_autoescape(value: object) -> Markup:
    """Ground Truth's ``skip_autoescape``: the value as it is, exempt from autoescaping."""
    return Markup(str(value))


class _BoundedEnvironment(Environment):
    """Liquid with limits, so that no template can hold the server: a requester writes it,
    and it runs for every task a worker claims."""

    loop_iteration_limit = LOOP_ITERATION_LIMIT
    output_stream_limit = OUTPUT_LIMIT
    local_namespace_limit = NAMESPACE_LIMIT
    context_depth_limit = 30


class _Signer:
    """How ``grant_read_access`` signs a URL during one render (a render global; it prints
    as nothing, should a template name it)."""

    def __init__(self, sign: Callable[[str], str]) -> None:
        self.sign = sign

    def __str__(self) -> str:
        return ""


_SIGNER = "__quorum_signer"


@with_context
def grant_read_access(value: object, *, context: RenderContext) -> str:
    """Ground Truth's ``grant_read_access``: a storage URL as one the browser may fetch
    (unchanged while a template is only being checked)."""
    signer = context.globals.get(_SIGNER)
    if isinstance(value, str):
        return signer.sign(value) if isinstance(signer, _Signer) else value
    return str(value)


_ENVIRONMENT = _BoundedEnvironment(autoescape=True)
_ENVIRONMENT.filters["grant_read_access"] = grant_read_access
_ENVIRONMENT.filters["to_json"] = to_json
_ENVIRONMENT.filters["skip_autoescape"] = skip_autoescape
#: Parsed templates, by their text: a job's template is parsed once, not on every claim.
_parse = functools.lru_cache(maxsize=32)(_ENVIRONMENT.from_string)


def check_template(template: str) -> None:
    """Raise :class:`BadInput` (``template: ...``, with the line) if ``template`` is not a
    template Quorum can render."""
    if not template.strip():
        raise BadInput("template: is empty; give the worker template's HTML")
    if len(template) > MAX_TEMPLATE_CHARS:
        raise BadInput(f"template: is over {MAX_TEMPLATE_CHARS} characters")
    try:
        filters = _parse(template).analyze().filters
    except LiquidError as exc:  # syntax, or {% include %} of a template that is not there
        raise BadInput(f"template: {_describe(exc)}") from None
    for name, spans in filters.items():
        if name not in _ENVIRONMENT.filters:
            line = _line(template, spans[0].index)
            raise BadInput(f"template: line {line}: unknown filter {name!r}")


def render_template(
    template: str, task_input: Mapping[str, Any], sign: Callable[[str], str]
) -> str:
    """The template rendered for one task: HTML that loads Quorum's crowd elements;
    ``grant_read_access`` turns a URL into ``sign(url)``.

    A template that fails on this task's data (a division by zero, a resource limit) gives
    a page that says so, instead of an error: the worker still holds the task and must be
    able to release it."""
    try:
        html = _parse(template).render(task={"input": dict(task_input)}, **{_SIGNER: _Signer(sign)})
    except LiquidError as exc:
        return _FAILED.format(reason=escape(f"template: {_describe(exc)}"))
    if GROUND_TRUTH_ELEMENTS_URL in template:
        return html.replace(GROUND_TRUTH_ELEMENTS_URL, CROWD_ELEMENTS_URL)
    if CROWD_ELEMENTS_URL in template:
        return html
    return _SCRIPT_TAG + "\n" + html


def _line(text: str, index: int) -> int:
    """The 1-based line of ``text`` that character ``index`` is on."""
    return text.count("\n", 0, index) + 1


def _describe(exc: LiquidError) -> str:
    """The error's message and where it is: ``line 3: missing expression``."""
    message = getattr(exc, "message", None) or str(exc).splitlines()[0]
    if isinstance(exc, TemplateNotFoundError):
        message = f"include and render cannot load other templates ({message!r} is not one)"
    token = getattr(exc, "token", None)
    source, index = getattr(token, "source", None), getattr(token, "start_index", None)
    if isinstance(source, str) and isinstance(index, int):
        return f"line {_line(source, index)}: {message}"
    return str(message)
