"""Shared test code lives in tests/helpers/: a test that imports another test module or a
conftest couples two unrelated files, and breaks when either moves."""

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
CROSS_IMPORT = re.compile(r"^\s*from tests\.(?!helpers\b|factories\b|smtp\b)[\w.]*\b(conftest|test_\w+)\b", re.M)


def test_no_test_imports_another_test_module_or_a_conftest():
    offenders = [
        f"{path.relative_to(TESTS)}: {match.group(0).strip()}"
        for path in TESTS.rglob("*.py")
        for match in CROSS_IMPORT.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_rule_recognises_a_cross_import():
    assert CROSS_IMPORT.search("    from tests.rejections.conftest import make_applicant\n")
    assert CROSS_IMPORT.search("from tests.concurrency.test_concurrent_relay import at_once\n")
    assert not CROSS_IMPORT.search("from tests.helpers.concurrency import at_once\n")
