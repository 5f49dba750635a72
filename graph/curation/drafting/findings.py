"""Reading one sentence: is it a finding, which way does it point, what shape, what conditions.

A sentence is scored from general cues of research reporting (`cues.yaml`): a report verb
("found", "revealed"), effect and result words ("associated", "improved", "effective"),
comparatives ("better", "more … than"), null phrases ("did not differ"), shape cues; and marked
down for what findings are not: questions, instructions to the reader, descriptions of a
document, hypotheticals and hedges.
Every cue that fired is kept, so a curator sees why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ...base.records import Polarity
from .lexicon import Lexicon, find_all_phrases
from .nlp import Sentence, Token

FINDING_SCORE = 3.0
"""A sentence scoring at least this is a finding."""

STOP = frozenset(
    """a an the of in on at to for from by with and or but that which who whom whose this these
    those it its their his her they them there was were is are be been being had has have did do
    does not no than as into over under about after before when while where whether if so such
    also only more most less least very much many some any all both either neither each other
    same own can could may might would should will shall must one two three us""".split()
)


_SOURCES = frozenset(
    {"study", "trial", "review", "evaluation", "analysis", "survey", "meta-analysis"}
)
_REPORTERS = frozenset({"author", "researcher", "reviewer", "evaluator", "investigator"})
_DETERMINERS = frozenset({"the", "a", "an", "these", "those", "all", "this", "that"})
_CITATION = re.compile(
    r"\((?:\d{1,2} )*\d{1,2}\)|\((?:study|review|studies|trial)[^)]{0,20} above\)"
)
_REFERENCE_WORDS = frozenset({"listed", "above", "below", "so", "too", "here", "there", "again"})
"""Words that point at another passage ("the review listed above suggests so"): no content."""
_INTENSIFIERS = frozenset({"especially", "particularly", "only", "most", "marked", "even"})
_MODERATOR_WORDS = 20
"""At most this many words of a moderator clause."""
_CLAUSE_WORDS = frozenset(
    {"but", "and", "or", "yet", "while", "whereas", "although", "though", "because", "which",
     "who", "whom", "so", "then", "when", "if", "unless"}
)  # fmt: skip
"""Words that open a new clause: a comma before them ends a clause."""
_CONTRASTS = frozenset({"but", "yet", "whereas", "although", "though", "while"})
"""Words that set one clause against another."""
_SUBJECT_ENDS = _CONTRASTS | {"because", "unless", "if", "only"}
"""Words after which a sentence's subject cannot go on (a condition or a contrast starts)."""
_FRAME_NOUNS = frozenset({"finding", "conclusion", "result", "message", "lesson", "implication"})
"""Nouns that frame a finding: "the finding was that …", "its message is that …"."""
_DISCOURSE = frozenset(
    {"even", "instead", "despite", "across", "what", "also", "however", "clearly", "typically",
     "indeed", "moreover", "overall", "thus", "therefore", "still", "again", "yet"}
)  # fmt: skip
"""Discourse words that open a sentence but are no part of its subject."""
_NOT_ADVERBS = frozenset(
    {"early", "only", "family", "supply", "weekly", "monthly", "daily", "elderly"}
)
_CLAUSE_END = frozenset({",", ";", ":", ".", "–", "—", "(", ")", "?", "!"})
_RELATIVES = frozenset({"who", "which", "whose", "whom"})
_LEADING_CLAUSES = frozenset(
    {"when", "if", "where", "while", "although", "though", "because", "once", "unless", "after",
     "before", "since", "whereas"}
)  # fmt: skip
"""Words that open a subordinate clause: one leading a sentence is no part of its subject."""
_APPOSITION_WORDS = 12
"""At most this many words between the commas of a clause set off inside a subject."""
_EMPTY_HEADS = frozenset(
    {"effect", "effects", "impact", "impacts", "difference", "differences", "result", "results",
     "finding", "findings", "picture", "evidence", "pattern", "patterns", "gap"}
)  # fmt: skip
"""Nouns that, alone, point back at what another sentence said: no exposure of their own."""
_SETTING_HEADS = frozenset(
    {"setting", "settings", "care", "service", "services", "worker", "workers", "professional",
     "professionals", "staff", "centre", "centres", "center", "centers", "system", "systems",
     "visit", "visits", "clinic", "clinics", "team", "teams", "record", "records", "field",
     "factor", "factors", "support", "programme", "programmes", "program", "programs", "scheme",
     "schemes", "prevention", "intervention", "interventions"}
)  # fmt: skip
"""Nouns an outcome word can modify ("health settings", "employment services", "success
factor", "relapse prevention"): then it names a place, a service, a cause or an intervention,
not an outcome."""
_GOOD_SUPERLATIVES = frozenset({"best", "greatest", "most", "highest", "strongest"})
_LOW_POLES = frozenset({"poor", "poorly", "weak", "low", "lax", "least", "little", "bad", "worst"})
_HIGH_POLES = frozenset(
    {"good", "strong", "high", "diligent", "most", "much", "best", "especially", "very", "top"}
)


@dataclass(frozen=True)
class Reading:
    """What the drafter read in one sentence."""

    finding: bool
    score: float
    polarity: Polarity
    shape: str
    cues: tuple[str, ...]
    hedged: bool = False
    moderators: tuple[str, ...] = ()
    population: str | None = None
    exposure: str = ""
    outcome: str = ""
    content: frozenset[str] = field(default_factory=frozenset)
    """Content lemmas, for grouping the same finding stated twice."""
    balance: int = 0
    """Better words minus worse words (negation taken into account)."""


_FIGURE = re.compile(r"\b\d+(?:\.\d+)?\s?(?:%|per\s?cent\b)")
"""A proportion as printed: "41%", "23 per cent"."""


def _versus(lowers: Sequence[str], k: int) -> bool:
    """Whether a comparison opens at `k`: "compared with/to", "relative to", "versus", "vs"."""
    return lowers[k] in {"versus", "vs"} or (
        lowers[k] in {"compared", "relative"} and lowers[k + 1 : k + 2] in (["with"], ["to"])
    )


