"""The job registry: what jobs exist, who owns them, and which run on a schedule.

Filled at start-up from the host's own jobs and every installed plugin's
``crm_register_jobs(registry)``. A plugin's job names start with its slug
(``sales.recalculate_forecasts``), as its tables and permissions do; a duplicate or
malformed name stops start-up with a message naming the plugin.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from crm_host.plugins.manifest import PluginError

if TYPE_CHECKING:
    from crm_host.runtime.context import JobContext

JobFunction = Callable[["JobContext"], Any]
_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*$")
#: The shortest interval a schedule may have.
MIN_INTERVAL = timedelta(seconds=1)


@dataclass(frozen=True)
class JobSpec:
    """A registered job."""

    name: str
    function: JobFunction
    #: The plugin that registered it; ``None`` for the host's own jobs.
    plugin: str | None
    #: ``None``: the configured default (``CRM_JOBS_MAX_ATTEMPTS``).
    max_attempts: int | None = None


@dataclass(frozen=True)
class ScheduleSpec:
    """A job enqueued every ``every``; per department that has its plugin when ``per_department``."""

    name: str
    every: timedelta
    per_department: bool
    plugin: str | None


class JobRegistry:
    """Jobs and schedules by name. Plugins see it as the ``registry`` of ``crm_register_jobs``."""

    def __init__(self) -> None:
        self.jobs: dict[str, JobSpec] = {}
        self.schedules: dict[str, ScheduleSpec] = {}
        self._owner: str | None = None
        self._prefix = "host"

    def _who(self, plugin: str | None = None) -> str:
        plugin = plugin if plugin is not None else self._owner
        return f"plugin {plugin}" if plugin else "the host"

    def job(self, name: str, fn: JobFunction, *, max_attempts: int | None = None) -> None:
        """Register ``fn`` (called with a :class:`~crm_host.runtime.facade.JobContext`) as job ``name``.

        ``name`` is ``<slug>.<job>``; ``max_attempts`` is how often it is tried before
        it is parked as failed.
        """
        who = self._who()
        if not isinstance(name, str) or not _NAME.match(name):
            raise PluginError(
                f"{who}: job name {name!r} must look like {self._prefix}.<job> "
                "(lower case letters, digits and underscores)"
            )
        if not name.startswith(self._prefix + "."):
            raise PluginError(f"{who}: job {name} must be named {self._prefix}.<job>")
        if name in self.jobs:
            raise PluginError(
                f"{who}: job {name} is registered by {self._who(self.jobs[name].plugin)} already"
            )
        if not callable(fn):
            raise PluginError(f"{who}: job {name} needs a function, not {fn!r}")
        if max_attempts is not None and (
            not isinstance(max_attempts, int) or isinstance(max_attempts, bool) or max_attempts < 1
        ):
            raise PluginError(
                f"{who}: job {name}: max_attempts must be a whole number ≥ 1, not {max_attempts!r}"
            )
        self.jobs[name] = JobSpec(name, fn, self._owner, max_attempts)

    def schedule(self, name: str, *, every: timedelta, per_department: bool = True) -> None:
        """Enqueue the job ``name`` (registered first) every ``every``.

        With ``per_department`` (the default) one job per department that has the plugin
        enabled, each with its ``department_id``; otherwise one job in all.
        """
        who = self._who()
        spec = self.jobs.get(name)
        if spec is None or spec.plugin != self._owner:
            raise PluginError(f"{who}: schedule {name}: register the job {name} first")
        if name in self.schedules:
            raise PluginError(f"{who}: job {name} is scheduled twice")
        if not isinstance(every, timedelta) or every < MIN_INTERVAL:
            raise PluginError(
                f"{who}: schedule {name}: every must be a timedelta of at least one second"
            )
        if every.total_seconds() != int(every.total_seconds()):
            raise PluginError(f"{who}: schedule {name}: every must be whole seconds")
        self.schedules[name] = ScheduleSpec(name, every, bool(per_department), self._owner)

    def get(self, name: str) -> JobSpec | None:
        """The registered job ``name``, or ``None``."""
        return self.jobs.get(name)

    def registering(self, plugin: str | None, slug: str) -> JobRegistry:
        """Attribute what is registered next to ``plugin``, whose names start with ``slug``."""
        self._owner = plugin
        self._prefix = slug
        return self
