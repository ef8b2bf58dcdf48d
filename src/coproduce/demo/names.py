"""Invented people's names for the demo, per language of the city a case is set in.

The lists mix long-established and more recent family names, as the populations of these cities
do, so that equity views over the demo data have something realistic to show. Any resemblance to
a real person is a coincidence of common names.
"""

# fmt: off
FIRST_NAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "Aisha", "Alan", "Amelia", "Anita", "Barbara", "Bernard", "Bilal", "Brenda", "Callum",
        "Carol", "Chloe", "Colin", "Daniel", "Deborah", "Declan", "Dennis", "Eileen", "Emily",
        "Farah", "Frank", "Gareth", "Gillian", "Gordon", "Hannah", "Harold", "Imran", "Irene",
        "Jack", "Janet", "Jasmine", "Joan", "Kevin", "Kwame", "Leanne", "Lily", "Lorraine",
        "Malcolm", "Margaret", "Mohammed", "Nadia", "Neil", "Nkechi", "Oliver", "Pauline",
        "Peter", "Priya", "Raymond", "Rita", "Ryan", "Samina", "Sandra", "Sean", "Sharon",
        "Stanley", "Tariq", "Theresa", "Tom", "Valerie", "Wendy", "Yusuf", "Zoe",
    ),
    "fr": (
        "Adèle", "Alain", "Amina", "Antoine", "Aurélie", "Bernard", "Brigitte", "Camille",
        "Cédric", "Chantal", "Christophe", "Claire", "Damien", "Denise", "Élodie", "Émile",
        "Fatima", "Florence", "François", "Gaëlle", "Gilles", "Hélène", "Hugo", "Inès",
        "Jacqueline", "Jean", "Jeanne", "Jérôme", "Julien", "Karim", "Laurence", "Léa", "Louis",
        "Lucie", "Manon", "Marc", "Marie", "Mathieu", "Mehdi", "Michel", "Monique", "Nadia",
        "Nathalie", "Nicolas", "Odile", "Pascal", "Patricia", "Philippe", "Rachid", "Sandrine",
        "Sébastien", "Simone", "Sophie", "Sylvain", "Thierry", "Valérie", "Vincent", "Yasmine",
        "Yves", "Zoé",
    ),
    "sv": (
        "Agnes", "Ahmed", "Alva", "Amira", "Anders", "Anna", "Astrid", "Axel", "Björn", "Cecilia",
        "Daniel", "Ebba", "Elias", "Elin", "Emil", "Erik", "Fredrik", "Frida", "Gustav",
        "Hanna", "Henrik", "Ida", "Ingrid", "Isak", "Johan", "Johanna", "Jonas", "Karin",
        "Klara", "Lars", "Leila", "Linnea", "Lovisa", "Magnus", "Maja", "Malin", "Mattias",
        "Mohammed", "Niklas", "Nora", "Olof", "Oskar", "Per", "Petra", "Rasmus", "Sara",
        "Sofia", "Stina", "Sven", "Tove", "Ulrika", "Viktor", "Wilma", "Yasmin", "Åsa",
    ),
    "nl": (
        "Anouk", "Bart", "Bram", "Daan", "Dewi", "Eline", "Emma", "Esra", "Fatima", "Femke",
        "Floor", "Gert", "Hanneke", "Hasan", "Hendrik", "Ilse", "Inge", "Jan", "Jasper", "Joost",
        "Karin", "Kees", "Lotte", "Lucas", "Maarten", "Marieke", "Mark", "Mohamed", "Naima",
        "Niels", "Noor", "Pieter", "Priscilla", "Rachid", "Rik", "Roos", "Ruud", "Sander",
        "Saskia", "Sem", "Sophie", "Stijn", "Suzanne", "Thijs", "Tim", "Wendy", "Willem",
        "Yusuf", "Zeynep",
    ),
}

SURNAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "Ahmed", "Ashworth", "Bailey", "Barlow", "Begum", "Bennett", "Booth", "Bradshaw",
        "Brennan", "Butterworth", "Campbell", "Clarke", "Collins", "Cooper", "Dawson", "Dixon",
        "Duffy", "Evans", "Fletcher", "Gallagher", "Greenwood", "Hall", "Hargreaves", "Holden",
        "Hughes", "Hussain", "Jackson", "Kaur", "Kelly", "Khan", "Lees", "Lomax", "Mahmood",
        "Marsden", "Mensah", "Mitchell", "Nolan", "Nowak", "Okafor", "Ogden", "Patel", "Pickup",
        "Quinn", "Rahman", "Riley", "Robinson", "Shah", "Sutcliffe", "Taylor", "Thornton",
        "Walsh", "Whitehead", "Wilde", "Wood", "Wright",
    ),
    "fr": (
        "Arnaud", "Bernard", "Bertrand", "Blanc", "Bonnet", "Boyer", "Brun", "Chevalier",
        "Clément", "Colin", "Da Silva", "David", "Dubois", "Dumas", "Dupont", "Durand",
        "Fabre", "Faure", "Fontaine", "Fournier", "Garcia", "Garnier", "Gauthier", "Girard",
        "Guerin", "Haddad", "Henry", "Lambert", "Laurent", "Lefèvre", "Lemoine", "Leroy",
        "Marchand", "Martin", "Martinez", "Mercier", "Meyer", "Michel", "Morel", "Moreau",
        "Nguyen", "Perrin", "Petit", "Picard", "Renard", "Richard", "Robert", "Roche",
        "Rousseau", "Roux", "Saïdi", "Simon", "Thomas", "Vidal", "Vincent",
    ),
    "sv": (
        "Abdi", "Andersson", "Axelsson", "Berg", "Bergström", "Björk", "Dahl", "Ek", "Eklund",
        "Eriksson", "Forsberg", "Gustafsson", "Hansson", "Hassan", "Hedlund", "Holm",
        "Håkansson", "Isaksson", "Jakobsson", "Johansson", "Jonsson", "Karlsson", "Larsson",
        "Lind", "Lindberg", "Lindqvist", "Lundgren", "Magnusson", "Mattsson", "Nilsson",
        "Nyberg", "Olsson", "Persson", "Petersson", "Sandberg", "Sjöberg", "Strand",
        "Sundqvist", "Svensson", "Wallin", "Yilmaz", "Åberg", "Öberg",
    ),
    "nl": (
        "Bakker", "Bos", "Boukhari", "Brouwer", "de Boer", "de Graaf", "de Groot", "de Jong",
        "de Vries", "de Wit", "Dekker", "El Amrani", "Hendriks", "Hoekstra", "Jansen",
        "Kaya", "Koster", "Kramer", "Kuipers", "Meijer", "Mulder", "Peeters", "Postma",
        "Prins", "Smit", "Smits", "Timmermans", "van Beek", "van den Berg", "van der Linden",
        "van der Meer", "van Dijk", "van Leeuwen", "Verhoeven", "Visser", "Vos", "Willems",
        "Yılmaz", "Ziani",
    ),
}
# fmt: on
