"""crm-host: the host of a plugin-based CRM.

The host owns the customer data model, the people who work with customers, the
shared services every module needs and the contract plugins implement. Everything
department-facing is a plugin. Nothing is done at import time: build an
application with :func:`crm_host.app.create_app`.
"""

__version__ = "0.1.0"
