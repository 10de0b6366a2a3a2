"""Every link, anchor and repository path the docs mention exists.

The docs: README.md, CHANGELOG.md, docs/*.md, examples/*/README.md and the module README
(``DOCS``). What is checked, and what counts:

* **Links.** Every Markdown link or image ``[text](target)`` and reference ``[label]: target`` whose
  target is not a URL (no ``scheme:``) is resolved from the doc's folder and must exist. Its
  ``#anchor``, and a link that is only ``#anchor``, must be a heading of the target Markdown file
  (GitHub's slugs: lower case, punctuation dropped, spaces to hyphens, ``-1``, ``-2`` for repeats)
  or an ``<a id=...>`` / ``<a name=...>`` in it.
* **Paths in code.** A token of an inline code span or a fenced code block (split at white space,
  quotes, ``=``, commas, parentheses and brackets) is a repository path when it contains ``/``, is
  made of path characters only (letters, digits, ``_ . - /``: so no placeholder ``<stack>``, glob
  ``*``, ``{a,b}``, ``$VAR``, ``~``, URL or ARN), does not start with ``/`` (system and URL paths:
  ``/opt/tf-plugins``, ``/v2/email/account``) or with ``./`` / ``../`` (relative to a folder the text
  does not name), holds no ``...``, and either starts with a top-level entry of the repository
  (``src/``, ``tests/``, ``.ci/``...) or ends in a file extension of ``FILE_EXTENSIONS``. So
  ``AWS/SES``, ``hashicorp/aws``, ``alias/aws/sns`` and ``report/`` are not paths.
* **Paths in prose.** Outside code and links, a word that starts with a top-level folder of the
  repository and ``/`` (``docs/lambda.md``, ``examples/fleet``) is a path too.
* **Module sources.** The folder after ``.git//`` in a ``git::`` module source exists.

A path must exist from the repository root, from the doc's folder or from an import root (pyproject's
``pythonpath``: ``src``, ``lambda_src``, ``policies``), unless it lies under a generated path
(``GENERATED``, made by ``make`` and git-ignored) or is another project's source that a doc cites
(``EXTERNAL``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOCS = (
    ROOT / "README.md",
    ROOT / "CHANGELOG.md",
    *sorted((ROOT / "docs").glob("*.md")),
    *sorted((ROOT / "examples").glob("*/README.md")),
    *sorted((ROOT / "modules").glob("*/README.md")),
)
IMPORT_ROOTS = tuple(
    ROOT / folder
    for folder in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["pythonpath"]
)
FILE_EXTENSIONS = frozenset(
    {".cfg", ".go", ".hcl", ".ini", ".json", ".md", ".png", ".py", ".sarif", ".sh", ".tf", ".toml", ".txt", ".yaml",
     ".yml", ".zip"}
)  # fmt: skip
# Paths that exist only after a command has run (all git-ignored); a path under one is not checked.
GENERATED = (
    ".venv",  # make venv (and .venv/bin/ses-guard, .venv/bin/python)
    ".venv-checkov",  # make tools
    ".venv-cdktn",  # make venv-cdktn
    "node_modules",  # npm ci (node_modules/.bin/cdktf)
    "tools/cdktn/node_modules",  # make tools-cdktn
    "cdktf.out",  # make synth (cdktf.out/stacks/per-set, cdktf.out/manifest.json)
    "cdktf.out-cdktn",  # make synth-cdktn
    "reports",  # make scan (reports/checkov.sarif)
)
# Other projects' source files a doc cites by their path in that project.
EXTERNAL = frozenset(
    {
        "moto/cloudwatch/models.py",  # moto 5.2.5 (docs/benchmarks.md)
        "internal/service/chatbot/service_package.go",  # terraform-provider-aws (docs/dashboard.md)
    }
)
# Broken mentions in docs owned by others, reported to them (doc => the mentions ``broken`` finds there).
# The test turns red once a doc is fixed: drop its entry.
KNOWN_BROKEN: dict[str, set[str]] = {}

_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_CODE_SPAN = re.compile(r"(`+)((?:(?!\n[ \t]*\n).)+?)\1", re.S)  # may wrap, not across a blank line
_INLINE_LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE_LINK = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+|\bmailto:\S+", re.I)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
_TOKEN_SPLIT = re.compile(r"[\s\"'=,()\[\]]+")
_PATH_CHARACTERS = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_./-]*")
_GIT_SUBDIR = re.compile(r"\.git//([A-Za-z0-9_./-]+)")
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)[ \t#]*$")
_HTML_ANCHOR = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"", re.I)


def top_level_entries(root: Path) -> frozenset[str]:
    return frozenset(path.name for path in root.iterdir() if path.name != ".git")


def _top_level_folders(root: Path) -> list[str]:
    return sorted(path.name for path in root.iterdir() if path.is_dir() and not path.name.startswith("."))


@dataclass(frozen=True)
class Mention:
    line: int
    text: str
    kind: str
    """``link``, ``code`` (inline span or fence), ``prose`` or ``module source``."""

    def __str__(self) -> str:
        return f"line {self.line}: {self.text} ({self.kind})"


def split_code(text: str) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(prose lines, code lines) of a Markdown text, each as (line number, text); fences are code."""
    prose, code = [], []
    fence = ""
    for number, line in enumerate(text.splitlines(), 1):
        opening = _FENCE.match(line)
        if opening and (not fence or opening.group(1) == fence):
            fence = "" if fence else opening.group(1)
            continue
        (code if fence else prose).append((number, line))
    return prose, code


