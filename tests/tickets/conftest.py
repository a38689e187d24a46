"""Ticket test fixtures: the search structures, a chain of people around one basin, and real file contents."""

import struct
import zlib

import pytest

from helpdesk.platform.extensions import db
from helpdesk.tickets.search import install_search
from helpdesk.users.models import Profile, Role
from tests.factories import BasinFactory, KeywordFactory, SchoolFactory, UserFactory


@pytest.fixture(scope="session")
def _search_installed(app):
    with app.app_context():
        install_search(db.engine)
    return True


@pytest.fixture(autouse=True)
def _search(_search_installed):
    return _search_installed


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real (tiny) PNG file."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def chain(session):
    basin = BasinFactory(name="Toulouse Nord")
    school = SchoolFactory(basin=basin, name="Collège Jean Jaurès")
    other_basin = BasinFactory(name="Ariège")
    people = {
        "basin": basin,
        "school": school,
        "teacher": UserFactory(school=school, full_name="Camille Enseignante"),
        "colleague": UserFactory(school=school, full_name="Autre Enseignant"),
        "head": UserFactory(school=school, profile=Profile.CHEF_ETABLISSEMENT, full_name="Dominique Principal"),
        "edulab": UserFactory(school=None, roles=[Role.EDULAB], basins=[basin], full_name="Jordan EduLAB"),
        "other_edulab": UserFactory(school=None, roles=[Role.EDULAB], basins=[other_basin], full_name="Lou EduLAB Ariège"),
        "pilote": UserFactory(school=None, roles=[Role.PILOTE], full_name="Charlie Pilote"),
        "editeur": UserFactory(school=None, roles=[Role.EDITEUR], full_name="Kim Éditeur"),
        "n1": UserFactory(school=None, roles=[Role.AGENT_N1], full_name="Morgan Niveau Un"),
        "keyword": KeywordFactory(
            label="agenda de rubrique vide",
            slug="agenda-rubrique-vide",
            service="rubriques",
            tier="edulab",
            fields=[
                {"name": "rubrique", "label": "Nom de la rubrique", "type": "text", "required": True},
                {"name": "depuis", "label": "Depuis le", "type": "date", "required": False},
                {
                    "name": "navigateur",
                    "label": "Navigateur",
                    "type": "choice",
                    "required": False,
                    "choices": ["Firefox", "Chrome", "Edge"],
                },
            ],
        ),
        "n1_keyword": KeywordFactory(
            label="mot de passe oublié", slug="mot-de-passe-oublie", service="navigateur_acces", tier="n1"
        ),
    }
    session.commit()
    return people
