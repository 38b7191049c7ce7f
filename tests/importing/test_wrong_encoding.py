"""A wrong encoding is found before anything is imported, and named with where it fails."""

from __future__ import annotations

import sqlalchemy as sa

from crm_host.cli.main import cli as crm
from crm_host.core.models import Customer, Job
from crm_host.domain.importing.readers import check_encoding, first_undecodable, working_encodings


def gb18030_file(path, good_rows=2500):
    """``good_rows`` ASCII rows of 19 bytes, then one row with a Chinese name in GB18030.

    The header is 15 bytes, so the last row starts at byte 15 + 19 × 2500 = 47,515 on
    line 2,502; its name's first byte (张 is D5 C5) follows "C9999," at 47,521.
    """
    with path.open("wb") as out:
        out.write(b"code,name,kind\n")
        for i in range(good_rows):
            out.write(f"C{i:04d},N{i:04d},person\n".encode("ascii"))
        out.write("C9999,张三,person\n".encode("gb18030"))
    return path


def test_the_failing_line_and_byte_are_found(tmp_path):
    source = gb18030_file(tmp_path / "customers.csv")
    assert first_undecodable(source, "utf-8-sig") == (2502, 47521, "invalid continuation byte")
    assert first_undecodable(source, "gb18030") is None
    assert working_encodings(source) == ["gb18030", "latin-1"]
    assert check_encoding(source, "gb18030") == "gb18030"


def test_a_wrong_encoding_imports_nothing_and_says_which_would_do(
    committed_app, committed_db, tmp_path
):
    source = gb18030_file(tmp_path / "customers.csv")
    runner = committed_app.test_cli_runner()
    result = runner.invoke(
        crm, ["customers", "import", str(source), "--encoding", "utf-8-sig", "--batch-size", "1000"]
    )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {source}: line 2502, byte offset 47521: not utf-8-sig (invalid continuation "
        "byte); the whole file decodes as gb18030, latin-1\n"
    )
    with committed_db.engine.connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(Customer)) == 0
        assert connection.scalar(sa.select(sa.func.count()).select_from(Job)) == 0
    right = runner.invoke(crm, ["customers", "import", str(source), "--encoding", "gb18030"])
    assert right.exit_code == 0, right.output
    assert "2501 created" in right.output


def test_a_queued_job_with_a_wrong_encoding_fails_once_without_writing(
    committed_app, committed_db, tmp_path
):
    from crm_host.domain.importing import jobs as import_jobs
    from crm_host.runtime.facade import enqueue
    from crm_host.testing.runtime import run_due_jobs

    source = gb18030_file(tmp_path / "customers.csv")
    args = import_jobs.job_args(source, encoding="gb18030", batch_size=1000)
    args["encoding"] = "utf-8-sig"  # as a job queued with the wrong one would hold
    with committed_db.session() as session:
        job_id = enqueue(session, import_jobs.JOB_NAME, args, key="wrong-encoding")
        session.commit()
    with committed_app.app_context():
        run_due_jobs(committed_app, names=[import_jobs.JOB_NAME])
    with committed_db.session() as session:
        job = session.get(Job, job_id)
        assert (job.status, job.attempts) == ("failed", 1)
        assert "line 2502, byte offset 47521: not utf-8-sig" in job.last_error
        assert session.scalar(sa.select(sa.func.count()).select_from(Customer)) == 0


#: A small GB18030 file: the header is 15 bytes, "C1," 3 more, so 张 (D5 C5) is at 18.
SMALL = "code,name,kind\nC1,张三,person\n".encode("gb18030")
SMALL_ERROR = (
    "line 2, byte offset 18: not utf-8-sig (invalid continuation byte); "
    "the whole file decodes as gb18030, latin-1"
)


def test_the_api_refuses_a_wrong_encoding_and_takes_the_right_one(make_user, client_for, run_jobs):
    import io

    client = client_for(make_user("imp", departments=["sales"], role="manager"))

    def post(encoding):
        return client.post(
            "/api/v1/imports",
            data={"file": (io.BytesIO(SMALL), "c.csv"), "encoding": encoding},
            content_type="multipart/form-data",
        )

    wrong = post("utf-8-sig")
    assert wrong.status_code == 422 and wrong.json["errors"]["file"] == [SMALL_ERROR]
    right = post("gb18030")
    assert right.status_code == 202, right.json
    run_jobs(names=["host.import"])
    assert client.get("/api/v1/customers?q=C1").json["items"][0]["name"] == "张三"


def test_the_console_form_names_the_failing_byte(make_user, client_for):
    import io

    browser = client_for(make_user("imp4", departments=["sales"], role="manager"))
    page = browser.post(
        "/customers/imports/new",
        data={"file": (io.BytesIO(SMALL), "people.csv"), "encoding": "utf-8-sig"},
        content_type="multipart/form-data",
    )
    assert page.status_code == 200
    assert SMALL_ERROR in page.text
