"""The application starts with the built-ins installed, and the gate follows departments."""

from crm_host.host import get_host


def test_builtins_load_in_dependency_order(app):
    loaded = [p.name for p in get_host(app).plugins.loaded]
    assert set(loaded) == {"sales", "service", "marketing", "industry_power"}
    assert loaded.index("service") < loaded.index("industry_power")
    assert loaded.index("sales") < loaded.index("marketing")
    assert loaded.index("service") < loaded.index("marketing")


def test_me_lists_plugins_of_the_users_departments(app, make_user, client_for):
    user = make_user("ann", departments=["sales", "power"])
    response = client_for(user).get("/api/v1/auth/me")
    assert response.status_code == 200
    assert response.json["departments"] == ["Power Marketing", "Sales"]
    assert response.json["plugins"] == ["industry_power", "sales"]


def test_login_with_password(app, make_user):
    make_user("bob", departments=["service"], password="a long password")
    client = app.test_client()
    assert client.get("/api/v1/auth/me").status_code == 401
    bad = client.post("/api/v1/auth/login", json={"username": "bob", "password": "nope"})
    assert bad.status_code == 401
    good = client.post(
        "/api/v1/auth/login", json={"username": "bob", "password": "a long password"}
    )
    assert good.status_code == 200, good.json
    assert client.get("/api/v1/auth/me").json["plugins"] == ["service"]
