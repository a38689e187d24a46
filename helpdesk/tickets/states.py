"""The ticket life cycle as one explicit table: which status may follow which."""

from enum import StrEnum

from helpdesk.platform.i18n import N_


class Status(StrEnum):
    NEW = "new"
    TAKEN = "taken"
    WAITING_REQUESTER = "waiting_requester"
    WAITING_VENDOR = "waiting_vendor"
    WAITING_PROPAGATION = "waiting_propagation"
    RESOLVED = "resolved"
    CLOSED = "closed"


STATUS_LABELS = {
    Status.NEW: N_("Nouveau"),
    Status.TAKEN: N_("Pris en charge"),
    Status.WAITING_REQUESTER: N_("En attente du demandeur"),
    Status.WAITING_VENDOR: N_("En attente de l'éditeur"),
    Status.WAITING_PROPAGATION: N_("En attente de propagation des données"),
    Status.RESOLVED: N_("Résolu"),
    Status.CLOSED: N_("Clos"),
}

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.TAKEN, Status.WAITING_REQUESTER, Status.WAITING_PROPAGATION, Status.RESOLVED}),
    Status.TAKEN: frozenset(
        {Status.WAITING_REQUESTER, Status.WAITING_VENDOR, Status.WAITING_PROPAGATION, Status.RESOLVED, Status.NEW}
    ),
    Status.WAITING_REQUESTER: frozenset({Status.TAKEN, Status.RESOLVED}),
    Status.WAITING_VENDOR: frozenset({Status.TAKEN, Status.RESOLVED}),
    Status.WAITING_PROPAGATION: frozenset({Status.TAKEN, Status.WAITING_REQUESTER, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.TAKEN}),  # back to TAKEN = reopen
    Status.CLOSED: frozenset({Status.TAKEN}),  # reopen
}

OPEN_STATUSES = frozenset({Status.NEW, Status.TAKEN, Status.WAITING_REQUESTER, Status.WAITING_VENDOR, Status.WAITING_PROPAGATION})
# While a ticket waits on someone else, its SLA clock does not run.
CLOCK_PAUSED = frozenset({Status.WAITING_REQUESTER, Status.WAITING_VENDOR, Status.WAITING_PROPAGATION})
FINAL = frozenset({Status.RESOLVED, Status.CLOSED})


def can_move(current: Status, target: Status) -> bool:
    return Status(target) in TRANSITIONS[Status(current)]
