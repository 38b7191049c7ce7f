"""The WSGI entry point for servers such as gunicorn: ``gunicorn crm_host.wsgi:app``.

Configuration comes from ``CRM_*`` environment variables, as for ``crm`` itself.
"""

from crm_host.app import create_app

app = create_app()
