"""Blocking work (database transactions, file checks) run off the event loop.

One thread pool for the whole process, called through ``loop.run_in_executor``: handing a
function to it and back costs about 60 us, where Starlette's ``run_in_threadpool`` (anyio,
with its capacity limiter) costs about 115 us; a claim and a submit pay it twice per item.
The pool has 32 threads, more than PostgreSQL's connection pool hands out at once (20 + 20
overflow would never all be busy from one process's requests), so requests wait on the
database, not on a thread. The caller's context variables travel with the function, as
they do with anyio.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

_POOL = ThreadPoolExecutor(max_workers=32, thread_name_prefix="quorum-blocking")


async def run_blocking(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``fn(*args, **kwargs)`` on the shared thread pool and await its result."""
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_POOL, call)
