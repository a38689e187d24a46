"""Demo canned replies, written through the service as the demo pilot (so their history starts in the journal)."""

from sqlalchemy import select

from helpdesk.answers import services
from helpdesk.answers.models import CannedReply
from helpdesk.platform.errors import DomainError
from helpdesk.platform.timeutil import utcnow
from helpdesk.users.models import User

DEMO_PILOT = "pilote@demo.ent"
# (title, service, text): written afresh for the demo; FAQ links only to articles the KB seed publishes.
DEMO_REPLIES = (
    (
        "Accusé de réception après un appel",
        "",
        "Bonjour {demandeur},\n\nNous avons bien noté votre demande {reference} pour {etablissement}. "
        "Nous revenons vers vous dès que possible.\n\n{agent}, assistance ENT",
    ),
    (
        "Mot de passe enseignant oublié",
        "navigateur_acces",
        "Bonjour {demandeur},\n\nVous pouvez définir un nouveau mot de passe vous-même en suivant ces étapes : "
        "{faq:enseignant-mot-de-passe-oublie}\n\nSi cela ne fonctionne pas, répondez à ce message.\n\n{agent}",
    ),
    (
        "Données de l'annuaire pas encore à jour",
        "comptes_annuaire",
        "Bonjour {demandeur},\n\nLes changements saisis dans les outils de l'établissement arrivent dans l'ENT "
        "après un délai pouvant aller jusqu'à 48 heures. Merci de vérifier de nouveau après ce délai ; "
        "votre demande {reference} reste ouverte d'ici là.\n\n{agent}",
    ),
)


def seed_demo(session) -> None:
    if session.scalar(select(CannedReply.id).limit(1)) is not None:
        return
    pilot = session.scalar(select(User).where(User.email == DEMO_PILOT))
    if pilot is None:
        return
    for title, service, body in DEMO_REPLIES:
        try:
            with session.begin_nested():
                services.save(session, None, actor=pilot, title=title, body=body, service=service, now=utcnow())
        except DomainError:  # e.g. the FAQ article is not published in this installation: leave that one out
            continue
