"""Importers by name: the host's customers, and whatever plugins register.

An importer is a class built with the batch's session, with
``import_batch(session, records) -> BatchResult``, and a class method
``check_header(session, columns)`` that raises ``ImportFileError`` for a header it
cannot take. An importer that takes options for a run (a readings file's unit, say)
adds a class method ``check_options(session, options) -> dict`` that returns them
cleaned or raises ``ValidationFailed`` naming each bad one; it is then built as
``importer(session, **options)``. An importer that keeps state across batches (codes
seen, a meter's last reading) may add ``remember(records)``, given the records of the
batches already committed when an import resumes. The host's job framework
(reading, batches, rejects and notices, resuming) does the rest, for every importer
alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from crm_host.plugins._registering import PluginRegistry
from crm_host.plugins.manifest import PluginError


@dataclass(frozen=True)
class ImporterSpec:
    """A registered importer."""

    name: str
    importer: type
    label: str
    plugin: str | None


class ImporterRegistry(PluginRegistry):
    """What ``crm_register_importers(registry)`` receives."""

    def __init__(self) -> None:
        super().__init__()
        self.importers: dict[str, ImporterSpec] = {}

    def add(self, name: str, importer: type, *, label: str = "") -> None:
        """Register ``importer`` as ``<slug>.<name>`` (the host's own: just ``name``)."""
        full = self.qualified(name, "importer", self.importers)
        for method in ("import_batch", "check_header"):
            if not callable(getattr(importer, method, None)):
                raise PluginError(f"{self.who}: importer {name} has no {method}()")
        self.importers[full] = ImporterSpec(full, importer, label or full, self._plugin)

    def get(self, name: str) -> ImporterSpec | None:
        """The importer with this name, if any."""
        return self.importers.get(name)
