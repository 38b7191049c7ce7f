"""Schemas of the host's API resources (the types; the domain rules live in crm_host.domain.customers)."""

from __future__ import annotations

import marshmallow as ma

from crm_host.api.fastdump import FastDump
from crm_host.core.fields import Id, Masked
from crm_host.core.pagination import PageArgs
from crm_host.core.sensitive import shown


class TextField(ma.fields.String):
    """A string that may be null."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_none", True)
        super().__init__(**kwargs)


class CustomerIn(ma.Schema):
    code = ma.fields.String(required=True, metadata={"example": "C000123"})
    name = ma.fields.String(required=True, metadata={"example": "王芳"})
    kind = ma.fields.String(required=True, metadata={"enum": ["person", "organization"]})
    email = TextField(metadata={"example": "user1@example.cn"})
    phone = TextField(metadata={"example": "+8613812345678"})
    lifecycle_stage = TextField(metadata={"enum": ["lead", "prospect", "customer", "inactive"]})
    tier = TextField()
    gender = TextField(metadata={"enum": ["female", "male", "other"]})
    birth_date = TextField(metadata={"format": "date"})
    occupation = TextField()
    education = TextField()
    region = TextField()
    city = TextField()
    preferred_language = TextField(metadata={"enum": ["zh_Hans", "en"]})
    id_number = TextField(metadata={"description": "National ID or registration number"})
    parent_id = Id(allow_none=True)
    parent_code = TextField()
    owner_id = Id(allow_none=True)
    departments = ma.fields.List(ma.fields.String(), metadata={"description": "Codes or names"})
    tags = ma.fields.List(ma.fields.String())
    custom = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Raw(allow_none=True))


class ContactSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    title = TextField(validate=ma.validate.Length(max=200))
    email = TextField(validate=ma.validate.Length(max=320))
    phone = Masked(validate=ma.validate.Length(max=40))
    is_primary = ma.fields.Boolean()


class AddressSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    kind = ma.fields.String(
        validate=ma.validate.OneOf(["billing", "service", "mailing"]), load_default="mailing"
    )
    line1 = Masked(required=True, allow_none=False, validate=ma.validate.Length(min=1, max=300))
    line2 = Masked(validate=ma.validate.Length(max=300))
    city = TextField(validate=ma.validate.Length(max=100))
    region = TextField(validate=ma.validate.Length(max=100))
    postal_code = TextField(validate=ma.validate.Length(max=20))
    country = ma.fields.String(
        validate=ma.validate.Regexp(r"^[A-Z]{2}$", error="An ISO 3166 alpha-2 code, e.g. CN."),
        load_default="CN",
    )


class CustomerOut(FastDump):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String()
    kind = ma.fields.String()
    email = ma.fields.String(allow_none=True)
    phone = Masked()
    id_number = Masked()
    lifecycle_stage = ma.fields.String()
    tier = ma.fields.String(allow_none=True)
    gender = ma.fields.String(allow_none=True)
    birth_date = ma.fields.Date(allow_none=True)
    occupation = ma.fields.String(allow_none=True)
    education = ma.fields.String(allow_none=True)
    region = ma.fields.String(allow_none=True)
    city = ma.fields.String(allow_none=True)
    preferred_language = ma.fields.String(allow_none=True)
    parent_id = ma.fields.Integer(allow_none=True)
    owner_id = ma.fields.Integer(allow_none=True)
    departments = ma.fields.Function(lambda c: sorted(d.code for d in c.departments))
    tags = ma.fields.Function(lambda c: sorted(t.name for t in c.tags))
    custom = ma.fields.Dict()
    archived_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class CustomerDetail(CustomerOut):
    contacts = ma.fields.List(ma.fields.Nested(ContactSchema))
    addresses = ma.fields.List(ma.fields.Nested(AddressSchema))


class CustomerPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(CustomerOut))
    next_cursor = ma.fields.String(allow_none=True)


class CustomerQuery(PageArgs):
    q = ma.fields.String(
        validate=ma.validate.Length(max=200),
        metadata={
            "description": "Part of a name, or an exact code or email; an exact phone or "
            "ID number too for users who hold host.customers.reveal"
        },
    )
    kind = ma.fields.String(validate=ma.validate.OneOf(["person", "organization"]))
    lifecycle_stage = ma.fields.String(
        validate=ma.validate.OneOf(["lead", "prospect", "customer", "inactive"])
    )
    tier = ma.fields.String(validate=ma.validate.Length(max=32))
    city = ma.fields.String(validate=ma.validate.Length(max=100))
    region = ma.fields.String(validate=ma.validate.Length(max=100))
    tag = ma.fields.String(validate=ma.validate.Length(max=100))
    department = ma.fields.String(validate=ma.validate.Length(max=200))
    owner_id = Id()
    custom = ma.fields.List(
        ma.fields.String(
            validate=ma.validate.Regexp(
                r"^[a-z][a-z0-9_]{0,63}:.{1,200}$", error="Write name:value, e.g. industry:steel."
            )
        ),
        metadata={"description": "Custom field filters, name:value (repeatable)"},
    )
    archived = ma.fields.Boolean(load_default=False)
    sort = ma.fields.String(
        load_default="name",
        validate=ma.validate.OneOf(
            [
                "name",
                "-name",
                "code",
                "-code",
                "created_at",
                "-created_at",
                "updated_at",
                "-updated_at",
            ]
        ),
    )


class ConsentIn(ma.Schema):
    channel = ma.fields.String(
        required=True, metadata={"enum": ["email", "sms", "phone", "post", "wechat", "push"]}
    )
    granted = ma.fields.Boolean(required=True)
    source = ma.fields.String(load_default="", validate=ma.validate.Length(max=100))


class ConsentOut(ma.Schema):
    id = ma.fields.Integer()
    channel = ma.fields.String()
    granted = ma.fields.Boolean()
    source = ma.fields.String()
    recorded_at = ma.fields.DateTime()
    recorded_by_id = ma.fields.Integer(allow_none=True)


class ConsentsOut(ma.Schema):
    current = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Boolean())
    history = ma.fields.List(ma.fields.Nested(ConsentOut))


class PrivacyExportOut(ma.Schema):
    customer = ma.fields.Dict()
    contacts = ma.fields.List(ma.fields.Dict())
    addresses = ma.fields.List(ma.fields.Dict())
    consents = ma.fields.List(ma.fields.Dict())
    timeline = ma.fields.List(ma.fields.Dict())
    plugins = ma.fields.Dict()


class DuplicatesQuery(ma.Schema):
    by = ma.fields.List(
        ma.fields.String(validate=ma.validate.OneOf(["email", "phone", "code", "name"]))
    )
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=1000))


class DuplicateGroupOut(ma.Schema):
    key = ma.fields.String()
    # A shared phone number is as sensitive as the customers' own.
    value = ma.fields.Function(lambda g: shown(g.value) if g.key == "phone" else g.value)
    customer_ids = ma.fields.List(ma.fields.Integer())


class ExportQuery(ma.Schema):
    format = ma.fields.String(
        load_default="csv", validate=ma.validate.OneOf(["csv", "jsonl", "xlsx"])
    )
    archived = ma.fields.Boolean(load_default=False)
    reveal = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Phone and ID numbers in full (needs host.customers.reveal)"},
    )


class MergeIn(ma.Schema):
    merged_id = Id(required=True, metadata={"description": "The customer merged away"})


class TagsIn(ma.Schema):
    tags = ma.fields.List(
        ma.fields.String(validate=ma.validate.Length(min=1, max=100)), required=True
    )


class TimelineIn(ma.Schema):
    channel = ma.fields.String(required=True, metadata={"example": "phone"})
    direction = ma.fields.String(load_default="internal")
    subject = ma.fields.String(required=True, metadata={"example": "Called about the bill"})
    body = TextField()
    occurred_at = ma.fields.AwareDateTime(allow_none=True)
    reference = TextField(
        validate=ma.validate.Length(max=200),
        metadata={"description": "An opaque key of the writer's own; points at nothing"},
    )
    about = ma.fields.Tuple(
        (ma.fields.String(), ma.fields.Integer(strict=True)),
        allow_none=True,
        metadata={
            "description": "The registered object the entry is about: [type, id]",
            "example": ["service.ticket", 12],
        },
    )


class ObjectLinkOut(ma.Schema):
    """A registered object as a list shows it (only when the viewer may read it)."""

    type = ma.fields.String(metadata={"example": "service.ticket"})
    id = ma.fields.String()
    label = ma.fields.String()
    url = ma.fields.String(allow_none=True, metadata={"description": "Its console page"})
    api_url = ma.fields.String(allow_none=True)


class TimelineOut(ma.Schema):
    id = ma.fields.Integer()
    customer_id = ma.fields.Integer()
    source_plugin = ma.fields.String(allow_none=True)
    channel = ma.fields.String()
    direction = ma.fields.String()
    subject = ma.fields.String()
    body = ma.fields.String(allow_none=True)
    occurred_at = ma.fields.DateTime()
    author_id = ma.fields.Integer(allow_none=True)
    reference = ma.fields.String(allow_none=True)
    object = ma.fields.Nested(
        ObjectLinkOut,
        allow_none=True,
        metadata={"description": "What the entry is about; null when you may not read it"},
    )


class TimelineQuery(PageArgs):
    pass


class TimelinePage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(TimelineOut))
    next_cursor = ma.fields.String(allow_none=True)
