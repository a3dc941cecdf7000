"""Flash messages wait in the session until shown: none may name a person or carry an LA ID,
so that nothing of a purged family can linger in the sessions table."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PERSONAL_ATTRIBUTES = {"full_name", "forename", "surname", "la_family_id", "la_individual_id"}


def test_no_message_is_built_from_a_persons_name_or_reference() -> None:
    offenders = []
    for path in ROOT.glob("**/views/**/*.py"):
        if ".venv" in path.parts:
            continue
        offenders += _offending_calls(path)
    for path in ROOT.glob("**/views.py"):
        if ".venv" in path.parts:
            continue
        offenders += _offending_calls(path)
    assert offenders == []


def _offending_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "messages"
        ):
            for argument in node.args[1:]:
                attributes = {
                    child.attr for child in ast.walk(argument) if isinstance(child, ast.Attribute)
                }
                if attributes & PERSONAL_ATTRIBUTES:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found
