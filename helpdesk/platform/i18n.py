"""Marking French labels for translation in modules that must stay free of Flask (code tables, state tables)."""


def N_(text: str) -> str:  # noqa: N802 — the usual gettext_noop spelling, known to pybabel as a keyword
    """Mark a label for extraction only; it is translated where it is shown (`templating._label`, form choices)."""
    return text
