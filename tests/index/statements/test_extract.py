"""Statement extraction (who said what), speaker resolution and the statements store."""

from __future__ import annotations

import json

import pytest

from index.filters import SearchFilters
from index.models import Article, Paragraph
from index.statements.extract import Statement, extract_statements
from index.statements.speakers import speaker_key
from index.statements.store import StatementStore, replace_statements
from index.storage.catalog import Catalog
from tests.conftest import FIXTURES, REPO_ROOT, OpenCatalog

pytestmark = pytest.mark.both_databases

ROOT = REPO_ROOT
GOLD = FIXTURES / "statements_gold.jsonl"


def _article(text: str, article_id: str = "a1", published: str = "") -> Article:
    return Article(id=article_id, title="Title", text=text, published=published, source="wire")


def _paragraphs(article: Article) -> list[Paragraph]:
    lines = [line.strip() for line in article.text.splitlines() if line.strip()]
    return [Paragraph(article.id, i, line, line) for i, line in enumerate(lines)]


def _extract(text: str, article_id: str = "a1") -> list[Statement]:
    article = _article(text, article_id)
    return extract_statements(article, _paragraphs(article))


@pytest.fixture(scope="module")
def sample() -> list[Statement]:
    text = (ROOT / "samples" / "ukraine-frontline.txt").read_text(encoding="utf-8")
    return _extract(text, "sample")


def _by(statements: list[Statement], speaker: str, words: str) -> Statement:
    found = [s for s in statements if s.speaker == speaker and words in s.content]
    assert found, f"no statement by {speaker!r} containing {words!r}"
    return found[0]


def test_sample_zelenskiy_reported(sample: list[Statement]) -> None:
    s = _by(sample, "Volodymyr Zelenskiy", "Kyiv expected Moscow to intensify its offensives")
    assert (s.cue, s.mode) == ("said", "reported")
    assert s.content.endswith(
        "the recent Russian assaults had delivered little meaningful progress"
    )


@pytest.mark.parametrize(
    ("words", "cue", "mode"),
    [
        ("advances across nearly every frontline", "asserted", "reported"),
        (
            "fiercest combat is currently centered around the city of Pokrovsk",
            "according to",
            "reported",
        ),
        # "described operations as “active on all fronts,” ...": reported, quoting a fragment
        ("active on all fronts", "described", "reported"),
        ("progress in the northeastern Kharkiv region", "pointed to", "reported"),
        ("advances near Yampil", "highlighted", "reported"),
    ],
)
def test_sample_gerasimov_resolved(
    sample: list[Statement], words: str, cue: str, mode: str
) -> None:
    s = _by(sample, "Valery Gerasimov", words)
    assert (s.cue, s.mode, s.kind) == (cue, mode, "person")


@pytest.mark.parametrize(
    ("speaker", "words", "cue", "kind"),
    [
        ("Ukrainian officials", "their defenses remain strong", "insist", "person"),
        (
            "Russian authorities",
            "Ukraine had redeployed its best-trained brigades",
            "said",
            "organisation",
        ),
        ("Ukrainian military officials", "defensive lines remain intact", "echoed", "person"),
        ("DeepState", "Kupiansk", "reported", "organisation"),
        ("Ukrainian leaders", "against Moscow’s narrative", "pushed back", "person"),
    ],
)
def test_sample_groups_are_people_or_organisations(
    sample: list[Statement], speaker: str, words: str, cue: str, kind: str
) -> None:
    s = _by(sample, speaker, words)
    assert (s.cue, s.kind) == (cue, kind)


def test_spans_are_verbatim(sample: list[Statement]) -> None:
    text = (ROOT / "samples" / "ukraine-frontline.txt").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for s in sample:
        assert lines[s.paragraph_number][s.start : s.end] == s.content
        assert s.paragraph_id == f"sample#{s.paragraph_number}"


def test_pronoun_title_and_surname_resolution() -> None:
    statements = _extract(
        "Army chief General Anna Kowalska said on Monday that the bridge was secure.\n"
        "The weather was cold.\n"
        "The general described the situation as “under control.” She also warned that "
        "supplies were short.\n"
        "Kowalska added that reinforcements would arrive."
    )
    assert [s.speaker for s in statements] == ["Anna Kowalska"] * 4
    assert [s.mention for s in statements] == [
        "Army chief General Anna Kowalska",
        "The general",
        "She",
        "Kowalska",
    ]


