"""The marker of the host's hookspecs (``crm_*``), shared by every topic module."""

import pluggy

hookspec = pluggy.HookspecMarker("crm")
