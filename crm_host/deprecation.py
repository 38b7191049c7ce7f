"""Old import paths of the host, kept for one release with a ``DeprecationWarning``.

Before :mod:`crm_host.sdk`, plugins imported host modules directly (``crm_host.models``,
``crm_host.audit``, ``crm_host.runtime`` …). Those modules have moved to homes grouped
by role — ``crm_host.core``, ``crm_host.security``, ``crm_host.links``,
``crm_host.records``, ``crm_host.domain``, and private names or a ``facade`` module
where the package stayed — and each old path is now a shim::

    __getattr__, __dir__ = moved(__name__, "crm_host.records.audit")

The warning cannot come from importing the shim, since the host may have imported the
old module already; it comes from each name read through it, and names the SDK
address of the object when the SDK exports it. The host itself never imports a shim
(``tests/test_host_imports.py``). The full map of old to new paths is in
``docs/authors/deprecations.md``.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from collections.abc import Callable
from typing import Any

#: The import machinery's own frames (``from package import name`` asks it first).
_IMPORTLIB_FILES = ("<frozen importlib._bootstrap>", "importlib/_bootstrap.py")


def replacement(home: str, name: str, value: object) -> str:
    """What to import instead of ``<old>.<name>``, for the warning's text."""
    from crm_host.authoring.sdkimports import sdk_address

    address = sdk_address(value)
    if address is not None:
        return f"import it from {address.rpartition('.')[0]} ({address})"
    owner = sdk_address(importlib.import_module(home))
    if owner is not None:
        return f"import it from {owner.rpartition('.')[0]} ({owner}.{name})"
    return f"it is not part of crm_host.sdk; the host keeps it at {home}.{name}"


def _resolve(old: str, home: str, name: str) -> Any:
    """``name`` of module ``home``: an attribute or a submodule."""
    module = importlib.import_module(home)
    try:
        return getattr(module, name)
    except AttributeError:
        pass
    try:
        return importlib.import_module(f"{home}.{name}")
    except ModuleNotFoundError as error:
        if error.name != f"{home}.{name}":
            raise
    raise AttributeError(f"module {old!r} has no attribute {name!r}")


def _from_importlib() -> bool:
    """Whether the import machinery, not the importer, is asking (``hasattr`` first)."""
    return sys._getframe(2).f_code.co_filename.endswith(_IMPORTLIB_FILES)


def moved(old: str, home: str) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a shim module ``old`` whose names live in
    module ``home`` now: each name read warns once, naming its replacement."""

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(f"module {old!r} has no attribute {name!r}")
        value = _resolve(old, home, name)
        if not _from_importlib():
            text = f"{old}.{name} is deprecated; {replacement(home, name, value)}"
            warnings.warn(text, DeprecationWarning, stacklevel=2)
        return value

    def __dir__() -> list[str]:
        return sorted(set(dir(importlib.import_module(home))))

    __getattr__.home = home  # type: ignore[attr-defined]
    return __getattr__, __dir__


def home_of(module: object) -> str | None:
    """The new home of a shim module, or None if ``module`` is not a shim."""
    getter = getattr(module, "__dict__", {}).get("__getattr__")
    return getattr(getter, "home", None)