def is_repository_path(token: str, top_level: frozenset[str]) -> bool:
    """Whether a token of code names a file or folder of this repository (module docstring, 'Paths in code')."""
    if "/" not in token or not _PATH_CHARACTERS.fullmatch(token) or "..." in token or token.startswith(("./", "../")):
        return False
    return token.split("/", maxsplit=1)[0] in top_level or Path(token.rstrip("/")).suffix in FILE_EXTENSIONS


def mentions(text: str, root: Path = ROOT) -> list[Mention]:
    """Every link target and repository path of a Markdown text (module docstring)."""
    found: list[Mention] = []
    prose, code = split_code(text)
    top_level = top_level_entries(root)
    folders = "|".join(re.escape(name) for name in _top_level_folders(root))
    prose_path = re.compile(rf"(?<![\w./-])((?:{folders})/[A-Za-z0-9_./-]*[A-Za-z0-9_/])")
    lines = dict(prose)
    prose_text = "\n".join(lines.get(number, "") for number in range(max(lines, default=0) + 1))  # line n at n

    def code_span(match: re.Match[str]) -> str:
        code.append((prose_text.count("\n", 0, match.start()), match.group(2)))
        return re.sub(r"[^\n]", " ", match.group(0))  # the span's lines stay where they were

    for number, line in enumerate(_CODE_SPAN.sub(code_span, prose_text).split("\n")):
        links = [*_INLINE_LINK.findall(line), *_REFERENCE_LINK.findall(line)]
        found += [Mention(number, target, "link") for target in links if target and not _SCHEME.match(target)]
        words = _URL.sub(" ", _REFERENCE_LINK.sub(" ", _INLINE_LINK.sub(" ", line)))
        found += [Mention(number, path, "prose") for path in prose_path.findall(words)]
    for number, line in sorted(code):
        found += [
            Mention(number, token, "code") for token in _TOKEN_SPLIT.split(line) if is_repository_path(token, top_level)
        ]
    for number, line in (*prose, *code):
        found += [Mention(number, subdir, "module source") for subdir in _GIT_SUBDIR.findall(line)]
    return sorted(set(found), key=lambda m: (m.line, m.kind, m.text))


def heading_slug(heading: str) -> str:
    """GitHub's anchor for a heading: link and code markup dropped, lower case, punctuation removed."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading).lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every anchor a Markdown text offers: its headings' slugs (repeats numbered) and HTML anchors."""
    prose, _ = split_code(text)
    seen: dict[str, int] = {}
    found = set(_HTML_ANCHOR.findall(text))
    for _, line in prose:
        heading = _HEADING.match(line)
        if heading is None:
            continue
        slug = heading_slug(heading.group(1))
        found.add(f"{slug}-{seen[slug]}" if slug in seen else slug)
        seen[slug] = seen.get(slug, 0) + 1
    return found


def _is_generated(path: str) -> bool:
    return any(path == root or path.startswith(f"{root}/") for root in GENERATED)


def resolves(path: str, doc: Path, root: Path = ROOT, import_roots: tuple[Path, ...] = IMPORT_ROOTS) -> bool:
    """Whether a mentioned path exists from the root, the doc's folder or an import root, or needs not."""
    relative = path.rstrip("/")
    if _is_generated(relative) or relative in EXTERNAL:
        return True
    return any((base / relative).exists() for base in (root, doc.parent, *import_roots))


