"""One version: pyproject.toml's, carried by the installed package, the committed module (versions.tf and
its README, stamped by the generator), the changelog and the README's pinning text.

Bumping the version is: pyproject.toml, `make module` (reinstalls, then restamps), a CHANGELOG entry,
the README's `?ref=`; each test below names the one that was missed.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

from ses_guard_modulegen.generator import DISTRIBUTION, version_stamp
from ses_guard_modulegen.readme import PROJECT_HOME, module_source, release_tag
from tests.conftest import ROOT

MODULE_DIR = ROOT / "modules" / "terraform-aws-ses-reputation-guard"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
TAG = release_tag(VERSION)


def _section(text: str, heading: str) -> str:
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_the_version_is_semantic_and_its_tag_is_v_and_the_version():
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)
    assert f"v{VERSION}" == TAG


def test_the_installed_package_carries_pyproject_version():
    """Else the environment is older than pyproject.toml: `make venv` (or `make module`) reinstalls it."""
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["name"] == DISTRIBUTION
    assert metadata.version(DISTRIBUTION) == VERSION


def test_the_committed_module_is_stamped_with_the_version(generated_module):
    versions_tf = (MODULE_DIR / "versions.tf").read_text()
    assert version_stamp(VERSION) + "terraform {\n" in versions_tf, "run make module"
    assert f"ses-reputation-guard {VERSION}:" in versions_tf and f"?ref={TAG} " in versions_tf
    assert generated_module["versions.tf"].decode() == versions_tf


def test_the_module_readme_pins_its_usage_to_the_release_tag_and_names_the_release(generated_module):
    readme = (MODULE_DIR / "README.md").read_text()
    assert f'  source = "{module_source(VERSION)}"\n' in readme
    assert module_source(VERSION) == f"git::{PROJECT_HOME}.git//modules/terraform-aws-ses-reputation-guard?ref={TAG}"
    versions = _section(readme, "Versions")
    assert f"This is release {VERSION} of ses-reputation-guard" in versions and f"`?ref={TAG}`" in versions
    assert "[CHANGELOG.md](../../CHANGELOG.md)" in versions and "git tag `v<version>`" in versions
    assert generated_module["README.md"].decode() == readme


def test_the_changelog_has_an_entry_for_the_version_below_unreleased():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    headings = re.findall(r"^## \[([^\]]+)\](?: - (unreleased|\d{4}-\d{2}-\d{2}))?$", changelog, re.M)
    assert [version for version, _ in headings[:2]] == ["Unreleased", VERSION], "add the version's entry"
    assert "Keep a Changelog" in changelog and "`v<version>`" in changelog
    entry = _section(changelog, f"[{VERSION}] - {headings[1][1]}")
    assert "### Added" in entry or "### Changed" in entry or "### Fixed" in entry, "say what the release holds"


def test_the_readme_says_how_to_pin_the_module_to_this_release():
    section = _section((ROOT / "README.md").read_text(), "Using the Terraform module (no Python)")
    assert f'source = "{module_source(VERSION)}"' in section
    assert f"`?ref={TAG}`" in section and f"this tree is {VERSION}" in section
    assert "`?ref=v<version>`" in section and "The tag is created when a version is released" in section
    assert "[CHANGELOG.md](CHANGELOG.md)" in section
