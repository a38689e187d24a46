"""French normalisation and the signs of a request's nature in free text: pure functions, table-driven."""

import pytest

from helpdesk.platform import french
from helpdesk.routing import signals


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Élève À l’ÉCOLE", "eleve a l'ecole"),
        ("cœur", "coeur"),
        ("", ""),
    ],
)
def test_fold(text, expected):
    assert french.fold(text) == expected


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("les séances", "seance"),
        ("Rubriques", "rubrique"),
        ("journaux", "journal"),
        ("connexion", "connecter"),
        ("messagerie", "MESSAGERIE"),
        ("professeurs", "professeur"),
    ],
)
def test_stemming_brings_forms_together(a, b):
    assert signals.normalise(a)[-1] == signals.normalise(b)[-1]


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("mdp oublié", "mot de passe"),
        ("le cdt est vide", "cahier de textes"),
        ("import EDT", "emploi du temps"),
        ("pb avec la pj", "pièce jointe"),
        ("pb avec la pj", "problème"),
        ("le prof", "enseignant"),
        ("GAR", "médiacentre"),
        ("médiacentre", "GAR"),
    ],
)
def test_an_abbreviation_and_its_long_form_share_the_vocabulary_mark(short, long):
    shared = set(signals.normalise(short)) & set(signals.normalise(long))
    assert any(token.startswith("=") for token in shared), (short, long, shared)


def test_normalise_removes_elisions():
    assert signals.normalise("l'agenda d’une rubrique") == [french.stem("agenda"), french.stem("rubrique")]


def test_normalise_drops_stop_words_and_keeps_word_order():
    assert signals.normalise("le la les de des") == []
    tokens = signals.normalise("rubrique sport agenda")
    assert tokens == [french.stem("rubrique"), french.stem("sport"), french.stem("agenda")]


def test_normalise_caps_the_text_it_reads():
    assert len(signals.normalise("rubrique " * 10_000)) <= signals.MAX_QUERY_CHARS // 9 + 1


@pytest.mark.parametrize(
    ("text", "is_mass"),
    [
        ("tout le college peut pas se connecter", True),
        ("plus personne arrive a envoyer de mail", True),
        ("même problème dans les autres établissements", True),
        ("des eleves ecrivent aux parents d'autres eleves", False),
        ("tout est grisé dans mes séances", False),
    ],
)
def test_mass_signal(text, is_mass):
    assert (signals.mass_signal(signals.normalise(text), signals.signal_words(text)) > 0) is is_mass


@pytest.mark.parametrize(
    ("text", "is_evolution"),
    [
        ("ce serait pratique de pouvoir chercher dans les messages", True),
        ("demande : pouvoir recopier une séance", True),
        ("amélioration souhaitée : réordonner les étapes", True),
        ("idée : ajouter un calendrier partagé", True),
        ("on aimerait pouvoir changer la couleur des tuiles, est-ce prévu ?", True),
        ("le cahier de textes est vide", False),
    ],
)
def test_evolution_signal(text, is_evolution):
    assert (signals.evolution_signal(signals.normalise(text), signals.signal_words(text)) > 0) is is_evolution


@pytest.mark.parametrize(
    ("text", "is_mass"),
    [
        ("envoyer une annonce à tous les parents de 3e", False),  # "tous" as an audience, nothing is broken
        ("educonnect plante pour tous les parents", True),
        ("le site ne répond plus pour aucun établissement", True),
        ("la messagerie est en panne dans tout le bassin", True),
        ("les sites publics de plusieurs collèges sont inaccessibles", True),
    ],
)
def test_mass_signal_needs_a_sign_of_failure(text, is_mass):
    assert (signals.mass_signal(signals.normalise(text), signals.signal_words(text)) > 0) is is_mass