@dataclass(frozen=True)
class Problem:
    mention: Mention
    reason: str

    def __str__(self) -> str:
        return f"{self.mention}: {self.reason}"


def broken(doc: Path, root: Path = ROOT, import_roots: tuple[Path, ...] = IMPORT_ROOTS) -> list[Problem]:
    """What ``doc`` mentions that is not there: a missing file or folder, or a missing anchor."""
    problems = []
    for mention in mentions(doc.read_text(), root):
        if mention.kind != "link":
            if not resolves(mention.text, doc, root, import_roots):
                problems.append(Problem(mention, "no such file or folder"))
            continue
        target, _, anchor = mention.text.partition("#")
        path = (doc.parent / target).resolve() if target else doc
        if not path.is_relative_to(root.resolve()):
            problems.append(Problem(mention, "outside the repository"))
        elif not path.exists():
            problems.append(Problem(mention, "no such file or folder"))
        elif anchor and path.suffix == ".md" and anchor not in anchors(path.read_text()):
            problems.append(Problem(mention, f"no heading or anchor #{anchor} in {path.relative_to(root).as_posix()}"))
    return problems


def _doc_id(doc: Path) -> str:
    return doc.relative_to(ROOT).as_posix()


# --- the docs ---------------------------------------------------------------------------------------------


def test_the_checked_docs_are_the_readmes_the_changelog_and_docs():
    names = [_doc_id(doc) for doc in DOCS]
    assert {"README.md", "CHANGELOG.md", "docs/e2e.md", "docs/emulator.md", "docs/backtest.md"} <= set(names)
    assert "modules/terraform-aws-ses-reputation-guard/README.md" in names
    assert "examples/terraform_module/README.md" in names
    assert all(doc.exists() for doc in DOCS)


@pytest.mark.parametrize("doc", DOCS, ids=_doc_id)
def test_every_link_anchor_and_path_the_doc_mentions_exists(doc: Path):
    known = KNOWN_BROKEN.get(_doc_id(doc), set())
    problems = broken(doc)
    assert [str(problem) for problem in problems if problem.mention.text not in known] == []
    assert sorted(known - {problem.mention.text for problem in problems}) == [], "fixed: drop it from KNOWN_BROKEN"


@pytest.mark.parametrize("doc", DOCS, ids=_doc_id)
def test_the_doc_mentions_something_the_check_reads(doc: Path):
    """A doc with no link or path at all would pass unread: every checked doc has some."""
    assert mentions(doc.read_text()), _doc_id(doc)


def test_the_allowlists_name_only_generated_or_foreign_paths():
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    for path in GENERATED:
        assert f"{path}/" in ignored or f"{path.split('/')[-1]}/" in ignored, path
    for path in EXTERNAL:
        assert not (ROOT / path).exists() and not any((root / path).exists() for root in IMPORT_ROOTS), path


# --- the rules, on small texts ---------------------------------------------------------------------------

TOP = frozenset({"src", "tests", "docs", "examples", ".ci", "README.md"})


@pytest.mark.parametrize(
    "token",
    ["src/ses_guard_cli/", "tests/e2e/ses_emulator.py", ".ci/run", "ses_guard_policy/evaluation.py",
     "lambda/ses_guard_lambda.zip", "examples/per_set"],
)  # fmt: skip
def test_a_token_with_a_slash_under_a_top_level_entry_or_with_a_file_extension_is_a_path(token: str):
    assert is_repository_path(token, TOP)


@pytest.mark.parametrize(
    "token",
    ["AWS/SES", "hashicorp/aws", "alias/aws/sns", "report/", "true/false/1/0", "cdktf.out/stacks/<stack>",
     "configuration-set/*", "/opt/tf-plugins", "/v2/email/account", "../../modules/...", "./main.tf",
     "arn:aws:ses:us-east-1:1:configuration-set/x", "$PWD/tools/cdktn", "~/.terraform.d/plugin-cache",
     "git::https://example.com/x.git//modules/m?ref=v1", "main.tf", "{cdk.tf.json,hcl/main.tf}"],
)  # fmt: skip
def test_names_placeholders_globs_absolute_and_relative_paths_urls_and_bare_files_are_not_paths(token: str):
    assert not is_repository_path(token, TOP)


