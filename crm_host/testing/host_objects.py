"""Factories and payloads of the host's API routes for the permission-matrix harness.

Plugins add theirs for their own routes: ``PermissionMatrix(factories={**HOST_FACTORIES,
**mine}, payloads={**HOST_PAYLOADS, **mine})``.
"""

from __future__ import annotations

import io
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from crm_host.core.models import Customer, Department, User
from crm_host.domain.customers import children, service
from crm_host.domain.directory import create_user
from crm_host.security.tokens import create_token
from crm_host.testing.matrix import ObjectRef
from crm_host.testing.runtime_objects import RUNTIME_FACTORIES, RUNTIME_PAYLOADS


def make_customer(session: Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
    """A customer owned by nobody, in no department."""
    serial = session.info.setdefault("matrix_serial", [0])
    serial[0] += 1
    n = serial[0]
    customer = service.create_customer(
        session, {"code": f"MX{n:06d}", "name": f"矩阵客户{n}", "kind": "person"}
    )
    return ObjectRef(customer.id)


def _child(kind: str):
    def make(session: Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
        customer = service.get_customer(session, int(objects["customer_id"].id))
        data = {"name": "联系人"} if kind == "contact" else {"line1": "人民路 1 号", "city": "苏州"}
        return ObjectRef(children.add_child(session, kind, customer, data).id)

    return make


def make_user(session: Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
    """A plain user to look at or change."""
    n = session.info.setdefault("matrix_users", [0])
    n[0] += 1
    return ObjectRef(create_user(session, username=f"mx-user-{n[0]}", password="password-123").id)


def make_token(session: Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
    """A token of the calling user (the route manages one's own tokens)."""
    token, _secret = create_token(session, user, name="matrix")
    return ObjectRef(token.id, owner_id=user.id)


def plugin_name(session: Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
    """The plugin enable/disable routes act on (sales, present in the test installation)."""
    return ObjectRef("sales")


def make_notification(session: Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
    """A notification of the calling user (the route reads one's own)."""
    from crm_host.records.notifications import notify

    return ObjectRef(
        notify(session, user, kind="test", title="你有一条新消息").id, owner_id=user.id
    )


def shared_customer(session: Session) -> Customer:
    """A customer every department is responsible for: any department's writers may
    change it (and attach files to it) under the customer's record rule."""
    serial = session.info.setdefault("matrix_serial", [0])
    serial[0] += 1
    codes = list(session.scalars(sa.select(Department.code)))
    return service.create_customer(
        session,
        {
            "code": f"MS{serial[0]:06d}",
            "name": f"共享客户{serial[0]}",
            "kind": "person",
            "departments": codes,
        },
    )


def make_attachment(session: Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
    """A small file attached to a customer of every department, stored under the app's
    attachments folder; changing it follows that customer's record rule."""
    from flask import current_app

    from crm_host.records.attachments import attach, storage_for

    customer = shared_customer(session)
    row = attach(
        session,
        storage_for(current_app),
        object_type="customer",
        object_id=str(customer.id),
        filename="合同.pdf",
        content_type="application/pdf",
        stream=io.BytesIO(b"%PDF-1.7 x"),
    )
    return ObjectRef(row.id, department_ids=tuple(d.id for d in customer.departments))


def make_import(session: Session, objects: dict[str, ObjectRef], user: User) -> ObjectRef:
    """A queued import job of a small file (with one rejected row recorded)."""
    from flask import current_app

    from crm_host.core.models import ImportReject
    from crm_host.domain.importing import jobs as import_jobs
    from crm_host.runtime.facade import enqueue

    serial = session.info.setdefault("matrix_imports", [0])
    serial[0] += 1
    path = current_app.instance_path + f"/matrix-import-{serial[0]}.csv"
    with open(path, "w", encoding="utf-8") as out:
        out.write(f"code,name,kind\nMI{serial[0]},导入,person\n")
    from pathlib import Path

    key = import_jobs.file_key(Path(path)) + f":{serial[0]}"
    job_id = enqueue(session, import_jobs.JOB_NAME, import_jobs.job_args(Path(path)), key=key)
    session.add(
        ImportReject(job_key=key, line=3, reason="name: Required.", raw=["X", "", "person"])
    )
    return ObjectRef(job_id)


HOST_FACTORIES = {
    "attachment_id": make_attachment,
    "import_id": make_import,
    "notification_id": make_notification,
    "customer_id": make_customer,
    "contact_id": _child("contact"),
    "address_id": _child("address"),
    "user_id": make_user,
    "token_id": make_token,
    "name": plugin_name,
}


def _unique(prefix: str):
    def payload(session: Session, objects: dict[str, ObjectRef], n: int) -> dict[str, Any]:
        return {"code": f"{prefix}{n:06d}", "name": f"Matrix {n}", "kind": "organization"}

    return payload


HOST_PAYLOADS = {
    ("customers.Customers", "POST"): _unique("MP"),
    ("customers.CustomerResource", "PATCH"): lambda s, o, n: {"city": "杭州", "tier": "gold"},
    ("customers.CustomerMerge", "POST"): lambda s, o, n: {
        "merged_id": make_customer(s, o, None).id,
    },
    ("customers.CustomerConsents", "POST"): lambda s, o, n: {"channel": "email", "granted": True},
    ("customers.CustomerTags", "PUT"): lambda s, o, n: {"tags": ["vip", "重点客户"]},
    ("customers.Contacts", "POST"): lambda s, o, n: {"name": f"联系人{n}"},
    ("customers.Contact", "PATCH"): lambda s, o, n: {"title": "经理"},
    ("customers.Addresses", "POST"): lambda s, o, n: {"line1": f"{n} Main Street", "country": "GB"},
    ("customers.Address", "PATCH"): lambda s, o, n: {"postal_code": "215000"},
    ("customers.Timeline", "POST"): lambda s, o, n: {"channel": "phone", "subject": f"call {n}"},
    ("custom_fields.CustomFields", "POST"): lambda s, o, n: {
        "name": f"field_{n}",
        "type": "text",
        "label": f"Field {n}",
    },
    ("directory.Departments", "POST"): lambda s, o, n: {"code": f"dept-{n}", "name": f"Dept {n}"},
    ("directory.Users", "POST"): lambda s, o, n: {
        "username": f"new-user-{n}",
        "password": "password-123",
        "memberships": [{"department": "sales", "role": "viewer"}],
    },
    ("directory.UserResource", "PATCH"): lambda s, o, n: {"name": "Renamed"},
    ("directory.Roles", "POST"): lambda s, o, n: {
        "name": f"role-{n}",
        "permissions": [{"permission": "host.customers.read"}],
    },
    ("plugins.Enable", "POST"): lambda s, o, n: {"departments": ["sales"]},
    ("plugins.Disable", "POST"): lambda s, o, n: {"departments": ["marketing"]},
    ("attachments.Attachments", "GET"): lambda s, o, n: {
        "object_type": "customer",
        "object_id": str(shared_customer(s).id),
    },
    ("attachments.Attachments", "POST"): lambda s, o, n: {
        "__multipart__": {
            "object_type": "customer",
            "object_id": str(shared_customer(s).id),
            "file": (io.BytesIO(b"matrix file"), f"附件{n}.txt"),
        }
    },
    ("imports.Imports", "POST"): lambda s, o, n: {
        "__multipart__": {
            "file": (io.BytesIO(f"code,name,kind\nAPI{n},接口导入,person\n".encode()), f"c{n}.csv")
        }
    },
    ("auth.Login", "POST"): lambda s, o, n: {
        "username": "matrix-admin",
        "password": "matrix-password",
    },
    ("tokens.Tokens", "POST"): lambda s, o, n: {"name": f"token {n}", "scopes": ["*.read"]},
    ("search.Search", "GET"): lambda s, o, n: {"q": "客户"},
}

# The runtime's routes: /api/v1/jobs and /api/v1/webhooks.
HOST_FACTORIES.update(RUNTIME_FACTORIES)
HOST_PAYLOADS.update(RUNTIME_PAYLOADS)
