"""Quorum: an open-source, self-hosted data labeling server."""

from __future__ import annotations

import pluggy

__version__ = "0.1.0"

#: Decorate a plugin's hook implementations with ``@quorum.hookimpl``.
hookimpl = pluggy.HookimplMarker("quorum")
