"""French normalisation: pure functions, table-driven."""

import pytest

from helpdesk.routing import rules


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Élève À l’ÉCOLE", "eleve a l'ecole"),
        ("cœur", "coeur"),
        ("", ""),
    ],
)
def test_fold(text, expected):
    assert rules.fold(text) == expected


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
    assert rules.normalise(a)[-1] == rules.normalise(b)[-1]


@pytest.mark.parametrize(
    ("text", "must_contain"),
    [
        ("mdp oublié", ["mot", "passe"]),
        ("le cdt est vide", ["cahier", "textes"]),
        ("import EDT", ["emploi", "temps"]),
        ("pb avec la pj", ["probleme", "piece", "jointe"]),
        ("le prof", ["professeur", "enseignant"]),
        ("GAR", ["gar", "mediacentre"]),
        ("médiacentre", ["gar", "mediacentre"]),
        ("l'agenda d’une rubrique", ["agenda", "rubrique"]),
    ],
)
def test_normalise_expands_abbreviations_and_removes_elisions(text, must_contain):
    tokens = rules.normalise(text)
    for word in must_contain:
        assert rules.stem(word) in tokens, (text, tokens)
    assert "l" not in tokens and "d" not in tokens


def test_normalise_drops_stop_words_and_keeps_word_order():
    assert rules.normalise("le la les de des") == []
    tokens = rules.normalise("rubrique sport agenda")
    assert tokens == [rules.stem("rubrique"), rules.stem("sport"), rules.stem("agenda")]


def test_normalise_caps_the_text_it_reads():
    assert len(rules.normalise("rubrique " * 10_000)) <= rules.MAX_QUERY_CHARS // 9 + 1


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
    assert (rules.mass_signal(rules.normalise(text)) > 0) is is_mass


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
    assert (rules.evolution_signal(rules.normalise(text)) > 0) is is_evolution


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
    assert (rules.mass_signal(rules.normalise(text), rules.words(text)) > 0) is is_mass


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
    assert (rules.mass_signal(rules.normalise(text), rules.words(text)) > 0) is is_mass


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
    assert rules.evolution_signal(rules.normalise(text), rules.words(text)) == strength


def test_depuis_and_verb_forms_are_normalised():
    assert rules.normalise("depuis ce matin") == [rules.stem("matin")]
    assert rules.normalise("viser le cdt")[0] == rules.normalise("le visa")[0]
    assert rules.normalise("remplaçante")[0] == rules.normalise("remplacement")[0]


@pytest.mark.parametrize(
    ("text", "is_evolution"),
    [
        ("ce n'est pas une demande d'évolution : l'agenda n'affiche plus rien", False),
        ("pas une suggestion, un vrai bug : la messagerie plante", False),
        ("suggestion : pouvoir trier les rubriques", True),
    ],
)
def test_a_denied_evolution_word_does_not_count(text, is_evolution):
    assert (rules.evolution_signal(rules.normalise(text), rules.words(text)) > 0) is is_evolution


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
    assert bool(rules.training_signal(rules.words(text))) is is_training


def test_counts_of_things_read_as_several():
    assert rules.normalise("2 comptes") == rules.normalise("trois comptes") == rules.normalise("plusieurs comptes")
    assert rules.normalise("3e") == ["3e"]  # a class level is not a count
