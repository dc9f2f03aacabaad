"""``find_actors`` and ``Discourse`` on parsed sentences: one row per visitor form.

Each row gives the sentences told before (remembered in the story's ``Discourse``), the
sentence under test, the word whose actor is checked and the actor expected. Names are made up
except where a row checks the gazetteer's office holder.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, NamedTuple

import pytest

from visitrack import resolve
from visitrack.extract.actors import Actor, Discourse, find_actors, pronoun_fits
from visitrack.records import Role

if TYPE_CHECKING:
    from spacy.language import Language

PUBLISHED = date(2031, 3, 12)
FERREIRA = "Chilean President Ana Ferreira arrived in Lima."


class Row(NamedTuple):
    form: str
    before: tuple[str, ...]
    sentence: str
    word: str
    name: str | None
    role: Role
    country: str | None


ROWS: tuple[Row, ...] = (
    Row("full name with title", (), FERREIRA, "Ferreira", "Ana Ferreira", "head_of_state", "CHL"),
    Row(
        "title of COUNTRY before the name",
        (),
        "The Foreign Minister of Norway, Erik Olsen, flew to Quito.",
        "Olsen",
        "Erik Olsen",
        "foreign_minister",
        "NOR",
    ),
    Row(
        "title of COUNTRY after the name",
        (),
        "Erik Olsen, the foreign minister of Norway, flew to Quito.",
        "Olsen",
        "Erik Olsen",
        "foreign_minister",
        "NOR",
    ),
    Row(
        "surname referring back",
        (FERREIRA,),
        "Ferreira met business leaders.",
        "Ferreira",
        "Ana Ferreira",
        "head_of_state",
        "CHL",
    ),
    Row(
        "honorific stripped",
        (),
        "Dr. Nadia Halabi, Jordan's health minister, visited Cairo.",
        "Halabi",
        "Nadia Halabi",
        "minister",
        "JOR",
    ),
    Row(
        "royal title with one name",
        (),
        "King Tamar of Georgia visited Athens.",
        "Tamar",
        "Tamar",
        "royal",
        "GEO",
    ),
    Row(
        "name after a long title",
        (),
        "Assistant Secretary of State for Energy Resources Dana Whitfield visited Accra.",
        "Whitfield",
        "Dana Whitfield",
        "foreign_minister",
        None,
    ),
    Row(
        "service title and country after the name",
        (),
        "Navy Admiral Lewis Brandt of Australia arrived in Manila.",
        "Brandt",
        "Lewis Brandt",
        "military",
        "AUS",
    ),
    Row(
        "the President as the story's own president",
        (FERREIRA,),
        "The President will travel to Kenya next week.",
        "President",
        "Ana Ferreira",
        "head_of_state",
        "CHL",
    ),
    Row(
        "people sharing a surname kept apart",
        (FERREIRA,),
        "Luis Ferreira, a Peruvian senator, greeted her.",
        "Luis",
        "Luis Ferreira",
        "legislator",
        "PER",
    ),
    Row(
        "second of two titled names in one sentence",
        (),
        "Mexican President Jorge Salinas met Canadian Prime Minister Claire Dubois in Ottawa.",
        "Dubois",
        "Claire Dubois",
        "head_of_government",
        "CAN",
    ),
)


@pytest.fixture(scope="module")
def nlp() -> Language:
    from visitrack.nlp import load_model

    return load_model()


def _actor_of(
    nlp: Language, disc: Discourse, before: tuple[str, ...], sentence: str, word: str
) -> Actor | None:
    for text in before:
        for actor in find_actors(nlp(text), disc).values():
            disc.remember(actor)
    doc = nlp(sentence)
    tok = next(t for t in doc if t.text == word)
    return find_actors(doc, disc).get(tok.i)


@pytest.mark.parametrize("row", ROWS, ids=[r.form for r in ROWS])
def test_visitor_form(nlp: Language, row: Row) -> None:
    disc = Discourse(PUBLISHED)
    actor = _actor_of(nlp, disc, row.before, row.sentence, row.word)
    assert actor is not None
    assert (actor.name, actor.role, actor.country) == (row.name, row.role, row.country)


@pytest.mark.parametrize("source", ["FRA", "USA"])
def test_the_president_is_the_publishers_office_holder(nlp: Language, source: str) -> None:
    held = resolve.office_holder(source, "head_of_state", PUBLISHED)
    assert held is not None
    disc = Discourse(PUBLISHED, source=source)
    sentence = "The President will travel to Kenya next week."
    actor = _actor_of(nlp, disc, (), sentence, "President")
    assert actor is not None
    assert (actor.name, actor.country) == (held.name, source)


def test_surname_stays_with_first_person_named(nlp: Language) -> None:
    disc = Discourse(PUBLISHED)
    before = (FERREIRA, "Luis Ferreira, a Peruvian senator, greeted her.")
    actor = _actor_of(nlp, disc, before, "Ferreira met business leaders.", "Ferreira")
    assert actor is not None
    assert actor.name == "Ana Ferreira"


def test_title_actor_words_are_the_actors_tokens(nlp: Language) -> None:
    doc = nlp("Navy Admiral Lewis Brandt of Australia arrived in Manila.")
    actors = find_actors(doc, Discourse(PUBLISHED))
    brandt = {t.text for t in doc if t.i in actors}
    assert {"Navy", "Admiral", "Lewis", "Brandt"} <= brandt
    assert "Manila" not in brandt


@pytest.mark.parametrize(
    ("pronoun", "name", "fits"),
    [
        ("she", "Ana Ferreira", True),
        ("he", "Ana Ferreira", False),
        ("he", "Erik Olsen", True),
        ("her", "Erik Olsen", False),
        ("they", "Erik Olsen", True),
        ("she", None, True),
    ],
)
def test_pronoun_gender(pronoun: str, name: str | None, fits: bool) -> None:
    assert pronoun_fits(pronoun, Actor(name, "minister", "NOR")) is fits
