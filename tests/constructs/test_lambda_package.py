"""The function's deployment zip: the function package only, the same bytes on every machine."""

from __future__ import annotations

import io
import zipfile

from ses_reputation_guard import lambda_package


def entries(data: bytes) -> list[zipfile.ZipInfo]:
    return zipfile.ZipFile(io.BytesIO(data)).infolist()


def test_zip_holds_every_module_of_the_function_package_and_nothing_else():
    names = [info.filename for info in entries(lambda_package.build_zip_bytes())]
    sources = lambda_package.source_files()
    root = lambda_package.lambda_source_dir()
    assert names == [f"ses_guard_lambda/{path.relative_to(root).as_posix()}" for path in sources]
    assert "ses_guard_lambda/handler.py" in names
    assert not any("__pycache__" in name or not name.endswith(".py") for name in names)
    assert "ses_guard_lambda/cli.py" not in names  # the operator tool (ses-guard) ships separately


def test_zip_is_reproducible_from_a_copy_of_the_sources(tmp_path):
    copy = tmp_path / "ses_guard_lambda"
    copy.mkdir()
    root = lambda_package.lambda_source_dir()
    for path in lambda_package.source_files():
        (copy / path.relative_to(root)).parent.mkdir(parents=True, exist_ok=True)
        (copy / path.relative_to(root)).write_bytes(path.read_bytes())
    (copy / "__pycache__").mkdir()
    (copy / "__pycache__" / "handler.cpython-311.pyc").write_bytes(b"\0")
    assert lambda_package.build_zip_bytes(copy) == lambda_package.build_zip_bytes()


def test_entries_have_fixed_dates_and_permissions_and_are_stored_uncompressed():
    for info in entries(lambda_package.build_zip_bytes()):
        assert info.date_time == (2020, 1, 1, 0, 0, 0)
        assert info.external_attr == 0o644 << 16
        assert info.compress_type == zipfile.ZIP_STORED
