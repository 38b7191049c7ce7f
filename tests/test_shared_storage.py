"""Several machines share uploads and attachments through one configured folder."""

from __future__ import annotations

from pathlib import Path

from crm_host.domain.importing.uploads import upload_folder
from crm_host.records.attachments import storage_for
from crm_host.testing import build_app, prepare_database


def test_one_setting_points_uploads_and_attachments_at_shared_storage(crm_databases, tmp_path):
    url = crm_databases.create("storage")
    prepare_database(url, [], {})
    plain = build_app(url, tmp_path / "plain")
    with plain.app_context():
        assert upload_folder() == Path(plain.instance_path) / "imports"
    assert storage_for(plain).root == Path(plain.instance_path) / "attachments"

    shared = tmp_path / "nfs"
    app = build_app(url, tmp_path / "one", STORAGE_DIR=str(shared))
    with app.app_context():
        assert upload_folder() == shared / "imports" and (shared / "imports").is_dir()
    assert storage_for(app).root == shared / "attachments"

    apart = build_app(
        url, tmp_path / "two", STORAGE_DIR=str(shared), UPLOADS_DIR=str(tmp_path / "up")
    )
    with apart.app_context():
        assert upload_folder() == tmp_path / "up"  # the specific setting wins
    assert storage_for(apart).root == shared / "attachments"
