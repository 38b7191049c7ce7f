"""The permissions the sales plugin declares and checks."""

from __future__ import annotations

from crm_host.sdk import Permission

LEADS_READ = "sales.leads.read"
LEADS_WRITE = "sales.leads.write"
OPPORTUNITIES_READ = "sales.opportunities.read"
OPPORTUNITIES_WRITE = "sales.opportunities.write"
ORDERS_READ = "sales.orders.read"
ORDERS_WRITE = "sales.orders.write"
PRODUCTS_READ = "sales.products.read"
PRODUCTS_WRITE = "sales.products.write"
QUOTES_READ = "sales.quotes.read"
QUOTES_WRITE = "sales.quotes.write"
STAGES_READ = "sales.stages.read"
ACTIVITIES_READ = "sales.activities.read"
ACTIVITIES_WRITE = "sales.activities.write"
# ``manage``: the standard roles' patterns never grant it, so the pipeline's shape and
# the scoring rules are changed by administrators only.
SETTINGS_MANAGE = "sales.settings.manage"

PERMISSIONS = [
    Permission(LEADS_READ, "See leads"),
    Permission(LEADS_WRITE, "Capture, assign, qualify and convert leads", record_rules=True),
    Permission(OPPORTUNITIES_READ, "See opportunities and the pipeline"),
    Permission(
        OPPORTUNITIES_WRITE,
        "Create opportunities and move them through the pipeline",
        record_rules=True,
    ),
    Permission(ORDERS_READ, "See orders"),
    Permission(ORDERS_WRITE, "Record orders"),
    Permission(PRODUCTS_READ, "See products"),
    Permission(PRODUCTS_WRITE, "Create and change products and price lists"),
    Permission(QUOTES_READ, "See quotes"),
    Permission(QUOTES_WRITE, "Make quotes, send them and record the customer's answer"),
    Permission(STAGES_READ, "See the pipeline stages"),
    Permission(ACTIVITIES_READ, "See calls, meetings and tasks"),
    Permission(ACTIVITIES_WRITE, "Plan and complete calls, meetings and tasks"),
    Permission(SETTINGS_MANAGE, "Configure pipeline stages and lead-scoring rules"),
]
