from visitrack.nlp import TRIGGER_RE, select_for_parsing, split_sentences


def test_split_keeps_offsets_and_abbreviations() -> None:
    text = "Mr. Smith met U.S. officials in Washington. He left on Friday.\nNext paragraph here."
    sents = split_sentences(text, offset=10)
    assert [s.text for s in sents] == [
        "Mr. Smith met U.S. officials in Washington.",
        "He left on Friday.",
        "Next paragraph here.",
    ]
    for s in sents:
        assert text[s.start - 10 : s.end - 10] == s.text


def test_split_closing_quote_stays_with_sentence() -> None:
    sents = split_sentences('He said: "We will come." Then he left.')
    assert sents[0].text == 'He said: "We will come."'
    assert sents[1].text == "Then he left."


def test_long_sentence_is_cut() -> None:
    text = ("word " * 200).strip() + "."
    sents = split_sentences(text)
    assert len(sents) > 1
    assert all(len(s.text) <= 600 for s in sents)


def test_trigger_words() -> None:
    assert TRIGGER_RE.search("The minister arrived in Rome.")
    assert TRIGGER_RE.search("She is in Paris for talks.")
    assert TRIGGER_RE.search("an invitation to the summit")
    assert not TRIGGER_RE.search("Markets fell sharply on Monday.")
    # a meeting somewhere is a visit by whoever came from abroad
    assert TRIGGER_RE.search("The king met his guest at a palace outside the capital.")
    assert TRIGGER_RE.search("The prime minister has met the two presidents.")
    assert not TRIGGER_RE.search("The company reached its sales targets.")


def test_prefilter_keeps_triggers_context_and_lede() -> None:
    text = "Headline here. Lede here. Third. Fourth line. Fifth is context. He will visit Rome."
    sents = split_sentences(text)
    kept = [s.text for s in select_for_parsing(sents)]
    assert kept == [
        "Headline here.",
        "Lede here.",
        "Third.",
        "Fifth is context.",
        "He will visit Rome.",
    ]


def test_wire_dateline_is_split_from_the_first_sentence() -> None:
    text = "LIMA, June 2 - A Chilean mission will visit Peru. SEOUL, Dec. 29 (Yonhap) -- He went."
    assert [s.text for s in split_sentences(text)] == [
        "LIMA, June 2 -",
        "A Chilean mission will visit Peru.",
        "SEOUL, Dec. 29 (Yonhap) --",
        "He went.",
    ]
    # a hyphen between names is no dateline
    assert [s.text for s in split_sentences("US - China talks resumed.")] == [
        "US - China talks resumed."
    ]


def test_a_story_without_a_trigger_sentence_is_not_parsed() -> None:
    # context serves trigger sentences only; most wire stories have none
    quiet = "Shares rose in Tokyo. The yen fell. Exporters gained. Bond yields were flat."
    assert select_for_parsing(split_sentences(quiet)) == []
    kept = select_for_parsing(split_sentences(f"{quiet} The premier will visit Hanoi."))
    assert [s.text for s in kept] == [
        "Shares rose in Tokyo.",
        "The yen fell.",
        "Exporters gained.",
        "Bond yields were flat.",
        "The premier will visit Hanoi.",
    ]


def test_the_prefilter_reads_past_an_abbreviation_not_a_semicolon() -> None:
    assert TRIGGER_RE.search("She addressed the U.N. assembly in Geneva.")
    assert not TRIGGER_RE.search("The firm addressed its costs; sales in Europe rose.")
