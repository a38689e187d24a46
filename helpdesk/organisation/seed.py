"""Demo organisation: the académie de Toulouse, its basins and plausible schools with valid UAI codes."""

from sqlalchemy import select

from helpdesk.organisation.models import Academie, Basin, School
from helpdesk.organisation.uai import check_letter

# (basin, department, [(type, name, town), ...]) — names are plausible, UAIs are generated with a valid key.
DEMO_BASINS = [
    (
        "Toulouse Nord",
        "031",
        [
            ("college", "Collège Toulouse-Lautrec", "Toulouse"),
            ("college", "Collège Georges Sand", "Toulouse"),
            ("lycee", "Lycée Raymond Naves", "Toulouse"),
            ("lp", "Lycée professionnel Myriam", "Toulouse"),
            ("college", "Collège Pierre Labitrie", "Saint-Alban"),
            ("ecole", "École élémentaire Jean Moulin", "Fenouillet"),
        ],
    ),
    (
        "Toulouse Centre",
        "031",
        [
            ("lycee", "Lycée Pierre de Fermat", "Toulouse"),
            ("lycee", "Lycée Saint-Sernin", "Toulouse"),
            ("college", "Collège Michelet", "Toulouse"),
            ("college", "Collège Pierre de Fermat", "Toulouse"),
            ("lp", "Lycée professionnel Galliéni", "Toulouse"),
            ("college", "Collège Clémence Isaure", "Toulouse"),
        ],
    ),
    (
        "Toulouse Sud-Est",
        "031",
        [
            ("lycee", "Lycée Bellevue", "Toulouse"),
            ("college", "Collège Jean Jaurès", "Castanet-Tolosan"),
            ("college", "Collège Jules Vallès", "Portet-sur-Garonne"),
            ("lycee", "Lycée Pierre-Paul Riquet", "Saint-Orens-de-Gameville"),
            ("college", "Collège René Cassin", "Escalquens"),
            ("lp", "Lycée professionnel Le Mirail", "Toulouse"),
        ],
    ),
    (
        "Toulouse Ouest",
        "031",
        [
            ("college", "Collège Léonard de Vinci", "Tournefeuille"),
            ("lycee", "Lycée Marcelin Berthelot", "Toulouse"),
            ("college", "Collège Jean-Pierre Vernant", "Toulouse"),
            ("college", "Collège Françoise Dolto", "Blagnac"),
            ("lycee", "Lycée Saint-Exupéry", "Blagnac"),
            ("erea", "EREA Jean Lagarde", "Ramonville-Saint-Agne"),
        ],
    ),
    (
        "Muret",
        "031",
        [
            ("college", "Collège Louisa Paulin", "Muret"),
            ("lycee", "Lycée Charles de Gaulle", "Muret"),
            ("college", "Collège Émile Zola", "Carbonne"),
            ("lp", "Lycée professionnel Françoise", "Tournefeuille"),
            ("college", "Collège Jean Rostand", "Fonsorbes"),
            ("college", "Collège Val d'Ariège", "Auterive"),
        ],
    ),
    (
        "Comminges",
        "031",
        [
            ("lycee", "Lycée Bagatelle", "Saint-Gaudens"),
            ("college", "Collège Didier Daurat", "Saint-Gaudens"),
            ("college", "Collège Jean Jaurès", "Montréjeau"),
            ("college", "Collège Pierre Cazes", "Saint-Girons"),
            ("lp", "Lycée professionnel Elisabeth et Norbert Casteret", "Saint-Gaudens"),
            ("college", "Collège Jean de Verdier", "Bagnères-de-Luchon"),
        ],
    ),
    (
        "Ariège",
        "009",
        [
            ("lycee", "Lycée Gabriel Fauré", "Foix"),
            ("college", "Collège Lakanal", "Foix"),
            ("lycee", "Lycée Pyrène", "Pamiers"),
            ("college", "Collège Rambaud", "Pamiers"),
            ("college", "Collège Victor Hugo", "Lavelanet"),
            ("lp", "Lycée professionnel Joseph Marie Jacquard", "Lavelanet"),
        ],
    ),
    (
        "Aveyron",
        "012",
        [
            ("lycee", "Lycée Ferdinand Foch", "Rodez"),
            ("college", "Collège Fabre", "Rodez"),
            ("lycee", "Lycée Jean Vigo", "Millau"),
            ("college", "Collège Marcel Aymard", "Millau"),
            ("college", "Collège Francis Carco", "Villefranche-de-Rouergue"),
            ("lp", "Lycée professionnel Alexis Monteil", "Rodez"),
        ],
    ),
    (
        "Gers",
        "032",
        [
            ("lycee", "Lycée Le Garros", "Auch"),
            ("college", "Collège Salinis", "Auch"),
            ("lycee", "Lycée Maréchal Lannes", "Lectoure"),
            ("college", "Collège Carnot", "Condom"),
            ("college", "Collège Louis Messidor", "L'Isle-Jourdain"),
            ("lp", "Lycée professionnel Pardailhan", "Auch"),
        ],
    ),
    (
        "Lot",
        "046",
        [
            ("lycee", "Lycée Clément Marot", "Cahors"),
            ("college", "Collège Olivier de Magny", "Cahors"),
            ("lycee", "Lycée Champollion", "Figeac"),
            ("college", "Collège Masbou", "Figeac"),
            ("college", "Collège Louis Pasteur", "Gourdon"),
            ("lp", "Lycée professionnel Louise Michel", "Gourdon"),
        ],
    ),
    (
        "Hautes-Pyrénées",
        "065",
        [
            ("lycee", "Lycée Théophile Gautier", "Tarbes"),
            ("college", "Collège Paul Éluard", "Tarbes"),
            ("lycee", "Lycée de la Serre de Sarsan", "Lourdes"),
            ("college", "Collège Desaix", "Tarbes"),
            ("college", "Collège Pierre Mendès France", "Vic-en-Bigorre"),
            ("lp", "Lycée professionnel Sixte Vignon", "Aureilhan"),
        ],
    ),
    (
        "Tarn",
        "081",
        [
            ("lycee", "Lycée Lapérouse", "Albi"),
            ("college", "Collège Bellevue", "Albi"),
            ("lycee", "Lycée Jean Jaurès", "Carmaux"),
            ("college", "Collège Jean-Jacques Rousseau", "Castres"),
            ("college", "Collège Jean Mermoz", "Graulhet"),
            ("lp", "Lycée professionnel Le Sidobre", "Castres"),
        ],
    ),
    (
        "Tarn-et-Garonne",
        "082",
        [
            ("lycee", "Lycée Antoine Bourdelle", "Montauban"),
            ("college", "Collège Ingres", "Montauban"),
            ("lycee", "Lycée Jean de Prades", "Castelsarrasin"),
            ("college", "Collège Olympe de Gouges", "Montech"),
            ("college", "Collège Jean Lacaze", "Grisolles"),
            ("lp", "Lycée professionnel Jean Baylet", "Valence"),
        ],
    ),
]


def demo_uai(department: str, sequence: int) -> str:
    digits = f"{department}{sequence:04d}"
    return digits + check_letter(digits)


def seed_demo(session) -> None:
    academie = session.scalar(select(Academie).where(Academie.code == "toulouse"))
    if academie is None:
        academie = Academie(code="toulouse", name="Académie de Toulouse", school_holiday_zone="C")
        session.add(academie)
        session.flush()
    sequence = 1000
    for basin_name, department, schools in DEMO_BASINS:
        basin = session.scalar(select(Basin).where(Basin.academie_id == academie.id, Basin.name == basin_name))
        if basin is None:
            basin = Basin(academie=academie, name=basin_name, department=department)
            session.add(basin)
            session.flush()
        for school_type, name, town in schools:
            sequence += 7
            uai = demo_uai(department, sequence)
            if session.scalar(select(School.id).where(School.uai == uai)) is None:
                session.add(School(uai=uai, name=name, type=school_type, town=town, basin=basin))
    session.flush()
