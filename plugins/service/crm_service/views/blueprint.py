"""The service plugin's one console blueprint, which every module of
:mod:`crm_service.views` adds its pages to (mounted by the host under ``/service/``)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("console", "crm_service.views", template_folder="../templates")
