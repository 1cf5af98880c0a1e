"""Configuration is declared in one place and documented in another: careerrelay/settings.py reads
every environment variable, with its default, and the README's configuration table lists each of
them. Code that asks `getattr(settings, "X", default)` for a name settings.py never sets hides a
second default where no operator will look for it."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "careerrelay" / "settings.py"
README = ROOT / "README.md"
ENV_READERS = {"envint", "envbool", "envfloat"}


def _literal(node):
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_os_environ(node) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "environ"
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def environment_variables_read(source: str) -> set[str]:
    """Names passed as a literal to os.environ.get(...), os.environ[...], envint/envbool/envfloat(...)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            reads_env = (isinstance(func, ast.Name) and func.id in ENV_READERS) or (
                isinstance(func, ast.Attribute) and func.attr == "get" and _is_os_environ(func.value)
            )
            if reads_env and _literal(node.args[0]):
                names.add(_literal(node.args[0]))
        elif isinstance(node, ast.Subscript) and _is_os_environ(node.value) and _literal(node.slice):
            names.add(_literal(node.slice))
    return names


def settings_defined(source: str) -> set[str]:
    """Upper-case names settings.py assigns at module level (in any branch)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if isinstance(node, ast.Assign | ast.AnnAssign):
            for target in targets:
                if isinstance(target, ast.Name) and target.id.isupper():
                    names.add(target.id)
    return names


def readme_configuration_variables(text: str) -> set[str]:
    """Every `NAME` in the first column of the table under "## Configuration"."""
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("|"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", first_cell))
    return names


def getattr_settings_names(source: str) -> set[str]:
    """Names read as getattr(settings, "NAME", default): a default kept outside settings.py."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) == 3
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == "settings"
            and _literal(node.args[1])
        ):
            names.add(_literal(node.args[1]))
    return names


def test_every_environment_variable_settings_reads_is_in_the_readme_table():
    read = environment_variables_read(SETTINGS.read_text())
    listed = readme_configuration_variables(README.read_text())
    assert read, "the parser found no environment variables in settings.py"
    assert sorted(read - listed) == [], "add these to the README's configuration table"


def test_no_code_keeps_a_default_for_a_setting_settings_py_does_not_define():
    defined = settings_defined(SETTINGS.read_text())
    undeclared = {}
    for path in sorted((ROOT / "careerrelay").rglob("*.py")):
        names = getattr_settings_names(path.read_text()) - defined
        if names:
            undeclared[str(path.relative_to(ROOT))] = sorted(names)
    assert undeclared == {}, "declare these in careerrelay/settings.py and read settings.NAME"


def test_the_parsers_see_what_they_look_for():
    source = (
        'A = os.environ.get("ONE", "")\nB = os.environ["TWO"]\nC = envint("THREE", 1)\n'
        'D = envbool("FOUR", True)\nE = envfloat("FIVE", 0.5)\nif A:\n    F = 1\n'
    )
    assert environment_variables_read(source) == {"ONE", "TWO", "THREE", "FOUR", "FIVE"}
    assert settings_defined(source) == {"A", "B", "C", "D", "E", "F"}
    assert getattr_settings_names('x = getattr(settings, "X", 3)\ny = getattr(settings, "Y")') == {"X"}
    table = "## Configuration\n\n| variable | default |\n| `ONE`, `TWO` / `THREE` | `X_Y` |\n\n## Next\n| `NO` |"
    assert readme_configuration_variables(table) == {"ONE", "TWO", "THREE"}
