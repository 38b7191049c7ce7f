"""The gunicorn command line ``crm serve --production`` runs.

Every option comes from a ``crm serve`` flag, else a setting (a ``CRM_GUNICORN_*``
environment variable or ``GUNICORN_*`` in the instance config file), else the default
here. Anything else gunicorn knows can still be given in ``GUNICORN_CMD_ARGS``, which
gunicorn reads itself.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from crm_host.runtime.settings import SettingsError

#: The WSGI application gunicorn imports in each of its workers.
WSGI_APP = "crm_host.wsgi:app"
#: gunicorn grew a control socket (and ``--no-control-socket``) in 25.1.
CONTROL_SOCKET_SINCE = (25, 1)
#: A Unix socket path longer than this does not fit ``sockaddr_un`` (108 bytes, NUL included).
MAX_SOCKET_PATH = 107
_OFF = ("", "0", "false", "no", "off", "none")


@dataclass(frozen=True)
class GunicornOptions:
    """How gunicorn serves the app; each field is the setting ``CRM_GUNICORN_<FIELD>``."""

    #: ``HOST:PORT`` or ``unix:PATH``.
    bind: str = "127.0.0.1:5000"
    #: Worker processes: about two per core.
    workers: int = 2
    #: Threads per worker process (gunicorn's gthread worker when above one).
    threads: int = 4
    #: A worker silent this many seconds is killed and replaced.
    timeout: int = 60
    #: Seconds a worker has to finish its requests on SIGTERM or SIGHUP.
    graceful_timeout: int = 30
    #: Addresses whose X-Forwarded-* headers gunicorn trusts (``*`` for any); ``None``:
    #: ``CRM_TRUSTED_PROXIES`` when set, else gunicorn's default, the loopback addresses.
    forwarded_allow_ips: str | None = None
    #: gunicorn's control socket; ``None``: ``gunicorn.ctl`` in the instance folder, so
    #: two instances on one machine never share one; ``off``: none.
    control_socket: str | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any], **flags: Any) -> GunicornOptions:
        """The settings in ``config`` (``GUNICORN_WORKERS`` …), then ``flags`` that are not None.

        A value that cannot be used raises :class:`SettingsError` naming the setting.
        """
        values: dict[str, Any] = {}
        for field in fields(cls):
            key = f"GUNICORN_{field.name.upper()}"
            raw = config.get(key)
            if raw is not None:
                values[field.name] = _coerce(f"CRM_{key}", raw, str(field.type))
        # One list of proxies for both layers: the app's (CRM_TRUSTED_PROXIES, whose
        # forwarded headers it believes) unless gunicorn is given a list of its own.
        trusted = config.get("TRUSTED_PROXIES")
        if "forwarded_allow_ips" not in values and trusted is not None:
            values["forwarded_allow_ips"] = _coerce("CRM_TRUSTED_PROXIES", trusted, "str | None")
        for name, value in flags.items():
            if value is not None:
                values[name] = _coerce(f"--{name.replace('_', '-')}", value, _kind(name))
        return replace(cls(), **values)


def _kind(name: str) -> str:
    return next(str(field.type) for field in fields(GunicornOptions) if field.name == name)


def _coerce(name: str, raw: Any, kind: str) -> Any:
    if kind == "int":
        try:
            value = int(raw)
        except (TypeError, ValueError):
            raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
        if isinstance(raw, bool) or value <= 0 or value != float(raw):
            raise SettingsError(f"{name} must be a whole number above zero, not {raw!r}")
        return value
    if isinstance(raw, bool):  # CRM_GUNICORN_CONTROL_SOCKET=false arrives parsed
        return str(raw).lower()
    if isinstance(raw, list | tuple):  # crm.cfg may list addresses
        raw = ",".join(map(str, raw))
    text = str(raw).strip()
    if not text and kind == "str":
        raise SettingsError(f"{name} must not be empty")
    return text


def control_socket_path(options: GunicornOptions, instance_path: str | Path) -> str | None:
    """Where this instance's control socket goes, or ``None`` for none."""
    path = options.control_socket
    if path is None:
        path = str(Path(instance_path) / "gunicorn.ctl")
    elif path.lower() in _OFF:
        return None
    # A path that cannot be bound would only make gunicorn log an error at each start.
    return path if len(path.encode()) <= MAX_SOCKET_PATH else None


def gunicorn_argv(
    options: GunicornOptions,
    instance_path: str | Path,
    *,
    version: tuple[int, ...] | None = None,
) -> list[str]:
    """The full command line (``python -m gunicorn …``) serving the app with ``options``.

    ``version`` is gunicorn's (the installed one by default): before 25.1 it has no
    control socket, so no option about one is passed.
    """
    if version is None:
        import gunicorn

        version = tuple(gunicorn.version_info)
    argv = [
        # The same interpreter, not whatever `gunicorn` is first on PATH: a systemd unit
        # running /opt/crm/venv/bin/crm has no venv on its PATH.
        sys.executable,
        "-m",
        "gunicorn",
        # The logger without query values (and silent with JSON logs): see the module.
        "--config",
        "python:crm_host.web.gunicorn_conf",
        "--bind",
        options.bind,
        "--workers",
        str(options.workers),
        "--threads",
        str(options.threads),
        "--timeout",
        str(options.timeout),
        "--graceful-timeout",
        str(options.graceful_timeout),
        "--access-logfile",
        "-",
    ]
    if options.forwarded_allow_ips is not None:
        argv += ["--forwarded-allow-ips", options.forwarded_allow_ips]
    if tuple(version[:2]) >= CONTROL_SOCKET_SINCE:
        socket = control_socket_path(options, instance_path)
        argv += ["--control-socket", socket] if socket else ["--no-control-socket"]
    return [*argv, WSGI_APP]


def describe(options: GunicornOptions, instance_path: str | Path) -> str:
    """One line for the operator: what ``crm serve --production`` is about to run."""
    socket = control_socket_path(options, instance_path) or "off"
    trusted = options.forwarded_allow_ips
    trusted = "127.0.0.1,::1" if trusted is None else trusted or "nowhere"
    return (
        f"gunicorn on {options.bind}: {options.workers} worker(s) × {options.threads} "
        f"thread(s), timeout {options.timeout} s, forwarded headers trusted from "
        f"{trusted}, control socket {socket}"
    )
