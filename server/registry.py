"""Typed registries of plugin-contributed classes, one per kind of thing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

from quorum.errors import BadInput, StartupError

T = TypeVar("T")


class Registry(Generic[T]):
    """Instances of the classes plugins contributed for one kind, looked up by name.

    A second class with a name already taken stops startup with both plugins named.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}
        self._owners: dict[str, str] = {}

    def add(self, name: str, item: T, plugin: str) -> None:
        """Register ``item`` under ``name``, contributed by ``plugin``."""
        if not name or name != name.lower():
            raise StartupError(
                f"plugin {plugin!r}: {self.kind} name {name!r} must be non-empty and lowercase"
            )
        if name in self._items:
            raise StartupError(
                f"duplicate {self.kind} {name!r}: registered by plugin {self._owners[name]!r} "
                f"and again by plugin {plugin!r}; disable one with QUORUM_DISABLED_PLUGINS"
            )
        self._items[name] = item
        self._owners[name] = plugin

    def get(self, name: str, field: str) -> T:
        """The item called ``name``; :class:`BadInput` on ``field`` listing the known names."""
        try:
            return self._items[name]
        except KeyError:
            known = ", ".join(sorted(self._items)) or "none"
            raise BadInput(f"{field}: unknown {self.kind} {name!r} (known: {known})") from None

    def owner(self, name: str) -> str:
        """The name of the plugin that registered ``name`` (a :class:`KeyError` if none
        did)."""
        return self._owners[name]

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._items))

    def items(self) -> list[tuple[str, T]]:
        """(name, item) pairs, sorted by name."""
        return sorted(self._items.items())