_FINITE_BE = frozenset({"was", "were", "is", "are"})
_COPULAS = _FINITE_BE | {"proved", "proves", "remained", "remains"}
"""Finite verbs that state a verdict of their subject: "was effective", "proved harmful" (not
"could have been harmful", "to be effective")."""
_FARE_VERBS = frozenset({"do", "work", "fare", "perform", "respond", "cope", "function"})
"""Verbs that say how a group fared, before "better" or "worse"."""
_ALL_OF = frozenset({"every", "all", "both", "each"})
_MULTIPLIERS = frozenset({"twice", "thrice", "times", "half"})
"""Words before "as … as" that make it a comparison: "twice as likely", "three times as long"."""
_ASSIGNED = frozenset({"randomise", "randomize", "assign", "allocate"})
"""Verbs that put people in a trial's arm: "those randomised to X"."""
_MODALS = frozenset({"to", "could", "would", "might", "may", "should", "must", "can", "will"})


def _quantity(lowers: Sequence[str], lemmas: Sequence[str], i: int, people: frozenset[str]) -> bool:
    """Whether the comparative at `i` counts rather than compares: "most patients", "most of
    the", "at most", "at least"."""
    before = lowers[i - 1] if i > 0 else ""
    if lowers[i] in {"most", "least"} and before == "at":
        return True
    if lowers[i] != "most" or before in _DETERMINERS or i + 1 >= len(lowers):
        return False
    return lowers[i + 1] == "of" or lowers[i + 1] in people or lemmas[i + 1] in people


_NOUN_LIKE_REPORTS = frozenset({"support", "report", "find", "judge"})
"""Report verbs whose bare form is as often a noun ("peer support group", "a report")."""
_NOUN_BEFORE = (_DETERMINERS - {"that"}) | {
    "with", "of", "for", "in", "on", "without", "their", "its", "his", "her", "our", "your",
}  # fmt: skip
"""Words before which a bare "support" or "report" is a noun ("with psychosocial support"; not
"that": "trials that support it")."""


def _noun_use(
    i: int, lowers: Sequence[str], lemmas: Sequence[str], tokens: Sequence[Token]
) -> bool:
    """Whether the bare report word at `i` ("support", "report", "find", "judge") is a noun
    for certain: after a determiner or preposition ("with support", "a report of"), before a
    verb ("housing support is …"), or ending its clause ("… with psychosocial support.")."""
    if lowers[i] != lemmas[i] or lemmas[i] not in _NOUN_LIKE_REPORTS:
        return False
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    return (
        following is None
        or following.text in _CLAUSE_END
        or following.lower in _FINITE_BE | {"has", "had"}  # "housing support is …"
        or (i > 0 and lowers[i - 1] in _NOUN_BEFORE)
    )


def _is_word(token: Token) -> bool:
    return token.word


def _span_text(tokens: Sequence[Token], sentence: Sentence) -> str:
    if not tokens:
        return ""
    start = tokens[0].start - sentence.start
    last = tokens[-1]
    end = last.start + len(last.text) - sentence.start
    # A quotation the span opens and the page closes right after it: keep the closing mark.
    for opening, closing in (("‘", "’"), ("“", "”")):
        if sentence.text[end : end + 1] == closing and opening in sentence.text[start:end]:
            end += 1
    return " ".join(sentence.text[start:end].split())


def _clause_after(
    tokens: Sequence[Token], index: int, limit: int = 14, *, commas: bool = False
) -> list[Token]:
    """The tokens from `index` up to the end of the clause (punctuation), at most `limit` words.

    With `commas`, a comma inside a short clause that the next word continues (not a function
    word, not a capital: "a well structured, bona fide treatment") does not end it.
    """
    found: list[Token] = []
    rest = list(tokens[index:])
    for k, token in enumerate(rest):
        if token.text in _CLAUSE_END:
            following = rest[k + 1] if k + 1 < len(rest) else None
            if (
                commas
                and token.text == ","
                and following is not None
                and following.word
                and following.lower not in STOP
                and following.lower not in _CLAUSE_WORDS
                and following.text[:1].islower()
                and len(found) < 8
            ):
                continue
            break
        found.append(token)
        if len(found) >= limit:
            break
    return found


def _trim_end(tokens: list[Token]) -> list[Token]:
    """`tokens` without trailing function words and punctuation."""
    while tokens and (tokens[-1].lower in STOP or not _is_word(tokens[-1])):
        tokens = tokens[:-1]
    return tokens


_QUOTE_PAIRS = (("“", "”"), ("‘", "’"), ('"', '"'))


def _balanced(text: str) -> str:
    """`text` with an unpaired opening or closing quotation mark at either end removed (a span
    cut out of a quotation), and stray quotes and brackets at its ends stripped."""
    text = text.strip()
    for _ in range(3):
        before = text
        for opening, closing in _QUOTE_PAIRS:
            if opening == closing:
                if text.count(opening) % 2:
                    text = (
                        text.strip(opening).strip()
                        if text[:1] == opening or text[-1:] == opening
                        else text
                    )
                continue
            opened, closed = text.count(opening), text.count(closing)
            # ’ doubles as an apostrophe: only a quote at the very end or start counts
            if opened > closed and text[:1] == opening:
                text = text[1:].strip()
            elif closed > opened and text[-1:] == closing and opening != "‘":
                text = text[:-1].strip()
            elif (
                opening == "‘"
                and opened > text.count(closing) - _apostrophes(text)
                and text[:1] == opening
            ):
                text = text[1:].strip()
            elif opened > closed and opening in text and text.rfind(opening) > text.rfind(closing):
                cut = text.rfind(opening)
                rest = text[cut + 1 :].strip()
                # an opening quote left unclosed inside the span: drop the quote mark only
                text = (text[:cut] + rest).strip() if rest else text[:cut].strip()
        text = text.strip(" ,;:–—(")
        if text == before:
            break
    return " ".join(text.split())


def _apostrophes(text: str) -> int:
    """Right single quotes used as apostrophes (between letters: "clients’ own", "don’t")."""
    return len(re.findall(r"\w’\w|s’(?=\s|$)", text))


def _trim(tokens: list[Token]) -> list[Token]:
    """`tokens` without leading and trailing function words."""
    while tokens and tokens[0].lower in STOP:
        tokens = tokens[1:]
    while tokens and (tokens[-1].lower in STOP or not _is_word(tokens[-1])):
        tokens = tokens[:-1]
    return tokens


