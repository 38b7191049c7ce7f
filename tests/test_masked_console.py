"""The console masks what the API masks: the profile, addresses and the edit form; a
user who may not reveal a number keeps it by leaving the masked value alone."""

from __future__ import annotations

import re

from crm_host.domain.customers import children, service
from crm_host.domain.directory import create_role


def _clerk(db, make_user, client_for):
    """May change customers, may not see their numbers in full."""
    create_role(
        db,
        name="editor",
        permissions=[{"permission": p} for p in ("host.customers.read", "host.customers.write")],
    )
    db.commit()
    return client_for(make_user("eddie", departments=["sales"], role="editor"))


def test_the_edit_form_shows_masked_numbers_and_keeps_them_unless_changed(
    db, make_user, client_for
):
    customer = service.create_customer(
        db,
        {
            "code": "F1",
            "name": "王芳",
            "kind": "person",
            "phone": "+8613800138000",
            "id_number": "11010519491231002X",
            "departments": ["sales"],
        },
    )
    children.add_child(db, "address", customer, {"line1": "长安街 100 号 3 单元", "city": "北京"})
    db.commit()
    clerk = _clerk(db, make_user, client_for)
    view = clerk.get(f"/customers/{customer.id}").get_data(as_text=True)
    assert "长安街 100 号" not in view and "长安街***" in view
    form = clerk.get(f"/customers/{customer.id}/edit").get_data(as_text=True)
    assert "13800138000" not in form and "11010519491231002" not in form
    values = dict(re.findall(r'name="([a-z_]+)"[^>]*value="([^"]*)"', form))
    assert (values["phone"], values["id_number"]) == ("+86*******8000", "110***********002X")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    fields = {"csrf_token": token, "code": "F1", "name": "王芳 (改)", "kind": "person"}
    fields |= {"lifecycle_stage": "lead", "departments": "sales"}
    saved = clerk.post(
        f"/customers/{customer.id}/edit",
        data={**fields, "phone": values["phone"], "id_number": values["id_number"]},
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:500]
    db.expire_all()
    assert (customer.name, customer.phone, customer.id_number) == (
        "王芳 (改)",
        "+8613800138000",
        "11010519491231002X",
    )
    # A number typed over the mask replaces it.
    clerk.post(
        f"/customers/{customer.id}/edit",
        data={**fields, "phone": "13900000001", "id_number": values["id_number"]},
    )
    db.expire_all()
    assert customer.phone.endswith("13900000001") and customer.id_number == "11010519491231002X"
