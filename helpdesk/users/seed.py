"""Demo people: one account per role (and a few school profiles), all with the same demo password."""

from sqlalchemy import select

from helpdesk.organisation.models import Basin, School
from helpdesk.users.models import Profile, Role, User
from helpdesk.users.passwords import hash_password

DEMO_PASSWORD = "demo-ENT-2026"

# (email, name, profile, roles, school index in name order or None, basins)
DEMO_USERS = [
    ("enseignant@demo.ent", "Camille Martin", Profile.ENSEIGNANT, [Role.REQUESTER], "Collège Michelet", []),
    ("principal@demo.ent", "Dominique Bernard", Profile.CHEF_ETABLISSEMENT, [Role.REQUESTER], "Collège Michelet", []),
    ("admin-ent@demo.ent", "Alex Petit", Profile.ADMINISTRATEUR_ENT, [Role.REQUESTER], "Collège Michelet", []),
    ("cpe@demo.ent", "Sacha Robert", Profile.CPE, [Role.REQUESTER], "Lycée Gabriel Fauré", []),
    ("proviseur.foix@demo.ent", "Claude Durand", Profile.CHEF_ETABLISSEMENT, [Role.REQUESTER], "Lycée Gabriel Fauré", []),
    ("agent.n1@demo.ent", "Morgan Leroy", Profile.AUTRE, [Role.AGENT_N1], None, []),
    (
        "edulab.toulouse@demo.ent",
        "Jordan Moreau",
        Profile.PERSONNEL_ACADEMIQUE,
        [Role.EDULAB],
        None,
        ["Toulouse Centre", "Toulouse Nord"],
    ),
    ("edulab.ariege@demo.ent", "Lou Fournier", Profile.PERSONNEL_ACADEMIQUE, [Role.EDULAB], None, ["Ariège"]),
    ("pilote@demo.ent", "Charlie Girard", Profile.PERSONNEL_ACADEMIQUE, [Role.PILOTE], None, []),
    ("editeur@demo.ent", "Kim Kosmos", Profile.AUTRE, [Role.EDITEUR], None, []),
    ("admin@demo.ent", "Noa Admin", Profile.PERSONNEL_ACADEMIQUE, [Role.ADMIN], None, []),
    ("dafpen@demo.ent", "Andréa Lambert", Profile.PERSONNEL_ACADEMIQUE, [Role.DAFPEN], None, []),
    ("formation@demo.ent", "Maxime Bonnet", Profile.PERSONNEL_ACADEMIQUE, [Role.FORMATION], None, []),
]


def seed_demo(session) -> None:
    password_hash = hash_password(DEMO_PASSWORD)
    for email, name, profile, roles, school_name, basins in DEMO_USERS:
        if session.scalar(select(User.id).where(User.email == email)):
            continue
        user = User(email=email, full_name=name, profile=profile, password_hash=password_hash)
        if school_name:
            user.school = session.scalar(select(School).where(School.name == school_name).order_by(School.id).limit(1))
        if basins:
            user.basins = list(session.scalars(select(Basin).where(Basin.name.in_(basins))))
        user.set_roles(roles)
        session.add(user)
    session.flush()