def read_sentence(sentence: Sentence, lex: Lexicon, *, full: bool = False) -> Reading:
    """Score `sentence` as a finding and read its polarity, shape, conditions and terms.

    A sentence without enough cues to be a finding is left early unless `full` is set.
    """
    tokens = [t for t in sentence.tokens if _is_word(t) or t.text in _CLAUSE_END]
    n = len(tokens)
    lowers = [t.lower for t in tokens]
    lemmas = [t.lemma for t in tokens]
    index = lex.index
    empty: frozenset[str] = frozenset()
    at: dict[str, list[int]] = {}
    for i in range(n):
        names = index.get(lowers[i], empty)
        if lemmas[i] != lowers[i]:
            names = names | index.get(lemmas[i], empty)
        for name in names:
            at.setdefault(name, []).append(i)
    w = lex.words
    cues: list[str] = []
    score = 0.0

    def listed(name: str) -> list[str]:
        return list(dict.fromkeys(lowers[i] for i in at.get(name, ())))

    # Report verbs as acts of reporting: not "to find", not a participle ("supporting services").
    report = [
        i
        for i in at.get("report_verbs", ())
        if (i == 0 or lowers[i - 1] != "to")
        and not lowers[i].endswith("ing")
        and not _noun_use(i, lowers, lemmas, tokens)
    ]
    effect = at.get("effect_words", [])
    result = at.get("result_words", [])
    people = w["research_words"]
    comparative = [
        i for i in at.get("comparatives", ()) if not _quantity(lowers, lemmas, i, people)
    ]
    positives = at.get("positive_words", [])
    negatives = at.get("negative_words", [])
    phrases = find_all_phrases(lowers, lemmas, lex)
    # "twice as likely", "three times as long": a comparison, not a no-difference "as … as"
    multiplied = [i for i in range(1, n - 1) if lowers[i] == "as" and lowers[i - 1] in _MULTIPLIERS]
    nulls = [(i, p) for i, p in phrases.get("null_phrases", []) if i not in multiplied]
    neither = next((i for i in range(n) if lowers[i] == "neither"), None)
    if neither is not None:
        # "Neither X nor Y improved on Z", "neither group improved": no effect, as a
        # no-difference phrase says
        ends = next((k for k in range(neither, n) if tokens[k].text in _CLAUSE_END), n)
        if any(k in effect or k in positives for k in range(neither + 1, ends)):
            nulls.append((neither, ("neither", "…")))
    if report:
        score += 2.0
        cues.append("finding word: " + ", ".join(dict.fromkeys(lowers[i] for i in report)))
    if effect:
        score += 1.5 + (0.5 if len(effect) > 1 else 0.0)
        cues.append("effect word: " + ", ".join(listed("effect_words")))
    if result:
        score += 1.0 + (0.5 if len({lemmas[i] for i in result}) > 1 else 0.0)
        cues.append("result word: " + ", ".join(listed("result_words")))
    if comparative:
        score += 1.0
        cues.append("comparison: " + ", ".join(listed("comparatives")))
        than = next((lowers[i] for i in comparative if "than" in lowers[i + 1 : i + 10]), None)
        likely = next(
            (lowers[i] for i in comparative if lowers[i + 1 : i + 3] == ["likely", "to"]), None
        )
        if than is not None:
            score += 1.0
            cues.append(f"comparison: {than} … than")
            if likely is not None:  # "X were more likely to stay than Y": groups compared
                score += 0.5
                cues.append(f"comparison: {likely} likely to … than")
        elif likely is not None:
            score += 1.0
            cues.append(f"comparison: {likely} likely to")
    if multiplied:
        score += 2.0
        cues.append(f"comparison: {lowers[multiplied[0] - 1]} as …")
    versus = next((k for k in range(n - 1) if _versus(lowers, k)), None)
    if not comparative and versus is not None:
        said = lowers[versus]
        if said in {"compared", "relative"}:
            said += " " + lowers[versus + 1]
        if len(_FIGURE.findall(sentence.text)) >= 2:
            # "41% were abstinent compared with 23%": figures compared stand for a comparative
            score += 3.0
            cues.append(f"comparison: figures {said}")
        elif effect:  # "reduced heavy drinking compared to placebo": an effect against a control
            score += 1.0
            cues.append(f"comparison: an effect {said}")
    verdicts = w["result_words"] & (w["positive_words"] | w["negative_words"])
    verdict = next(
        (
            lowers[k]
            for i in range(1, n)
            if lowers[i] in _COPULAS and _MODALS.isdisjoint(lowers[max(0, i - 2) : i])
            for k in range(i + 1, min(n, i + 3))
            if lowers[k] in verdicts
        ),
        None,
    )
    if verdict is not None:  # "disulfiram was effective …": a result stated of its subject
        score += 1.0
        cues.append(f"result stated: {verdict}")
    if nulls:
        score += 1.5
        cues.append("no-difference: " + "; ".join(dict.fromkeys(" ".join(p) for _, p in nulls)))
        if any(
            p[:3] == ("as", "likely", "to") and "as" in lowers[i + 3 : i + 15] for i, p in nulls
        ):
            score += 1.0  # "X were as likely to stay as Y": groups compared, and no difference
            cues.append("comparison: as likely to … as")
    if "research_words" in at:
        score += 0.5
        if any(i < 5 and lemmas[i] in _SOURCES for i in at["research_words"]):
            score += 0.5
            cues.append("names its source: " + next(
                lowers[i] for i in at["research_words"] if i < 5 and lemmas[i] in _SOURCES
            ))  # fmt: skip
    arm = _arm(tokens, people)
    if arm is not None:  # "those randomised to X did …", "patients given Y …": arms compared
        score += 1.5
        cues.append(f"names a trial arm: {' '.join(lowers[arm[1] : arm[0]])}")
    if positives or negatives:
        score += 0.5
    # An effect verb that happened ("reduced drop-out", "improved retention") on an outcome.
    moves = w["increase_words"] | w["decrease_words"]
    changes = moves | w["positive_words"] | w["negative_words"]

    def bears_on_outcome(i: int) -> bool:
        """Whether an outcome word follows the verb at `i` within two words ("cut crime",
        "predicted later drinking")."""
        return any(
            lemmas[k] in w["outcome_words"] or _adverse(lowers, lemmas, k, w)
            for k in range(i + 1, min(n, i + 3))
        )

    happened = [
        i
        for i in effect
        if (
            lowers[i] != lemmas[i]
            and lowers[i].endswith(("ed", "es", "s"))
            and (lemmas[i] in changes or (lowers[i].endswith("ed") and bears_on_outcome(i)))
        )
        or (  # "cut crime": a verb of change, as written, right before what it changed
            lemmas[i] in changes
            and lowers[i] == lemmas[i]
            and (i == 0 or lowers[i - 1] != "to")
            and bears_on_outcome(i)
        )
    ]
    compares = comparative or multiplied
    if (compares or happened) and (result or "outcome_words" in at or "uptake_words" in at):
        score += 0.5
    acted = next((lowers[i] for i in happened if bears_on_outcome(i)), None)
    if acted is not None:  # "cut crime", "reduced relapse": an effect on a named outcome
        score += 0.5
        cues.append(f"effect on an outcome: {acted}")
    moved = next(
        (
            (lowers[k], lowers[j])
            for k in range(n)
            if lemmas[k] in w["outcome_words"] or _adverse(lowers, lemmas, k, w)
            for j in range(k + 1, min(n, k + 5))
            if tokens[j].text not in _CLAUSE_END
            and _past_verb(tokens[j])
            and lemmas[j] in moves
            and _CLAUSE_END.isdisjoint(lowers[k:j])
            and {"and", "or"}.isdisjoint(lowers[k:j])
            and not bears_on_outcome(j)  # "deaths rose", not "… and reduced relapse"
        ),
        None,
    )
    if moved is not None:  # "overdose deaths among those discharged rose": an outcome changed
        score += 1.0
        cues.append(f"an outcome changed: {moved[0]} … {moved[1]}")
    fared = next(
        (
            i
            for i in comparative
            if lowers[i] in {"better", "worse"}
            and i > 0
            and (lemmas[i - 1] in _FARE_VERBS or _past_verb(tokens[i - 1]))
        ),
        None,
    )
    if fared is not None:  # "worked better", "did worse": how a group fared
        score += 1.0
        cues.append(f"comparison: {lowers[fared - 1]} {lowers[fared]}")
    if score + 1.0 < FINDING_SCORE and not full:
        return Reading(False, round(score, 2), "positive", "", tuple(cues))

    # --- not a finding ---------------------------------------------------------------------
    text = sentence.text.strip()
    words = [t for t in tokens if _is_word(t)]
    lead = 0
    while lead < n and (
        lowers[lead] in {"but", "and", "so", "yet", "then"} or not tokens[lead].word
    ):
        lead += 1
    if any(" ".join(lowers[lead : lead + k]) in lex.starts for k in (1, 2, 3)):
        reported = bool(report) or any(
            lemmas[i] == "finding" and i + 1 < n and lowers[i + 1] == "that" for i in range(n)
        )
        score -= 1.5 if lead + 1 < n and lowers[lead + 1] == "that" else 2.0 if reported else 4.0
        cues.append("addresses the reader")
    for i in at.get("method_verbs", ()):
        if any(j < i for j in report) or _versus(lowers, i):
            continue  # "found … studies that measured what …", "compared with usual care, …"
        if any(x in {"whether", "if", "how", "what"} for x in lowers[i + 1 : i + 3]) or (
            i < 4 and not report and (i == 0 or lowers[i - 1] not in _DETERMINERS)
        ):
            score -= 2.0
            cues.append("describes a method")
            break
    if text.endswith("?"):
        score -= 3.0
        cues.append("question")
    if (
        words
        and not words[0].lower.endswith("ing")  # "Offering a choice …" is a subject
        and (words[0].lemma in w["description_words"] or words[0].lower in w["description_words"])
    ):
        score -= 2.5
        cues.append("describes a document")
    # ("had to attend daily" tells what was done, not what must be)
    hypothetical = [(i, p) for i, p in phrases.get("hypotheticals", []) if lowers[i] != "had"]
    conditional_start = (
        len(words) > 1 and words[0].lower == "if" and words[1].lower not in {"so", "not"}
    )
    if hypothetical or conditional_start:
        score -= 2.0
        cues.append("hypothetical")
    hedges = [
        i
        for i in at.get("hedges", ())
        if i not in report
        and lowers[i] in w["hedges"]
        and not (
            lowers[i] == "likely"
            and i > 0
            and (lowers[i - 1] in w["comparatives"] or lowers[i - 1] == "as")
        )
    ]
    if hedges:
        score -= min(2.0, 0.75 * len(hedges))
        cues.append("hedge: " + ", ".join(dict.fromkeys(lowers[i] for i in hedges)))
    if any(t.lower in {"you", "your"} for t in words):
        score -= 1.0
    argued = at.get("argument_verbs", [])
    if argued:
        score -= 1.0
        cues.append("argument: " + ", ".join(dict.fromkeys(lowers[i] for i in argued)))
    if _CITATION.search(text):
        score += 1.0
        cues.append("cites sources")
    if len(words) < 6:
        score -= 3.0
    substance = [
        t
        for t in words
        if t.lower not in STOP
        and t.lower not in _REFERENCE_WORDS
        and t.lemma not in w["report_verbs"]
        and t.lemma not in w["research_words"]
        and t.lemma not in w["hedges"]
    ]
    if len(substance) < 2:
        score -= 3.0
        cues.append("says nothing of its own (refers to another sentence)")

    # --- polarity ----------------------------------------------------------------------------
    negations = at.get("negations", [])
    pos, neg, changed_at = _direction(tokens, lowers, lemmas, w, negations, positives, negatives)

    # --- shape -------------------------------------------------------------------------------
    shape = ""
    polarity: Polarity
    present = set(lowers)
    middle = at.get("middle_words", [])
    extremes = phrases.get("both_extremes_phrases", [])
    nonlinear = phrases.get("nonlinear_phrases", [])
    threshold = phrases.get("threshold_phrases", [])
    conditional = [  # not "did not depend on": that is a null
        (i, p)
        for i, p in phrases.get("conditional_phrases", [])
        if not (i > 0 and lowers[i - 1] in {"not", "n't", "never"})
    ]
    linear = phrases.get("linear_phrases", [])
    opposed_poles = bool(present & _LOW_POLES) and bool(present & _HIGH_POLES)
    negated_top = any(
        lowers[i] in _GOOD_SUPERLATIVES
        and lowers[i - 1] in {"very", "the", "top"}
        and any(0 < j - i <= 8 and lowers[j] in {"not", "n't", "never"} for j in negations)
        and bool(set(lowers[i + 2 : i + 14]) & _GOOD_SUPERLATIVES)
        for i in range(1, n)
    )
    starts_change = any(
        lemmas[i] == "start"
        and any(k in at.get("negative_words", ()) or k in positives for k in range(i + 1, i + 4))
        for i in range(n)
    )
    especially = any(
        lowers[i] in {"especially", "particularly"}
        and bool(set(lowers[i + 1 : i + 4]) & {"when", "if", "for", "among", "unless"})
        for i in range(n)
    )
    # "the benefit was greatest among patients who …": how large an effect was, by group
    by_group = next(
        (
            lowers[i]
            for i in comparative
            if i + 2 < n
            and lowers[i + 1] in {"among", "for", "in"}
            and (lowers[i + 2] in {"those", "people"} or lemmas[i + 2] in people)
            and "than" not in lowers[i : i + 12]
        ),
        None,
    )
    # A comparison besides the null phrase (not "the longer one"); and one set against it
    # ("better at first, yet later the same"): the difference holds only in one condition.
    compared = [
        i
        for i in comparative
        if all(i not in range(start, start + len(phrase)) for start, phrase in nulls)
        and (i == 0 or lowers[i - 1] not in _DETERMINERS)
    ]
    null_at = frozenset(start for start, _ in nulls)
    differs = [  # not "every group cut its drinking": a change shared by all is no difference
        *compared,
        *(
            i
            for i in changed_at
            if i not in null_at and _ALL_OF.isdisjoint(lowers[max(0, i - 3) : i])
        ),
    ]
    contrasted = next(
        (
            lowers[k]
            for k in range(n)
            if lowers[k] in _CONTRASTS
            and differs
            and null_at
            and (min(differs) < k < max(null_at) or min(null_at) < k < max(differs))
        ),
        None,
    )
    if (
        nonlinear
        or (middle and present & _GOOD_SUPERLATIVES)
        or (extremes and neg and opposed_poles)
    ):
        shape = "inverted-u"
        named = [*(lowers[i] for i in middle), *(" ".join(p) for _, p in extremes + nonlinear)]
        cues.append("shape inverted-u: " + "; ".join(dict.fromkeys(named)))
    elif negated_top:
        shape = "inverted-u"
        cues.append("shape inverted-u: the top of the range does not do best")
    elif threshold or starts_change:
        shape = "threshold"
        said = "; ".join(" ".join(p) for _, p in threshold)
        cues.append("shape threshold: " + (said or "starts to get better/worse"))
    elif "inconsistent_phrases" in phrases:
        shape = "inconsistent"
        said = "; ".join(dict.fromkeys(" ".join(p) for _, p in phrases["inconsistent_phrases"]))
        cues.append("shape inconsistent: " + said)
    elif conditional or especially or by_group:
        shape = "conditional"
        said = "; ".join(dict.fromkeys(" ".join(p) for _, p in conditional))
        if not said and by_group:
            said = f"{by_group} among/for some people"
        cues.append("shape conditional: " + (said or "especially/particularly … when"))
    elif nulls and contrasted:
        shape = "conditional"
        cues.append(f"shape conditional: a difference, then none ({contrasted})")
    elif nulls and not compared:
        shape = "null"
    if shape == "inverted-u":
        score += 1.0
    elif shape in ("threshold", "conditional", "inconsistent"):
        score += 0.5

    if shape == "inverted-u":
        polarity = "mixed"
    elif shape == "null" or (shape == "inconsistent" and not pos):
        polarity = "null"
    elif neg > pos:
        polarity = "negative"
    elif (pos == neg and pos > 0 and shape == "conditional") or contrasted:
        polarity = "mixed"
    else:
        polarity = "positive"
    if not shape:
        the_comparatives = sum(
            1 for i in range(n - 1) if lowers[i] == "the" and lowers[i + 1] in w["comparatives"]
        )
        if the_comparatives >= 2 or linear:
            shape = "linear-negative" if polarity == "negative" else "linear-positive"
            cues.append("shape linear: graded wording")
        else:
            shape = "negative" if polarity == "negative" else "positive"
    finding = score >= FINDING_SCORE
    if not finding and not full:
        return Reading(False, round(score, 2), polarity, shape, tuple(cues))

    # --- conditions, people, terms ----------------------------------------------------------
    moderators: list[str] = []
    taken: set[int] = set()
    for i, phrase in sorted(phrases.get("moderator_openers", []), key=lambda x: (x[0], -len(x[1]))):
        if i in taken or (phrase == ("when",) and shape != "conditional"):
            continue
        taken.update(range(i, i + len(phrase)))
        # "especially when X" → "when X"; "depends on X" → "X"; "as long as X" stays whole.
        keep = i
        while keep < i + len(phrase) and lowers[keep] in _INTENSIFIERS:
            keep += 1
        if lowers[keep] in {"depends", "depend", "depending", "confined", "restricted", "limited"}:
            keep = i + len(phrase)
        taken.update(range(keep, i + len(phrase)))
        clause = _clause_after(tokens, i + len(phrase), limit=_MODERATOR_WORDS, commas=True)
        clause = _trim_end(clause)
        if len(clause) >= 2:
            moderators.append(
                _balanced(_span_text([*tokens[keep : i + len(phrase)], *clause], sentence))
            )
    population: str | None = None
    for i, _phrase in phrases.get("population_openers", []):
        clause = _trim(_clause_after(tokens, i + len(_phrase), limit=10))
        if len(clause) >= 2 and any(t.lemma in w["research_words"] for t in clause):
            population = _span_text(clause, sentence)
            break
    openers = frozenset(i for i, _ in phrases.get("moderator_openers", []))
    exposure, outcome = _terms(tokens, lowers, lemmas, lex, sentence, openers, null_at)
    content = frozenset(
        t.lemma for t in words if t.lower not in STOP and len(t.lower) > 2 and t.lower.isalpha()
    )
    return Reading(
        finding=finding,
        score=round(score, 2),
        polarity=polarity,
        shape=shape,
        cues=tuple(cues),
        hedged=bool(hedges),
        moderators=tuple(dict.fromkeys(moderators)),
        population=population,
        exposure=exposure,
        outcome=outcome,
        content=content,
        balance=pos - neg,
    )


