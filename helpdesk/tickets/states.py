"""The ticket life cycle as one table: each move says which statuses it starts from, where it leads and what it
does to the holder and the tier. Nothing else writes a ticket's status, holder or tier.

SLA pauses follow from the status (CLOCK_PAUSED); every wait has an end date (WAIT_DAYS by default), after
which the sweep gives the ticket back to its tier, so no pause lasts for ever."""

from dataclasses import dataclass
from enum import Enum, StrEnum

from helpdesk.platform.i18n import N_
from helpdesk.routing.codes import Tier


class Status(StrEnum):
    NEW = "new"  # « à prendre en charge » at its current tier: nobody of that tier took it yet
    TAKEN = "taken"
    WAITING_REQUESTER = "waiting_requester"
    WAITING_VENDOR = "waiting_vendor"
    WAITING_PROPAGATION = "waiting_propagation"
    RESOLVED = "resolved"
    CLOSED = "closed"


STATUS_LABELS = {
    Status.NEW: N_("À prendre en charge"),
    Status.TAKEN: N_("Pris en charge"),
    Status.WAITING_REQUESTER: N_("En attente du demandeur"),
    Status.WAITING_VENDOR: N_("En attente de l'éditeur"),
    Status.WAITING_PROPAGATION: N_("En attente de propagation des données"),
    Status.RESOLVED: N_("Résolu"),
    Status.CLOSED: N_("Clos"),
}

OPEN_STATUSES = frozenset({Status.NEW, Status.TAKEN, Status.WAITING_REQUESTER, Status.WAITING_VENDOR, Status.WAITING_PROPAGATION})
# While a ticket waits on someone else, its SLA clock does not run.
CLOCK_PAUSED = frozenset({Status.WAITING_REQUESTER, Status.WAITING_VENDOR, Status.WAITING_PROPAGATION})
FINAL = frozenset({Status.RESOLVED, Status.CLOSED})
# Waits the requester causes: the time spent in them moves the date promised to the requester.
REQUESTER_CAUSED = frozenset({Status.WAITING_REQUESTER, Status.WAITING_PROPAGATION})

# Default length of each wait, in calendar days (a person may choose another date, up to MAX_WAIT_DAYS).
# Propagation of directory data takes up to 48 hours; a requester or the vendor is chased after a week or two.
WAIT_DAYS = {Status.WAITING_REQUESTER: 7, Status.WAITING_VENDOR: 14, Status.WAITING_PROPAGATION: 2}
MAX_WAIT_DAYS = 60
# A closed ticket may be reopened for this many days; after that a new ticket, linked to it, is proposed.
REOPEN_DAYS = 30


class Move(StrEnum):
    TAKE = "take"
    WAIT_REQUESTER = "wait_requester"
    WAIT_VENDOR = "wait_vendor"
    WAIT_PROPAGATION = "wait_propagation"
    END_WAIT = "end_wait"  # the wait's date passed (the sweep), or the requester answered
    RESOLVE = "resolve"
    CONFIRM = "confirm"
    AUTO_CLOSE = "auto_close"
    REOPEN = "reopen"
    ESCALATE = "escalate"  # one tier up; to the vendor it is a transmission
    SEND_DOWN = "send_down"  # one tier down
    MERGE = "merge"  # a duplicate merged into another ticket: closed, its conversation moved to the survivor
    UNMERGE = "unmerge"  # the merge undone (pilot team): the conversation comes back, the ticket is worked again


class Holder(Enum):
    KEEP = "keep"
    ACTOR = "actor"  # the person who moves the ticket holds it from now on
    ACTOR_IF_NONE = "actor_if_none"
    CLEAR = "clear"  # arriving at another tier: nobody there holds it yet


BACK_TO_WORK = "back_to_work"  # target of a move that resumes work: TAKEN when someone holds it, else NEW


@dataclass(frozen=True)
class Rule:
    sources: frozenset[Status]
    target: Status | str
    holder: Holder
    changes_tier: bool = False


_WORKABLE = frozenset({Status.NEW, Status.TAKEN})

