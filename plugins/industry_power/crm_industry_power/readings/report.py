"""What an import of readings reports: rows refused and gaps noticed, by line."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """A row refused, or a gap noticed, at a physical line of the file."""

    line: int
    reason: str
    meter: str = ""

    @property
    def text(self) -> str:
        """The reason, after the meter it concerns when there is one."""
        return f"meter {self.meter}: {self.reason}" if self.meter else self.reason

    def __str__(self) -> str:
        return f"line {self.line}: {self.text}"


@dataclass
class ImportReport:
    """What an import did: readings new, changed or unchanged; refused rows; gaps;
    overloads."""

    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    rejects: list[Problem] = field(default_factory=list)
    gaps: list[Problem] = field(default_factory=list)
    #: Readings stored though over 3× the contracted capacity: line, value, capacity.
    overloads: list[Problem] = field(default_factory=list)

    @property
    def stored(self) -> int:
        """Readings written (new or changed)."""
        return self.new + self.changed