def _direction(
    tokens: Sequence[Token],
    lowers: Sequence[str],
    lemmas: Sequence[str],
    w: dict[str, frozenset[str]],
    negations: Sequence[int],
    positives: Sequence[int],
    negatives: Sequence[int],
) -> tuple[int, int, list[int]]:
    """How often the sentence says better and worse, and where a change word moved an outcome.

    Changes in an outcome: "fewer patients starting" (less of a good thing: worse), "reduced
    relapse" (less of an adverse outcome: better), "more likely to drop out" (worse); a negation
    reverses it ("did not reduce relapse" is no gain). The change word and the outcome it
    governs then count once, as this direction, not as evaluative words.
    """
    n = len(tokens)

    def negated(i: int) -> bool:
        return any(0 < i - j <= 3 for j in negations) or (
            i > 0 and lowers[i - 1] in {"less", "least"}
        )

    def change(k: int) -> int:
        """+1 for a word of increase, -1 for one of decrease, 0 for neither."""
        if lowers[k] in w["increase_words"] or lemmas[k] in w["increase_words"]:
            return 1
        if lowers[k] in w["decrease_words"] or lemmas[k] in w["decrease_words"]:
            return -1
        return 0

    used: set[int] = set()
    changed_at: list[int] = []  # change words that moved an outcome ("did reduce the harm")
    pos = neg = 0
    for i in range(n):
        sign = change(i)
        if not sign or i in used:
            continue
        target = None
        chain = [i]
        for k in range(i + 1, min(n, i + 7)):
            if tokens[k].text in _CLAUSE_END or lowers[k] == "than":
                break  # the clause ends, or the other side of a comparison starts
            if (
                _adverse(lowers, lemmas, k, w)
                or lemmas[k] in w["outcome_words"]
                or (lemmas[k] in w["uptake_words"] or lowers[k] in w["uptake_words"])
            ):
                target = k
                break
            if change(k) and k == chain[-1] + 1:  # "larger reductions in drinking"
                sign *= change(k)
                chain.append(k)
            elif change(k):
                break  # "lower caseloads meant fewer …": the next change governs its own
            elif lowers[k] in w["positive_words"] or lowers[k] in w["negative_words"]:
                break  # "greater improvement": an evaluative word says it already
            elif k == i + 1 and _past_verb(tokens[k]) and lowers[k] != "likely":
                break  # "more experienced counsellors": it describes people, no outcome
        if target is None:  # "drank on fewer days": the adverse verb before the change
            target = next(
                (
                    k
                    for k in range(i - 1, max(-1, i - 4), -1)
                    if _adverse(lowers, lemmas, k, w)
                    and k not in used
                    and _CLAUSE_END.isdisjoint(lowers[k:i])
                ),
                None,
            )
        if target is None:
            continue
        better = (sign > 0) != _adverse(lowers, lemmas, target, w)
        if any(0 < i - j <= 3 for j in negations):
            continue  # "did not reduce relapse": no change either way (a null reads it)
        used.update((*chain, target))
        changed_at.append(i)
        if better:
            pos += 1
        else:
            neg += 1
    pos += sum(1 for i in positives if i not in used and not negated(i))
    pos += sum(1 for i in negatives if i not in used and negated(i))
    neg += sum(1 for i in negatives if i not in used and not negated(i))
    neg += sum(1 for i in positives if i not in used and negated(i))
    return pos, neg, changed_at


