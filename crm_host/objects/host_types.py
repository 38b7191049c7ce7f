"""Deprecated address of :mod:`crm_host.domain.host_types`; plugins import from :mod:`crm_host.sdk`."""

from crm_host.deprecation import moved

__getattr__, __dir__ = moved(__name__, "crm_host.domain.host_types")
