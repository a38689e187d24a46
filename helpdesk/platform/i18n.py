"""Marking French texts for translation in modules that must stay free of Flask (code tables, services' messages)."""


class Message(str):
    """A marked French text with its parameters, translated where it is shown (`helpdesk.platform.errors.translate`).

    It reads as the French text, formatted, so logs, tests and French readers see what they always saw."""

    template: str
    params: dict

    def __new__(cls, template: str, params: dict):
        self = super().__new__(cls, template % params)
        self.template = template
        self.params = params
        return self

    def __reduce__(self):  # pickled (job payloads, caches) as the pair that rebuilds it
        return (Message, (self.template, self.params))


def N_(text: str, **params) -> str:  # noqa: N802 — the usual gettext_noop spelling, known to pybabel as a keyword
    """Mark a text for extraction only; it is translated where it is shown (`templating._label`, form choices,
    `errors.translate`). With parameters, a `Message` that keeps them apart until then (never pre-format)."""
    return Message(text, params) if params else text