_EFFECT_HEADS = _EMPTY_HEADS | {"benefit", "benefits", "advantage", "advantages", "influence"}
"""Nouns of an effect: "the benefits of X" had X as its exposure."""
_GIVEN = frozenset({"given", "offered", "receiving", "prescribed"})
"""Participles that say what people got: "those given a brief intervention"."""


def _arm(span: Sequence[Token], people: frozenset[str]) -> tuple[int, int] | None:
    """Where the treatment a group of people got starts, and where the words saying so start:
    "patients randomised to X", "those assigned to X", "those given X", "clients offered X" (not
    "patients were randomised to …", a method)."""
    for k in range(len(span) - 2, 0, -1):
        before = span[k - 1]
        if before.lower not in {"those", "people"} and before.lemma not in people:
            continue
        if span[k].lemma in _ASSIGNED and span[k + 1].lower == "to":
            return k + 2, k
        if span[k].lower in _GIVEN:
            return k + 1, k
    return None


_IRREGULAR_PAST = frozenset(
    {"kept", "made", "took", "gave", "held", "brought", "spent", "saw", "got", "ran", "went",
     "drank", "ate", "fell", "rose", "grew", "felt", "left", "began", "became", "came", "sought",
     "thought", "told", "said", "met", "paid", "sent", "stood", "won", "wrote"}
)  # fmt: skip