def test_a_surname_means_the_latest_full_name_mentioned_before_it() -> None:
    statements = _extract(
        "Smith said the port was closed.\n"
        "Senator Mary Smith said the port would reopen.\n"
        "Smith added that ships were waiting.\n"
        "Coach Tom Smith said the match was off.\n"
        "Smith said fans were disappointed."
    )
    assert [s.speaker for s in statements] == [
        "Smith", "Mary Smith", "Mary Smith", "Tom Smith", "Tom Smith"
    ]  # fmt: skip


def test_a_title_passage_is_no_statement() -> None:
    headline = "Zelensky says Ukraine will never give up Crimea"
    article = Article(id="a1", title=headline, text="Watch the video.\nSign up for alerts.")
    assert extract_statements(article, [Paragraph("a1", 0, headline, headline)]) == []
    assert extract_statements(article, [Paragraph("a1", 0, f"{headline}.", headline)])  # body


def test_unresolvable_pronoun_is_dropped() -> None:
    assert _extract("He said the bridge was secure.") == []


def test_inverted_and_continued_quotes_keep_their_marks() -> None:
    statements = _extract(
        "“We are ready,” said Dr. Oliver Brooks, a surgeon. “The wards are open.”"
    )
    assert [(s.speaker, s.content, s.mode) for s in statements] == [
        ("Oliver Brooks", "“We are ready,”", "direct"),
        ("Oliver Brooks", "“The wards are open.”", "direct"),
    ]


def test_paragraph_without_cue_has_no_statement() -> None:
    assert _extract("The storm moved north overnight and the roads reopened by noon.") == []


def test_name_variants_share_a_key() -> None:
    keys = {
        speaker_key(n)
        for n in ("Volodymyr Zelenskiy", "President Volodymyr Zelensky", "Volodymyr Zelenskyy")
    }
    assert keys == {"volodymyr zelensky"}
    assert speaker_key("Zelenskyy") == speaker_key("Zelenskiy") == "zelensky"


def _gold_scores() -> tuple[float, float]:
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]
    predicted = gold = hits_p = hits_r = 0
    for row in rows:
        texts = [*row["context"], row["text"]]
        article = Article(id=row["article_id"], title=row["title"], text="\n".join(texts))
        paragraphs = [Paragraph(article.id, i, t, t) for i, t in enumerate(texts)]
        ours = [
            s
            for s in extract_statements(article, paragraphs)
            if s.paragraph_number == len(texts) - 1
        ]
        labels = row["statements"]
        predicted, gold = predicted + len(ours), gold + len(labels)
        hits_p += sum(any(_agree(s, g) for g in labels) for s in ours)
        hits_r += sum(any(_agree(s, g) for s in ours) for g in labels)
    return hits_p / predicted, hits_r / gold


def _agree(s: Statement, g: dict) -> bool:
    if min(s.end, g["end"]) <= max(s.start, g["start"]):
        return False
    gold, ours = speaker_key(g["speaker"]), s.speaker_key
    return gold == ours or (" " not in ours and gold.endswith(" " + ours))


def test_gold_speaker_precision_and_recall() -> None:
    precision, recall = _gold_scores()
    assert precision >= 0.9
    assert recall >= 0.8


# --- store ---------------------------------------------------------------------------------


def _index(catalog: Catalog, article: Article) -> list[Statement]:
    """What indexing does: paragraphs and statements committed in one transaction."""
    paragraphs = _paragraphs(article)
    statements = extract_statements(article, paragraphs)
    catalog.mark_pending([article], [article.content_hash()])
    catalog.commit_paragraphs({article.id: paragraphs})
    with catalog.transaction() as conn:
        replace_statements(conn, article.id, statements)
    return statements


