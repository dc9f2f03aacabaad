"""Tests for the resolution stage (gazetteer lookups)."""

from __future__ import annotations

from datetime import date

import pytest

from visitrack.resolve import (
    Person,
    Place,
    country_name,
    country_of,
    demonym,
    fuzzy_country,
    intl_org,
    lookup_person,
    normalize,
    place,
    role_from_title,
)


def test_normalize_folds_case_accents_and_punctuation() -> None:
    assert normalize("Aleksandar Vučić") == "aleksandar vucic"
    assert normalize("Kim Jong-un") == normalize("Kim Jong Un")
    assert normalize("  S. Jaishankar ") == "s jaishankar"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia", Place("RUS", None)),
        ("the Russian Federation", Place("RUS", None)),
        ("U.S.", Place("USA", None)),
        ("United States", Place("USA", None)),
        ("U.K.", Place("GBR", None)),
        ("Britain", Place("GBR", None)),
        ("South Korea", Place("KOR", None)),
        ("North Korea", Place("PRK", None)),
        ("the Netherlands", Place("NLD", None)),
        ("Kingdom of The Netherlands", Place("NLD", None)),
        ("Vatican", Place("VAT", None)),
        ("Soviet Union", Place("RUS", None)),
        ("USSR", Place("RUS", None)),
        ("West Germany", Place("DEU", None)),
        ("Beijing", Place("CHN", "Beijing")),
        ("Pyongyang", Place("PRK", "Pyongyang")),
        ("Amritsar", Place("IND", "Amritsar")),
        ("Bonn", Place("DEU", "Bonn")),
        ("Rancho Mirage", Place("USA", "Rancho Mirage")),
        ("Washington", Place("USA", "Washington")),
        ("the White House", Place("USA", "Washington")),
        ("the Kremlin", Place("RUS", "Moscow")),
        ("Brasília", Place("BRA", "Brasilia")),
        ("The Hague", Place("NLD", "The Hague")),
        ("St. Petersburg", Place("RUS", "Saint Petersburg")),
        ("Kiev", Place("UKR", "Kyiv")),
        ("Georgia", Place("GEO", None)),
        ("Birmingham", Place("GBR", "Birmingham")),
        # a US state wins over a foreign town of its name, not over a US city of it
        ("Florida", Place("USA", None)),
        ("Virginia", Place("USA", None)),
        ("New York", Place("USA", "New York City")),
        ("Aba", Place("NGA", "Aba")),
    ],
)
def test_place_resolves_countries_cities_and_landmarks(text: str, expected: Place) -> None:
    assert place(text) == expected


@pytest.mark.parametrize(
    "text", ["Nice", "Reading", "Mobile", "March", "Victoria", "", "Gondor", "President", "ABA"]
)
def test_place_rejects_common_words_and_unknowns(text: str) -> None:
    assert place(text) is None


def test_place_comma_qualified_city_uses_the_head() -> None:
    hit = place("Bonn, Germany")
    assert hit == Place("DEU", "Bonn")


@pytest.mark.parametrize(
    ("word", "iso3"),
    [
        ("Chinese", "CHN"),
        ("Russian", "RUS"),
        ("Serbian", "SRB"),
        ("Slovak", "SVK"),
        ("Palestinian", "PSE"),
        ("Kyrgyz", "KGZ"),
        ("North Korean", "PRK"),
        ("South Korean", "KOR"),
        ("British", "GBR"),
        ("American", "USA"),
        ("Soviet", "RUS"),
        ("Ugandan", "UGA"),
        ("Kenyan", "KEN"),
        ("Sri Lankan", "LKA"),
        ("Emirati", "ARE"),
        ("Saudi", "SAU"),
    ],
)
def test_demonym(word: str, iso3: str) -> None:
    assert demonym(word) == iso3


