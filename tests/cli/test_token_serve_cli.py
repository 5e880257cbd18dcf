"""``immunobalance token create`` and ``immunobalance serve`` as a user runs them."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from immunobalance.cli import app, main
from immunobalance.cli.serve import PatientIdMaskingFilter, log_config
from immunobalance.config import get_settings
from immunobalance.store import Database
from immunobalance.store.crud import audit, tokens


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IMMUNOBALANCE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("IMMUNOBALANCE_DB_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_token_create_prints_a_working_token_stored_hashed(data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["token", "create", "--role", "clinician", "--name", "dr x"])
    assert result.exit_code == 0, result.output
    secret = result.output.split()[-1]
    db = Database(f"sqlite:///{data_dir / 'immunobalance.sqlite3'}")
    try:
        with db.read() as session:
            token = tokens.authenticate(session, secret)
            assert token is not None and (token.role, token.name) == ("clinician", "dr x")
            assert [e.action for e in audit.list_events(session)] == ["token.create"]
        with db.engine.connect() as conn:
            assert secret not in repr(conn.exec_driver_sql("SELECT * FROM api_tokens").all())
    finally:
        db.dispose()


def test_token_create_with_a_bad_role_exits_2(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["immunobalance", "token", "create", "--role", "root"])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 2
    assert "role: 'root' is not a role" in capsys.readouterr().err


def test_serve_logging_masks_patient_ids() -> None:
    config = log_config()
    assert config["loggers"]["uvicorn.access"]["filters"] == ["mask_patient_ids"]


def test_access_log_masks_patient_ids() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/api/v1/patients/pt-001/timeline?x=1", "1.1", 200),
        None,
    )
    PatientIdMaskingFilter().filter(record)
    assert "pt-001" not in record.getMessage()
    assert "/api/v1/patients/{id}/timeline" in record.getMessage()


def test_serve_binds_loopback_and_answers(data_dir: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "IMMUNOBALANCE_DATA_DIR": str(data_dir)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "immunobalance", "serve", "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stderr is not None
        for line in proc.stderr:  # blocks until uvicorn reports it is listening
            if "Uvicorn running on" in line:
                assert f"http://127.0.0.1:{port}" in line
                break
        else:
            pytest.fail("serve exited before listening")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json") as response:
            assert json.load(response)["info"]["title"] == "immunobalance"
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/kb/diseases")
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(request)
        assert info.value.code == 401
    finally:
        proc.terminate()
        proc.wait()
