"""Without the ``celery`` extra, ``crm worker`` and ``crm scheduler`` on a broker say what to install."""

from __future__ import annotations

import dataclasses
import sys

import pytest

from crm_host.runtime.current import get_runtime

HINT = 'pip install "crm-host[celery]"'


@pytest.fixture
def on_broker(app, monkeypatch):
    """The app's runtime as if CRM_BROKER_URL named a Redis broker."""
    runtime = get_runtime(app)
    settings = dataclasses.replace(runtime.settings, broker_url="redis://127.0.0.1:6379/15")
    monkeypatch.setattr(runtime, "settings", settings)
    monkeypatch.setattr(runtime, "_celery", None)
    return runtime


@pytest.mark.parametrize("missing", ["celery", "redis"])
@pytest.mark.parametrize("command", [["worker"], ["scheduler", "--once"]])
def test_a_missing_broker_library_is_one_line_naming_the_extra(
    cli, on_broker, monkeypatch, missing, command
):
    # None in sys.modules makes `import celery` raise ModuleNotFoundError, as when
    # the package is not installed at all.
    monkeypatch.setitem(sys.modules, missing, None)
    result = cli(*command)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: CRM_BROKER_URL is set but {missing} is not installed: {HINT}\n"
    )
    assert "Traceback" not in result.output


def test_with_the_extra_the_worker_gets_its_celery_app(on_broker):
    celery = on_broker.celery
    assert celery.conf.broker_url == "redis://127.0.0.1:6379/15"
    assert celery.conf.task_default_queue == "crm"
