"""Boilerplate removal and story splitting on texts imitating scraped news pages."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

from visitrack.clean import clean
from visitrack.ingest import document_from_text
from visitrack.records import CleanDocument, RawDocument


def _clean(content: str, *, is_html: bool = False, published: date | None = None) -> CleanDocument:
    return clean(RawDocument("t", "test", content, is_html=is_html, published=published))


ICON_PAGE = """ date 2021-06-11 icon homeicon menuicon searchicon shareicon closeicon playicon fm
11 Jun, 2021 09:30
HomeWorld News

Prime minister to tour the Gulf

The trip will start in Doha, officials said
Prime minister to tour the Gulf
The prime minister waves at reporters in the capital. ©  Agency/Photographer Name

The prime minister will travel to Qatar and Oman next week, his office said on Friday.

{{item.group_date}}
Share
Top stories

Editors pick

A long headline about a completely different topic today
Another headline about markets FEATURE
Podcasts
All podcasts
Weekly roundup
0:00
31:12
© Example Broadcasting Company, 2005–2021. All rights reserved.

This website uses cookies. Read our Privacy policy to find out more.

Accept cookies"""


def test_icon_runs_menus_and_related_lists_go() -> None:
    doc = _clean(ICON_PAGE)
    text = doc.text
    assert text.startswith("Prime minister to tour the Gulf\n\n")
    assert "The prime minister will travel to Qatar and Oman next week" in text
    assert "The trip will start in Doha, officials said" in text
    assert "The prime minister waves at reporters in the capital." in text
    for junk in (
        "icon",
        "HomeWorld",
        "{{",
        "Share",
        "Top stories",
        "FEATURE",
        "0:00",
        "cookies",
        "©",
        "All rights reserved",
        "Podcasts",
        "09:30",
    ):
        assert junk not in text, junk
    assert text.count("Prime minister to tour the Gulf") == 1
    assert doc.published == date(2021, 6, 11)
    assert len(doc.stories) == 1
    assert (doc.stories[0].start, doc.stories[0].end) == (0, len(text))


APPEAL_PAGE = """The foreign minister will visit Ankara on Monday, the ministry said in a statement.
The two sides are expected to discuss trade and energy.
Message from the Editors:
Dear reader,
Independent journalism is under pressure and we need your help to keep reporting.
If possible, support us every month from just $3. Every contribution matters.
Continued
Please remind me later.
×"""


def test_donation_appeal_goes_article_stays() -> None:
    text = _clean(APPEAL_PAGE).text
    assert "The foreign minister will visit Ankara on Monday" in text
    assert "The two sides are expected to discuss trade and energy." in text
    assert "Dear reader" not in text and "support us" not in text and "×" not in text
    assert "\n\n" in text  # one paragraph per line of the scrape


TWO_STORIES = """President to visit Japan in spring

Caption of the photo of the president (AFP)
Short Url
Updated 12 January 2024
Follow

President to visit Japan in spring

MADRID: The president said on Friday he would travel to Tokyo in the spring for talks.

Officials said the dates were still being worked out with the Japanese side.


Flood waters recede in the north as rescue work continues

Updated 03 March 2025
Follow

Flood waters recede in the north as rescue work continues

LISBON: Water levels fell on Sunday after a week of heavy rain, officials said.
Rescue teams continued to search villages cut off by the floods."""


def test_two_stories_split_at_headline_before_new_stamp() -> None:
    doc = _clean(TWO_STORIES)
    assert len(doc.stories) == 2
    first, second = doc.stories
    assert first.start == 0 and first.published == date(2024, 1, 12)
    assert second.published == date(2025, 3, 3)
    assert doc.text[second.start :].startswith("Flood waters recede in the north")
    assert second.title == "Flood waters recede in the north as rescue work continues"
    assert "Tokyo" in doc.text[first.start : first.end]
    assert "Tokyo" not in doc.text[second.start : second.end]
    assert doc.text[first.end : second.start] == "\n\n"  # boundaries never cut a paragraph
    assert second.end == len(doc.text)
    assert doc.published == date(2024, 1, 12)
    assert "Short Url" not in doc.text and "Follow" not in doc.text


def test_override_wins_for_every_story() -> None:
    doc = _clean(TWO_STORIES, published=date(2020, 2, 2))
    assert doc.published == date(2020, 2, 2)
    assert all(s.published == date(2020, 2, 2) for s in doc.stories)


SGML = """<REUTERS TOPICS="YES" NEWID="42">
<DATE> 5-MAY-1987 09:12:44.10</DATE>
<UNKNOWN> &#5;&#5;&#5;RM
&#22;&#22;&#1;f0001&#31;reute
u f BC-MINISTER-TO-VISIT   05-05 0099</UNKNOWN>
<TEXT>&#2;
<TITLE>MINISTER TO VISIT CAIRO</TITLE>
<DATELINE>    ROME, May 5 - </DATELINE><BODY>The Italian foreign minister will
visit Cairo next week for talks on &lt;regional&gt; trade, officials
said.
    He will also meet the Egyptian president, they added.
 REUTER