_FUNCTION_WORDS = STOP | _DISCOURSE
"""Words a subject neither starts nor ends with."""
_FREQUENCY = frozenset({"often", "always", "never", "rarely", "sometimes", "seldom", "usually"})


def _noun_compound(before: Token, word: Token) -> bool:
    """Whether a bare "support" or "report" after `before` is the head of a noun ("housing
    support", "peer support"), not a verb ("trials which often find", "studies also report")."""
    return (
        word.lower in _NOUN_LIKE_REPORTS
        and before.lower not in _FUNCTION_WORDS
        and before.lower not in _FREQUENCY
        and not before.lower.endswith("ly")
    )


def _past_verb(token: Token) -> bool:
    """Whether `token` is a verb's past form ("produced", "kept"): a word its lemma inflects
    with -ed, or a common irregular past."""
    return token.lower in _IRREGULAR_PAST or (
        token.lower != token.lemma and token.lower.endswith("ed")
    )


def _subject(
    tokens: Sequence[Token],
    begin: int,
    pivot: int,
    aside: set[int],
    w: dict[str, frozenset[str]],
    sentence: Sentence,
) -> str:
    """The subject before `pivot`: from the last clause boundary (past "In a trial, …"), without
    asides, discourse words, trailing verbs and adverbs; "" when nothing of substance is left.
    A verb right after a clause set off by commas has its subject before it ("X, drawn up with
    Y, cut …")."""
    bounds = [i for i in range(begin, pivot) if tokens[i].text in _CLAUSE_END and i not in aside]
    start, stop = (bounds[-1] + 1 if bounds else begin), pivot
    if (
        stop == start
        and len(bounds) >= 2
        and tokens[bounds[-1]].text == tokens[bounds[-2]].text == ","
        and bounds[-1] - bounds[-2] <= _APPOSITION_WORDS
    ):
        start, stop = (bounds[-3] + 1 if len(bounds) >= 3 else begin), bounds[-2]
    span = [
        t
        for k, t in enumerate(tokens[start:stop], start)
        if t.text not in _CLAUSE_END and k not in aside
    ]
    arm = _arm(span, w["research_words"])
    if arm is not None:  # "patients randomised to contingency management": the arm is the exposure
        begins, said = arm
        rest = [t for t in span[begins:] if t.lower not in STOP and not t.lower.endswith("ly")]
        span = span[begins:] if rest else span[:said]
    verb_dropped = False
    reporting = w["report_verbs"] | w["effect_words"]
    while span and (
        span[-1].lemma in {"be", "have", "do"}
        or span[-1].lower in _FUNCTION_WORDS
        or (
            span[-1].lemma in reporting
            and not span[-1].lower.endswith("ing")
            and not (len(span) > 1 and _noun_compound(span[-2], span[-1]))
        )
        or (len(span) > 1 and not verb_dropped and _past_verb(span[-1]))  # "X produced …"
    ):
        verb_dropped = verb_dropped or _past_verb(span[-1])
        span = span[:-1]
    verbs = [k for k, t in enumerate(span) if t.lower in _FINITE_BE]
    if (
        verbs
        and verbs[-1] > 0
        and not any(t.lower in _RELATIVES | {"what", "that"} for t in span[: verbs[-1] + 2])
    ):  # "the benefits of X were confined to patients with …" (not "those whose … were …")
        if any(t.lower not in STOP for t in span[verbs[-1] + 1 :]):
            span = span[: verbs[-1]]
    head = next((k for k, t in enumerate(span) if t.lower not in STOP), None)
    if (
        head is not None
        and head + 2 < len(span)
        and span[head].lower in _EFFECT_HEADS
        and span[head + 1].lower in {"of", "between"}
    ):
        span = span[head + 2 :]  # "the benefits of extended contact": what had them
    span = _trim(span[:14])
    while span and (span[0].lower in _DISCOURSE or span[0].lower in STOP):
        span = span[1:]
    while len(span) > 1 and span[-1].lower.endswith("ly") and span[-1].lower not in _NOT_ADVERBS:
        span = _trim(span[:-1])
    text = _span_text(span, sentence)
    if not span or _FIGURE.search(text) or all(t.lower.isdigit() for t in span):
        return ""  # a figure is a result ("41% were abstinent …"), not what led to one
    if len(span) == 1 and (
        span[0].lower in _DISCOURSE | _EMPTY_HEADS | {"average", "due", "paper"}
        or span[0].lemma in reporting | _SOURCES | _REPORTERS
    ):
        return ""  # nor is who or what reported it ("its authors were struck by …")
    return _balanced(text)


