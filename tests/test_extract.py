"""Extraction on sentences written for these tests: who goes where, at which stage, when.

Each case is a short made-up news text (facts may be real, the wording is ours), its
publication date, and the visits that must (and must not) come out.
"""

from __future__ import annotations

from datetime import date

import pytest

from visitrack import extract_visits
from visitrack.records import Visit

D = date(2024, 5, 14)  # a Tuesday


def _find(visits: list[Visit], visitor_country: str, dest: str) -> Visit:
    hits = [
        v for v in visits if v.visitor.country == visitor_country and v.destination.country == dest
    ]
    assert hits, f"no {visitor_country}->{dest} visit in {[v.to_dict() for v in visits]}"
    return hits[0]


CASES = [
    # (text, published, visitor country, destination, visitor name or None, stage, window)
    (
        "Russian President Vladimir Putin will travel to China on May 16-17 for a state visit, "
        "the Kremlin said.",
        D,
        "RUS",
        "CHN",
        "Vladimir Putin",
        "announced",
        ("2024-05-16", "2024-05-17"),
    ),
    (
        "Chinese President Xi Jinping has invited Brazilian President Luiz Inacio Lula da Silva "
        "to visit Beijing next spring.",
        D,
        "BRA",
        "CHN",
        "Luiz Inácio Lula da Silva",
        "invited",
        ("2025-03-01", "2025-05-31"),
    ),
    (
        "Indian Prime Minister Narendra Modi arrived in Moscow on Monday for a two-day official "
        "visit.",
        date(2024, 7, 8),
        "IND",
        "RUS",
        "Narendra Modi",
        "ongoing",
        ("2024-07-08", "2024-07-09"),  # arrived for a two-day visit: that day and the next
    ),
    (
        "US Secretary of State Antony Blinken visited Kyiv in March 2023, officials recalled.",
        D,
        "USA",
        "UKR",
        "Antony Blinken",
        "completed",
        ("2023-03-01", "2023-03-31"),
    ),
    (
        "US President Joe Biden has postponed his planned trip to Germany because of the storm.",
        D,
        "USA",
        "DEU",
        "Joe Biden",
        "postponed",
        None,
    ),
    (
        "Japanese Prime Minister Fumio Kishida has called off his visit to India next month, "
        "officials said.",
        D,
        "JPN",
        "IND",
        "Fumio Kishida",
        "cancelled",
        ("2024-06-01", "2024-06-30"),
    ),
    (
        "The Kremlin said consultations on the date and format of a visit to Russia by North "
        "Korean leader Kim Jong Un were under way.",
        D,
        "PRK",
        "RUS",
        "Kim Jong Un",
        "in_preparation",
        None,
    ),
    (
        "French President Emmanuel Macron is considering a trip to Algeria later this year, "
        "aides said.",
        D,
        "FRA",
        "DZA",
        "Emmanuel Macron",
        "proposed",
        ("2024-05-14", "2024-12-31"),
    ),
]


@pytest.mark.parametrize(("text", "published", "vc", "dest", "name", "stage", "window"), CASES)
def test_visit_cases(
    text: str,
    published: date,
    vc: str,
    dest: str,
    name: str | None,
    stage: str,
    window: tuple[str, str] | None,
) -> None:
    visits = extract_visits(text, published=published, doc_id="case")
    v = _find(visits, vc, dest)
    assert v.visitor.name == name
    assert v.stage == stage
    if window is None:
        assert v.when is None or v.when.start is not None
    else:
        assert v.when is not None
        assert (str(v.when.start), str(v.when.end)) == window
    assert v.evidence and v.evidence[0].text in text
    assert 0 < v.confidence <= 1


def test_coordinated_visitors_each_get_a_record() -> None:
    text = (
        "Moscow is preparing the Victory Day parade on May 9. Slovak Prime Minister Robert Fico, "
        "Serbian President Aleksandar Vucic and Brazilian President Luiz Inacio Lula da Silva "
        "have announced plans to attend the parade in Moscow."
    )
    visits = extract_visits(text, published=date(2025, 4, 20))
    got = {(v.visitor.country, v.destination.country) for v in visits}
    assert {("SVK", "RUS"), ("SRB", "RUS"), ("BRA", "RUS")} <= got


