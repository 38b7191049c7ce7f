"""The application starts with the built-ins installed, and the gate follows departments."""

from crm_host.core.host import get_host


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


def test_departments_and_users_commands(app, cli):
    assert cli("departments", "create", "grid", "Grid Operations").exit_code == 0
    assert "Grid Operations" in cli("departments", "list").output
    made = cli(
        "users",
        "create",
        "ops1",
        "--password",
        "long enough",
        "--department",
        "grid",
        "--role",
        "viewer",
    )
    assert made.exit_code == 0, made.output
    assert cli("users", "join", "ops1", "sales", "--role", "manager").exit_code == 0
    listing = cli("users", "list").output
    assert "Grid Operations, Sales" in next(
        line for line in listing.splitlines() if line.startswith("ops1")
    )
    short = cli("users", "create", "ops2", "--password", "short")
    assert (
        short.exit_code != 0
        and "At least 8 characters" not in short.output
        or "password" in short.output
    )
