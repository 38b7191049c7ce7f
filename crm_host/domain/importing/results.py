"""What an importer's batch reports back to the host's import job."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Reject:
    """A row that was not imported, or a notice about one, at the line it starts on."""

    line: int
    reason: str
    raw: list[str] | None = None


@dataclass
class BatchResult:
    """What one batch did.

    ``created`` and ``updated`` hold the ids of the records written. An importer
    whose rows have no ids of their own (interval readings, say) leaves them empty
    and sets ``created_count`` / ``updated_count`` instead. ``notices`` are things
    worth telling about rows that *were* kept — a gap between two meter readings,
    say — and never count as refused.
    """

    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: int = 0
    rejects: list[Reject] = field(default_factory=list)
    notices: list[Reject] = field(default_factory=list)
    created_count: int = 0
    updated_count: int = 0

    def totals(self) -> tuple[int, int, int]:
        """Records created, updated and unchanged, for the job's running totals."""
        return (
            len(self.created) + self.created_count,
            len(self.updated) + self.updated_count,
            self.unchanged,
        )
