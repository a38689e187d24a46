"""Demo tickets opened and moved through the real use cases, so their audit trail is genuine."""

import re
import unicodedata
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from helpdesk import policy
from helpdesk.organisation.models import School
from helpdesk.platform.timeutil import utcnow
from helpdesk.policy import Action
from helpdesk.routing.codes import TicketType, Tier
from helpdesk.routing.models import Keyword
from helpdesk.tickets import conversation, lifecycle, services
from helpdesk.tickets.audiences import MessageKind
from helpdesk.tickets.models import Ticket
from helpdesk.tickets.states import Move
from helpdesk.users.models import Role, User, UserRole
from helpdesk.users.passwords import hash_password

KEYWORDS_FILE = Path(__file__).resolve().parent.parent / "routing" / "data" / "keywords.yaml"
DEMO_PASSWORD = "demo-ENT-2026"

# (keyword label the requester would pick, service to fall back on, subject, description)
PROBLEMS = [
    (
        "paramétrage messagerie",
        "messagerie",
        "Plus aucun message reçu depuis lundi",
        "Les élèves de 3e A ne reçoivent plus les messages envoyés par leurs professeurs.",
    ),
    (
        "droits rubrique",
        "rubriques",
        "Agenda de la rubrique sport vide",
        "Les dates saisies pour l'association sportive ont disparu de l'agenda.",
    ),
    (
        "cahier de textes vide",
        "cahier_de_textes",
        "Cahier de textes vide pour une classe",
        "Aucune séance n'apparaît pour la 4e B depuis l'import de l'emploi du temps.",
    ),
    (
        "formulaire",
        "formulaires",
        "Sondage invisible pour les familles",
        "Les parents ne voient pas le sondage publié hier avec la communication ciblée.",
    ),
    (
        "mot de passe ENT personnel",
        "comptes_annuaire",
        "Mot de passe perdu",
        "Une collègue ne parvient plus à se connecter, le lien de réinitialisation n'arrive pas.",
    ),
    (
        "ressource GAR absente",
        "mediacentre_gar",
        "Manuels numériques absents du médiacentre",
        "Les ressources GAR attribuées aux 5e n'apparaissent pas.",
    ),
    (
        "page d'accueil publique",
        "page_accueil",
        "Page d'accueil : bloc actualités cassé",
        "Le bloc des actualités affiche une erreur depuis la mise à jour.",
    ),
    (
        "compte élève absent",
        "comptes_annuaire",
        "Élève arrivé sans compte",
        "Un élève inscrit la semaine dernière n'a toujours pas de compte ENT.",
    ),
    (
        "demande d'évolution",
        "formulaires",
        "Pouvoir dupliquer un formulaire",
        "Nous aimerions pouvoir dupliquer un formulaire d'une année sur l'autre.",
    ),
    (
        "classeur pédagogique",
        "classeur_pedagogique",
        "Lenteurs à l'ouverture du classeur pédagogique",
        "Le classeur met plus d'une minute à s'ouvrir sur les postes de la salle 12.",
    ),
]


def _slugify(label: str) -> str:
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_label.lower()).strip("-")[:140]


def _ensure_keywords(session) -> list[Keyword]:
    """The catalog belongs to routing; when it is empty (routing not installed yet) load it minimally."""
    keywords = list(session.scalars(select(Keyword).where(Keyword.is_active.is_(True)).order_by(Keyword.id)))
    if keywords or not KEYWORDS_FILE.exists():
        return keywords
    import yaml

    for entry in yaml.safe_load(KEYWORDS_FILE.read_text(encoding="utf-8")) or []:
        if not isinstance(entry, dict) or not entry.get("label"):
            continue
        slug = _slugify(entry["label"])
        if session.scalar(select(Keyword.id).where((Keyword.slug == slug) | (Keyword.label == entry["label"]))):
            continue
        session.add(
            Keyword(
                label=entry["label"],
                slug=slug,
                service=entry["service"],
                tier=entry["tier"],
                ticket_type=entry.get("ticket_type", "incident"),
                priority=entry.get("priority", "normal"),
                is_mass_incident=bool(entry.get("is_mass_incident")),
                synonyms=entry.get("synonyms") or [],
                description=entry.get("description", ""),
                fields=entry.get("fields") or [],
                diagnostic_slug=entry.get("diagnostic"),
            )
        )
    session.flush()
    return list(session.scalars(select(Keyword).where(Keyword.is_active.is_(True)).order_by(Keyword.id)))


def _demo_requesters(session) -> list[User]:
    """The demo requesters, plus one teacher in each school without any, so tickets spread over basins."""
    password_hash = None
    schools = list(session.scalars(select(School).order_by(School.id)))
    for index, school in enumerate(schools):
        if session.scalar(select(User.id).where(User.school_id == school.id)):
            continue
        password_hash = password_hash or hash_password(DEMO_PASSWORD)
        user = User(
            email=f"enseignant{index}@demo.ent",
            full_name=f"Enseignant·e {school.name}",
            profile="enseignant",
            password_hash=password_hash,
            school=school,
        )
        user.set_roles([Role.REQUESTER])
        session.add(user)
    session.flush()
    return list(
        session.scalars(
            select(User).join(UserRole).where(UserRole.role == Role.REQUESTER, User.school_id.is_not(None)).order_by(User.id)
        )
    )


