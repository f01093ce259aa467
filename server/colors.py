"""The colours of consolidated masks: the palette, and Ground Truth's ``internal-color-map``.

A consolidated mask (label kind ``mask``) is a palettised PNG whose pixel values are class
indices: 0 is the background, label ``i`` of the job's labels is class ``i + 1``. Its
palette, and the ``internal-color-map`` written beside it in the output manifest, give
class 0 :data:`BACKGROUND_COLOR` and the labels d3's category10 colours (:data:`CATEGORY10`,
repeating after ten) unless an algorithm chose others. Plugin API: a consensus algorithm
for masks and a task type that writes them use the same colours through this module.
"""

from __future__ import annotations

from collections.abc import Sequence

from quorum.label_kinds import InternalColorMap

#: d3's category10 palette: the colours of classes 1, 2, … (repeating after ten).
CATEGORY10 = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
#: The colour of class 0 and of unused palette entries.
BACKGROUND_COLOR = "#ffffff"
#: A "P" PNG holds 256 palette entries: the background and at most 255 labels.
MAX_MASK_LABELS = 255


def hex_color(class_index: int) -> str:
    """The colour of a class in a consolidated mask: white for 0, then category10."""
    return BACKGROUND_COLOR if class_index == 0 else CATEGORY10[(class_index - 1) % 10]


def internal_color_map(
    labels: Sequence[str], confidence: float, colors: Sequence[str] | None = None
) -> InternalColorMap:
    """Ground Truth's ``internal-color-map``: per class index (as a string), its
    ``class-name`` (``BACKGROUND`` for 0), ``hex-color`` (``colors[i]`` for label ``i`` if
    given, else category10) and the image's ``confidence``."""
    palette = [BACKGROUND_COLOR, *(colors or [hex_color(i + 1) for i in range(len(labels))])]
    names = ["BACKGROUND", *labels]
    return {
        str(index): {"class-name": name, "hex-color": palette[index], "confidence": confidence}
        for index, name in enumerate(names)
    }