def test_pronoun_and_title_refer_back() -> None:
    text = (
        "Russian Foreign Minister Sergei Lavrov met reporters in Moscow on Monday. "
        "He will travel to Ankara on Thursday for talks."
    )
    v = _find(extract_visits(text, published=D), "RUS", "TUR")
    assert v.visitor.name == "Sergei Lavrov"
    assert v.stage == "announced"


@pytest.mark.parametrize(
    "text",
    [
        # phone and video calls are no visits
        "French President Emmanuel Macron spoke by phone with Chinese President Xi Jinping on "
        "Tuesday about trade.",
        # a trip at home is no visit abroad
        "Russian President Vladimir Putin visited Kazan on Friday to open a new bridge.",
        # negated
        "No foreign leaders attended the parade in Moscow in 2022.",
        # a website visit
        "Millions of readers visit the website of the newspaper every day.",
    ],
)
def test_not_visits(text: str) -> None:
    visits = extract_visits(text, published=D)
    assert [v for v in visits if v.visitor.country != v.destination.country] == []


def test_evidence_offsets_point_into_cleaned_text() -> None:
    from visitrack.clean import clean
    from visitrack.ingest import document_from_text

    text = "date 2024-05-14\n\nRussian President Vladimir Putin will visit China on May 16."
    visits = extract_visits(text)
    cleaned = clean(document_from_text(text)).text
    assert visits
    for e in visits[0].evidence:
        assert cleaned[e.start : e.end] == e.text
    assert visits[0].published == date(2024, 5, 14)


def test_pronoun_prefers_the_storys_subject_over_an_object() -> None:
    text = (
        "French President Emmanuel Macron will travel to Indonesia on May 27, where he will hold "
        "talks with President Prabowo Subianto. He will end the tour in Singapore."
    )
    visits = extract_visits(text, published=date(2025, 5, 19))
    assert _find(visits, "FRA", "SGP").visitor.name == "Emmanuel Macron"
    assert not [v for v in visits if v.visitor.country == "IDN"]


def test_subordinate_past_visit_keeps_its_own_stage() -> None:
    text = (
        "Turkish President Tayyip Erdogan had been expected to travel to Israel after Israeli "
        "President Isaac Herzog visited Ankara last year."
    )
    v = _find(extract_visits(text, published=date(2023, 11, 1)), "ISR", "TUR")
    assert v.stage == "completed"
    assert v.destination.city == "Ankara"


def test_days_of_one_trip_merge_and_arrival_is_ongoing() -> None:
    text = (
        "North Korean leader Kim Jong Un arrived in Russia by train on Tuesday. "
        "Kim met Russian President Vladimir Putin on Wednesday at a cosmodrome in Russia."
    )
    visits = [
        v for v in extract_visits(text, published=date(2023, 9, 13)) if v.visitor.country == "PRK"
    ]
    assert len(visits) == 1
    assert visits[0].stage == "ongoing"


def test_passive_reception_names_the_city_and_host() -> None:
    text = (
        "Italian Prime Minister Giorgia Meloni will be received in Hanoi by the Vietnamese "
        "president."
    )
    v = _find(extract_visits(text, published=date(2025, 6, 1)), "ITA", "VNM")
    assert v.destination.city == "Hanoi"
    assert v.stage == "announced"