def test_mentions_reads_links_code_spans_fences_prose_and_module_sources():
    text = "\n".join(
        [
            "# Title",
            "See [the design](docs/design.md#layout), ![plot](images/a.png) and [AWS](https://aws.amazon.com/x/y.md).",
            "Run `python bench/synth_bench.py --sets 10` and read docs/lambda.md, not https://x.io/docs/y.md. A `span",
            "that wraps tools/scan.py` is code.",
            "```sh",
            ".venv/bin/python -m pytest tests/e2e/test_e2e_deploy.py -s  # not AWS/SES",
            'source = "git::https://example.com/x.git//modules/terraform-aws-x?ref=v1"',
            "```",
            "[ref]: examples/fleet/README.md",
        ]
    )
    assert [(m.line, m.text, m.kind) for m in mentions(text)] == [
        (2, "docs/design.md#layout", "link"),
        (2, "images/a.png", "link"),
        (3, "bench/synth_bench.py", "code"),
        (3, "tools/scan.py", "code"),
        (3, "docs/lambda.md", "prose"),
        (6, ".venv/bin/python", "code"),
        (6, "tests/e2e/test_e2e_deploy.py", "code"),
        (7, "modules/terraform-aws-x", "module source"),
        (9, "examples/fleet/README.md", "link"),
    ]


def test_anchors_are_githubs_heading_slugs_numbered_when_repeated_and_html_anchors():
    text = "\n".join(
        [
            "# `ses-guard backtest`: would it have paused us?",
            "## CKV_SESRG_1: sets export metrics",
            "## Limits",
            "```",
            "# not a heading",
            "```",
            "## Limits",
            '<a id="ckv_sesrg_2"></a>',
            "## [Linked](x.md) heading",
        ]
    )
    assert anchors(text) == {
        "ses-guard-backtest-would-it-have-paused-us",
        "ckv_sesrg_1-sets-export-metrics",
        "limits",
        "limits-1",
        "ckv_sesrg_2",
        "linked-heading",
    }


def test_a_missing_file_or_anchor_is_reported_with_its_line(tmp_path: Path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "other.md").write_text("# Other\n## Known part\n")
    doc = tmp_path / "docs" / "page.md"
    doc.write_text(
        "# Page\n[ok](other.md#known-part) [gone](missing.md) [anchor](other.md#unknown) [self](#page)\n"
        "[here](#nowhere) `docs/other.md` `docs/none.py` [up](../../elsewhere.md)\n"
    )
    assert [str(problem) for problem in broken(doc, tmp_path, ())] == [
        "line 2: missing.md (link): no such file or folder",
        "line 2: other.md#unknown (link): no heading or anchor #unknown in docs/other.md",
        "line 3: docs/none.py (code): no such file or folder",
        "line 3: #nowhere (link): no heading or anchor #nowhere in docs/page.md",
        "line 3: ../../elsewhere.md (link): outside the repository",
    ]


# --- the policy pack's Guide links (policies/sesrg/check.py: GUIDELINE + the check id in lower case) ---------

_GUIDELINE = re.compile(r'^GUIDELINE = "(https://github\.com/[^/]+/[^/]+)/blob/[^/]+/([^#"]+)#"$', re.M)


def guide_links() -> tuple[str, str, list[str]]:
    """(the project's home, the doc the links open, the anchors) of the checks' Guide links, read as text
    (the pack imports checkov, which lives in its own virtual environment)."""
    match = _GUIDELINE.search((ROOT / "policies" / "sesrg" / "check.py").read_text())
    assert match is not None, "GUIDELINE in policies/sesrg/check.py has changed shape"
    ids = re.findall(
        r'^    check_id = "(CKV_SESRG_\d+)"$', "\n".join(p.read_text() for p in (ROOT / "policies").glob("*.py")), re.M
    )
    assert ids, "no check ids found in policies/*.py"
    return match.group(1), match.group(2), sorted(check_id.lower() for check_id in ids)


def test_the_guide_links_open_a_doc_of_this_repository_at_the_home_the_readme_names():
    home, doc, _ = guide_links()
    assert (ROOT / doc).is_file(), doc
    assert home in (ROOT / "README.md").read_text()


def test_each_guide_link_anchor_is_a_heading_or_anchor_of_its_doc():
    _, doc, check_anchors = guide_links()
    assert sorted(set(check_anchors) - anchors((ROOT / doc).read_text())) == []
