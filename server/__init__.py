"""Quorum: an open-source, self-hosted data labeling server.

**The public plugin API** is the top of this package; everything a plugin may import is
here, and nothing else is promised to stay:

- :data:`hookimpl` (below) and :mod:`quorum.hookspecs`: every hook, with its signature;
- :mod:`quorum.plugins`: the plugin host that finds plugins and calls the hooks;
- :mod:`quorum.registry`: the typed registries of what plugins contribute;
- the base classes: :mod:`quorum.tasktypes` (``TaskType``), :mod:`quorum.consensus`
  (``ConsensusAlgorithm`` and the values it exchanges), :mod:`quorum.auto_labelers`
  (``AutoLabeler``), :mod:`quorum.workforce` (``WorkforceProvider``) and
  :mod:`quorum.storage` (``StorageBackend``);
- :mod:`quorum.label_kinds`: every label kind and the shapes of its answers and labels;
- :mod:`quorum.answer_checks`: the checks task types use on answers' fields;
- :mod:`quorum.colors`: the palette and ``internal-color-map`` of consolidated masks;
- :mod:`quorum.events`: the audited events ``quorum_event`` receives;
- :mod:`quorum.errors`: the errors a plugin raises (``BadInput`` names a field);
- :mod:`quorum.testing`: pytest fixtures and scenario helpers for plugin tests.

**The rest is the application**, by role: :mod:`quorum.graphql` (the API: schema, types,
thin mutations), :mod:`quorum.services` (what the API and the CLI do, in transactions),
:mod:`quorum.runner` (the background loop: ingest, consolidation, auto-labeling,
lifecycle), :mod:`quorum.output_manifest` (Ground Truth's output format, shared by the
runner, the CLI and ingest), :mod:`quorum.http` (sessions, uploads, object URLs, element
modules, static files, limits), :mod:`quorum.db` (engine, raw SQL fast path, migrations),
:mod:`quorum.simulation` (the simulated workforce) and :mod:`quorum.cli`. How a job moves
through them: ``docs/architecture.md``; how to write a plugin: ``docs/plugins.md``.
"""

from __future__ import annotations

import pluggy

__version__ = "0.1.0"

#: Decorate a plugin's hook implementations with ``@quorum.hookimpl``.
hookimpl = pluggy.HookimplMarker("quorum")