@pytest.fixture
def store(open_catalog: OpenCatalog) -> StatementStore:
    catalog = open_catalog()
    _index(
        catalog,
        _article(
            "Volodymyr Zelensky said the front held near Pokrovsk.\n"
            "Officials said power was restored.",
            "k1",
            "2024-03-01",
        ),
    )
    _index(
        catalog,
        _article(
            "President Volodymyr Zelenskiy said talks on grain exports would resume.",
            "k2",
            "2024-05-01",
        ),
    )
    _index(
        catalog, _article("Zelenskyy said winter would be hard for the grid.", "k3", "2024-01-15")
    )
    return StatementStore(catalog)


def test_speakers_merge_variants_with_counts(store: StatementStore) -> None:
    top = store.speakers()[0]
    assert (top.key, top.statements, top.articles, top.kind) == (
        "volodymyr zelensky",
        3,
        3,
        "person",
    )
    assert [s.key for s in store.speakers(search="offic")] == ["officials"]


def test_statements_by_speaker_ordered_and_paged(store: StatementStore) -> None:
    dates = [s.published for s in store.statements_by_speaker("Zelenskyy")]
    assert dates == ["2024-05-01", "2024-03-01", "2024-01-15"]
    page = store.statements_by_speaker("volodymyr zelensky", limit=1, offset=1)
    assert [s.article_id for s in page] == ["k1"]
    oldest = store.statements_by_speaker("Zelensky", limit=1, newest_first=False)
    assert [s.article_id for s in oldest] == ["k3"]


def test_statements_by_speaker_topic_and_filters(store: StatementStore) -> None:
    assert [s.article_id for s in store.statements_by_speaker("Zelensky", topic="grain")] == ["k2"]
    assert store.statements_by_speaker("Zelensky", topic="submarines") == []
    march_on = SearchFilters(published_from="2024-02-01")
    assert {s.article_id for s in store.statements_by_speaker("Zelensky", filters=march_on)} == {
        "k1",
        "k2",
    }


def test_reindex_replaces_statements(store: StatementStore) -> None:
    _index(store.catalog, _article("Officials said the bridge reopened.", "k1", "2024-03-01"))
    assert [s.article_id for s in store.statements_by_speaker("Zelensky")] == ["k2", "k3"]
    officials = store.statements_by_speaker("officials")
    assert [s.content for s in officials] == ["the bridge reopened"]
    assert store.statements_by_speaker("officials", topic="power") == []


def _said(text: str) -> list[tuple[str, str, str]]:
    return [(s.speaker, s.content, s.mode) for s in _extract(text)]


@pytest.mark.parametrize(
    "text",
    [
        "“The dam will hold,” Mayor Jane Ortiz said Monday.",
        "“The dam will hold,” Jane Ortiz told reporters in October.",
        "“The dam will hold,” Jane Ortiz said after the meeting.",
        "“The dam will hold,” said Jane Ortiz, the mayor.",
    ],
)
def test_a_quote_before_the_speaker_is_what_was_said_verbatim(text: str) -> None:
    assert _said(text) == [("Jane Ortiz", "“The dam will hold,”", "direct")]


@pytest.mark.parametrize(
    "text",
    [
        "Jane Ortiz said Monday that the dam would hold.",
        "Jane Ortiz said Monday the dam would hold.",
        "Jane Ortiz said on Feb. 6 that the dam would hold.",
        "Jane Ortiz said last week the dam would hold.",
        "Jane Ortiz told reporters the dam would hold.",
        "Jane Ortiz told a local TV station that the dam would hold.",
        "Jane Ortiz said in a statement that the dam would hold.",
    ],
)
def test_the_time_and_whom_it_was_told_are_not_what_was_said(text: str) -> None:
    assert _said(text) == [("Jane Ortiz", "the dam would hold", "reported")]


def test_a_quote_after_the_time_is_what_was_said() -> None:
    text = "Rep. Jamie Raskin of Maryland, who leads the panel, said Thursday, “We will act.”"
    assert _said(text) == [("Jamie Raskin", "“We will act.”", "direct")]


def test_a_quote_split_around_its_clause_is_two_statements_of_one_speaker() -> None:
    text = "Jane Ortiz said the dam was safe. “It was close,” she said, “but we held.”"
    assert _said(text) == [
        ("Jane Ortiz", "the dam was safe", "reported"),
        ("Jane Ortiz", "“It was close,”", "direct"),
        ("Jane Ortiz", "“but we held.”", "direct"),
    ]


