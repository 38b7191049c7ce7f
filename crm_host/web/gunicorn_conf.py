"""gunicorn settings for crm-host: ``gunicorn -c python:crm_host.web.gunicorn_conf crm_host.wsgi:app``.

``crm serve --production`` passes this module; whoever starts gunicorn by hand passes
it too. It sets what gunicorn cannot guess:

* ``logger_class``: with ``CRM_LOG_JSON`` the application writes the one JSON line per
  request, so gunicorn writes no access line of its own and its error log is JSON too;
  without it, the access log shows parameter names but never their values (``?q=…``),
  which carry phone numbers and e-mail addresses.
* ``control_socket``: one per instance folder (gunicorn's default is one per user
  account, so two instances on one machine would answer each other's ``gunicornc``);
  disabled when the path would be too long for a Unix socket.

Command-line options still win over these.
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from gunicorn import glogging

from crm_host import logs

# A Unix socket path holds at most 107 bytes on Linux (104 on macOS).
_SOCKET_PATH_MAX = 100


def json_logs_enabled(environ: Any = os.environ) -> bool:
    """Whether ``CRM_LOG_JSON`` is on, read as Flask's ``from_prefixed_env`` reads it."""
    raw = environ.get("CRM_LOG_JSON", "")
    try:
        return bool(json.loads(raw))
    except ValueError:
        return bool(raw)


def _scrub_url(url: str) -> str:
    parts = urlsplit(url)
    scrubbed = logs.path_without_values(parts.path, parts.query)
    path, _, query = scrubbed.partition("?")
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


class Logger(glogging.Logger):
    """gunicorn's logger without query values, and silent on access with JSON logs."""

    def setup(self, cfg: Any) -> None:
        """gunicorn's set-up; with JSON logs its error lines become JSON lines too."""
        super().setup(cfg)
        if json_logs_enabled():
            for handler in self.error_log.handlers:
                handler.setFormatter(logs.JsonFormatter())
                handler.addFilter(logs.RequestIdFilter())

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        """Log the request, unless the application already wrote its JSON line."""
        if json_logs_enabled():
            return
        super().access(resp, req, environ, request_time)

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        """gunicorn's format atoms with every copy of the query string reduced to names."""
        atoms = super().atoms(resp, req, environ, request_time)
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        scrubbed = logs.path_without_values(path, query)
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {scrubbed} {environ.get('SERVER_PROTOCOL')}"
        atoms["q"] = scrubbed.partition("?")[2]
        if atoms.get("f", "-") != "-":
            atoms["f"] = _scrub_url(atoms["f"])
        for key in ("{referer}i",):
            if key in atoms:
                atoms[key] = _scrub_url(atoms[key])
        for key in ("{query_string}e", "{raw_uri}e", "{request_uri}e"):
            if key in atoms:
                atoms[key] = scrubbed if key != "{query_string}e" else atoms["q"]
        return atoms


def instance_control_socket(environ: Any = os.environ) -> str | None:
    """``<instance folder>/gunicorn.ctl``, or ``None`` when the path is too long."""
    from flask import Flask

    instance = environ.get("CRM_INSTANCE_PATH") or Flask("crm_host").instance_path
    path = os.path.join(instance, "gunicorn.ctl")
    if len(path.encode()) > _SOCKET_PATH_MAX:
        return None
    os.makedirs(instance, exist_ok=True)
    return path


logger_class = "crm_host.web.gunicorn_conf.Logger"
_socket = instance_control_socket()
if _socket is None:
    control_socket_disable = True
else:
    control_socket = _socket
