"""Every model has a factory-boy factory, and each one creates a row the database accepts."""

import factory
import pytest

from helpdesk.platform.extensions import db
from tests import factories

FACTORIES = sorted(
    (
        obj
        for obj in vars(factories).values()
        if isinstance(obj, type) and issubclass(obj, factory.alchemy.SQLAlchemyModelFactory) and not obj._meta.abstract
    ),
    key=lambda f: f.__name__,
)


def test_every_model_has_a_factory(app):
    models = {mapper.class_ for mapper in db.Model.registry.mappers}
    covered = {f._meta.model for f in FACTORIES}
    assert not models - covered, sorted(m.__name__ for m in models - covered)


@pytest.mark.parametrize("model_factory", FACTORIES, ids=lambda f: f.__name__)
def test_factory_creates_a_valid_row(session, model_factory):
    first, second = model_factory(), model_factory()
    session.commit()
    assert first is not second
    assert session.query(model_factory._meta.model).count() >= 2
