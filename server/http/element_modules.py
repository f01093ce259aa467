"""``/elements/<task type>.js``: the custom element a plugin's task type brings.

A third-party task type names its element's ES module file (``TaskType.element_module``);
the portal imports it from here (``taskTypes { elementUrl }``) before it shows a task of
that type, so an organization adds a task type, element included, without touching web/.
Readable from any origin, like /static (a custom template's sandboxed frame may use it).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

ROUTE = "/elements"


def element_url(task_type_name: str) -> str:
    """Where the portal imports the element of ``task_type_name`` from."""
    return f"{ROUTE}/{task_type_name}.js"


async def serve_element(request: Request) -> Response:
    """The element module of the task type in the path, or 404 naming why."""
    name = request.path_params["name"]
    task_types = request.app.state.plugins.task_types
    path = task_types.get(name, "taskType").element_file() if name in task_types else None
    if path is None or not path.is_file():
        return PlainTextResponse(f"no element module for task type {name!r}", status_code=404)
    return FileResponse(
        path,
        media_type="text/javascript",
        headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "no-cache"},
    )