def _agent_for(session, ticket) -> User | None:
    role = policy.TIER_ROLE[Tier(ticket.tier)]
    for user in session.scalars(select(User).join(UserRole).where(UserRole.role == role).order_by(User.id)):
        if role != Role.EDULAB or ticket.basin_id in user.basin_ids:
            return user
    return session.scalar(select(User).join(UserRole).where(UserRole.role == Role.PILOTE).order_by(User.id))


RESOLVED_SCENARIOS = (3, 4)  # see _play


def seed_demo(session, count: int = 40) -> None:
    if session.scalar(select(func.count(Ticket.id))):
        return  # demo tickets already there: seeding stays idempotent
    keywords = _ensure_keywords(session)
    requesters = _demo_requesters(session)
    if not keywords or not requesters:
        return
    today = utcnow()
    by_label = {k.label: k for k in keywords}
    # Resolved stories are spread over the last three weeks; tickets still open arrived over the last day and a
    # half, so the demo queues show live deadlines instead of a wall of breaches the first sweep would escalate.
    plan = sorted(
        (
            today - timedelta(hours=11 * (count - i))
            if i % 8 in RESOLVED_SCENARIOS
            else today - timedelta(minutes=50 * (count - i)),
            i,
        )
        for i in range(count)
    )
    for now, i in plan:
        label, service, subject, description = PROBLEMS[i % len(PROBLEMS)]
        # The keyword a requester would really pick for that problem, so demo queues look like real ones.
        keyword = by_label.get(label) or next((k for k in keywords if k.service == service), keywords[i % len(keywords)])
        requester = requesters[i % len(requesters)]
        fields = {
            spec["name"]: spec["choices"][0]
            for spec in keyword.fields or []
            if spec.get("type") == "choice" and spec.get("choices")
        }
        ticket = services.open_ticket(
            session, actor=requester, keyword=keyword, subject=subject, description=description, now=now, extra_fields=fields
        )
        _play(session, ticket, i % 8, now)


def _play(session, ticket, scenario: int, now) -> None:
    """Move a demo ticket along one of eight typical paths, each step an hour after the previous one."""
    step = [now]

    def later():
        step[0] += timedelta(hours=1)
        return step[0]

    agent = _agent_for(session, ticket)
    if scenario == 0 or agent is None:
        return
    lifecycle.take(session, ticket, actor=agent, now=later())
    if scenario == 2:
        lifecycle.wait(session, ticket, Move.WAIT_REQUESTER, actor=agent, now=later(),
                       message="Pouvez-vous joindre une capture d'écran du message affiché ?")  # fmt: skip
    elif scenario in (3, 4):
        conversation.post_message(session, ticket, MessageKind.REPLY, actor=agent, now=later(),
                                  body="Videz le cache du navigateur puis reconnectez-vous.")  # fmt: skip
        lifecycle.resolve(session, ticket, actor=agent, now=later(),
                          solution="Le cache du navigateur était en cause : après l'avoir vidé, la page s'affiche.")  # fmt: skip
        if scenario == 4:
            lifecycle.confirm(session, ticket, actor=ticket.requester, now=later())
    elif scenario in (5, 6) and ticket.tier != Tier.PILOTE:
        conversation.post_message(session, ticket, MessageKind.NOTE, actor=agent, now=later(),
                                  body="Vérifications faites de notre côté, sans succès.")  # fmt: skip
        lifecycle.escalate(session, ticket, actor=agent, reason="Paramétrage vérifié, le problème persiste", now=later())
        if scenario == 6 and ticket.tier == Tier.PILOTE:
            lifecycle.escalate(session, ticket, actor=_agent_for(session, ticket), now=later(), as_bug=True,
                               reason="Bug reproduit sur la plateforme de recette : merci d'analyser.",
                               vendor_reference=f"KOS-{1000 + ticket.id}")  # fmt: skip
    elif scenario in (5, 6) or ticket.type == TicketType.EVOLUTION:
        pilot = _agent_for(session, ticket)
        lifecycle.escalate(session, ticket, actor=pilot, reason="Reproduit en recette : anomalie éditeur", now=later(),
                           as_bug=True, vendor_reference=f"KOS-{1000 + ticket.id}")  # fmt: skip
        vendor = _agent_for(session, ticket)
        if vendor is not None and ticket.tier == Tier.EDITEUR:
            lifecycle.take(session, ticket, actor=vendor, now=later())
            conversation.post_message(session, ticket, MessageKind.VENDOR, actor=vendor, now=later(),
                                      body="Anomalie confirmée, correctif prévu dans la prochaine version.")  # fmt: skip
    elif scenario == 7:
        other = session.scalar(
            select(Keyword).where(Keyword.service != ticket.service, Keyword.is_active.is_(True)).order_by(Keyword.id)
        )
        if other is not None and policy.can(agent, Action.CHANGE_KEYWORD, ticket):
            services.change_keyword(
                session, ticket, other, actor=agent, reason="Le problème concerne un autre service", now=later()
            )
