"""What plugins contribute to pages shown to users: menu entries and 360° panels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class MenuItem:
    """An entry of the console's navigation. ``endpoint`` is a Flask endpoint name."""

    label: str
    endpoint: str
    icon: str = ""
    order: int = 100
    values: dict[str, Any] = field(default_factory=dict)
    permission: str | None = None
    #: The plugin that contributed the entry; filled in by the host.
    plugin: str | None = None


@dataclass(frozen=True)
class Panel:
    """A block of the customer 360° view, rendered from a template with a context."""

    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100
