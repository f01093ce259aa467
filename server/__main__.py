"""``python -m quorum`` runs the command line."""

from __future__ import annotations

from quorum.cli import main

raise SystemExit(main())