# A visitor whose country is named after the name or in a title the name stands beside, not in
# a demonym before it. The names are invented, so only the sentence can place them.
COUNTRY_AFTER_NAME = [
    (
        "Prime Minister Taro Ikeda of Japan will visit Oslo next month for talks, officials said.",
        "Taro Ikeda",
        "head_of_government",
        "JPN",
        "NOR",
        "announced",
    ),
    (
        "President Aino Virta of Finland arrived in Hanoi on Monday.",
        "Aino Virta",
        "head_of_state",
        "FIN",
        "VNM",
        "ongoing",
    ),
    (
        "Foreign Minister Lucia Marquez of Spain is on a two-day visit to Peru.",
        "Lucia Marquez",
        "foreign_minister",
        "ESP",
        "PER",
        "ongoing",
    ),
    (
        "The Prime Minister of Japan, Taro Ikeda, will travel to Oslo next month.",
        "Taro Ikeda",
        "head_of_government",
        "JPN",
        "NOR",
        "announced",
    ),
    (
        "Japan's Prime Minister Taro Ikeda will visit Oslo next month.",
        "Taro Ikeda",
        "head_of_government",
        "JPN",
        "NOR",
        "announced",
    ),
    (
        "Aino Virta, the president of Finland, arrived in Hanoi on Monday.",
        "Aino Virta",
        "head_of_state",
        "FIN",
        "VNM",
        "ongoing",
    ),
    (
        "Finland's president, Aino Virta, arrived in Hanoi on Monday.",
        "Aino Virta",
        "head_of_state",
        "FIN",
        "VNM",
        "ongoing",
    ),
]


@pytest.mark.parametrize(("text", "name", "role", "vc", "dest", "stage"), COUNTRY_AFTER_NAME)
def test_visitor_country_named_after_the_name(
    text: str, name: str, role: str, vc: str, dest: str, stage: str
) -> None:
    v = _find(extract_visits(text, published=date(2024, 5, 1)), vc, dest)
    assert (v.visitor.name, v.visitor.role, v.stage) == (name, role, stage)
    # the visitor's own country is never read as a second destination
    assert {w.destination.country for w in extract_visits(text, published=date(2024, 5, 1))} == {
        dest
    }


@pytest.mark.parametrize(
    ("text", "visitor", "host", "dest"),
    [
        (
            "Vietnamese President Tran Duc Minh met President Aino Virta of Finland in Hanoi on "
            "Monday.",
            "Aino Virta",
            "Tran Duc Minh",
            "VNM",
        ),
        (
            "Prime Minister Taro Ikeda of Japan met President Aino Virta of Finland in Helsinki "
            "on Monday.",
            "Taro Ikeda",
            "Aino Virta",
            "FIN",
        ),
        (
            "President Aino Virta of Finland will host Prime Minister Taro Ikeda of Japan in "
            "Helsinki next week.",
            "Taro Ikeda",
            "Aino Virta",
            "FIN",
        ),
    ],
)
def test_host_named_with_country_after_the_name(
    text: str, visitor: str, host: str, dest: str
) -> None:
    visits = extract_visits(text, published=date(2024, 5, 1))
    assert [(v.visitor.name, v.destination.country) for v in visits] == [(visitor, dest)]
    assert visits[0].host is not None
    assert visits[0].host.name == host
    assert visits[0].host.country == dest


@pytest.mark.parametrize(
    "text",
    [
        "Spanish Foreign Minister Lucia Marquez travelled to Chile and Peru in March and to Kenya "
        "and Ghana in May.",
        "The tour follows visits by Spanish Foreign Minister Lucia Marquez to Chile and Peru in "
        "March and to Kenya and Ghana in May.",
    ],
)
def test_second_direction_phrase_has_its_own_places_and_time(text: str) -> None:
    visits = extract_visits(text, published=date(2024, 6, 20))
    months = {v.destination.country: v.when.start.month for v in visits if v.when and v.when.start}
    assert months == {"CHL": 3, "PER": 3, "KEN": 5, "GHA": 5}


def test_meeting_just_outside_a_city_deep_in_a_story() -> None:
    # past the lede, so only the pre-filter's meeting pattern gets the sentence parsed
    text = (
        "Markets were calm on Monday. Oil prices rose slightly. Analysts expect more gains. "
        "Shares in banks fell. Looking tired, Russian President Vladimir Putin met with Kazakh "
        "President Aino Virta at a palace just outside Saint Petersburg, a reporter said."
    )
    v = _find(extract_visits(text, published=date(2024, 5, 1)), "KAZ", "RUS")
    assert v.visitor.name == "Aino Virta"
    assert v.destination.city == "Saint Petersburg"
    assert v.host is not None and v.host.name == "Vladimir Putin"


