"""PRAF catalogue (reference data, written for this tool and editable by the coordinators) and demo sessions/FIL."""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from helpdesk.platform.timeutil import PARIS, to_paris, utcnow
from helpdesk.trainings import fil as fil_services
from helpdesk.trainings import services
from helpdesk.trainings.models import FilRequest, TrainingModule, TrainingSession
from helpdesk.trainings.rules import Moment, Period
from helpdesk.users.models import User

# (title, audience, level, duration in hours, description, prerequisites). Durations are a starting point:
# the source guide gives none, so coordinators adjust them in the catalogue.
MODULES = [
    (
        "Piloter l'ENT de son établissement",
        "direction",
        "decouverte",
        3,
        "Comprendre ce que l'ENT apporte à la vie de l'établissement, qui l'administre et qui aide en cas de difficulté "
        "(niveau 1, EduLAB du bassin, équipe pilote). Organiser les premiers usages avec l'équipe de direction.",
        "Aucun.",
    ),
    (
        "Communiquer avec les familles et les équipes par l'ENT",
        "direction",
        "confirme",
        3,
        "Structurer la communication de l'établissement : actualités, messagerie, groupes, agenda partagé ; "
        "bonnes pratiques de diffusion et de protection des données.",
        "Avoir suivi le module « Piloter l'ENT de son établissement » ou l'utiliser au quotidien.",
    ),
    (
        "Administrer l'ENT : les fondamentaux",
        "administrateurs",
        "decouverte",
        6,
        "Gérer les comptes et les profils, vérifier l'alimentation depuis l'annuaire, attribuer les ressources, "
        "paramétrer les services de l'établissement et savoir quand solliciter l'assistance.",
        "Être désigné administrateur ENT de l'établissement.",
    ),
    (
        "Administration avancée : services, ressources et diagnostic",
        "administrateurs",
        "confirme",
        6,
        "Paramétrage fin des services et des droits, médiacentre et ressources numériques, lecture des anomalies "
        "d'alimentation, préparation de la rentrée et diagnostic avant de déclarer un incident.",
        "Avoir suivi les fondamentaux de l'administration ou une année d'expérience.",
    ),
    (
        "Découvrir l'ENT pour la classe",
        "equipes",
        "decouverte",
        3,
        "Se repérer dans l'ENT : messagerie, cahier de textes, espaces de classe, partage de documents et "
        "ressources ; premiers échanges avec les élèves et les familles.",
        "Disposer de ses identifiants ENT.",
    ),
    (
        "Scénariser ses séquences avec l'ENT",
        "equipes",
        "confirme",
        3,
        "Construire un parcours d'apprentissage avec les outils de l'ENT : exercices, travail collaboratif, "
        "suivi des rendus, différenciation ; retours d'expérience entre collègues.",
        "Utiliser déjà la messagerie et le cahier de textes de l'ENT.",
    ),
    (
        "Prendre en main l'ENT en début de carrière",
        "neotitulaires",
        "decouverte",
        3,
        "Pour les enseignants néotitulaires : les usages essentiels de l'ENT dans l'établissement d'affectation, "
        "les obligations (cahier de textes, communication) et les ressources d'autoformation.",
        "Aucun.",
    ),
]


def seed_reference(session) -> None:
    for title, audience, level, hours, description, prerequisites in MODULES:
        if session.scalar(select(TrainingModule.id).where(TrainingModule.title == title)):
            continue  # coordinators may have edited it: never overwrite
        session.add(
            TrainingModule(
                title=title,
                audience=audience,
                level=level,
                duration_hours=hours,
                description=description,
                prerequisites=prerequisites,
            )
        )
    session.flush()


def _weekday(day):
    """Training happens on school days: a weekend date moves to the next Monday."""
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def _at(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS).astimezone(utcnow().tzinfo)


def seed_demo(session) -> None:
    coordinator = session.scalar(select(User).where(User.email == "formation@demo.ent"))
    head = session.scalar(select(User).where(User.email == "principal@demo.ent"))
    if coordinator is None or head is None:
        return
    now = utcnow()
    today = to_paris(now).date()
    modules = {m.title: m for m in session.scalars(select(TrainingModule))}
    if not session.scalar(select(TrainingSession.id).limit(1)):
        plan = [  # (module, days from today, start hour, end hour, place, remote, capacity)
            ("Découvrir l'ENT pour la classe", 10, 14, 17, "", "https://classe-virtuelle.example/ent-decouverte", 3),
            ("Découvrir l'ENT pour la classe", 24, 9, 12, "Atelier Canopé, Toulouse", "", 16),
            ("Administrer l'ENT : les fondamentaux", 17, 9, 16, "DRANE, Toulouse", "", 12),
            ("Piloter l'ENT de son établissement", 21, 14, 17, "", "https://classe-virtuelle.example/ent-direction", 20),
        ]
        created = []
        for title, days, start, end, place, remote, capacity in plan:
            day = _weekday(today + timedelta(days=days))
            created.append(
                services.save_training_session(
                    session,
                    None,
                    actor=coordinator,
                    now=now,
                    module=modules[title],
                    starts_at=_at(day, start),
                    ends_at=_at(day, end),
                    place=place,
                    remote_url=remote,
                    trainer="Équipe formation DRANE",
                    capacity=capacity,
                    cancel_deadline_hours=48,
                )
            )
        # The first session is nearly full: two of its three seats are taken.
        for email in ("enseignant@demo.ent", "cpe@demo.ent"):
            person = session.scalar(select(User).where(User.email == email))
            if person is not None:
                services.register(session, created[0], person, actor=person, now=now)
    if head.school is not None and not session.scalar(select(FilRequest.id).where(FilRequest.requester_id == head.id)):
        fil_services.submit_fil_request(
            session,
            actor=head,
            now=now,
            school_uai=head.school.uai,
            audience="equipes",
            expected_trainees=22,
            format="two_half_days",
            periods=[
                Period(_weekday(today + timedelta(days=30)), _weekday(today + timedelta(days=30)), Moment.AFTERNOON),
                Period(_weekday(today + timedelta(days=37)), _weekday(today + timedelta(days=37)), Moment.AFTERNOON),
            ],
            topic_ids=[modules["Découvrir l'ENT pour la classe"].id, modules["Scénariser ses séquences avec l'ENT"].id],
            needs="Une équipe de sixième souhaite harmoniser l'usage du cahier de textes et des espaces de classe.",
        )
    session.flush()
