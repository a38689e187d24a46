from sqlalchemy import func, select

from helpdesk.organisation.models import Basin, School
from helpdesk.organisation.uai import is_valid_uai
from helpdesk.seed import run_seed
from helpdesk.users.models import Role, User


def test_demo_seed_is_idempotent_and_complete(session):
    run_seed(session, demo=True)
    run_seed(session, demo=True)
    assert session.scalar(select(func.count(Basin.id))) >= 10
    schools = list(session.scalars(select(School)))
    assert len(schools) >= 60
    assert all(is_valid_uai(s.uai) for s in schools)
    users = list(session.scalars(select(User)))
    present = set().union(*(u.roles for u in users))
    assert present == set(Role)
    assert len({u.email for u in users}) == len(users)


def test_user_create_command(app, session):
    run_seed(session, demo=True)
    uai = session.scalar(select(School.uai).limit(1))
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "user",
            "create",
            "--email",
            "New@AC-toulouse.fr",
            "--name",
            "Nouvelle Personne",
            "--role",
            "requester",
            "--profile",
            "cpe",
            "--school",
            uai,
            "--password",
            "long-enough-9",
        ]
    )
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.email == "new@ac-toulouse.fr"))
    assert user.school.uai == uai and user.roles == {Role.REQUESTER}
    again = runner.invoke(args=["user", "create", "--email", "new@ac-toulouse.fr", "--name", "X", "--password", "long-enough-9"])
    assert again.exit_code != 0 and "existe déjà" in again.output
