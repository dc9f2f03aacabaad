"""Fills for the behavioural suite: real officials at a date, countries, cities, other actors.

Every official below held the office between ``valid_from`` and ``valid_to`` (``None``: still
in office at the time of writing, 2026). The ``IN_GAZETTEER`` officials are all in
``src/visitrack/data/persons.json`` with that term (checked 2026-12-01); the
``OUTSIDE_GAZETTEER`` ones are real office holders that file does not list. Roles use the
spec's role enum. Countries and cities were checked against ``countries.json`` and
``cities.json`` (each city resolves to its own country there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Cases are published inside this span, and inside the official's term.
SPAN_START = date(2023, 3, 1)
SPAN_END = date(2025, 6, 30)


@dataclass(frozen=True, slots=True)
class Country:
    iso3: str
    name: str  # as written in running text ("the Philippines")
    adj: str  # demonym adjective ("Philippine")
    capital: str
    city: str  # another city of the country, not the capital
    possessive: str = ""  # "India's"; derived from name when empty

    @property
    def poss(self) -> str:
        return self.possessive or f"{self.name}'s"


@dataclass(frozen=True, slots=True)
class Official:
    name: str  # full name as a news text writes it
    surname: str  # what "Mr X" / a back-reference uses; matched as the scorer matches names
    role: str
    country: str  # ISO3
    title: str  # "Prime Minister", "Foreign Minister", ...
    valid_from: date
    valid_to: date | None
    female: bool = False

    @property
    def honorific(self) -> str:
        return "Ms" if self.female else "Mr"

    @property
    def pron(self) -> str:
        return "her" if self.female else "his"

    @property
    def subj(self) -> str:
        return "she" if self.female else "he"

    def span(self) -> tuple[date, date]:
        """The dates a case about this official may be published on."""
        end = min(self.valid_to, SPAN_END) if self.valid_to else SPAN_END
        return max(self.valid_from, SPAN_START), end


COUNTRIES: dict[str, Country] = {
    c.iso3: c
    for c in [
        Country("IND", "India", "Indian", "New Delhi", "Mumbai"),
        Country("FRA", "France", "French", "Paris", "Marseille"),
        Country("DEU", "Germany", "German", "Berlin", "Munich"),
        Country("USA", "the United States", "US", "Washington", "Chicago", "the United States'"),
        Country("JPN", "Japan", "Japanese", "Tokyo", "Osaka"),
        Country("CHN", "China", "Chinese", "Beijing", "Shanghai"),
        Country("RUS", "Russia", "Russian", "Moscow", "Kazan"),
        Country("BRA", "Brazil", "Brazilian", "Brasilia", "Sao Paulo"),
        Country("KEN", "Kenya", "Kenyan", "Nairobi", "Mombasa"),
        Country("ZAF", "South Africa", "South African", "Pretoria", "Durban"),
        Country("AUS", "Australia", "Australian", "Canberra", "Sydney"),
        Country("ITA", "Italy", "Italian", "Rome", "Milan"),
        Country("TUR", "Turkey", "Turkish", "Ankara", "Istanbul"),
        Country("ESP", "Spain", "Spanish", "Madrid", "Barcelona"),
        Country("DNK", "Denmark", "Danish", "Copenhagen", "Copenhagen"),
        Country("KOR", "South Korea", "South Korean", "Seoul", "Busan"),
        Country("NGA", "Nigeria", "Nigerian", "Abuja", "Lagos"),
        Country("ARG", "Argentina", "Argentine", "Buenos Aires", "Cordoba"),
        Country("POL", "Poland", "Polish", "Warsaw", "Krakow"),
        Country("UKR", "Ukraine", "Ukrainian", "Kyiv", "Lviv"),
        Country("CHE", "Switzerland", "Swiss", "Bern", "Geneva"),
        Country("GRC", "Greece", "Greek", "Athens", "Thessaloniki"),
        Country("CAN", "Canada", "Canadian", "Ottawa", "Toronto"),
        Country("GBR", "Britain", "British", "London", "Manchester"),
        Country("NLD", "the Netherlands", "Dutch", "Amsterdam", "Rotterdam", "the Netherlands'"),
        Country("RWA", "Rwanda", "Rwandan", "Kigali", "Kigali"),
        Country("JOR", "Jordan", "Jordanian", "Amman", "Aqaba"),
        Country("VNM", "Vietnam", "Vietnamese", "Hanoi", "Ho Chi Minh City"),
        Country("IDN", "Indonesia", "Indonesian", "Jakarta", "Surabaya"),
        Country("EGY", "Egypt", "Egyptian", "Cairo", "Alexandria"),
        Country("ZMB", "Zambia", "Zambian", "Lusaka", "Ndola"),
        Country("GHA", "Ghana", "Ghanaian", "Accra", "Kumasi"),
        Country("MEX", "Mexico", "Mexican", "Mexico City", "Guadalajara"),
        Country("PHL", "the Philippines", "Philippine", "Manila", "Manila", "the Philippines'"),
        Country("SAU", "Saudi Arabia", "Saudi", "Riyadh", "Jeddah"),
        Country("THA", "Thailand", "Thai", "Bangkok", "Chiang Mai"),
        Country("KAZ", "Kazakhstan", "Kazakh", "Astana", "Almaty"),
        Country("LKA", "Sri Lanka", "Sri Lankan", "Colombo", "Colombo"),
        Country("SRB", "Serbia", "Serbian", "Belgrade", "Novi Sad"),
        Country("CHL", "Chile", "Chilean", "Santiago", "Valparaiso"),
        Country("MOZ", "Mozambique", "Mozambican", "Maputo", "Maputo"),
        Country("ETH", "Ethiopia", "Ethiopian", "Addis Ababa", "Addis Ababa"),
        Country("SEN", "Senegal", "Senegalese", "Dakar", "Dakar"),
        Country("MAR", "Morocco", "Moroccan", "Rabat", "Casablanca"),
        Country("PAK", "Pakistan", "Pakistani", "Islamabad", "Lahore"),
        Country("AUT", "Austria", "Austrian", "Vienna", "Salzburg"),
        Country("PRT", "Portugal", "Portuguese", "Lisbon", "Porto"),
        Country("NOR", "Norway", "Norwegian", "Oslo", "Bergen"),
        Country("SWE", "Sweden", "Swedish", "Stockholm", "Gothenburg"),
        Country("FIN", "Finland", "Finnish", "Helsinki", "Tampere"),
        Country("NZL", "New Zealand", "New Zealand", "Wellington", "Auckland"),
    ]
}

# Countries whose "other city" really is a second city (not the capital repeated).
SECOND_CITY = [iso for iso, c in COUNTRIES.items() if c.city != c.capital]

D = date
IN_GAZETTEER: list[Official] = [
    Official(
        "Narendra Modi", "Modi", "head_of_government", "IND", "Prime Minister", D(2014, 5, 26), None
    ),
    Official(
        "Emmanuel Macron", "Macron", "head_of_state", "FRA", "President", D(2017, 5, 14), None
    ),
    Official(
        "Olaf Scholz",
        "Scholz",
        "head_of_government",
        "DEU",
        "Chancellor",
        D(2021, 12, 8),
        D(2025, 5, 6),
    ),
    Official(
        "Joe Biden", "Biden", "head_of_state", "USA", "President", D(2021, 1, 20), D(2025, 1, 20)
    ),
    Official(
        "Antony Blinken",
        "Blinken",
        "foreign_minister",
        "USA",
        "Secretary of State",
        D(2021, 1, 26),
        D(2025, 1, 20),
    ),
    Official(
        "Fumio Kishida",
        "Kishida",
        "head_of_government",
        "JPN",
        "Prime Minister",
        D(2021, 10, 4),
        D(2024, 10, 1),
    ),
    Official(
        "Yoko Kamikawa",
        "Kamikawa",
        "foreign_minister",
        "JPN",
        "Foreign Minister",
        D(2023, 9, 13),
        D(2024, 10, 1),
        female=True,
    ),
    Official("Xi Jinping", "Xi", "head_of_state", "CHN", "President", D(2013, 3, 14), None),
    Official(
        "Sergei Lavrov",
        "Lavrov",
        "foreign_minister",
        "RUS",
        "Foreign Minister",
        D(2004, 3, 9),
        None,
    ),
    Official("Vladimir Putin", "Putin", "head_of_state", "RUS", "President", D(2012, 5, 7), None),
    Official("William Ruto", "Ruto", "head_of_state", "KEN", "President", D(2022, 9, 13), None),
    Official(
        "Cyril Ramaphosa", "Ramaphosa", "head_of_state", "ZAF", "President", D(2018, 2, 15), None
    ),
    Official(
        "Anthony Albanese",
        "Albanese",
        "head_of_government",
        "AUS",
        "Prime Minister",
        D(2022, 5, 23),
        None,
    ),
    Official(
        "Penny Wong",
        "Wong",
        "foreign_minister",
        "AUS",
        "Foreign Minister",
        D(2022, 5, 23),
        None,
        female=True,
    ),
    Official(
        "Annalena Baerbock",
        "Baerbock",
        "foreign_minister",
        "DEU",
        "Foreign Minister",
        D(2021, 12, 8),
        D(2025, 5, 6),
        female=True,
    ),
    Official(
        "Giorgia Meloni",
        "Meloni",
        "head_of_government",
        "ITA",
        "Prime Minister",
        D(2022, 10, 22),
        None,
        female=True,
    ),
    Official(
        "Antonio Tajani",
        "Tajani",
        "foreign_minister",
        "ITA",
        "Foreign Minister",
        D(2022, 10, 22),
        None,
    ),
    Official(
        "Recep Tayyip Erdogan", "Erdogan", "head_of_state", "TUR", "President", D(2014, 8, 28), None
    ),
    Official(
        "Hakan Fidan", "Fidan", "foreign_minister", "TUR", "Foreign Minister", D(2023, 6, 4), None
    ),
    Official(
        "Pedro Sanchez",
        "Sanchez",
        "head_of_government",
        "ESP",
        "Prime Minister",
        D(2018, 6, 2),
        None,
    ),
    Official(
        "Mette Frederiksen",
        "Frederiksen",
        "head_of_government",
        "DNK",
        "Prime Minister",
        D(2019, 6, 27),
        None,
        female=True,
    ),
    Official(
        "Yoon Suk Yeol", "Yoon", "head_of_state", "KOR", "President", D(2022, 5, 10), D(2025, 4, 4)
    ),
    Official("Bola Tinubu", "Tinubu", "head_of_state", "NGA", "President", D(2023, 5, 29), None),
    Official("Javier Milei", "Milei", "head_of_state", "ARG", "President", D(2023, 12, 10), None),
    Official(
        "Donald Tusk", "Tusk", "head_of_government", "POL", "Prime Minister", D(2023, 12, 13), None
    ),
    Official(
        "Volodymyr Zelenskyy",
        "Zelenskyy",
        "head_of_state",
        "UKR",
        "President",
        D(2019, 5, 20),
        None,
    ),
    Official(
        "Mauro Vieira", "Vieira", "foreign_minister", "BRA", "Foreign Minister", D(2023, 1, 1), None
    ),
    Official(
        "Ignazio Cassis",
        "Cassis",
        "foreign_minister",
        "CHE",
        "Foreign Minister",
        D(2017, 11, 1),
        None,
    ),
    Official(
        "Kyriakos Mitsotakis",
        "Mitsotakis",
        "head_of_government",
        "GRC",
        "Prime Minister",
        D(2019, 7, 8),
        None,
    ),
    Official(
        "Justin Trudeau",
        "Trudeau",
        "head_of_government",
        "CAN",
        "Prime Minister",
        D(2015, 11, 4),
        D(2025, 3, 14),
    ),
    Official(
        "Melanie Joly",
        "Joly",
        "foreign_minister",
        "CAN",
        "Foreign Minister",
        D(2021, 10, 26),
        D(2025, 5, 13),
        female=True,
    ),
    Official(
        "Rishi Sunak",
        "Sunak",
        "head_of_government",
        "GBR",
        "Prime Minister",
        D(2022, 10, 25),
        D(2024, 7, 5),
    ),
    Official("Paul Kagame", "Kagame", "head_of_state", "RWA", "President", D(2000, 3, 24), None),
    Official(
        "Ayman Safadi",
        "Safadi",
        "foreign_minister",
        "JOR",
        "Foreign Minister",
        D(2017, 1, 15),
        None,
    ),
    Official(
        "S. Jaishankar",
        "Jaishankar",
        "foreign_minister",
        "IND",
        "Foreign Minister",
        D(2019, 5, 30),
        None,
    ),
    Official(
        "David Cameron",
        "Cameron",
        "foreign_minister",
        "GBR",
        "Foreign Secretary",
        D(2023, 11, 13),
        D(2024, 7, 5),
    ),
]

# Real office holders persons.json does not list: the extractor has to take name, role and
# country from the title written next to the name. ``title`` is written out in full.
OUTSIDE_GAZETTEER: list[Official] = [
    Official("Piyush Goyal", "Goyal", "minister", "IND", "Commerce Minister", D(2019, 5, 31), None),
    Official(
        "Gina Raimondo",
        "Raimondo",
        "minister",
        "USA",
        "Commerce Secretary",
        D(2021, 3, 3),
        D(2025, 1, 20),
        female=True,
    ),
    Official(
        "Robert Habeck",
        "Habeck",
        "minister",
        "DEU",
        "Economy Minister",
        D(2021, 12, 8),
        D(2025, 5, 6),
    ),
    Official(
        "Grant Shapps",
        "Shapps",
        "minister",
        "GBR",
        "Defence Secretary",
        D(2023, 8, 31),
        D(2024, 7, 5),
    ),
    Official(
        "Kemi Badenoch",
        "Badenoch",
        "minister",
        "GBR",
        "Business and Trade Secretary",
        D(2023, 2, 7),
        D(2024, 7, 5),
        female=True,
    ),
    Official(
        "Minoru Kihara",
        "Kihara",
        "minister",
        "JPN",
        "Defence Minister",
        D(2023, 9, 13),
        D(2024, 10, 1),
    ),
    Official(
        "Richard Marles", "Marles", "minister", "AUS", "Defence Minister", D(2022, 5, 23), None
    ),
    Official(
        "Bruno Le Maire",
        "Le Maire",
        "minister",
        "FRA",
        "Finance Minister",
        D(2017, 5, 17),
        D(2024, 9, 21),
    ),
    # The Foreign Office's minister for development and Africa, 2022-10-26 .. 2024-07-05.
    Official(
        "Andrew Mitchell",
        "Mitchell",
        "minister",
        "GBR",
        "Minister for Africa",
        D(2022, 10, 26),
        D(2024, 7, 5),
    ),
]

# People who travel abroad but are not state officials: none of their trips is a visit.
BUSINESS = [
    ("Tesla chief executive Elon Musk", "Musk", "USA"),
    ("Apple chief executive Tim Cook", "Cook", "USA"),
    ("Nvidia chief executive Jensen Huang", "Huang", "USA"),
    ("Airbus chief executive Guillaume Faury", "Faury", "FRA"),
    ("Tata Sons chairman Natarajan Chandrasekaran", "Chandrasekaran", "IND"),
]
ATHLETES = [
    ("tennis player Novak Djokovic", "Djokovic", "SRB"),
    ("footballer Lionel Messi", "Messi", "ARG"),
    ("Olympic champion Usain Bolt", "Bolt", "JAM"),
    ("cricketer Virat Kohli", "Kohli", "IND"),
    ("Formula One driver Max Verstappen", "Verstappen", "NLD"),
]
TEAMS = [
    ("Brazil's national football team", "BRA"),
    ("the Argentine national team", "ARG"),
    ("the Indian cricket team", "IND"),
    ("Japan's women's volleyball team", "JPN"),
    ("the New Zealand rugby squad", "NZL"),
    ("the German handball team", "DEU"),
]
NAVIES = [
    ("A Chinese navy hospital ship", "CHN"),
    ("The Indian Navy destroyer INS Delhi", "IND"),
    ("A Japanese training squadron", "JPN"),
    ("The French frigate Bretagne", "FRA"),
    ("A US Navy aircraft carrier", "USA"),
]
