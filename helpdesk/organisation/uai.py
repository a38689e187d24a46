"""UAI codes (Unité Administrative Immatriculée): 7 characters and a check letter."""

import re

from helpdesk.platform.i18n import N_

# The check letter is the 7-digit number modulo 23, read in an alphabet without I, O and Q.
CHECK_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ"
_UAI = re.compile(r"^(\d{7})([A-Z])$")


def check_letter(digits: str) -> str:
    if not re.fullmatch(r"\d{7}", digits):
        raise ValueError("a UAI starts with 7 digits")
    return CHECK_ALPHABET[int(digits) % 23]


def normalise(raw: str) -> str:
    return (raw or "").strip().upper().replace(" ", "")


def is_valid_uai(raw: str) -> bool:
    match = _UAI.match(normalise(raw))
    return bool(match) and check_letter(match.group(1)) == match.group(2)


def validation_error(raw: str) -> str | None:
    """French message explaining why a UAI is refused, or None when it is valid."""
    value = normalise(raw)
    match = _UAI.match(value)
    if not match:
        return N_("Un code UAI comporte 7 chiffres suivis d'une lettre (ex. 0310036W).")
    expected = check_letter(match.group(1))
    if expected != match.group(2):
        return N_("La lettre de contrôle du code UAI %(uai)s est incorrecte (attendue : %(letter)s).", uai=value, letter=expected)
    return None
