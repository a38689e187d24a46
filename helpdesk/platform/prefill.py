"""Signed ticket pre-fill: a diagnostic (or any guided page) hands the ticket form a keyword, a subject
and the questions and answers already given, without trusting anything the browser could alter."""

from itsdangerous import BadSignature, URLSafeSerializer

_SALT = "ticket-prefill"


def sign_prefill(secret_key: str, data: dict) -> str:
    """data: {"source": "diagnostic", "tree": slug, "run_id": int|None, "keyword": label,
    "subject": str, "answers": [[question, answer], ...], "outcome": str}"""
    return URLSafeSerializer(secret_key, salt=_SALT).dumps(data)


def read_prefill(secret_key: str, token: str | None) -> dict | None:
    if not token:
        return None
    try:
        data = URLSafeSerializer(secret_key, salt=_SALT).loads(token)
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None
