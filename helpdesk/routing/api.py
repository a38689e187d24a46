"""Public routing API: keyword suggestions from free text (no authentication: it reveals only the catalog)."""

from flask import Blueprint, jsonify, request
from pydantic import BaseModel, Field

from helpdesk.platform.extensions import db
from helpdesk.platform.openapi import documented
from helpdesk.routing.suggest import as_json, suggest_keywords

bp = Blueprint("routing_api", __name__, url_prefix="/api/v1/routing")


class SuggestQuery(BaseModel):
    q: str = Field(default="", description="The problem, in free text (French).")


class Suggestion(BaseModel):
    keyword: str
    slug: str
    service: str
    tier: str
    score: float


class Suggestions(BaseModel):
    suggestions: list[Suggestion]


@bp.get("/suggest")
@documented(query=SuggestQuery, responses={200: Suggestions}, tags=["routing"])
def suggest():
    """`GET /api/v1/routing/suggest?q=TEXT` → {"suggestions": [{keyword, slug, service, tier, score}, ...]}, at most 5."""
    found = suggest_keywords(db.session, request.args.get("q", ""))
    return jsonify(suggestions=[as_json(s) for s in found])
