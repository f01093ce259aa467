"""What the installed plugins offer: task types, consensus algorithms, models."""

from __future__ import annotations

import strawberry


@strawberry.type
class TaskType:
    """A kind of labeling work."""

    name: str
    description: str
    label_kind: str
    element: str
    output_type: str
    source_key: str
    default_consensus: str
    min_labels: int
    element_url: str | None = strawberry.field(
        description="Where the portal imports the element from when a plugin brings it "
        "(/elements/<name>.js); null for the portal's own elements."
    )
    audits_labels: bool = strawberry.field(
        description="Whether jobs of this type verify or adjust a previous job's label, named "
        "by createJob's auditLabelAttributeName."
    )


@strawberry.type
class ConsensusAlgorithm:
    """A way of merging several workers' answers."""

    name: str
    description: str
    label_kinds: list[str]


@strawberry.type
class AutoLabeler:
    """A model that labels items it is confident about."""

    name: str
    description: str
    task_types: list[str]
