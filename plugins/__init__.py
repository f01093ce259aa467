"""The built-in plugins, registered through the ``quorum`` entry-point group."""

from __future__ import annotations