RULES: dict[Move, Rule] = {
    Move.TAKE: Rule(frozenset({Status.NEW}) | CLOCK_PAUSED, Status.TAKEN, Holder.ACTOR),
    Move.WAIT_REQUESTER: Rule(
        _WORKABLE | {Status.WAITING_VENDOR, Status.WAITING_PROPAGATION}, Status.WAITING_REQUESTER, Holder.ACTOR_IF_NONE
    ),
    Move.WAIT_VENDOR: Rule(_WORKABLE, Status.WAITING_VENDOR, Holder.ACTOR_IF_NONE),
    Move.WAIT_PROPAGATION: Rule(_WORKABLE | {Status.WAITING_REQUESTER}, Status.WAITING_PROPAGATION, Holder.ACTOR_IF_NONE),
    Move.END_WAIT: Rule(CLOCK_PAUSED, BACK_TO_WORK, Holder.KEEP),
    Move.RESOLVE: Rule(OPEN_STATUSES, Status.RESOLVED, Holder.ACTOR_IF_NONE),
    Move.CONFIRM: Rule(frozenset({Status.RESOLVED}), Status.CLOSED, Holder.KEEP),
    Move.AUTO_CLOSE: Rule(frozenset({Status.RESOLVED}), Status.CLOSED, Holder.KEEP),
    Move.REOPEN: Rule(FINAL, BACK_TO_WORK, Holder.KEEP),
    Move.ESCALATE: Rule(OPEN_STATUSES, Status.NEW, Holder.CLEAR, changes_tier=True),
    Move.SEND_DOWN: Rule(OPEN_STATUSES, Status.NEW, Holder.CLEAR, changes_tier=True),
    Move.MERGE: Rule(OPEN_STATUSES, Status.CLOSED, Holder.KEEP),
    Move.UNMERGE: Rule(frozenset({Status.CLOSED}), BACK_TO_WORK, Holder.KEEP),
}

WAIT_MOVES = {Move.WAIT_REQUESTER: Status.WAITING_REQUESTER, Move.WAIT_VENDOR: Status.WAITING_VENDOR,
              Move.WAIT_PROPAGATION: Status.WAITING_PROPAGATION}  # fmt: skip

MOVE_LABELS = {
    Move.TAKE: N_("prendre en charge"),
    Move.WAIT_REQUESTER: N_("attendre le demandeur"),
    Move.WAIT_VENDOR: N_("attendre l'éditeur"),
    Move.WAIT_PROPAGATION: N_("attendre la propagation des données"),
    Move.END_WAIT: N_("reprendre après l'attente"),
    Move.RESOLVE: N_("résoudre"),
    Move.CONFIRM: N_("confirmer la résolution"),
    Move.AUTO_CLOSE: N_("clore"),
    Move.REOPEN: N_("rouvrir"),
    Move.ESCALATE: N_("escalader"),
    Move.SEND_DOWN: N_("renvoyer au niveau inférieur"),
    Move.MERGE: N_("fusionner"),
    Move.UNMERGE: N_("annuler la fusion de"),
}


def target_status(move: Move, *, has_holder: bool) -> Status:
    target = RULES[Move(move)].target
    if target == BACK_TO_WORK:
        return Status.TAKEN if has_holder else Status.NEW
    return Status(target)


def holder_after(move: Move, *, current: int | None, actor: int | None) -> int | None:
    rule = RULES[Move(move)].holder
    if rule is Holder.ACTOR:
        return actor
    if rule is Holder.ACTOR_IF_NONE:
        return current if current is not None else actor
    if rule is Holder.CLEAR:
        return None
    return current


def can_move(current: Status, move: Move) -> bool:
    return Status(current) in RULES[Move(move)].sources


def allowed_moves(current: Status) -> list[Move]:
    """The moves the life cycle allows from `current`, in table order (for refusal messages)."""
    return [move for move, rule in RULES.items() if Status(current) in rule.sources]


# --- what the requester reads: their ticket's state in their own words, never the back office ------------------

REQUESTER_LABELS = {
    "registered": N_("Enregistrée"),
    "in_progress": N_("En cours de traitement"),
    "edulab": N_("Confiée à l'EduLAB de votre bassin"),
    "academie": N_("Transmise à l'équipe académique"),
    "vendor": N_("Transmise à l'éditeur de l'ENT"),
    "your_answer": N_("En attente de votre réponse"),
    "requester_answer": N_("En attente de la réponse du demandeur"),
    "data": N_("En attente de la mise à jour des données"),
    "resolved": N_("Résolue : à confirmer"),
    "closed": N_("Close"),
}


def requester_phase(status: Status, tier: str, *, reader_is_requester: bool) -> str:
    """The key of REQUESTER_LABELS for a ticket at `status` and `tier`, as the requester's side reads it."""
    status = Status(status)
    if status == Status.WAITING_REQUESTER:
        return "your_answer" if reader_is_requester else "requester_answer"
    if status == Status.WAITING_PROPAGATION:
        return "data"
    if status == Status.RESOLVED:
        return "resolved"
    if status == Status.CLOSED:
        return "closed"
    if tier == Tier.EDITEUR or status == Status.WAITING_VENDOR:
        return "vendor"
    if tier == Tier.PILOTE:
        return "academie"
    if tier == Tier.EDULAB:
        return "edulab"
    return "registered" if status == Status.NEW else "in_progress"
