"""What users see: the page, the menu entry, the 360° panel, the commands, Chinese strings."""

from __future__ import annotations

import pytest

from crm_host.testing.translations import translation_problems
from crm_loyalty.plugin import crm_customer_panels, crm_menu_items


def test_the_page_lists_members_by_points(client_for, clerk, make_customer):
    make_customer(name="王芳")
    page = client_for(clerk).get("/loyalty/", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "王芳" in html and "会员积分" in html


@pytest.mark.hookspec("crm_menu_items")
@pytest.mark.hookspec("crm_customer_panels")
def test_the_menu_entry_and_the_panel(app, clerk, make_customer):
    customer = make_customer()
    with app.test_request_context():
        [item] = crm_menu_items(user=clerk, departments=[])
        assert app.url_for(item.endpoint) == "/loyalty/"
        [panel] = crm_customer_panels(customer=customer, user=clerk, departments=[])
        assert str(panel.title) == "Points: 100"


def test_every_string_has_a_chinese_translation():
    assert translation_problems("crm_loyalty") == []


@pytest.mark.hookspec("crm_register_commands")
def test_the_commands(cli, make_customer):
    customer = make_customer()
    assert (
        "+20 points" in cli("loyalty", "award", str(customer.id), "20", "--reason", "Visit").output
    )
    shown = cli("loyalty", "balance", str(customer.id)).output.splitlines()
    assert shown == ["120 points", "+20\tVisit", "+100\tWelcome bonus"]
