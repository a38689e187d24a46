"""What the ticket API takes and answers, as the OpenAPI document describes it (the views build the same dicts;
tests/api checks that each answer matches). Fields a reader's side may not see are optional."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from helpdesk.platform.openapi import Out
from helpdesk.platform.schemas import Input
from helpdesk.tickets import bulk, queries

MAX_INT = 2**31 - 1


class CreateTicketInput(BaseModel):
    """A ticket: the keyword decides tier, service and priority; the school is the requester's."""

    model_config = ConfigDict(extra="forbid")

    keyword: str = Field(description="The slug of a keyword of the catalogue.", max_length=200)
    subject: str = Field(default="", max_length=200)
    description: str = Field(default="")
    extra_fields: dict[str, Any] = Field(default_factory=dict, description="The keyword's own extra fields.")
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    requester_email: str | None = Field(default=None, description="Agents: the ticket is opened for this person.")
    channel: Literal["api", "phone", "mail"] = "api"
    caller_name: str | None = Field(default=None, description="A caller without an account: their name.")
    caller_school: str | None = Field(default=None, description="A caller without an account: the UAI of their school.")


class TicketListQuery(BaseModel):
    """Query parameters: each one is optional (written without `null`: a query string has no such value)."""

    tier: str = Field(default=None, description="Agents only.")
    service: str = Field(default=None)
    keyword: str = Field(default=None)
    status: str = Field(default=None, description="A phase, a status, `open` or `all` (default).")
    school: str = Field(default=None, description="A school's UAI.")
    basin: int = Field(default=None, ge=0, le=MAX_INT)
    age: int = Field(default=None, ge=0, le=queries.MAX_AGE_DAYS, description="Minimum age in days.")
    q: str = Field(default=None, description="Full-text search (agents).")
    limit: int = Field(default=None, ge=1, le=100)
    cursor: str = Field(default=None)


class BulkItem(Input):
    """One ticket of a bulk action, as the queue read it (validated by the view: a bad item refuses the whole batch)."""

    reference: str = Field(min_length=1, max_length=30, title="reference")
    version: int = Field(ge=1, le=MAX_INT, title="version")


class BulkInput(BaseModel):
    """One action of the queue on several tickets; the action's own fields (solution, assignee_id, keyword, reason,
    incident_id…) sit beside `action` and `tickets`."""

    model_config = ConfigDict(extra="allow")

    action: Literal[tuple(bulk.OPERATIONS)]  # type: ignore[valid-type]
    tickets: list[BulkItem] = Field(min_length=1, max_length=bulk.MAX_SELECTED)


class BulkResult(BaseModel):
    reference: str
    done: bool
    message: str


class BulkOutput(BaseModel):
    results: list[BulkResult]
    done: int
    refused: int


class School(BaseModel):
    uai: str
    name: str


class TimelineEntry(Out):
    type: Literal["message", "event"]
    id: int
    kind: str | None
    created_at: str | None


class AttachmentOut(BaseModel):
    id: int
    name: str
    size: int
    content_type: str
    audience: str


class TicketOut(Out):
    """A ticket as its reader may see it: the requester's side reads less than the agents."""

    reference: str
    version: int
    status: str
    status_label: str
    service: str
    keyword: str
    subject: str
    description: str
    school: School
    created_at: str | None
    updated_at: str | None
    timeline: list[TimelineEntry]
    attachments: list[AttachmentOut]
    available_actions: list[str]
    promised_at: str | None = None
    waiting_until: str | None = None
    extra_fields: dict[str, Any] | None = None
    tier: str | None = Field(default=None, description="Agents and the vendor.")
    priority: str | None = Field(default=None, description="Agents.")
    merged_into: str | None = None
    links: list[dict[str, str]] | None = None
    time_spent: dict[str, Any] | None = None


class TicketSummary(Out):
    reference: str
    status: str
    status_label: str
    service: str
    subject: str
    version: int
    updated_at: str | None


class TicketList(BaseModel):
    tickets: list[TicketSummary]
    next_cursor: str | None


def action_form(model: type[BaseModel]) -> type[BaseModel]:
    """The multipart form of an action that takes files: its fields, plus the files themselves."""
    return create_model(f"{model.__name__}Form", __base__=model, files=(list[bytes], Field(default_factory=list)))