&#3;</BODY></TEXT>
</REUTERS>"""


def test_reuters_sgml() -> None:
    doc = _clean(SGML)
    assert doc.title == "MINISTER TO VISIT CAIRO"
    assert doc.published == date(1987, 5, 5)
    assert doc.text.split("\n\n") == [
        "MINISTER TO VISIT CAIRO",
        "ROME, May 5 - The Italian foreign minister will visit Cairo next week for talks on "
        "<regional> trade, officials said.",
        "He will also meet the Egyptian president, they added.",
    ]
    assert "\x03" not in doc.text and "REUTER" not in doc.text.replace("MINISTER", "")


FRONT_MATTER = """---
title: "Envoy&#x27;s trip to Brazil"
published_at: 2023-09-14 08:00
url: https://example.org/a
---

# Envoy&#x27;s trip to Brazil

**Wire** | 2023-09-14 08:00 |

---

The special envoy **arrived** in Brasilia on Wednesday for a two-day visit.

@highlight

Envoy arrives in Brasilia

\\###

*Crawled at: 2023-09-14 13:00:00*
*Source: [link](https://example.org/a)*
"""


def test_front_matter_and_markdown() -> None:
    doc = _clean(FRONT_MATTER)
    assert doc.title == "Envoy's trip to Brazil"
    assert doc.published == date(2023, 9, 14)
    text = doc.text
    assert text.startswith("Envoy's trip to Brazil\n\n")
    assert "The special envoy arrived in Brasilia on Wednesday for a two-day visit." in text
    assert "Envoy arrives in Brasilia" in text
    for junk in ("---", "@highlight", "###", "Crawled at", "Source:", "**", "&#x27;", "title:"):
        assert junk not in text, junk


def test_hard_wrapped_lines_are_joined() -> None:
    body = (
        "The adviser travelled to the capital on Monday for meetings with\n"
        "senior officials of the government and members of the incoming\n"
        "administration, the office said in a statement released late on\n"
        "Monday evening after the talks ended.\n\n"
        "He also met the president-elect and discussed the importance of\n"
        "keeping open channels of communication during the transition\n"
        "period, according to the statement.\n"
    )
    text = _clean("---\ndate: '2022-01-02'\n---\n" + body).text
    paragraphs = text.split("\n\n")
    assert len(paragraphs) == 2
    assert paragraphs[0].startswith("The adviser travelled") and paragraphs[0].endswith("ended.")


HTML_PAGE = """<!DOCTYPE html><html><head><title>Leader visits Delhi</title>
<meta property="article:published_time" content="2019-04-05T10:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Leader visits Delhi</h1>
<p>The visiting leader arrived in New Delhi on Thursday for a three-day state visit,
officials said.</p>
<p>He is expected to hold talks with the prime minister on trade and defence.</p>
</article><footer>Copyright 2019 Example News</footer></body></html>"""


def test_html_page() -> None:
    doc = _clean(HTML_PAGE, is_html=True)
    assert doc.title == "Leader visits Delhi"
    assert doc.published == date(2019, 4, 5)
    assert "arrived in New Delhi on Thursday" in doc.text
    assert "talks with the prime minister" in doc.text
    assert doc.text.startswith("Leader visits Delhi")


def test_truncated_and_empty_html_never_crash() -> None:
    truncated = "<html><body><div><p>The minister will visit Oslo on Tuesday, aides said. <p>He"
    doc = _clean(truncated, is_html=True)
    assert "The minister will visit Oslo on Tuesday" in doc.text
    for empty in ("", "   ", "<html></html>", "<<<>>>"):
        got = _clean(empty, is_html=True)
        assert len(got.stories) == 1
        assert got.stories[0].end == len(got.text)


def test_html_fragment_inside_text() -> None:
    content = (
        "---\npost_title: 'Minister to visit Chile'\npost_date: 2016-01-02 03:04:05\n---\n"
        ' [ad_1]\n<br><div id="articleText"><p><span>SANTIAGO</span> The minister will visit '
        "Chile next month, sources said.</p><p>He will meet the president.</p></div>\n[ad_2]"
    )
    doc = _clean(content)
    assert doc.published == date(2016, 1, 2)
    assert doc.title == "Minister to visit Chile"
    assert "SANTIAGO The minister will visit Chile next month, sources said." in doc.text
    assert "<" not in doc.text and "ad_1" not in doc.text


def test_read_also_block_keeps_following_sentence() -> None:
    content = (
        "Talks on the summit venue are under way\n\n"
        "BERLIN, May 3. /AGENCY/. Talks on the venue of the summit are under way, "
        "a spokesman said.\n\n"
        "Read also\nA photo caption of the leader\n\n"
        "Leader expects help with sanctions - speaker\n\n"
        '"We will announce the date when it is agreed," the spokesman told reporters on Monday.'
    )
    text = _clean(content).text
    assert "Read also" not in text and "Leader expects help" not in text
    assert '"We will announce the date when it is agreed,"' in text


def test_control_characters_in_html_never_crash() -> None:
    # Found by fuzzing: a form feed or other C0 control in text after a closing tag reached
    # lxml's fallback reader, which refuses to write it back (ValueError).
    for junk in ("\x0c", "\x01", "\x00", "\ufffe", "\ud800"):
        doc = _clean(f"<div>The minister arrived.</div>{junk}He met the king.", is_html=True)
        assert "The minister arrived." in doc.text and "He met the king." in doc.text
        assert junk not in doc.text


# --- full pages: the article inside a large template --------------------------------------------
# The pages under fixtures/pages are written for these tests (invented prose): a news-site template
# (60-link menu, mega-menu, cookie banner, most-read and latest rails, teaser cards, footer,
# JSON-LD, scripts) around a two- or three-paragraph article.

PAGES = Path(__file__).parent / "fixtures" / "pages"


def _page(name: str) -> CleanDocument:
    content = (PAGES / name).read_text(encoding="utf-8")
    return clean(RawDocument(name, name, content, is_html=name.endswith(".html")))


def _paragraphs(doc: CleanDocument) -> list[str]:
    return doc.text.split("\n\n")


def test_article_in_semantic_template() -> None:
    doc = _page("template_article.html")
    paras = _paragraphs(doc)
    assert paras[0] == "Chilean president to visit Hanoi next week"
    assert paras[1].startswith("SANTIAGO — Chilean President Gabriel Boric will travel")
    assert doc.published == date(2025, 3, 11)
    for junk in ("cookies", "Most read", "Sign in", "Football", "Live: election"):
        assert junk not in doc.text, junk


def test_article_in_table_layout_is_read_from_its_cell() -> None:
    # The extractor skips tables and returned two teaser cards; the cell around the headline
    # holds the article.
    doc = _page("template_table.html")
    assert _paragraphs(doc) == [
        "Mongolian prime minister begins visit to Ankara",
        "ULAANBAATAR, 5 May 2023 — Mongolian Prime Minister Luvsannamsrain Oyun-Erdene left for "
        "Turkey on Friday at the invitation of the Turkish government, the government press "
        "office said.",
        "During the four-day official visit he will hold talks in Ankara on mining investment "
        "and direct flights, and visit a defence industry fair in Istanbul.",
    ]
    assert doc.published == date(2023, 5, 5)


def test_article_only_in_json_ld() -> None:
    doc = _page("jsonld_only.html")
    paras = _paragraphs(doc)
    assert paras[0] == "Egyptian foreign minister to visit Tokyo"
    assert paras[1].startswith("CAIRO — Egyptian Foreign Minister Badr Abdelatty will visit Japan")
    assert paras[2].startswith("Abdelatty will meet his Japanese counterpart in Tokyo")
    assert len(paras) == 3  # the teaser cards the extractor returned are gone
    assert doc.published == date(2024, 11, 30)


def test_br_separated_paragraph_dropped_by_extractor_is_put_back() -> None:
    doc = _page("template_div_br.html")
    paras = _paragraphs(doc)
    assert paras[:4] == [
        "Polish president to make first visit to Seoul",
        "WARSAW — Polish President Andrzej Duda will visit South Korea in October, his chief of "
        "staff told reporters on Thursday.",
        "The visit to Seoul will focus on defence purchases and nuclear energy, she said, adding "
        "that the dates were being agreed with the South Korean side.",
        "Duda last met South Korean President Yoon Suk Yeol at a NATO summit.",
    ]
    assert doc.published == date(2023, 9, 14)


def test_article_in_nested_divs_and_widget_classes() -> None:
    doc = _page("template_divs.html")
    assert "NAIROBI — Kenya's foreign minister Musalia Mudavadi left for Brazil" in doc.text
    assert "He is scheduled to meet Brazilian Foreign Minister Mauro Vieira" in doc.text
    assert doc.published == date(2024, 6, 9)
    doc = _page("template_widget_class.html")
    assert _paragraphs(doc)[1].startswith("ABUJA — Nigeria's Vice President Kashim Shettima")
    assert len(_paragraphs(doc)) == 4
    assert doc.published == date(2024, 10, 2)


def test_summary_in_json_ld_does_not_replace_a_full_article() -> None:
    # A one-sentence articleBody (a description) beside a page whose article was extracted.
    para = "The minister will fly to Lima on Monday for talks on trade, her office said today."
    body = "".join(f"<p>{para} Paragraph {k} adds more words to the story.</p>" for k in range(6))
    ld = '{"@type": "NewsArticle", "articleBody": "A short summary of the story, in one line."}'
    page = (
        f'<html><head><script type="application/ld+json">{ld}</script></head><body>'
        f"<article><h1>Minister to visit Peru for trade talks</h1>{body}</article></body></html>"
    )
    doc = _clean(page, is_html=True)
    assert "A short summary" not in doc.text
    assert doc.text.count("The minister will fly to Lima") == 6


# --- digest and feed pages: several items, each with its own date ------------------------------

DIGEST_ITEMS = [
    ("Finnish foreign minister begins Asia tour", date(2025, 3, 12), "Finnish Foreign Minister"),
    ("Ghanaian president postpones trip to Madrid", date(2025, 3, 10), "Ghana's President"),
    ("Thai prime minister lands in Paris", date(2025, 3, 5), "Thai Prime Minister"),
    ("Austrian chancellor to visit Cairo", date(2025, 3, 3), "Austrian Chancellor"),
]


def _assert_digest(doc: CleanDocument) -> None:
    assert len(doc.stories) == len(DIGEST_ITEMS)
    pairs = zip(doc.stories, DIGEST_ITEMS, strict=True)
    for n, (story, (headline, day, opening)) in enumerate(pairs):
        text = doc.text[story.start : story.end]
        assert story.published == day, headline
        assert headline in text and opening in text, headline
        for other_headline, _, other in DIGEST_ITEMS[:n] + DIGEST_ITEMS[n + 1 :]:
            assert other not in text and other_headline not in text, (headline, other)
        if n > 0:
            assert story.title == headline
            assert text.startswith(headline)
    assert doc.published == date(2025, 3, 12)


def test_digest_items_dated_at_the_start_of_their_paragraph() -> None:
    # "12 March 2025 — Finnish Foreign Minister ...": the item's date opens its paragraph.
    _assert_digest(_page("digest_dash.html"))
    doc = _page("digest_dash.txt")
    _assert_digest(doc)
    assert "12 March 2025 — Finnish Foreign Minister Elina Valtonen began" in doc.text


def test_feed_items_dated_by_time_elements() -> None:
    # Each item shows only a weekday in <time datetime="...">, in a "meta" block the extractor
    # drops; the date is spelt out and the items become stories.
    doc = _page("digest_time.html")
    _assert_digest(doc)
    assert "12 March 2025" not in doc.text  # stamps are markers, not text


def test_wire_dateline_dates_its_story_and_stays_in_the_text() -> None:
    content = (
        "Envoy arrives in Lima\n\n"
        "LIMA, 4 May 2024 — The special envoy arrived in Lima on Saturday for talks, "
        "officials said.\n\n"
        "He will meet the president on Monday, his office said in a statement."
    )
    doc = _clean(content)
    assert len(doc.stories) == 1
    assert doc.published == date(2024, 5, 4)
    assert "LIMA, 4 May 2024 — The special envoy arrived" in doc.text


def test_time_inside_a_sentence_is_left_alone() -> None:
    page = (
        "<html><body><article><h1>Minister to visit Oslo next week</h1>"
        '<p>The minister will visit Oslo on <time datetime="2024-05-14">Tuesday</time> for talks '
        "on fisheries and energy, her office said.</p><p>She will also meet the crown prince "
        "during the two-day visit, the office said.</p></article></body></html>"
    )
    doc = _clean(page, is_html=True)
    assert "visit Oslo on Tuesday for talks" in doc.text
    assert "14 May" not in doc.text


def test_teaser_cards_beside_the_article_are_not_its_text() -> None:
    # "More news" cards (linked headline plus a summary sentence) sit next to every article;
    # the extractor keeps some summaries, one of them reporting a visit of its own.
    for name in (
        "template_article.html",
        "template_divs.html",
        "template_div_br.html",
        "template_table.html",
        "template_widget_class.html",
        "jsonld_only.html",
        "digest_dash.html",
        "digest_time.html",
    ):
        doc = _page(name)
        for teaser in ("Canberra", "Copper prices", "finance ministry", "river delta", "ferry"):
            assert teaser not in doc.text, (name, teaser)


def test_repeated_cards_inside_the_article_stay() -> None:
    # Cards inside the article block (a digest's own items) are the page's text.
    cards = "".join(
        f'<div class="item"><a href="/s/{k}">Minister visits city number {k}</a>'
        f"<p>The minister arrived in city number {k} on Monday for talks, aides said.</p></div>"
        for k in range(4)
    )
    page = (
        "<html><body><div class='main'><h1>Ministers on the road this week</h1>"
        f"{cards}</div></body></html>"
    )
    doc = _clean(page, is_html=True)
    for k in range(4):
        assert f"The minister arrived in city number {k} on Monday" in doc.text


def test_markdown_feed_with_html_fragments_keeps_its_summaries() -> None:
    # A feed exported as markdown: "## headline", link and "date published" bullets, then an
    # <img> paragraph with the summary after it and a "Read more" link. It sniffs as HTML, and
    # the page extractor kept only the headlines; the summaries carry the visits.
    content = (PAGES / "digest_feed.md").read_text(encoding="utf-8")
    doc = clean(document_from_text(content, doc_id="feed"))
    _assert_digest(doc)
    assert "Read more" not in doc.text and "<" not in doc.text
    assert "Thai Prime Minister Paetongtarn Shinawatra arrived in Paris on Wednesday" in doc.text


def test_published_and_updated_stamps_do_not_make_an_article_a_list() -> None:
    body = "".join(
        f"<p>The foreign minister will visit Nairobi and Addis Ababa, paragraph {k} of the "
        "report said on Monday.</p>"
        for k in range(4)
    )
    page = (
        "<html><body><article><h1>Foreign minister to tour East Africa</h1>"
        '<div class="article-meta">Published <time datetime="2025-03-03T08:00">Monday</time>'
        '</div><div class="article-meta">Updated <time datetime="2025-03-05T09:00">2 days ago'
        f"</time></div>{body}<div class='author-box'><p>Jane Doe covers East Africa for the "
        "paper from Nairobi, where she has lived since 2019.</p></div></article></body></html>"
    )
    doc = _clean(page, is_html=True)
    assert len(doc.stories) == 1
    assert doc.text.count("The foreign minister will visit Nairobi") == 4
    assert "Jane Doe" not in doc.text  # the extractor's text, not the whole block, is read


def test_press_release_list_with_dated_headlines() -> None:
    content = (
        "Press releases\n\n"
        "12 March | Foreign minister begins Asia tour\n\n"
        "The foreign minister began a week-long tour of Asia in Singapore on Wednesday, "
        "the ministry said.\n\n"
        "5 March | Prime minister lands in Paris\n\n"
        "The prime minister arrived in Paris on Wednesday for an official visit, the "
        "spokesman said.\n\n"
        "© 2025 Ministry of Foreign Affairs"
    )
    doc = _clean(content)
    assert [s.published for s in doc.stories] == [date(2025, 3, 12), date(2025, 3, 5)]
    second = doc.text[doc.stories[1].start : doc.stories[1].end]
    assert second.startswith("5 March | Prime minister lands in Paris")
    assert "Singapore" not in second


def test_feed_items_of_one_day_with_their_own_times_are_stories() -> None:
    content = (
        "Minister lands in Rio for the summit\n\n"
        "Published 18 Nov 2024 21:35\n\n"
        "The foreign minister arrived in Rio de Janeiro on Monday for the summit, officials "
        "said.\n\n"
        "Updated 18 Nov 2024 22:10\n\n"
        "The minister will also meet the Brazilian president on Tuesday, officials added.\n\n"
        "President visits Buenos Aires\n\n"
        "Published 18 Nov 2024 13:30\n\n"
        "The president met his Argentine counterpart in Buenos Aires on Monday, aides said."
    )
    doc = _clean(content)
    assert len(doc.stories) == 2  # an update of the same day without a headline is no story
    first, second = (doc.text[s.start : s.end] for s in doc.stories)
    assert "meet the Brazilian president" in first and "Buenos Aires" not in first
    assert second.startswith("President visits Buenos Aires")
    assert all(s.published == date(2024, 11, 18) for s in doc.stories)


def _ld_page(article_html: str, body: str) -> str:
    data = {"@type": "NewsArticle", "headline": "Envoy to visit Hanoi", "articleBody": body}
    ld = json.dumps(data)
    return (
        f'<html><head><script type="application/ld+json">{ld}</script></head><body>'
        f"{article_html}</body></html>"
    )


LD_PARAS = [
    "The special envoy will travel to Hanoi on Friday for two days of talks, officials said.",
    "She is expected to meet the foreign minister and visit a port project in Hai Phong.",
]


def test_json_ld_body_in_one_blob_matches_the_extracted_article() -> None:
    article = (
        "<article><h1>Envoy to visit Hanoi</h1>"
        f"<p>{LD_PARAS[0]}</p><p>Read our live coverage of the talks here.</p>"
        f"<p>{LD_PARAS[1]}</p></article>"
    )
    doc = _clean(_ld_page(article, " ".join(LD_PARAS)), is_html=True)
    assert doc.text.count("The special envoy will travel to Hanoi") == 1
    assert LD_PARAS[0] in _paragraphs(doc) and LD_PARAS[1] in _paragraphs(doc)


def test_json_ld_body_with_markup_is_read_as_paragraphs() -> None:
    empty = '<div id="root"><noscript>Enable JavaScript.</noscript></div>'
    doc = _clean(_ld_page(empty, "".join(f"<p>{p}</p>" for p in LD_PARAS)), is_html=True)
    assert _paragraphs(doc) == ["Envoy to visit Hanoi", *LD_PARAS]


def test_markdown_export_with_a_figure_is_text_with_joined_paragraphs() -> None:
    content = (
        "---\ntitle: Minister travels\nsource_url: https://www.example.gov/x\n---\n\n"
        "The minister of trade left on Monday for a\nthree-day visit to [Lima\nand Cusco](https://example.gov/peru).\n\n"
        '<figure>\n<img src="a.jpg"\nalt="The minister lands">\n</figure>\n\n'
        "-   **First item** of the\n    readout continues here.\n"
    )
    doc = clean(RawDocument("x", "x.txt", content, is_html=True))
    assert "for a three-day visit to Lima and Cusco." in doc.text
    assert "<img" not in doc.text and "a.jpg" not in doc.text
    assert "First item of the readout continues here." in doc.text


def test_declared_canonical_and_og_url_are_kept() -> None:
    body = "<p>Foreign Minister Ana Ruiz will visit Lisbon on Tuesday for talks on fisheries.</p>"
    page = (
        '<html><head><title>Talks</title><link rel="canonical" href="https://news.test/a?x=1&amp;'
        'y=2"><meta property="og:url" content="https://news.test/og"></head>'
        f"<body><article>{body}</article></body></html>"
    )
    doc = clean(document_from_text(page, doc_id="p"))
    assert doc.canonical_url == "https://news.test/a?x=1&y=2"
    assert doc.url == doc.canonical_url  # the dashboard has a source link
    og_only = page.replace('<link rel="canonical" href="https://news.test/a?x=1&amp;y=2">', "")
    assert clean(document_from_text(og_only, doc_id="p")).canonical_url == "https://news.test/og"
    # A URL the reader knows (the one fetched) stays the document's URL.
    fetched = replace(document_from_text(page, doc_id="p"), url="https://mirror.test/a")
    kept = clean(fetched)
    assert (kept.url, kept.canonical_url) == (
        "https://mirror.test/a",
        "https://news.test/a?x=1&y=2",
    )
    assert clean(document_from_text(body, doc_id="t")).canonical_url is None
