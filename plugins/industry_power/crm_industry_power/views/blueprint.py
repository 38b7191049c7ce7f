"""The power console's one blueprint, which the feature modules add their pages to.

It lives apart from :mod:`crm_industry_power.views`, which imports those modules, so
that no feature module imports the package that imports it.
"""

from __future__ import annotations

from flask import Blueprint

# Named after the package, so ``templates/`` beside it holds the pages' templates.
bp = Blueprint("console", "crm_industry_power", template_folder="templates")
