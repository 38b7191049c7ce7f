"""The one blueprint of the loyalty console; each module of the package adds its pages."""

from flask import Blueprint

# The templates are the package's (crm_loyalty/templates), one level up.
bp = Blueprint("console", __name__, template_folder="../templates")