def _reports(
    i: int,
    lowers: Sequence[str],
    lemmas: Sequence[str],
    verbs: frozenset[str],
    tokens: Sequence[Token],
) -> bool:
    """Whether the word at `i` reports a finding: a report verb, not an -ing form, not "to
    emerge", not a noun ("ancillary support depends", "the peer support group")."""
    if lemmas[i] not in verbs or lowers[i].endswith("ing"):
        return False
    if "to" in lowers[max(0, i - 3) : i] or _noun_use(i, lowers, lemmas, tokens):
        return False
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    return not (
        lowers[i] == lemmas[i]
        and lemmas[i] in _NOUN_LIKE_REPORTS
        and following is not None
        and following.word
        and following.lower not in STOP
    )


def _adverse(
    lowers: Sequence[str], lemmas: Sequence[str], k: int, w: dict[str, frozenset[str]]
) -> bool:
    """Whether the word at `k` names an adverse outcome (relapse, drop-out, mortality), or
    "drop"/"missed" heads one ("drop out", "missed appointments")."""
    return lowers[k] in w["adverse_outcomes"] or lemmas[k] in w["adverse_outcomes"]


def _terms(
    tokens: Sequence[Token],
    lowers: Sequence[str],
    lemmas: Sequence[str],
    lex: Lexicon,
    sentence: Sentence,
    condition_at: frozenset[int] = frozenset(),
    null_at: frozenset[int] = frozenset(),
) -> tuple[str, str]:
    """(exposure, outcome) read from the sentence: the outcome noun phrase, and what comes before
    the first effect, comparison or null cue (after any "found that")."""
    w = lex.words
    n = len(tokens)
    begin = _frame_end(tokens, lowers, lemmas, w)
    outcome = _outcome(tokens, lowers, lemmas, w, sentence, begin)
    changes = w["effect_words"] | w["increase_words"] | w["decrease_words"]
    verb = next(  # the first finite verb: a be/have form or a verb of effect or change
        (
            i
            for i in range(begin, n)
            if lowers[i] in _FINITE_BE | {"has", "have", "had"}
            or (lemmas[i] in changes and not lowers[i].endswith("ing"))
        ),
        None,
    )
    aside = _asides(tokens, lowers, begin, verb)
    # The pivot: the first effect, change, comparison or no-difference word after the subject,
    # else its first verb (an -ing form is an adjective or a participle here: "a firm helping
    # alliance").
    strong = [
        i
        for i in range(begin + 1, n)
        if i not in aside
        and (
            (lemmas[i] in changes and not lowers[i].endswith("ing"))
            or (lowers[i] in w["comparatives"] and lowers[i - 1] not in _DETERMINERS)
            or i in null_at  # "X was as effective as Y"
        )
    ]
    weak = [i for i in range(begin + 1, n) if lemmas[i] in {"be", "have", "do"} and i not in aside]
    # The subject ends where a condition or a new clause starts ("only pay off as long as …").
    stops = [i for i in range(begin + 1, n) if i in condition_at or lowers[i] in _SUBJECT_ENDS]
    pivots = [*strong, *(i for i in weak[:1] if i not in strong)]
    if stops:
        pivots = [p for p in pivots if p < stops[0]] + [stops[0]]
    exposure = _graded(tokens, lowers, begin, w, sentence)
    for pivot in [] if exposure else pivots:
        exposure = _subject(tokens, begin, pivot, aside, w, sentence)
        if exposure:
            break
    if exposure == outcome:
        exposure = ""
    return exposure, outcome


def _graded(
    tokens: Sequence[Token],
    lowers: Sequence[str],
    begin: int,
    w: dict[str, frozenset[str]],
    sentence: Sentence,
) -> str:
    """The exposure of a graded pair, "the more sessions clients attended, the better …": what
    the first "the" + comparative measures; "" when the finding is not so phrased."""
    n = len(tokens)
    for j in range(begin, min(n - 2, begin + 3)):
        if lowers[j] != "the" or lowers[j + 1] not in w["comparatives"]:
            continue
        comma = next((k for k in range(j + 2, n) if tokens[k].text in _CLAUSE_END), n)
        paired = comma + 2 < n and lowers[comma + 1] == "the"
        if tokens[comma : comma + 1] and tokens[comma].text == "," and paired:
            if lowers[comma + 2] in w["comparatives"]:
                return _balanced(_span_text(_trim(list(tokens[j + 2 : comma])), sentence))
    return ""