def test_demonym_unknown_is_none() -> None:
    assert demonym("Martian") is None
    assert demonym("Beijing") is None  # a city is not an adjective


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        ("Brazil's", "BRA"),
        ("Beijing", "CHN"),
        ("Moscow", "RUS"),
        ("Washington", "USA"),
        ("Tehran", "IRN"),
        ("Indian", "IND"),
        ("the Philippines", "PHL"),
        ("Amritsar", "IND"),
    ],
)
def test_country_of(text: str, iso3: str) -> None:
    assert country_of(text) == iso3


def test_country_of_negative() -> None:
    assert country_of("Reading") is None
    assert country_of("yesterday") is None


def test_country_name() -> None:
    assert country_name("CHN") == "China"
    assert country_name("USA") == "United States"
    assert country_name("ZZZ") == "ZZZ"


def test_fuzzy_country_fixes_slips_but_not_when_ambiguous() -> None:
    assert fuzzy_country("Kazakstan") == "KAZ"
    assert fuzzy_country("Uzbekistn") == "UZB"
    assert fuzzy_country("Russia") == "RUS"  # exact names pass straight through
    assert fuzzy_country("Austrlia") is None  # Austria and Australia are equally close
    assert fuzzy_country("Moon") is None  # too short to fuzz
    assert fuzzy_country("Breakfast") is None


POST_SOVIET = ("ARM", "AZE", "BLR", "GEO", "KAZ", "KGZ", "MDA", "RUS", "TJK", "TKM", "UKR", "UZB")


def test_fuzzy_country_restricted_to_context() -> None:
    # By spelling alone "Almania" is nearest Albania; among post-Soviet states it is Armenia.
    assert fuzzy_country("Almania") == "ALB"
    assert fuzzy_country("Almania", among=POST_SOVIET) == "ARM"
    assert fuzzy_country("Breakfast", among=POST_SOVIET) is None


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("UN", "United Nations"),
        ("United Nations", "United Nations"),
        ("EU", "European Union"),
        ("European Union", "European Union"),
        ("EC Commission", "European Commission"),
        ("European Commission", "European Commission"),
        ("NATO", "NATO"),
        ("African Union", "African Union"),
        ("IMF", "International Monetary Fund"),
        ("World Bank", "World Bank"),
        ("ASEAN", "ASEAN"),
    ],
)
def test_intl_org(text: str, canonical: str) -> None:
    assert intl_org(text) == canonical


def test_intl_org_negatives() -> None:
    assert intl_org("Who") is None  # a pronoun, not the WHO
    assert intl_org("un") is None
    assert intl_org("Ministry of Agriculture") is None


@pytest.mark.parametrize(
    ("title", "country", "role"),
    [
        ("President", None, "head_of_state"),
        ("President of the European Commission", None, "intl_org"),
        ("central bank president", None, "other"),
        ("Prime Minister", None, "head_of_government"),
        ("Premier", None, "head_of_government"),
        ("Chancellor", "DEU", "head_of_government"),
        ("Chancellor", "AUT", "head_of_government"),
        ("Chancellor of the Exchequer", "GBR", "minister"),
        ("Foreign Minister", None, "foreign_minister"),
        ("External Affairs Minister", None, "foreign_minister"),
        ("Secretary of State", "USA", "foreign_minister"),
        ("Finance Minister", None, "minister"),
        ("Treasury Secretary", None, "minister"),
        ("Minister of Defence", None, "minister"),
        ("minister of state", None, "minister"),
        ("Speaker", None, "legislator"),
        ("senator", None, "legislator"),
        ("MP", None, "legislator"),
        ("King", None, "royal"),
        ("Queen", None, "royal"),
        ("Prince", None, "royal"),
        ("Emir", None, "royal"),
        ("Crown Prince", None, "royal"),
        ("ambassador", None, "diplomat"),
        ("special envoy", None, "diplomat"),
        ("chargé d'affaires", None, "diplomat"),
        ("General", None, "military"),
        ("army chief", None, "military"),
        ("UN Secretary-General", None, "intl_org"),
        ("NATO Secretary General", None, "intl_org"),
        ("chief of staff", None, "other"),
        ("National Security Advisor", None, "other"),
        ("spokesman", None, "other"),
    ],
)
def test_role_from_title(title: str, country: str | None, role: str) -> None:
    assert role_from_title(title, country) == role


