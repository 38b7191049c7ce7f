"""What the portal-link endpoints read and answer."""

from __future__ import annotations

import marshmallow as ma

from crm_service.schemas.common import ref


class PortalLinkIn(ma.Schema):
    customer_id = ref(required=True)


class PortalLinkOut(ma.Schema):
    url = ma.fields.String(metadata={"description": "A signed link, valid 90 days"})
