"""The host's data model: customers, the people who serve them, and the bookkeeping
every plugin relies on. Plugins add tables of their own (prefixed by their slug) on
the same :class:`crm_host.core.db.Base`; they never add relationships to these models."""

from crm_host.core.models.attachments import Attachment
from crm_host.core.models.audit import AuditLog
from crm_host.core.models.custom_fields import CustomField, FieldType
from crm_host.core.models.customers import (
    Address,
    Consent,
    Contact,
    Customer,
    CustomerKind,
    LifecycleStage,
    Tag,
    customer_departments,
    customer_tags,
)
from crm_host.core.models.directory import (
    ApiToken,
    Department,
    Membership,
    Role,
    RolePermission,
    User,
)
from crm_host.core.models.heartbeats import WorkerHeartbeat
from crm_host.core.models.importing import ImportReject
from crm_host.core.models.interactions import Interaction
from crm_host.core.models.links import SignedLinkUse
from crm_host.core.models.notifications import EmailMessage, Notification
from crm_host.core.models.plugins import PluginEnablement, PluginInstallation
from crm_host.core.models.runtime import Job, OutboxEvent, WebhookSubscription
from crm_host.core.models.security import LoginThrottle
from crm_host.core.models.settings import Setting
from crm_host.core.models.sla import SlaCalendar, SlaClock

__all__ = [
    "WorkerHeartbeat",
    "Attachment",
    "SlaCalendar",
    "SlaClock",
    "EmailMessage",
    "Notification",
    "SignedLinkUse",
    "LoginThrottle",
    "ImportReject",
    "ApiToken",
    "CustomField",
    "FieldType",
    "Address",
    "AuditLog",
    "Consent",
    "Contact",
    "Customer",
    "CustomerKind",
    "Department",
    "Interaction",
    "Job",
    "LifecycleStage",
    "Membership",
    "OutboxEvent",
    "PluginEnablement",
    "PluginInstallation",
    "Role",
    "RolePermission",
    "Setting",
    "Tag",
    "User",
    "WebhookSubscription",
    "customer_departments",
    "customer_tags",
]
