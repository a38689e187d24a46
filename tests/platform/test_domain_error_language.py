"""A refusal raised by a service reads as French where nothing translates it, and in the reader's language where
it is shown (its parameters kept apart until then)."""

import pickle

from flask_babel import force_locale

from helpdesk.platform.errors import ValidationFailed, translate
from helpdesk.platform.i18n import N_, Message


def test_a_marked_message_with_parameters_reads_french_and_translates_where_shown(app):
    message = N_("Le terme « %(term)s » existe déjà : modifiez-le plutôt.", term="ENT")
    assert isinstance(message, Message) and message == "Le terme « ENT » existe déjà : modifiez-le plutôt."
    assert pickle.loads(pickle.dumps(message)).params == {"term": "ENT"}
    with force_locale("en"):
        assert translate(message) == "The term “ENT” already exists: edit it instead."
    with force_locale("fr"):
        assert translate(message) == "Le terme « ENT » existe déjà : modifiez-le plutôt."


def test_a_list_of_problems_and_its_details_are_translated_together(app):
    problems = [N_("Indiquez si votre problème est résolu."), N_("Le commentaire dépasse %(max)s caractères.", max=2000)]
    error = ValidationFailed(problems, errors=problems, fields=["comment"])
    assert error.message == "Indiquez si votre problème est résolu. Le commentaire dépasse 2000 caractères."
    with force_locale("en"):
        assert error.text() == "Say whether your problem is solved. The comment is longer than 2000 characters."
        assert error.texts() == ["Say whether your problem is solved.", "The comment is longer than 2000 characters."]
        assert error.json_details() == {"errors": error.texts(), "fields": ["comment"]}  # codes stay as they are