def test_a_first_person_quote_is_the_speakers_not_i() -> None:
    assert _said("“I believe the dam will hold,” Jane Ortiz said.") == [
        ("Jane Ortiz", "“I believe the dam will hold,”", "direct")
    ]


def test_initials_stay_part_of_the_name() -> None:
    assert _said("J.B. Pritzker said the parade would go on.") == [
        ("J.B. Pritzker", "the parade would go on", "reported")
    ]


def test_an_articles_first_he_said_is_the_person_named_before() -> None:
    text = "Jane Ortiz toured the dam on Monday.\n“It will hold,” she said."
    assert _said(text) == [("Jane Ortiz", "“It will hold,”", "direct")]


def test_he_is_never_a_pair_of_people() -> None:
    text = (
        "Jane Ortiz and Tom Byrne said the dam held. Tom Byrne, the engineer, spoke later. "
        "“It is safe,” he said."
    )
    assert _said(text)[-1] == ("Tom Byrne", "“It is safe,”", "direct")


def test_a_news_outlet_is_an_organisation() -> None:
    (statement,) = _extract("USA Today reported that the dam held.")
    assert (statement.speaker, statement.kind) == ("USA Today", "organisation")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("The Kremlin said the talks had failed.", "organisation"),
        ("Ukraine’s defence ministry said the bridge was hit.", "organisation"),
        ("The report said the bridge was hit.", "other"),
        ("Ukrainian officials said the bridge was hit.", "person"),
    ],
)
def test_speakers_are_typed_person_organisation_or_other(text: str, kind: str) -> None:
    assert [s.kind for s in _extract(text)] == [kind]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "“We stand with you,” Kamala Harris said, adding that the state would help.",
            [
                ("Kamala Harris", "“We stand with you,”", "direct"),
                ("Kamala Harris", "the state would help", "reported"),
            ],
        ),
        (
            "Jane Ortiz said the dam held, noting that repairs were finished.",
            [
                ("Jane Ortiz", "the dam held", "reported"),
                ("Jane Ortiz", "repairs were finished", "reported"),
            ],
        ),
    ],
)
def test_adding_that_is_a_second_statement_of_the_same_speaker(
    text: str, expected: list[tuple[str, str, str]]
) -> None:
    assert _said(text) == expected


def test_the_organisation_named_before_is_what_the_committee_means() -> None:
    text = (
        "“Tickets are sold out,” the Beijing Organizing Committee said on Monday.\n"
        "“Fans must wear masks,” the committee said."
    )
    assert [speaker for speaker, _, _ in _said(text)] == ["Beijing Organizing Committee"] * 2


def test_of_two_people_named_together_the_surname_finds_the_right_one() -> None:
    text = "Andrew Holness and Floyd Green toured the coast.\nGreen said most homes were hit."
    assert _said(text) == [("Floyd Green", "most homes were hit", "reported")]


def test_a_paragraph_that_is_one_quotation_continues_the_speaker_before() -> None:
    text = "“The dam will hold,” Jane Ortiz said on Monday.\n“We have never been so ready.”"
    assert [(s.paragraph_number, s.speaker, s.content) for s in _extract(text)] == [
        (0, "Jane Ortiz", "“The dam will hold,”"),
        (1, "Jane Ortiz", "“We have never been so ready.”"),
    ]


def test_a_quotation_alone_after_an_unattributed_paragraph_is_nobodys() -> None:
    text = "The storm moved north overnight.\n“We have never been so ready.”"
    assert _extract(text) == []


def test_a_quote_opened_curly_and_closed_straight_is_still_a_quote() -> None:
    text = '“I believe the dam will hold," Jane Ortiz said. "Even so, we will watch it."'
    assert _said(text) == [
        ("Jane Ortiz", '“I believe the dam will hold,"', "direct"),
        ("Jane Ortiz", '"Even so, we will watch it."', "direct"),
    ]