def test_mission_leader_parsed_as_a_second_subject() -> None:
    # a long title after 'led by' makes the parser end the phrase early; the name after it
    # (unknown to the recogniser) still leads the mission
    text = (
        "LIMA, June 2 - A Chilean goodwill mission led by minister of state in the presidency "
        "Rosa Fuentes will visit Peru tomorrow for talks on improving relations between the "
        "two countries, sources said."
    )
    v = _find(extract_visits(text, published=date(2024, 6, 2)), "CHL", "PER")
    assert v.visitor.name == "Rosa Fuentes"
    assert v.when is not None and str(v.when.start) == "2024-06-03"


def test_when_clause_takes_the_stage_of_its_main_clause() -> None:
    text = (
        "If the talks go well, Chilean President Rosa Fuentes is likely to have a meeting with "
        "the Peruvian leader when she pays a two-day visit to Lima, they added."
    )
    v = _find(extract_visits(text, published=date(2024, 6, 2)), "CHL", "PER")
    assert v.stage == "proposed"


def test_unnamed_mission_joins_the_compatriot_of_the_same_role() -> None:
    from visitrack.extract import Frame
    from visitrack.extract.actors import Actor
    from visitrack.merge import merge_frames

    def frame(visitor: Actor, at: int) -> Frame:
        return Frame(
            visitor, None, "PER", None, "visit", None, "announced", None, at, at + 9, "x" * 9, 0.85
        )

    mission = Actor(None, "other", "CHL")
    envoy = Actor("Rosa Fuentes", "other", "CHL")
    president = Actor("Ana Castro", "head_of_state", "CHL")
    frames = [frame(mission, 0), frame(envoy, 10), frame(president, 20)]
    visits = merge_frames(frames, "d", {0: date(2024, 6, 2)})
    assert sorted(v.visitor.name or "?" for v in visits) == ["Ana Castro", "Rosa Fuentes"]


@pytest.mark.parametrize(
    ("text", "name", "vc", "dest", "stage"),
    [
        (
            "Ana Ruiz, foreign minister of Spain, will travel to Peru next week.",
            "Ana Ruiz",
            "ESP",
            "PER",
            "announced",
        ),
        (
            "Tomasz Wilk Nowak, the prime minister of Poland, arrived in Chile on Monday.",
            "Tomasz Wilk Nowak",
            "POL",
            "CHL",
            "ongoing",
        ),
    ],
)
def test_untagged_name_before_an_appositive_title(
    text: str, name: str, vc: str, dest: str, stage: str
) -> None:
    v = _find(extract_visits(text, published=D), vc, dest)
    assert v.visitor.name == name
    assert v.stage == stage


def test_appositive_without_a_state_gives_no_name() -> None:
    # a title that names no state does not vouch for the capitalised words before it
    text = "Casa Verde, the minister said, will send a delegation to Peru next week."
    assert all(v.visitor.name != "Casa Verde" for v in extract_visits(text, published=D))


@pytest.mark.parametrize(
    "text",
    [
        "The visit by Foreign Minister Ana Ruiz of Spain to Peru was postponed.",
        "A visit by Ana Ruiz, Spain's foreign minister, to Peru is planned for June.",
    ],
)
def test_visit_by_someone_to_a_place_wherever_to_attaches(text: str) -> None:
    v = _find(extract_visits(text, published=D), "ESP", "PER")
    assert v.visitor.name == "Ana Ruiz"


def test_dated_frame_keeps_undated_mentions_of_its_stage_together() -> None:
    from visitrack.extract import Frame
    from visitrack.extract.actors import Actor
    from visitrack.merge import merge_frames
    from visitrack.records import When

    ruiz = Actor("Ana Ruiz", "foreign_minister", "ESP")
    week = When("this week", date(2024, 5, 13), date(2024, 5, 19))

    def frame(stage: str, when: When | None, at: int) -> Frame:
        return Frame(ruiz, None, "PER", None, "visit", None, stage, when, at, at + 9, "x" * 9, 0.85)

    frames = [
        frame("announced", week, 0),
        frame("completed", None, 10),
        frame("announced", None, 20),
    ]
    visits = merge_frames(frames, "d", {0: D})
    assert len(visits) == 1
    assert visits[0].when == week
