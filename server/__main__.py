"""``python -m quorum`` runs the command line."""

from __future__ import annotations

from quorum.cli.main import main

raise SystemExit(main())
