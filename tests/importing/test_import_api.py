"""Imports over the API: upload, follow the job, download the rejects; bad files are 422."""

from __future__ import annotations

import io


def test_upload_run_and_fetch_rejects(app, make_user, client_for, run_jobs):
    client = client_for(make_user("imp", departments=["sales"], role="manager"))
    data = "code,name,kind\nA1,王芳,person\nA2,,person\nA3,李娜,robot\n".encode()
    queued = client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(data), "客户.csv")},
        content_type="multipart/form-data",
    )
    assert queued.status_code == 202, queued.json
    assert queued.json["status"] == "queued"
    run_jobs(names=["host.import"])
    status = client.get(f"/api/v1/imports/{queued.json['job_id']}").json
    assert (
        status["status"] == "done" and status["totals"]["created"] == 1 and status["rejected"] == 2
    )
    rejects = client.get(f"/api/v1/imports/{queued.json['job_id']}/rejects")
    lines = rejects.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "line,reason,values" and lines[1].startswith("3,name: Required.")
    assert client.get("/api/v1/customers?q=A1").json["items"][0]["name"] == "王芳"


def test_bad_files_are_refused_with_a_reason(make_user, client_for):
    client = client_for(make_user("imp2", departments=["sales"], role="manager"))
    wrong = client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(b"x"), "c.pdf")},
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 422 and "format" in wrong.json["errors"]
    header = client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(b"colour\nred\n"), "c.csv")},
        content_type="multipart/form-data",
    )
    assert header.status_code == 422 and "unknown column(s) colour" in header.json["message"]
    agent = client_for(make_user("imp3", departments=["sales"], role="agent"))
    assert (
        agent.post(
            "/api/v1/imports",
            data={"file": (io.BytesIO(b"a"), "c.csv")},
            content_type="multipart/form-data",
        ).status_code
        == 403
    )
