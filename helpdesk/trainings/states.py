"""The FIL request life cycle as one explicit table: which state may follow which, and who moves it.

Standard library only, so the table is tested without a database."""

from enum import StrEnum

from helpdesk.platform.i18n import N_


class FilState(StrEnum):
    SUBMITTED = "submitted"
    VALIDATED = "validated"
    REFUSED = "refused"
    SCHEDULED = "scheduled"
    CONFIRMED = "confirmed"
    HELD = "held"
    CLOSED = "closed"


class Mover(StrEnum):
    """Who performs a transition; policy.py maps each one to an access rule."""

    DAFPEN = "dafpen"  # validates or refuses the request
    DRANE = "drane"  # schedules, marks held, closes
    HEAD = "head"  # the requesting school's head confirms the dates


STATE_LABELS = {
    FilState.SUBMITTED: N_("Demandée"),
    FilState.VALIDATED: N_("Validée par la DAFPEN"),
    FilState.REFUSED: N_("Refusée"),
    FilState.SCHEDULED: N_("Planifiée par la DRANE"),
    FilState.CONFIRMED: N_("Confirmée par l'établissement"),
    FilState.HELD: N_("Réalisée"),
    FilState.CLOSED: N_("Clôturée"),
}

# current state → {next state: who may perform it}
TRANSITIONS: dict[FilState, dict[FilState, Mover]] = {
    FilState.SUBMITTED: {FilState.VALIDATED: Mover.DAFPEN, FilState.REFUSED: Mover.DAFPEN},
    FilState.VALIDATED: {FilState.SCHEDULED: Mover.DRANE},
    FilState.REFUSED: {},
    FilState.SCHEDULED: {FilState.CONFIRMED: Mover.HEAD},
    FilState.CONFIRMED: {FilState.HELD: Mover.DRANE},
    FilState.HELD: {FilState.CLOSED: Mover.DRANE},
    FilState.CLOSED: {},
}

REASON_REQUIRED = frozenset({FilState.REFUSED})
FINAL = frozenset(state for state, targets in TRANSITIONS.items() if not targets)
# States whose dates are fixed enough to appear on the calendar.
ON_CALENDAR = frozenset({FilState.SCHEDULED, FilState.CONFIRMED, FilState.HELD, FilState.CLOSED})

ACTION_LABELS = {
    FilState.VALIDATED: N_("Valider la demande"),
    FilState.REFUSED: N_("Refuser la demande"),
    FilState.SCHEDULED: N_("Planifier"),
    FilState.CONFIRMED: N_("Confirmer les dates"),
    FilState.HELD: N_("Marquer comme réalisée"),
    FilState.CLOSED: N_("Clôturer"),
}


class TransitionRefused(ValueError):
    """The move is not in the table; the message is fit for the user."""


def mover_of(current: str, target: str) -> Mover:
    """Who may move a request from `current` to `target`; raises TransitionRefused when the table forbids it."""
    current, target = FilState(current), FilState(target)
    mover = TRANSITIONS[current].get(target)
    if mover is None:
        raise TransitionRefused(
            N_(
                "Une demande « %(current)s » ne peut pas passer à l'état « %(target)s ».",
                current=STATE_LABELS[current],
                target=STATE_LABELS[target],
            )
        )
    return mover


def next_states(current: str) -> list[FilState]:
    return list(TRANSITIONS[FilState(current)])
