"""The chat's HTML and text helpers, without a browser: each answer's sources with ids for its
[n] links, refusals marked as related passages, a passage's metadata, "Searched for"."""

from __future__ import annotations

from typing import Any

from qa.models import Answer, Citation, Passage
from ui.web.app import chat_text
from ui.web.sources import EMPTY, REFUSED, passages_html, sources_html, sources_panel


def citation(n: int, **fields: Any) -> Citation:
    text = "Before. The quoted sentence. After."
    return Citation(n=n, article_id="a", title="A title", paragraph=2, paragraph_text=text,
                    quote="The quoted sentence.", span=(8, 28), score=1.0,
                    **fields)  # fmt: skip


def passage(rank: int, **fields: Any) -> Passage:
    return Passage(rank=rank, article_id="a", paragraph_id=f"a#{rank}", title="Close one",
                   paragraph=rank, text="Near <b>but</b> not it.", score=0.1,
                   **fields)  # fmt: skip


def found(*citations: Citation, question: str = "q?", rewritten: str = "q?") -> Answer:
    return Answer(question=question, rewritten=rewritten, answer="The quoted sentence. [1]",
                  found=True, citations=list(citations))  # fmt: skip


def refused(*related: Passage, question: str = "q?", rewritten: str = "q?") -> Answer:
    return Answer(question=question, rewritten=rewritten, found=False,
                  answer="No indexed article answers this question.",
                  related=list(related))  # fmt: skip


def test_each_citation_has_an_id_of_its_answer_and_number() -> None:
    html = sources_html(found(citation(1), citation(2)), 3)
    assert 'id="nd-s3-1"' in html and 'id="nd-s3-2"' in html
    assert "<mark>The quoted sentence.</mark>" in html
    assert "Cited passages" in html and "2 sources" in html and "Answer 3: “q?”" in html
    assert "1 source<" in sources_html(found(citation(1)), 1)


def test_a_passage_shows_title_outlet_date_and_a_link_to_the_original() -> None:
    cited = citation(
        1, url="https://news.example/a?x=1&y=2", published="2024-05-03", source="Example Times"
    )
    html = sources_html(found(cited), 1)
    assert 'href="https://news.example/a?x=1&amp;y=2"' in html and ">A title</a>" in html
    assert "2024-05-03 · Example Times · paragraph 2 · <a" in html and "original ↗</a>" in html
    # no link for what is not a web address, and nothing made up for unknown fields
    html = sources_html(found(citation(1, url="file:///etc/passwd")), 1)
    assert "href" not in html and '<div class="nd-meta">paragraph 2</div>' in html


def test_a_refusal_marks_the_closest_passages_as_related_not_sources() -> None:
    html = sources_html(refused(passage(1), passage(2)), 2)
    assert REFUSED in html and "Cited passages" not in html
    assert html.count('class="nd-passage nd-related"') == 2
    assert html.count("related, not a source") == 2 and 'id="nd-r2-1"' in html
    assert "Near &lt;b&gt;but&lt;/b&gt; not it." in html and "<b>but</b>" not in html
    assert "Nothing found" in sources_html(refused(), 1)
    assert passages_html(refused(passage(1))) == sources_html(refused(passage(1)), 1)


def test_the_panel_keeps_every_answers_sources_and_shows_the_latest() -> None:
    assert sources_panel([]) == EMPTY
    turns = [{"question": "a", "sources": "<p>one</p>"}, {"question": "b", "sources": "<p>two</p>"}]
    html = sources_panel(turns)
    assert '<div class="nd-sources" id="nd-answer-1" data-answer="1" hidden><p>one</p>' in html
    assert '<div class="nd-sources" id="nd-answer-2" data-answer="2"><p>two</p>' in html


def test_a_rewritten_follow_up_shows_what_was_searched() -> None:
    asked = found(citation(1), question="And Kupiansk?", rewritten="What about *Kupiansk*?")
    text = chat_text(asked)
    assert text.startswith("*Searched for: What about \\*Kupiansk\\*?*\n\nThe quoted sentence.")
    # not when the search was the question itself (spacing and case aside)
    assert "Searched for" not in chat_text(found(citation(1), question="Q  ?", rewritten="q ?"))


def test_a_refusal_says_no_article_answers_and_where_the_related_passages_are() -> None:
    text = chat_text(refused(passage(1)))
    assert text.endswith(f"*{REFUSED}: the closest passages are shown as related, not as sources.*")
    assert chat_text(refused()).endswith(f"*{REFUSED}.*")


def test_a_source_other_articles_carried_lists_them_linked_once_each() -> None:
    from qa.models import AlsoIn

    also = [
        AlsoIn(article_id="b", title="Copy", source="Daily <News>", url="https://d.test/b"),
        AlsoIn(article_id="c", title="Same outlet, other page", source="Wire"),
        AlsoIn(article_id="d", title="Another copy", source="Daily <News>"),
    ]
    html = sources_html(found(citation(1, source="Wire", also_in=also)), 1)
    assert (
        '<div class="nd-meta nd-also">Also in: <a href="https://d.test/b" target="_blank"'
        ' rel="noopener">Daily &lt;News&gt;</a>, “Same outlet, other page”</div>'
    ) in html
    assert "nd-also" not in sources_html(found(citation(1)), 1)
    related = passages_html(refused(passage(1, also_in=also[:1])))
    assert "Also in: <a" in related
