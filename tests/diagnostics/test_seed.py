"""`flask seed` brings reference-data changes to trees nobody edited, and never touches a pilot's version."""

import copy

from helpdesk.platform.timeutil import utcnow
from helpdesk.users.models import Role
from kb.diagnostics import seed, services
from tests.factories import UserFactory


def _changed(trees, slug, title):
    trees = copy.deepcopy(trees)
    next(t for t in trees if t["slug"] == slug)["title"] = title
    return trees


def test_reference_change_reaches_an_unedited_tree_but_not_a_pilots(session, seeded, monkeypatch):
    pilot = UserFactory(roles=[Role.PILOTE])
    pix = services.current_version(session, services.get_tree_or_404(session, "pix"))
    services.save_tree(session, dict(pix.data, summary="Relu par l'équipe pilote."), actor=pilot, now=utcnow(), editing="pix")
    session.commit()
    original = seed.reference_trees()
    changed = _changed(_changed(original, "visa-cahier-de-textes", "Séances figées ou visa"), "pix", "Pix, nouvelle version")
    monkeypatch.setattr(seed, "reference_trees", lambda: changed)
    seed.seed_reference(session)
    session.commit()
    visa = services.get_tree_or_404(session, "visa-cahier-de-textes")
    assert (visa.current_version, visa.title) == (2, "Séances figées ou visa")
    assert services.current_version(session, visa).comment == seed.UPDATE_COMMENT
    assert services.get_tree_or_404(session, "pix").title != "Pix, nouvelle version"  # the pilot's edit wins
    seed.seed_reference(session)  # unchanged file: no further version
    session.commit()
    assert services.get_tree_or_404(session, "visa-cahier-de-textes").current_version == 2