def test_role_from_title_none_without_title() -> None:
    assert role_from_title("the delegation") is None
    assert role_from_title("") is None


def test_lookup_exact_and_variant_spellings() -> None:
    assert lookup_person("Xi Jinping") == Person("Xi Jinping", "head_of_state", "CHN")
    kim = lookup_person("Kim Jong-un")
    assert kim is not None and kim == lookup_person("Kim Jong Un")
    assert kim.country == "PRK"
    lavrov = lookup_person("Sergey Lavrov", date(2020, 1, 1))
    assert lavrov == Person("Sergei Lavrov", "foreign_minister", "RUS")
    assert lookup_person("S. Jaishankar", date(2023, 5, 1)) == Person(
        "S. Jaishankar", "foreign_minister", "IND"
    )
    assert lookup_person("Aleksandar Vučić") == lookup_person("aleksandar vucic")
    lula = lookup_person("Lula", date(2024, 1, 1))
    assert lula is not None and lula.name.startswith("Luiz In")
    assert lula.role == "head_of_state"


def test_lookup_role_depends_on_date() -> None:
    early = lookup_person("Vladimir Putin", date(2010, 6, 1))
    late = lookup_person("Vladimir Putin", date(2023, 6, 1))
    assert early is not None and early.role == "head_of_government"
    assert late is not None and late.role == "head_of_state"
    kerry = lookup_person("John Kerry", date(2015, 3, 1))
    assert kerry is not None and kerry.role == "foreign_minister"


def test_lookup_surname_only() -> None:
    on = date(2024, 4, 9)
    assert lookup_person("Putin", on) is not None
    lavrov = lookup_person("Lavrov", on)
    assert lavrov is not None and lavrov.name == "Sergei Lavrov"
    xi = lookup_person("Xi", on)
    assert xi is not None and xi.name == "Xi Jinping"
    # with a hint instead of a date
    assert lookup_person("Lavrov", country="RUS") is not None


def test_lookup_surname_needs_date_or_hint_and_a_term_nearby() -> None:
    # A bare surname with nothing to anchor it names nobody in particular.
    assert lookup_person("Lavrov") is None
    # Long after the only term of a gazetteer person, a bare surname is somebody else.
    assert lookup_person("Putin", date(1990, 1, 1)) is None


def test_lookup_surname_disambiguated_by_date() -> None:
    # Two presidents named Bush: the date picks one, no date picks none.
    assert lookup_person("Bush") is None
    bush = lookup_person("Bush", date(2003, 4, 1))
    assert bush is not None and bush.name == "George W. Bush"


def test_lookup_unknown_names_are_none() -> None:
    assert lookup_person("Zorblax") is None
    assert lookup_person("Jane Unknownperson") is None
    assert lookup_person("") is None


def test_lookup_fuzzy_needs_a_hint() -> None:
    assert lookup_person("Alexander Vicz") is None
    hit = lookup_person("Alexander Vicz", date(2024, 1, 1), country="SRB")
    assert hit is not None and hit.name == "Aleksandar Vucic"
    lula = lookup_person("Louise Inacio Lula da Silva", country="BRA")
    assert lula is not None and lula.name == "Luiz Inácio Lula da Silva"


def test_lookup_fuzzy_hint_must_agree() -> None:
    assert lookup_person("Alexander Vicz", country="JPN") is None


def test_lookup_intl_official_has_no_country() -> None:
    sg = lookup_person("Antonio Guterres", date(2022, 1, 1))
    assert sg == Person("António Guterres", "intl_org", None)


def test_lookup_strips_titles() -> None:
    philippe = lookup_person("King Philippe")
    assert philippe is not None and philippe.country == "BEL" and philippe.role == "royal"
    putin = lookup_person("President Putin", date(2019, 1, 1))
    assert putin == Person("Vladimir Putin", "head_of_state", "RUS")
    assert lookup_person("President Zorblax") is None