@pytest.mark.parametrize(
    ("text", "organisation"),
    [
        (  # an acronym in brackets stands for the full name
            "The International Olympic Committee (IOC) met on Monday.\n"
            "Only teams with a record could apply, the IOC said.",
            "International Olympic Committee",
        ),
        (  # "the university" is the university named before
            "The University of Kansas has begun returning the remains.\n"
            "The work will take years, the university said.",
            "University of Kansas",
        ),
    ],
)
def test_a_short_name_finds_the_organisation_named_before(text: str, organisation: str) -> None:
    assert [speaker for speaker, _, _ in _said(text)] == [organisation]


@pytest.mark.parametrize(
    ("text", "speaker", "kind"),
    [
        (
            "The judge ruled on Monday, people briefed on the matter said.",
            "people briefed on the matter",
            "person",
        ),
        (
            "Talks will resume, sources familiar with the plan said.",
            "sources familiar with the plan",
            "person",
        ),
        (
            "“We hold the line,” tweeted Pennsylvania Republican Scott Perry.",
            "Scott Perry",
            "person",
        ),
        ("“Do we want the cars or the people?” Peter Moor asked.", "Peter Moor", "person"),
    ],
)
def test_speakers_described_named_or_asking(text: str, speaker: str, kind: str) -> None:
    assert [(s.speaker, s.kind) for s in _extract(text)] == [(speaker, kind)]


def test_an_adverb_between_the_speaker_and_the_cue() -> None:
    assert _said("NASA initially announced that the crew would stay.") == [
        ("NASA", "the crew would stay", "reported")
    ]


def test_a_party_word_refers_to_the_person_and_a_clause_opener_is_no_name() -> None:
    text = (
        "Nancy Pelosi said the vote would pass.\n"
        "“Of course it will,” the California Democrat said.\n"
        "When Ronald Reagan spoke, “We are ready,” Jane Ortiz said."
    )
    assert [speaker for speaker, _, _ in _said(text)] == [
        "Nancy Pelosi",
        "Nancy Pelosi",
        "Jane Ortiz",
    ]


def test_a_led_compound_names_no_one() -> None:
    assert _extract("The Democrat-led panel said the vote would pass.") == []
    text = "Tom Cover, a farmer, spoke. The Democrat-led county is flooded, he said."
    assert [speaker for speaker, _, _ in _said(text)] == ["Tom Cover"]


def test_a_country_speaks_as_an_organisation_and_a_surname_like_jordan_stays_a_person() -> None:
    (statement,) = _extract("Israel said the strikes would continue.")
    assert (statement.speaker, statement.kind) == ("Israel", "organisation")
    statements = _extract("Rep. Jim Jordan opened the hearing. Jordan said it would be long.")
    assert [(s.speaker, s.kind) for s in statements] == [("Jim Jordan", "person")]


def test_a_clause_after_the_cue_is_what_was_said_not_an_inverted_speaker() -> None:
    text = (
        "Lee Olsen, general manager of a diner, conceded the city could reduce the speed limit "
        "through the Twin Pairs."
    )
    assert [s.speaker for s in _extract(text)] == ["Lee Olsen"]


def test_a_cue_that_opens_the_sentence_gives_the_quotation_after_the_speaker() -> None:
    text = "Added former Gov. Tom Kean: “He was one of the best governors.”"
    assert _said(text) == [("Tom Kean", "“He was one of the best governors.”", "direct")]


def test_a_website_speaks_under_its_whole_name_as_an_organisation() -> None:
    (statement,) = _extract("The dam held, according to Chabad.org.")
    assert (statement.speaker, statement.kind) == ("Chabad.org", "organisation")


def test_a_name_after_a_possessive_description_is_the_speaker() -> None:
    text = "Harry's lawyer, David Sherborne, said the publisher had agreed to pay damages."
    assert [s.speaker for s in _extract(text)] == ["David Sherborne"]


def test_a_quotation_ending_in_a_comma_after_an_attributed_one_is_the_same_speakers() -> None:
    text = (
        "Jane Ortiz toured the dam. “It will hold,” she said. “We tested it in every season,” "
        "including “three floods in one year.”"
    )
    quotes = [s.content for s in _extract(text) if s.speaker == "Jane Ortiz"]
    assert "“We tested it in every season,”" in quotes


def test_a_preposition_opening_the_sentence_is_no_speaker() -> None:
    assert _extract("Amid reports that the dam leaked, the town stayed calm.") == []