@pytest.mark.parametrize(
    ("text", "is_mass"),
    [
        ("impossible d'écrire à tous les parents de 6e, le message est refusé", False),  # an audience after "à"
        ("le message part bien aux autres collèges ?", False),
        ("les sites de plusieurs lycées s'affichent sans mise en page", True),  # several schools: no failure word needed
        ("même chose chez d'autres établissements depuis la mise à jour", True),
        ("ent hs partout", True),
        ("aucun élève de la classe ne voit la séance", False),  # one class, not several schools
    ],
)
def test_mass_signal_audiences_and_several_schools(text, is_mass):
    assert (signals.mass_signal(signals.normalise(text), signals.signal_words(text)) > 0) is is_mass


@pytest.mark.parametrize(
    ("text", "is_mass"),
    [
        ("tout l'ENT rame", True),  # the whole platform failing fails for everyone...
        ("tout l'ENT rame chez moi", False),  # ...unless the person says it is only them
        ("panne totale de l'ENT, mais seulement sur mon poste", False),
        ("nos élèves comme nos enseignants tombent sur une page blanche", True),  # two groups of people hit
        ("mes élèves tombent sur une page blanche", False),  # one class's pupils: not by itself
        ("aucun parent ne peut se connecter avec EduConnect", True),  # nobody among them gets in
        ("aucun élève ne voit le devoir que j'ai mis", False),  # content, not a way in
        ("j'écris aux parents et aux élèves mais rien ne part", False),  # an audience, not victims
    ],
)
def test_mass_signal_whole_platform_groups_and_nobody_getting_in(text, is_mass):
    assert (signals.mass_signal(signals.normalise(text), signals.signal_words(text)) > 0) is is_mass


@pytest.mark.parametrize(
    ("text", "strength"),
    [
        ("Serait-il possible d'avoir un export tableur des absences ?", 1.0),
        ("pourrait-on avoir un rappel automatique des devoirs", 1.0),
        ("ça serait vraiment pratique que les élèves voient leurs notes", 1.0),
        ("il manque une option pour trier les rubriques par date", 1.0),
        ("ajouter une fonctionnalité de corbeille dans la messagerie", 1.0),
        ("nous aimerions pouvoir dupliquer une séance", 1.0),
        ("serait-il possible de regarder pourquoi mon import ne passe pas", 0.5),  # polite request, half a sign
        ("est-il possible de récupérer un dossier supprimé ?", 0.0),  # a how-to question
        ("pourriez-vous réinitialiser le mot de passe de notre CPE", 0.0),
        ("je souhaite une formation ENT pour mon équipe", 0.0),
    ],
)
def test_evolution_signal_reads_evolution_phrasings(text, strength):
    assert signals.evolution_signal(signals.normalise(text), signals.signal_words(text)) == strength


def test_depuis_and_verb_forms_are_normalised():
    assert signals.normalise("depuis ce matin") == [french.stem("matin")]
    assert signals.normalise("viser le cdt")[0] == signals.normalise("le visa")[0]
    assert signals.normalise("remplaçante")[0] == signals.normalise("remplacement")[0]


@pytest.mark.parametrize(
    ("text", "is_evolution"),
    [
        ("ce n'est pas une demande d'évolution : l'agenda n'affiche plus rien", False),
        ("pas une suggestion, un vrai bug : la messagerie plante", False),
        ("suggestion : pouvoir trier les rubriques", True),
    ],
)
def test_a_denied_evolution_word_does_not_count(text, is_evolution):
    assert (signals.evolution_signal(signals.normalise(text), signals.signal_words(text)) > 0) is is_evolution


@pytest.mark.parametrize(
    ("text", "is_training"),
    [
        ("nous aimerions une formation sur le classeur pour l'équipe", True),
        ("comment s'inscrire au PRAF administrateurs ?", True),
        ("depuis la formation l'import EDT ne passe plus", False),  # something is broken: not a training request
        ("le formulaire ne s'affiche pas", False),
    ],
)
def test_training_signal(text, is_training):
    assert bool(signals.training_signal(signals.signal_words(text))) is is_training


def test_counts_of_things_read_as_several():
    several = french.stem("plusieurs")
    assert all(several in signals.normalise(t) for t in ("2 comptes", "trois comptes", "plusieurs comptes"))
    assert several not in signals.normalise("3e")  # a class level is not a count