def _frame_end(
    tokens: Sequence[Token],
    lowers: Sequence[str],
    lemmas: Sequence[str],
    w: dict[str, frozenset[str]],
) -> int:
    """Where the finding starts after its report frame ("X found that", "findings … led the
    authors to argue that"): after the frame's "that", else after a finite report verb; 0 when
    the sentence has no frame."""
    n = len(tokens)
    framing = w["report_verbs"] | w["argument_verbs"] | _FRAME_NOUNS
    for i in range(1, n - 1):
        if lowers[i] == "that" and any(
            (lemmas[k] in framing and not lowers[k].endswith("ing"))
            or lowers[k].removesuffix("s") in _FRAME_NOUNS  # "finding" (lemma "find")
            for k in range(max(0, i - 4), i)
        ):
            return i + 1
    for i in range(n - 1):
        if _reports(i, lowers, lemmas, w["report_verbs"], tokens):
            # "the study found X …": the finding follows; but in "patients … showed higher
            # retention" the verb itself states the effect, and its subject is the exposure.
            # A frame noun before it ("results of the trial showed …") makes it a frame.
            after = lowers[i + 1 : i + 3]
            framed = any(lemmas[k] in _FRAME_NOUNS for k in range(min(i, 3)))
            if framed or not any(x in w["comparatives"] or x in w["result_words"] for x in after):
                return i + 1
            return 0
    return 0


def _outcome(
    tokens: Sequence[Token],
    lowers: Sequence[str],
    lemmas: Sequence[str],
    w: dict[str, frozenset[str]],
    sentence: Sentence,
    begin: int,
) -> str:
    """The outcome phrase: the one the finding's change or comparison bears on in its clause
    ("reduced drinking"), else the first the sentence names after its report frame `begin`; ""
    when it names none."""
    n = len(tokens)
    moves = w["increase_words"] | w["decrease_words"]

    def names_outcome(i: int) -> bool:
        # a verb's forms are no outcome ("using a questionnaire"), nor is a noun's use as the
        # modifier of a place or service ("health settings"), nor a word of the report frame
        # ("results of the trial showed …")
        in_frame = i < begin and begin - i <= 7 and _CLAUSE_END.isdisjoint(lowers[i:begin])
        if in_frame or (
            lowers[i] not in w["outcome_words"]
            and (lemmas[i] not in w["outcome_words"] or lowers[i].endswith(("ing", "ed")))
        ):
            return False
        return not (i + 1 < n and lowers[i + 1] in _SETTING_HEADS)

    def governed(i: int) -> bool:
        """Whether a change or comparison word, or an effect verb, shortly before `i` (in its
        clause) bears on it: "reduced drinking", "better retention" (not "moderate doses")."""
        for k in range(i - 1, max(-1, i - 4), -1):
            if tokens[k].text in _CLAUSE_END:
                return False
            if (
                lemmas[k] in moves
                or lowers[k] in moves
                or lowers[k] in w["comparatives"]
                or (lemmas[k] in w["effect_words"] and lowers[k] != lemmas[k])
            ):
                return True
        return False

    outcome_at = [i for i in range(n) if names_outcome(i)]
    if not outcome_at:
        return ""
    i = (
        outcome_at[-1]
        if len(outcome_at) > 1 and lowers[outcome_at[0]] in {"outcome", "outcomes"}
        else outcome_at[0]
    )
    if not governed(i):  # one the finding's change bears on, in the same clause
        ends = [k for k in range(i, n) if lowers[k] in _SUBJECT_ENDS]
        i = next((k for k in outcome_at if governed(k) and k < (ends or [n])[0]), i)
    start = i
    while (
        start > 0
        and lowers[start - 1] not in STOP | _CLAUSE_WORDS | _SUBJECT_ENDS
        and tokens[start - 1].text not in _CLAUSE_END
        and lemmas[start - 1] not in w["effect_words"]
        and lowers[start - 1] not in w["comparatives"]
        and lemmas[start - 1] not in w["report_verbs"]
        and i - start < 3
    ):
        start -= 1

    def coordinated(k: int) -> bool:
        """Whether `k` starts a coordinated outcome's words ("… and illegal substance use"):
        content words up to an outcome word."""
        if not {"and", "or"} & set(lowers[i + 1 : k]):
            return False
        for j in range(k, min(n, k + 3)):
            if tokens[j].text in _CLAUSE_END or lowers[j] in STOP:
                return False
            if names_outcome(j):
                return True
        return False

    end = i + 1
    while (
        end < n
        and tokens[end].text not in _CLAUSE_END
        and end - i < 6
        and (
            lowers[end] in {"and", "or"}
            or (lowers[end] not in STOP and lowers[end - 1] in {"and", "or"})
            or lowers[end] in w["outcome_words"]
            or lemmas[end] in w["outcome_words"]
            or coordinated(end)
        )
    ):
        end += 1
    if (
        start + 2 < end
        and lemmas[start] in w["research_words"]
        and lemmas[start + 1] in w["uptake_words"]
    ):
        start += 1  # "helped patients stay abstinent": the outcome is what they did
    return _balanced(_span_text(_trim(list(tokens[start:end])), sentence))


def _asides(
    tokens: Sequence[Token], lowers: Sequence[str], begin: int, verb: int | None
) -> set[int]:
    """The tokens that are no part of a subject, nor a boundary of it: parenthetical asides; a
    leading subordinate clause ("When relationships were good, patients …"); a clause set off by
    commas that opens with a participle or a relative ("X, delivered by nurses, cut …"); after
    the main clause's `verb`, a participle clause that closes the sentence ("X was cost-effective,
    saving more …")."""
    n = len(tokens)
    aside: set[int] = set()
    depth = 0
    for i, token in enumerate(tokens):
        if token.text == "(":
            depth += 1
        if depth:
            aside.add(i)
        if token.text == ")" and depth:
            depth -= 1
    if begin < n and lowers[begin] in _LEADING_CLAUSES:
        comma = next((i for i in range(begin, n) if tokens[i].text in _CLAUSE_END), n)
        if comma < n and tokens[comma].text == ",":
            aside.update(range(begin, comma + 1))
    for i in range(begin, n - 1):
        opener = tokens[i + 1]
        if (
            tokens[i].text != ","
            or i in aside
            or not (
                opener.lower in _RELATIVES
                or (opener.lower != opener.lemma and opener.lower.endswith(("ed", "ing")))
            )
        ):
            continue
        closing = _CLAUSE_END.isdisjoint(lowers[i + 2 : n - 1])
        if verb is not None and verb < i and opener.lower.endswith("ing") and closing:
            aside.update(range(i, n))
            continue
        for j in range(i + 2, min(n, i + 2 + _APPOSITION_WORDS)):
            if tokens[j].text in _CLAUSE_END:
                if tokens[j].text == ",":
                    aside.update(range(i, j + 1))
                break
    return aside
