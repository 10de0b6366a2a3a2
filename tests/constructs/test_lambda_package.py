"""The function's deployment zip: the function package and the model modules it imports, nothing else,
the same bytes on every machine."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import zipfile

from ses_reputation_guard import lambda_package


def entries(data: bytes) -> list[zipfile.ZipInfo]:
    return zipfile.ZipFile(io.BytesIO(data)).infolist()


def test_zip_holds_every_module_of_the_function_package_and_the_shipped_cloudwatch_model():
    names = [info.filename for info in entries(lambda_package.build_zip_bytes())]
    root = lambda_package.lambda_source_dir()
    for path in lambda_package.source_files():
        assert f"ses_guard_lambda/{path.relative_to(root).as_posix()}" in names
    assert "ses_guard_lambda/handler.py" in names
    assert not any("__pycache__" in name for name in names)
    # Python modules, and the CloudWatch service model the function ships (docs/lambda.md, "Fleet delivery")
    assert all(name.endswith(".py") or name.startswith("ses_guard_lambda/data/") for name in names), names
    assert "ses_guard_lambda/data/cloudwatch/2010-08-01/service-2.json" in names
    assert not any(name.startswith("ses_guard_cli/") for name in names)  # the operator tool ships separately


def test_zip_ships_only_the_model_modules_the_function_imports():
    names = {info.filename for info in entries(lambda_package.build_zip_bytes())}
    model = {name.split("/", 1)[1] for name in names if name.startswith("ses_guard_policy/")}
    assert {"__init__.py", "contract.py", "alarm_names.py", "rules.py"} <= model
    model_dir = lambda_package.package_dir("ses_guard_policy")
    every_model_module = {path.name for path in model_dir.glob("*.py")}
    unused = every_model_module - model
    assert unused, "some model module (e.g. the chat rules) is not the function's and must not be shipped"
    for module in sorted(unused):
        stem = module.removesuffix(".py")
        for shipped in lambda_package.source_files():
            assert f"ses_guard_policy import {stem}" not in shipped.read_text()


def test_zip_is_reproducible_from_a_copy_of_the_sources(tmp_path):
    copies = []
    for name, folder in lambda_package.default_sources():
        copy = tmp_path / name
        shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("__pycache__"))
        (copy / "__pycache__").mkdir()
        (copy / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
        copies.append((name, copy))
    assert lambda_package.build_zip_bytes(tuple(copies)) == lambda_package.build_zip_bytes()


def test_the_zipped_function_imports_its_handler_from_the_zip_alone(tmp_path):
    zipfile.ZipFile(io.BytesIO(lambda_package.build_zip_bytes())).extractall(tmp_path)
    code = (
        "import sys; sys.path.insert(0, '.'); import ses_guard_lambda.handler as h, ses_guard_policy as m; "
        "assert h.__file__.startswith(sys.argv[1]) and m.__file__.startswith(sys.argv[1]), (h.__file__, m.__file__); "
        "assert not [n for n in sys.modules if n.startswith(('ses_guard_cli', 'ses_reputation_guard'))]; print('ok')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_entries_have_fixed_dates_and_permissions_and_are_stored_uncompressed():
    for info in entries(lambda_package.build_zip_bytes()):
        assert info.date_time == (2020, 1, 1, 0, 0, 0)
        assert info.external_attr == 0o644 << 16
        assert info.compress_type == zipfile.ZIP_STORED
