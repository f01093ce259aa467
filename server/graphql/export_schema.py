"""Prints the schema's SDL (``make schema`` writes it to ``web/schema.graphql``)."""

from __future__ import annotations

import sys

from quorum.graphql.schema import build_schema


def main() -> None:
    """Write the SDL to stdout."""
    sys.stdout.write(build_schema().as_str() + "\n")


if __name__ == "__main__":
    main()
