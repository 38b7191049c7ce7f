"""The one blueprint of the loyalty API; each module of the package adds its routes."""

from flask_smorest import Blueprint

blp = Blueprint("api", __name__, description="Loyalty points: balances, awards, redemptions")
