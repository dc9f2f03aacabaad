"""The stage table (``visitrack.extract.stage.RULES``), one sentence row per rule.

Each row names the rule it exercises; ``explain_stage`` must report that rule as the first one
that applies, and ``decide_stage`` the row's stage. A rule added to the table needs a row here
(``test_every_rule_has_a_row``). Sentences are made up for the test.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, NamedTuple

import pytest

from visitrack.extract.stage import RULES, decide_stage, explain_stage, guest_stage
from visitrack.records import Stage, When

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Token

PUBLISHED = date(2031, 3, 12)  # a Wednesday


def _day(d: date, end: date | None = None) -> When:
    return When("the day", d, end or d)


class Row(NamedTuple):
    rule: str
    sentence: str
    trigger: str
    published: date | None
    when: When | None
    stage: Stage | None


ROWS: tuple[Row, ...] = (
    Row(
        "cancelled",
        "The Chilean president cancelled his trip to Norway.",
        "trip",
        PUBLISHED,
        None,
        "cancelled",
    ),
    Row(
        "cancelled", "Mr Hale called off his visit to Fiji.", "visit", PUBLISHED, None, "cancelled"
    ),
    Row(
        "postponed", "Ms Okonjo postponed her visit to Peru.", "visit", PUBLISHED, None, "postponed"
    ),
    Row("negated", "The minister did not visit Ghana.", "visit", PUBLISHED, None, None),
    Row(
        "counterfactual",
        "Had Mr Varga visited Lisbon, the talks would have gone ahead.",
        "visited",
        PUBLISHED,
        None,
        None,
    ),
    Row(
        "temporal_clause",
        "Mr Almeida is likely to meet the premier when he visits Oslo.",
        "visits",
        PUBLISHED,
        None,
        "proposed",
    ),
    Row(
        "uncertain_preparation",
        "A possible trip by the Finnish leader to Chile is being discussed.",
        "trip",
        PUBLISHED,
        None,
        "proposed",
    ),
    Row(
        "in_preparation",
        "Preparations for the visit of Mr Haddad to Jordan are under way.",
        "visit",
        PUBLISHED,
        None,
        "in_preparation",
    ),
    Row(
        "in_preparation",
        "Officials are working on a visit by the Chilean president to Peru.",
        "visit",
        PUBLISHED,
        None,
        "in_preparation",
    ),
    # what was discussed on a trip is no preparation of it
    Row(
        "phase",
        "The ministers discussed the pipeline during a trip to Oslo last year.",
        "trip",
        PUBLISHED,
        When("last year", date(2030, 1, 1), date(2030, 12, 31)),
        "completed",
    ),
    # 'briefed them on X's visit': the topic of a briefing, not a visitor on a visit
    Row(
        "noun_window_behind",
        "The envoy briefed reporters on President Ana Ruiz's visit to Chile last week.",
        "visit",
        PUBLISHED,
        When("last week", date(2031, 3, 3), date(2031, 3, 9)),
        "completed",
    ),
    Row(
        "back_from",
        "Ms Okafor, back from a trip to Chile, met the cabinet.",
        "trip",
        PUBLISHED,
        None,
        "completed",
    ),
    Row(
        "accepted_noun",
        "Mr Tanaka confirmed his attendance at the summit in Quito.",
        "attendance",
        PUBLISHED,
        None,
        "announced",
    ),
    Row(
        "invitation_accepted",
        "Ms Kowalska accepted an invitation to visit Mongolia.",
        "visit",
        PUBLISHED,
        None,
        "announced",
    ),
    Row(
        "invited",
        "Ms Kowalska invited Mr Ruiz to visit Mongolia.",
        "visit",
        PUBLISHED,
        None,
        "invited",
    ),
    Row(
        "open_invitation",
        "Uruguay would be glad to host the Danish prime minister.",
        "host",
        PUBLISHED,
        None,
        "invited",
    ),
    Row(
        "host_expects",
        "Mr Petrov said he was expecting Ms Lind to make a state visit.",
        "visit",
        PUBLISHED,
        None,
        "invited",
    ),
    # on the way is not there yet; a journey long past is over
    Row(
        "en_route",
        "Mr Osei stopped in Accra on Monday on his way to Lagos.",
        "way",
        PUBLISHED,
        _day(date(2031, 3, 10)),
        "announced",
    ),
    Row(
        "en_route",
        "In 2019 Mr Osei stopped in Accra on his way to Lagos.",
        "way",
        PUBLISHED,
        _day(date(2019, 1, 1), date(2019, 12, 31)),
        "completed",
    ),
    Row(
        "en_route",
        "Mr Osei will stop in Accra en route to Lagos next week.",
        "route",
        PUBLISHED,
        When("next week", date(2031, 3, 17), date(2031, 3, 23)),
        "announced",
    ),
    Row(
        "on_a_visit",
        "Mr Osei, on a two-day visit to Lagos, met business leaders.",
        "visit",
        PUBLISHED,
        _day(date(2031, 3, 11)),
        "ongoing",
    ),
    Row(
        "phase",
        "Mr Osei began a visit to Kenya on Monday.",
        "visit",
        PUBLISHED,
        _day(date(2031, 3, 10)),
        "ongoing",
    ),
    Row(
        "arrival_perfect",
        "The Dutch king has arrived in Jakarta.",
        "arrived",
        PUBLISHED,
        None,
        "ongoing",
    ),
    Row(
        "forward_wish",
        "Ms Mbeki hopes to visit Brazil next year.",
        "visit",
        PUBLISHED,
        None,
        "proposed",
    ),
    Row(
        "forward_plan",
        "Ms Mbeki plans to visit Brazil next year.",
        "visit",
        PUBLISHED,
        None,
        "announced",
    ),
    Row(
        "forward_plan",
        "Ms Mbeki said she looked forward to visiting Brazil.",
        "visiting",
        PUBLISHED,
        None,
        "announced",
    ),
    Row(
        "forward_plan",
        "Ms Mbeki looks forward to her visit to Brazil.",
        "visit",
        PUBLISHED,
        None,
        "announced",
    ),
    # a participle beside a past verb of saying happens on the report's day
    Row(
        "phase",
        "Mr Sato, winding up a visit to Peru, said trade would grow.",
        "visit",
        PUBLISHED,
        None,
        "ongoing",
    ),
    # beside another past verb it is past
    Row(
        "phase",
        "Mr Sato signed a deal, ending his visit to Peru.",
        "visit",
        PUBLISHED,
        None,
        "completed",
    ),
    Row(
        "phase",
        "Mr Sato, winding up a visit to Peru, will meet the press.",
        "visit",
        PUBLISHED,
        None,
        "announced",
    ),
    # a departure a day ago: the traveller is there now
    Row(
        "past_arrival_dated",
        "Mr Sato left for Peru on Tuesday.",
        "left",
        PUBLISHED,
        _day(date(2031, 3, 11)),
        "ongoing",
    ),
    # a meeting last week (a week, not a day) is over
    Row(
        "window_behind",
        "Mr Sato met Peruvian leaders in Lima last week.",
        "met",
        PUBLISHED,
        When("last week", date(2031, 3, 3), date(2031, 3, 9)),
        "completed",
    ),
    Row(
        "present_ahead",
        "Mr Sato is going to Lima next week.",
        "going",
        PUBLISHED,
        When("next week", date(2031, 3, 17), date(2031, 3, 23)),
        "announced",
    ),
    Row(
        "topic",
        "Files with details about Mr Sato's visit to Peru were found.",
        "visit",
        PUBLISHED,
        None,
        "announced",
    ),
    # a perfect participle is behind whatever the main verb's tense
    Row(
        "past",
        "Mr Sato will fly to Lima on Sunday after having completed a trip to Chile.",
        "trip",
        PUBLISHED,
        None,
        "completed",
    ),
    Row(
        "window_ahead",
        "Officials booked hotels for Mr Sato's trip to Lima next week.",
        "trip",
        PUBLISHED,
        When("next week", date(2031, 3, 17), date(2031, 3, 23)),
        "announced",
    ),
    Row(
        "temporal_clause",
        "Mr Sato told reporters before he attends next week's summit in Lima that he agreed.",
        "attends",
        PUBLISHED,
        When("next week", date(2031, 3, 17), date(2031, 3, 23)),
        "announced",
    ),
    Row(
        "on_a_visit",
        "Officials were pinning hopes for a deal on the trip to Lima next week by Mr Sato.",
        "trip",
        PUBLISHED,
        When("next week", date(2031, 3, 17), date(2031, 3, 23)),
        "announced",
    ),
    # a visit this week, in this week's paper, is under way
    Row(
        "phase",
        "Mr Sato did not expect a deal during his visit here this week.",
        "visit",
        PUBLISHED,
        When("this week", date(2031, 3, 10), date(2031, 3, 16)),
        "ongoing",
    ),
    Row(
        "in_doubt",
        "It was not clear whether Mr Sato would fly to Lima on Friday.",
        "fly",
        PUBLISHED,
        None,
        "proposed",
    ),
    Row(
        "future_today",
        "Mr Sato will hold talks in Lima today.",
        "talks",
        PUBLISHED,
        _day(PUBLISHED),
        "ongoing",
    ),
    # what a host expects when the guest comes is no invitation
    Row(
        "temporal_clause",
        "Officials expect progress when Mr Sato visits Lima.",
        "visits",
        PUBLISHED,
        None,
        "announced",
    ),
    Row(
        "noun_window_behind",
        "Mr Sato's February visit to Lima will shape the talks.",
        "visit",
        PUBLISHED,
        When("February", date(2031, 2, 1), date(2031, 2, 28)),
        "completed",
    ),
    Row(
        "planned_noun",
        "It came a week before a scheduled Lima visit by Mr Sato.",
        "visit",
        PUBLISHED,
        None,
        "announced",
    ),
    Row("proposal", "Mr Sato might visit Peru.", "visit", PUBLISHED, None, "proposed"),
    # only talked about: not a plan, and not under way
    Row(
        "proposal",
        "A visit by Mr Sato to Peru is on the cards, aides said.",
        "visit",
        PUBLISHED,
        None,
        "proposed",
    ),
    Row(
        "proposal",
        "A trip to Lima by Mr Sato has been mooted.",
        "trip",
        PUBLISHED,
        None,
        "proposed",
    ),
    Row(
        "in_preparation",
        "A visit by Mr Sato to Peru is in the works.",
        "visit",
        PUBLISHED,
        None,
        "in_preparation",
    ),
    # the journey under way as the story tells it: the stay has just begun
    Row(
        "journey_under_way",
        "Mr Sato was flying to Lima for a week of talks.",
        "flying",
        PUBLISHED,
        None,
        "ongoing",
    ),
    Row(
        "past_today",
        "Mr Sato visited Hiroshima today.",
        "visited",
        PUBLISHED,
        _day(PUBLISHED),
        "ongoing",
    ),
    Row(
        "past_arrival_dated",
        "Mr Sato met the emir on Tuesday.",
        "met",
        PUBLISHED,
        _day(date(2031, 3, 11)),
        "ongoing",
    ),
    Row(
        "window_behind",
        "Mr Sato travelled to Oman in January.",
        "travelled",
        PUBLISHED,
        _day(date(2031, 1, 1), date(2031, 1, 31)),
        "completed",
    ),
    Row(
        "present_ahead",
        "Mr Sato lands in Nairobi later on Friday.",
        "lands",
        PUBLISHED,
        _day(date(2031, 3, 14)),
        "announced",
    ),
    Row("past_departure", "Mr Sato departed for Lima.", "departed", PUBLISHED, None, "ongoing"),
    Row("past_arrival", "Mr Sato arrived in Lima.", "arrived", PUBLISHED, None, "ongoing"),
    Row(
        "past_expected",
        "Mr Sato was expected to travel to Lima.",
        "travel",
        PUBLISHED,
        None,
        "announced",
    ),
    Row("past", "Mr Sato travelled to Lima.", "travelled", PUBLISHED, None, "completed"),
    Row("progressive", "Mr Sato is visiting Lima.", "visiting", PUBLISHED, None, "ongoing"),
    Row("announce_cue", "Mr Sato will visit Lima.", "visit", PUBLISHED, None, "announced"),
    Row(
        "present_there", "Mr Sato visits Lima.", "visits", None, _day(date(2031, 3, 20)), "ongoing"
    ),
    Row(
        "tour_plan",
        "Mr Sato reached Quito on Monday, the first stop of a tour that takes him to Lima.",
        "takes",
        PUBLISHED,
        None,
        "announced",
    ),
    Row(
        "default",
        "Mr Sato visits Lima this week.",
        "visits",
        PUBLISHED,
        _day(date(2031, 3, 10), date(2031, 3, 16)),
        "announced",
    ),
)


@pytest.fixture(scope="module")
def nlp() -> Language:
    from visitrack.nlp import load_model

    return load_model()


def _trigger(nlp: Language, sentence: str, word: str) -> Token:
    doc = nlp(sentence)
    return next(t for t in doc if t.text == word)


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.rule}-{i}" for i, r in enumerate(ROWS)])
def test_stage_rule(nlp: Language, row: Row) -> None:
    tok = _trigger(nlp, row.sentence, row.trigger)
    rule, stage = explain_stage(tok, row.sentence, row.when, row.published)
    assert rule == row.rule
    assert stage == row.stage
    assert decide_stage(tok, row.sentence, row.when, row.published) == row.stage


def test_every_rule_has_a_row() -> None:
    names = [r.name for r in RULES]
    assert len(names) == len(set(names)), "rule names must be unique"
    assert set(names) - {r.rule for r in ROWS} == set()
    assert {r.rule for r in ROWS} <= set(names)


def test_default_rule_is_last() -> None:
    assert RULES[-1].name == "default"


@pytest.mark.parametrize(
    ("when", "stage"),
    [
        (None, "ongoing"),
        (_day(date(2031, 3, 20)), "announced"),
        (_day(date(2031, 1, 5)), "completed"),
    ],
)
def test_guest_stage(when: When | None, stage: Stage) -> None:
    assert guest_stage(None, when, PUBLISHED) == stage
