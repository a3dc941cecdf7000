"""Cells that a spreadsheet opens as text, never as a formula.

A CSV cell starting with = + - @ (or a tab or carriage return, which some spreadsheets skip
before reading a formula) can run as a formula when the file is opened: "CSV injection".
Any download built from what users typed passes each cell through `spreadsheet_safe`.
"""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """The value, with a single quote in front if a spreadsheet would read it as a formula."""
    if value.startswith(FORMULA_TRIGGERS):
        return f"'{value}"
    return value
