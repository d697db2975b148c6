"""The rule-based coder: sentences in, proposed incidents with their evidence out.

Rules, in the order they apply to each use of force the lexicon finds in a sentence (force
words of one phrase, "Pakistani airstrikes targeted", count as one):
1. a negation ("did not", "denied") or a hypothetical or threat ("would", "threatened to") in
   the words just before the verb means no force was used: no incident;
2. the initiator is the last state named before the verb that is not a place ("in Iran's ...");
   in the passive ("were struck by Indian jets") it is the state after "by"; force written as a
   noun ("Iran's drone strikes", the headline "Iran strikes Pakistan") takes the state of its
   own noun phrase, so "Iran condemned the strikes" has no actor. An armed group as the one who
   acted is not interstate force: no incident;
3. the target is the first other state named after the verb, directly or through a capital,
   region, province or force, with every state listed with it ("Iran and Syria"); failing that,
   a region claimed by several states, or where a named group is based (both marked low
   confidence). Force on the initiator's own soil is domestic;
4. a strike on an armed group or its facilities on another state's soil is force against that
   state with target kind non_state (the incident table's convention);
5. clashes need two states in the clause and have no direction (lower COW code first);
6. the date comes from the same sentence, else the publication month with a flag;
7. a death toll belongs to the incident of its sentence, or to the latest one before it when the
   sentence refers back to the force ("the strikes killed ..."); who reported it is kept, and
   disagreeing counts or ranges leave the number empty with both in the notes.
Mentions of the same incident in several sentences are merged, keeping every sentence.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from forecast.core.config import MAX_ARTICLE_BYTES
from forecast.core.contracts import UNDIRECTED_ACTIONS
from forecast.core.countries import name_of, resolve_country
from forecast.core.errors import DataFileError
from forecast.news.article_days import (
    BACKGROUND,
    NO_DATE,
    recent,
    settle_cause_days,
    settle_undated_days,
    story_day,
)
from forecast.news.crisis import crisis_cue
from forecast.news.dates import (
    ONLY_MONTH,
    DateReading,
    aside_spans,
    cause_offset,
    cause_spans,
    days_later,
    is_background,
    own_words,
    publication_month,
    read_date,
)
from forecast.news.fatalities import DeathReport, Reporter, read_deaths, read_reporter
from forecast.news.gazetteer import Gazetteer, Mention, load_gazetteer
from forecast.news.lexicon import Cue, Lexicon, load_lexicon
from forecast.news.reading import read_article
from forecast.news.records import CodedIncident, FieldEvidence
from forecast.news.sentences import Sentence, split_sentences

_PLACE_BEFORE = re.compile(
    r"\b(?:in|into|inside|on|at|near|across|against|toward|towards|over|of|with|to)\s+"
    r"(?:the\s+)?(?:[\w-]+\s+)?$",
    re.IGNORECASE,
)
_PASSIVE_BEFORE = re.compile(r"\b(?:was|were|been|being|is|are)\s+$", re.IGNORECASE)
_REFERS_TO_FORCE = re.compile(
    r"\b(?:strikes?|airstrikes?|attacks?|raids?|shelling|bombing|bombardment|operation|"
    r"missiles?|drones?|rockets?|clash(?:es)?)\b",
    re.IGNORECASE,
)
_BY_AGENT = re.compile(r"\s+by\s+(?:the\s+)?(?:[\w-]+\s+)?")
# A report or claim denied before the force words: "denied reports that its troops had fired",
# "rejected claims that its jets had bombed", "dismissed as fake reports that its drones struck".
_DENIED_REPORT = re.compile(
    r"\b(?:denied|denies|deny|denying|rejected|rejects|dismissed|dismisses|refuted|refutes)\b"
    r"[^.;:]{0,30}?\b(?:reports?|claims?|allegations?|accusations?|suggestions?|rumou?rs?)\b"
    r"[^.;:]{0,30}?\bthat\b[^.;:]*$",
    re.IGNORECASE,
)
# The other side of a clash named as an armed group ("clashed with militants", "fighting
# between armed groups", "exchanged fire with insurgents").
_ARMED_GROUP_SIDE = re.compile(
    r"\b(?:with|between|against)\s+(?:\w+\s+){0,3}?(?P<group>militants?|insurgents?|rebels?|"
    r"guerrillas?|armed groups?|jihadists?|separatists?|gunmen|smugglers|bandits)\b",
    re.IGNORECASE,
)
_CAME_UNDER = re.compile(r"(?:came|come|comes|coming) under\b", re.IGNORECASE)
_UNDER_AGENT = re.compile(r"\s+(?:from|by)\s+(?:the\s+)?(?:[\w-]+\s+)?")
# Force as the agent of a passive: "two soldiers were killed by Pakistani shelling" (the
# subject's state was struck).
_KILLED_BY = re.compile(
    r"\b(?:was|were|been|being)\s+(?:\w+\s+)?(?:killed|wounded|injured|hit|struck|damaged|"
    r"destroyed)\s+(?:by|in)\s+(?:an?\s+|the\s+)?$",
    re.IGNORECASE,
)
_FROM_AGENT = re.compile(
    r"\s+(?:(?:were|was)\s+)?(?:fired|launched|lobbed|dropped)?\s*from\s+(?:the\s+)?"
)
_CUE_WINDOW_WORDS = 6
# A passive inside the force words: "were carried out", "airstrikes conducted (by ...)".
_PASSIVE_INSIDE = re.compile(
    r"(?:\b(?:was|were|been|being)\s+\w+(?:\s+out)?|\b(?:carried out|conducted|launched|"
    r"mounted|staged))$",
    re.IGNORECASE,
)
# Words that may stand between a state and its force written as a noun, inside one noun
# phrase: "Iran's strikes", "Pakistani retaliatory air strikes", "US and British strikes".
_NOUN_PHRASE_GAP = re.compile(
    r"(?:['’]s)?(?:\s+(?:[A-Z][\w-]*|and|air|force|forces'|drone|missile|military|army|navy|"
    r"naval|artillery|rocket|overnight|fresh|new|renewed|retaliatory|cross-border|precision|"
    r"deadly|latest|recent|suspected|heavy|massive|large-scale|first|second|further|"
    r"jets?|fighters?|fighter jets?|warplanes?|aircraft|planes?|troops|forces|soldiers))*\s+"
)
# Force words further apart than this, or across a clause break, are separate uses of force.
_PHRASE_GAP_WORDS = 6
_CLAUSE_BREAK = re.compile(r"[;:]|,\s*(?:and|but|while|as|after|before)\b")
# A speaker named at the end of a sentence: "..., Japan said", "..., Iranian officials told".
_COMMA_BEFORE = re.compile(r",\s*(?:the\s+)?$")
_SAID_AFTER = re.compile(
    r"(?:['’]s)?(?:\s+[\w-]+){0,3}?\s+(?:said|says|reported|claimed|announced|told|stated)\b"
)
# Force written as a noun that the rest of its clause makes a possibility, not an event. Case
# matters: "May" the month is not "may" the modal.
_MODAL_AFTER_NOUN = re.compile(
    r"\b(?:would|could|might|may|remains? (?:possible|likely|unlikely)|"
    r"(?:is|was|seemed|seems) (?:possible|likely|unlikely|imminent))\b"
)
# "could recall", "if the attacks continue": a condition, not yet a deed.
_CONDITIONAL = re.compile(r"\b(?:could|would|might|may|if|unless|consider(?:s|ed|ing)?)\b", re.I)
_CLAUSE_END = re.compile(r"[.;:!?]|,\s*(?:and|but|while|as)\b")
# The generic use of force; a more specific code found with it in one phrase names the force.
GENERIC_FORCE = "190"
_NO_ACTOR = "no state named as the one who acted"
_NO_TARGET = "no target state named: no incident"
_RETALIATION = re.compile(
    r"\b(?:in (?:response|retaliation|reply|revenge) (?:to|for)|to avenge|(?:a|in) response to|"
    r"retaliation for|retaliating for|answer to)\b[^,;:]*",
    re.IGNORECASE,
)
_ONE_SIDE = "a clash needs two states in the clause"
_SUBJECT_GAP_WORDS = 4
_IN_BEFORE = re.compile(r"\bin\s+(?:the\s+)?(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
_WHICH = re.compile(r",\s*which\b")
# A verb joined to the force verb before it, with no new clause between: "rammed a boat and
# blasted it", "crossed the border and fired".
_COORDINATED = re.compile(r"^[^,;:.]*\band\s+(?:then\s+)?$")
# Words that make a state named before them its armed forces, whatever preposition precedes.
_FORCE_AFTER = re.compile(
    r"(?:['’]s)?\s+(?:(?:military|armed|air|naval|border|security|special|elite)\s+)?"
    r"(?:army|military|forces|troops|soldiers|National Guard|Guard|navy|air force|jets|"
    r"warplanes|aircraft|drones|artillery|Coast Guard|coast guard|border guards|units|gunboats)\b"
)
# A state named after "with" or "between" is a side of a clash, though it reads like a place.
_PARTY_BEFORE = re.compile(r"\b(?:with|between|and|against)\s+(?:the\s+)?(?:[\w-]+\s+)?$")
# A state adjective before a political title names a person, not a force, and so does a
# state's possessive before a person's name ("China's Xi Jinping").
_TITLE_AFTER = re.compile(
    r"(?:['’]s)?\s+(?:President|Prime Minister|Premier|Foreign Minister|Defence Minister|Defense "
    r"Minister|leader|officials?|diplomats?|envoys?|ambassador|embassy|government)\b"
    r"|['’]s\s+[A-Z][a-z]+\s+[A-Z][a-z]+\b(?!\s+(?:Guards?|Corps|Forces?|Army|Navy)\b)"
)
# The sides of a clash are named within a comma's reach of it, not across "but".
_CLASH_CLAUSE = re.compile(
    r"[;:]|,\s*(?:and|but|while|as|after|before|according|both|which|who)\b"
    r"|\b(?:but|while|whereas|although)\b"
)
# Who gives the news is not who used force: "According to Qatar's foreign ministry, 14
# missiles were launched".
_SOURCE = re.compile(
    r"\b(?:according to|citing|cited by|quoted by|as reported by|reported by)\b[^,;:]*", re.I
)
_JOINED = re.compile(r"\s*(?:,|,?\s*and)\s+(?:the\s+)?")


@dataclass(frozen=True)
class SentenceVerdict:
    """What the coder made of one sentence, so the analyst can see why nothing came of it."""

    sentence: int
    verdict: str


@dataclass
class CodingResult:
    """Proposed incidents of one article and the verdict on every sentence that mattered."""

    article: str
    published: dt.date
    incidents: list[CodedIncident]
    verdicts: list[SentenceVerdict] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    # How the file was read, when a user should know (a legacy encoding, a web page).
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Claim:
    """A death toll read for one side of one incident, with its source."""

    side: str
    report: DeathReport
    reporter: Reporter | None
    sentence: int


def code_file(
    path: str | Path, published: dt.date, max_bytes: int = MAX_ARTICLE_BYTES
) -> CodingResult:
    """Code one article file of at most `max_bytes`: UTF-8 text, text in a legacy encoding, or a
    saved web page (`forecast.news.reading`; the result's warnings say which)."""
    path = Path(path)
    if not path.is_file():
        raise DataFileError(path, "file not found" if not path.exists() else "is not a file")
    size = path.stat().st_size
    if size > max_bytes:
        raise DataFileError(
            path,
            f"is {size:,} bytes, more than the {max_bytes:,} a news report may have",
            "split it, or raise the limit with --max-bytes",
        )
    article = read_article(path, path.read_bytes())
    if not article.text.strip():
        raise DataFileError(path, "is empty", "give the article's text")
    result = code_article(article.text, published, article=path.name)
    result.warnings.extend(article.warnings)
    return result


def code_article(text: str, published: dt.date, article: str = "article") -> CodingResult:
    """Propose the incidents an article reports (see the module docstring for the rules)."""
    coder = _Coder(load_gazetteer(), load_lexicon(), published, article)
    sentences = split_sentences(text)
    # The states the report names outright: a library place counts only in one of them.
    # A name two states share ("Congo") counts for both: a town of either may be meant.
    coder.named_states = {
        state
        for sentence in sentences
        for m in coder.mentions(sentence.text)
        if m.kind != "place" and not m.non_state
        for state in m.states
    }
    for sentence in sentences:
        coder.read(sentence)
    incidents = coder.finish()
    return CodingResult(article, published, incidents, coder.verdicts, sentences)


class _Coder:
    """State carried across the sentences of one article."""

    def __init__(self, gazetteer: Gazetteer, lexicon: Lexicon, published: dt.date, article: str):
        self.gazetteer = gazetteer
        self.lexicon = lexicon
        self.published = published
        self.article = article
        self.incidents: list[CodedIncident] = []
        # Where each incident is in `incidents`, by what makes two mentions one incident: a long
        # report holds thousands, and searching the list for each mention made it quadratic.
        self.positions: dict[tuple[str, str, dt.date, str], int] = {}
        self.claims: dict[int, list[_Claim]] = {}
        self.verdicts: list[SentenceVerdict] = []
        # (state, evidence, sentence) for each sentence in which a state shows it treats a
        # strike as a crisis (forecast.news.crisis); given to the incidents it suffered.
        self.crisis_signs: list[tuple[str, FieldEvidence, str]] = []
        # Days given to force in sentences that name no state ("The strikes occurred late
        # Saturday"): the day of the report's story (forecast.news.article_days).
        self.story_days: list[tuple[int, DateReading]] = []
        # Force whose sentence names who acted but no state it fell on.
        self.untargeted: list[_Untargeted] = []
        self.named_states: set[str] = set()
        # Each sentence's names, found once: the rules ask for those of many stretches of it.
        self.found: dict[str, list[Mention]] = {}
        self.others: dict[str, list[Cue]] = {}
        # The state that acted in the sentence's last force verb, for a verb joined to it.
        self.last_actor: Mention | None = None
        # Force the sentence being read names as what its answer retaliated for, whose sides
        # it leaves out.
        self.causes: list[_Untargeted] = []

    def read(self, sentence: Sentence) -> None:
        cues = self._one_per_phrase(sentence.text, self.lexicon.force_cues(sentence.text))
        self.last_actor = None
        self.causes = []
        coded: list[CodedIncident] = []
        unnamed = False
        asides = aside_spans(sentence.text)
        for index, cue in enumerate(cues):
            # Force told in an aside ("Russia, which invaded Ukraine in 2022, shelled ...")
            # does not cut the main verb off from its subject.
            before = [c for c in cues[:index] if _holder(asides, c.start) is None]
            start = before[-1].end if before else 0
            end = cues[index + 1].start if index + 1 < len(cues) else len(sentence.text)
            for outcome in self._code_cue(sentence, cue, start, end):
                if isinstance(outcome, str):
                    self.verdicts.append(SentenceVerdict(sentence.number, outcome))
                    unnamed = unnamed or outcome.endswith((_NO_ACTOR, _ONE_SIDE))
                else:
                    coded.append(self._merge(outcome))
        self._reverse_causes(sentence, coded)
        self._read_threats(sentence)
        if unnamed and not coded and not self._is_statement(sentence.text):
            reading = read_date(sentence.text, self.published)
            if (
                reading is not None
                and reading.precision == "day"
                and reading.confidence >= 0.5
                and recent(reading.date, self.published)
            ):
                self.story_days.append((sentence.number, reading))
        if not coded:  # "Iran condemned the strikes": the complaint is still named
            others = self.other_cues(sentence.text)
            if others:
                kinds = dict.fromkeys(f"{c.entry.kind} ({c.entry.label})" for c in others)
                self.verdicts.append(
                    SentenceVerdict(sentence.number, "not a use of force: " + "; ".join(kinds))
                )
        self._read_deaths(sentence, coded)
        self._read_crisis(sentence)

    def _reverse_causes(self, sentence: Sentence, coded: list[CodedIncident]) -> None:
        """ "Israel struck Iran in retaliation for a missile assault on Oct. 1": what an answer
        retaliated for was force by the answer's target on the one who answers, whoever the
        cause's own words leave out (low confidence, flagged)."""
        answers = [
            i for i in coded if i.directed and i.evidence["action"].sentence == sentence.number
        ]
        if not self.causes or not answers:
            return
        answer = answers[0]
        if len({(i.initiator, i.target) for i in answers}) > 1:
            return  # an answer on several states: whose force it answered is not said
        for cause in self.causes:
            initiator = cause.initiator or answer.target
            if initiator != answer.target:
                continue
            flag = "named as what the answer retaliated for: its sides are the answer's, reversed"
            evidence = cause.initiator_evidence or FieldEvidence(sentence.number, "", 0.4, flag)
            target = FieldEvidence(sentence.number, "", 0.4, flag)
            incident = self._incident(
                sentence, cause.cue, initiator, answer.initiator, evidence, target, []
            )
            coded.append(self._merge(incident))

    def _read_threats(self, sentence: Sentence) -> None:
        """ "Iran threatened to strike Israel", "Pakistan warned India of a response": a threat
        of force by the state that speaks against the state it names after the words
        (hostility 2, as the feeds code CAMEO 138). A threat is a known event, never forecast;
        a negated one ("did not threaten") gives nothing."""
        text = sentence.text
        for cue in self.other_cues(text):
            if cue.entry.kind != "threat" or cue.entry.action is None:
                continue
            window = " ".join(text[: cue.start].split()[-_CUE_WINDOW_WORDS:])
            if self.lexicon.negation.search(window):
                continue
            sources = _spans(_SOURCE, text)
            speakers = [
                m
                for m in self.mentions(text, 0, cue.start)
                if m.state and not _is_place(text, m) and _holder(sources, m.start) is None
            ]
            if not speakers or not self.gazetteer.is_state_force(speakers[-1], self.published):
                continue
            speaker = speakers[-1]
            clause = _clause_after(text, cue.end)
            targets = [
                m
                for m in self.mentions(text, cue.end, cue.end + len(clause))
                if m.state and m.state != speaker.state and m.kind != "place"
            ]
            if not targets:
                continue
            initiator = FieldEvidence(sentence.number, speaker.text, _actor_confidence(speaker))
            target = FieldEvidence(sentence.number, targets[0].text, 0.8)
            threat = self._incident(
                sentence, cue, str(speaker.state), str(targets[0].state), initiator, target, []
            )
            self._merge(threat)

    def other_cues(self, text: str) -> list[Cue]:
        """The sentence's threats, condemnations and statements, found once."""
        found = self.others.get(text)
        if found is None:
            found = self.others[text] = self.lexicon.other_cues(text)
        return found

    def mentions(self, text: str, start: int = 0, end: int | None = None) -> list[Mention]:
        """The names in text[start:end], found in the whole sentence (so a name's context is
        read whole), at their places in the sentence."""
        found = self.found.get(text)
        if found is None:
            found = self.found[text] = self.gazetteer.mentions(text)
        stop = len(text) if end is None else end
        return [m for m in found if start <= m.start and m.end <= stop]

    def _is_statement(self, text: str) -> bool:
        """Whether the sentence reports words ("..., the minister said on Sunday"): its day
        may be the statement's, not the force's."""
        return any(cue.entry.kind == "statement" for cue in self.other_cues(text))

    def _read_crisis(self, sentence: Sentence) -> None:
        """A vow to answer, a recalled envoy, an emergency meeting: whose, and in what words."""
        cue = crisis_cue(sentence.text)
        if cue is None:
            return
        before = sentence.text[: cue.start()]
        window = " ".join(before.split()[-_CUE_WINDOW_WORDS:]) + " " + cue.group(0)
        # A vow is the signal itself, so only negation and a condition set it aside (the
        # lexicon's hypothetical cues count vows as threats).
        if self.lexicon.negation.search(window) or _CONDITIONAL.search(window):
            return
        # The state that speaks or acts is the sentence's subject, named before the words.
        speakers = [
            m for m in self.mentions(sentence.text, 0, len(before)) if m.state and not m.non_state
        ]
        if not speakers:
            return
        flag = "the struck state's words or deeds in the report: check them"
        evidence = FieldEvidence(sentence.number, cue.group(0), 0.6, flag)
        self.crisis_signs.append((str(speakers[0].state), evidence, sentence.text))

    def _one_per_phrase(self, text: str, cues: list[Cue]) -> list[Cue]:
        """Force words of one phrase are one use of force: "Pakistani airstrikes targeted",
        "the strikes were carried out". Words with a name between them stay apart."""
        joined: list[Cue] = []
        for cue in cues:
            if joined and self._same_phrase(text, joined[-1], cue):
                first = joined[-1]
                # The specific kind of force names it, not the generic use of force.
                entry = first.entry if first.entry.cameo != GENERIC_FORCE else cue.entry
                joined[-1] = Cue(
                    first.start, cue.end, text[first.start : cue.end], entry, first.noun
                )
            else:
                joined.append(cue)
        return joined

    def _same_phrase(self, text: str, first: Cue, second: Cue) -> bool:
        between = text[first.end : second.start]
        return (
            len(between.split()) <= _PHRASE_GAP_WORDS
            and _CLAUSE_BREAK.search(between) is None
            and not self.mentions(text, first.end, second.start)
        )

    def _code_cue(
        self, sentence: Sentence, cue: Cue, start: int, end: int
    ) -> list[CodedIncident | str]:
        """What one force verb gives: an incident per state that acted, or why there is none."""
        text = sentence.text
        window = " ".join(text[start : cue.start].split()[-_CUE_WINDOW_WORDS:]) + " " + cue.text
        if match := self.lexicon.negation.search(window):
            return [f'"{cue.text}" is negated ("{match.group(0)}"): no incident']
        if match := _DENIED_REPORT.search(text[: cue.start]):
            # "India denied reports that its troops had fired on villagers".
            return [f'"{cue.text}" is denied ("{match.group(0)}"): no incident']
        if match := self.lexicon.hypothetical.search(window):
            return [f'"{cue.text}" is a threat or hypothetical ("{match.group(0)}"): no incident']
        qualifier = " ".join(text[start : cue.start].split()[-1:]) + " " + cue.text
        if match := self.lexicon.armed_group.search(qualifier):
            return [f'"{cue.text}" is force by an armed group ("{match.group(0)}"): not interstate']
        if cue.noun and (match := _MODAL_AFTER_NOUN.search(_clause_after(text, cue.end))):
            # "An Israeli strike on Iran would ...", "... remains possible": not yet force.
            return [f'"{cue.text}" is a hypothetical ("{match.group(0)}"): no incident']
        left = self.mentions(text, start, cue.start)
        right = self.mentions(text, cue.end, end)
        # A state named in a cause ("hours after the Iranian attack") belongs to that clause's
        # event, not to this one, and the other way round.
        causes = cause_spans(text)
        clause = _holder(causes, cue.start)
        # So does a state named in an aside ("Russia, which invaded Ukraine, shelled ...").
        asides = aside_spans(text)
        aside = _holder(asides, cue.start)
        # ... and the one who acted in an aside is the name it hangs on: "Russia, which
        # invaded Ukraine".
        antecedent = (
            max((m for m in left if m.end <= aside[0]), key=lambda m: m.end, default=None)
            if aside is not None and _WHICH.match(text, aside[0])
            else None
        )
        left = [
            m
            for m in left
            if _holder(causes, m.start) == clause
            and (_holder(asides, m.start) == aside or m is antecedent)
        ]
        right = [
            m
            for m in right
            if _holder(causes, m.start) == clause and _holder(asides, m.start) == aside
        ]
        if cue.entry.action in UNDIRECTED_ACTIONS:
            return [self._clash(sentence, cue, _clash_parties(text, cue, left + right))]
        if _is_passive(text, start, cue):
            # Only the agent right after "by" (or "from", for "came under fire from") acted:
            # "hit by floods ... borders Iran" has none.
            agent = _UNDER_AGENT if _CAME_UNDER.match(cue.text) else _BY_AGENT
            actors = [m for m in right if agent.fullmatch(text[cue.end : m.start])]
            places = left + [m for m in right if m not in actors]
        else:
            # A place before the verb ("In Iran's Sistan-Baluchestan, Pakistani jets struck")
            # is still where the force landed, after any place named after the verb.
            sources = _spans(_SOURCE, text)
            actors = [
                m
                for m in left
                if _holder(sources, m.start) is None
                and (
                    not _is_place(text, m)
                    # "in response to US airstrikes": the noun phrase's own state acted.
                    or (cue.noun and _NOUN_PHRASE_GAP.fullmatch(text[m.end : cue.start]))
                )
            ]
            places = right + [m for m in left if _is_place(text, m)]
            if (
                cue.noun
                and actors
                and not _NOUN_PHRASE_GAP.fullmatch(text[actors[-1].end : cue.start])
            ):
                # "Iran condemned the strikes": the state named is not the one who struck.
                actors = []
            if cue.noun and not actors:
                # "two shells fired from Myanmar military aircraft fell on Bangladesh": the
                # weapons' origin right after them is who fired.
                origin = [m for m in right if _FROM_AGENT.fullmatch(text[cue.end : m.start])]
                actors = origin[:1]
                places = [m for m in places if m not in actors]
        joined = _COORDINATED.search(text[start : cue.start]) is not None
        if self.last_actor is not None and not cue.noun and joined:
            # "A Chinese ship rammed a Philippine boat and blasted it with water cannon": the
            # second verb's subject is the first's, not the object named between them.
            actors = [self.last_actor]
        if not actors:
            if _in_retaliation(text, cue):
                self.causes.append(_Untargeted(sentence, cue, None, None, places))
            return [f'"{cue.text}": {_NO_ACTOR}']
        self.last_actor = actors[-1]
        return [
            outcome
            for actor in _joint_actors(text, actors)
            for outcome in self._directed(sentence, cue, actor, places)
        ]

    def _directed(
        self, sentence: Sentence, cue: Cue, actor: Mention, places: list[Mention]
    ) -> list[CodedIncident | str]:
        if actor.non_state or not self.gazetteer.is_state_force(actor, self.published):
            group = f"the one who acted, {actor.text}, is an armed group, not a state"
            return [f'"{cue.text}": {group}']
        if actor.state is None:
            return [f'"{cue.text}": {actor.text} names no single state']
        initiator = FieldEvidence(sentence.number, actor.text, _actor_confidence(actor))
        target = self._target(sentence, actor.state, places)
        if target == _NO_TARGET and cue.noun:
            passive = _KILLED_BY.search(sentence.text[: actor.start])
            subjects = [
                m
                for m in self.mentions(sentence.text, 0, passive.start() if passive else 0)
                if m.state and m.state != actor.state and not m.non_state
            ]
            if passive and subjects:
                target = [
                    (
                        str(subjects[-1].state),
                        FieldEvidence(sentence.number, subjects[-1].text, 0.8),
                    )
                ]
        if target == _NO_TARGET and _in_retaliation(sentence.text, cue):
            self.causes.append(_Untargeted(sentence, cue, actor.state, initiator, places))
        elif target == _NO_TARGET and _is_subject(sentence.text, actor, cue):
            # "Cambodian rocket attacks struck a gas station": the report's exchange may say
            # whom (settled in `finish`, once every sentence is read).
            self.untargeted.append(_Untargeted(sentence, cue, actor.state, initiator, places))
        if isinstance(target, str):
            return [f'"{cue.text}": {target}']
        return [
            self._incident(sentence, cue, actor.state, state, initiator, evidence, places)
            for state, evidence in target
        ]

    def _target(
        self, sentence: Sentence, initiator: str, places: list[Mention]
    ) -> list[tuple[str, FieldEvidence]] | str:
        """The state the force fell on; every state of a list ("Iran and Syria") when it names
        several."""
        number = sentence.number
        places = [m for m in places if not _is_attribution(sentence.text, m)]
        # A state, its capital or a region named outright wins over a library place, and a
        # library place counts only in a state the report names ("Blida" in a report on
        # Lebanon is the Lebanese village, not the Algerian city), unless it is a city of a
        # million people ("Samara").
        places = sorted(
            (
                m
                for m in places
                if m.kind != "place"
                or m.state in self.named_states
                or m.text in self.gazetteer.well_known_places
            ),
            key=lambda m: m.kind == "place",
        )
        for mention in places:
            if mention.state and mention.state != initiator:
                listed = _listed_with(sentence.text, mention, places, initiator)
                if mention.kind == "adjective":
                    # "an Israeli spy headquarters in Erbil, in northern Iraq", "a US base in
                    # Qatar": the struck state's property and the state whose soil it is on.
                    listed += _territory_after(sentence.text, mention, places, initiator, listed)
                return [
                    (
                        str(m.state),
                        FieldEvidence(
                            number, m.text, 0.8 if m.kind in {"region", "force"} else 0.9
                        ),
                    )
                    for m in listed
                ]
        for mention in places:
            others = [s for s in mention.states if s != initiator]
            if mention.kind == "region" and len(others) == 1:
                flag = f"{mention.text} is claimed by several states"
                return [(others[0], FieldEvidence(number, mention.text, 0.4, flag))]
        for mention in places:
            others = [s for s in mention.states if s != initiator]
            if mention.non_state and len(others) == 1:
                flag = f"no place named: where {mention.text} is based"
                return [(others[0], FieldEvidence(number, mention.text, 0.4, flag))]
        if any(m.state == initiator for m in places):
            return "force on the initiator's own soil is not interstate: no incident"
        return _NO_TARGET

    def _clash(self, sentence: Sentence, cue: Cue, mentions: list[Mention]) -> CodedIncident | str:
        states = list(dict.fromkeys(m.state for m in mentions if m.state))
        groups = [m.text for m in mentions if m.non_state]
        side = _ARMED_GROUP_SIDE.search(sentence.text, cue.start, cue.end + 80)
        if side is not None and len(states) < 3:
            # "Colombian soldiers clashed with ELN guerrillas near the Venezuelan border": the
            # other side is an armed group, and the border only says where.
            groups.append(side.group("group"))
            states = states[:1]
        if len(states) < 2 and groups:
            return f'"{cue.text}": {groups[0]}, an armed group, is one side: not interstate'
        if len(states) < 2 and len(self.named_states) == 2 and set(states) <= self.named_states:
            # "Israeli media say there was an exchange of fire": in a report that names two
            # states outright, fire exchanged is theirs (low confidence, flagged).
            first, second = sorted(self.named_states, key=resolve_country)
            flag = "a clash whose clause names one side or none: the report's two states"
            evidence = FieldEvidence(sentence.number, "", 0.4, flag)
            return self._incident(sentence, cue, first, second, evidence, evidence, mentions)
        if len(states) < 2:
            return f'"{cue.text}": {_ONE_SIDE}'
        first, second = sorted(states[:2], key=resolve_country)
        by_state = {m.state: m for m in mentions if m.state}
        return self._incident(
            sentence,
            cue,
            first,
            second,
            FieldEvidence(sentence.number, by_state[first].text, 0.7, "clash: no direction"),
            FieldEvidence(sentence.number, by_state[second].text, 0.7, "clash: no direction"),
            mentions,
        )

    def _incident(
        self,
        sentence: Sentence,
        cue: Cue,
        initiator: str,
        target: str,
        initiator_evidence: FieldEvidence,
        target_evidence: FieldEvidence,
        places: list[Mention],
    ) -> CodedIncident:
        number = sentence.number
        date = self._date(sentence, cue)
        date_evidence = FieldEvidence(number, date.phrase, date.confidence, date.flag)
        kind, kind_evidence = self._target_kind(sentence, cue, places)
        location, location_evidence = _location(sentence.number, places, target)
        action_confidence = 0.6 if cue.entry.cameo in {"186", "196"} else 0.9
        evidence = {
            "initiator": initiator_evidence,
            "target": target_evidence,
            "date": date_evidence,
            "action": FieldEvidence(number, cue.text, action_confidence, cue.entry.label),
            "target_kind": kind_evidence,
        }
        if location_evidence is not None:
            evidence["location"] = location_evidence
        return CodedIncident(
            article=self.article,
            published=self.published,
            initiator=initiator,
            target=target,
            date=date.date,
            date_precision=date.precision,
            action=str(cue.entry.action),
            hostility=int(cue.entry.hostility or 4),
            cameo=cue.entry.cameo,
            target_kind=kind,
            location=location,
            evidence=evidence,
            sentences={number: sentence.text},
            notes=[f"date: {date.flag}"] if date.flag else [],
            days_before_answer=date.days_before_answer,
        )

    def _target_kind(
        self, sentence: Sentence, cue: Cue, places: list[Mention]
    ) -> tuple[str, FieldEvidence]:
        groups = [m for m in places if m.non_state]
        if groups:
            return "non_state", FieldEvidence(sentence.number, groups[0].text, 0.8)
        forces = [m for m in places if m.kind == "force"]
        if forces:
            return "state", FieldEvidence(sentence.number, forces[0].text, 0.8)
        words = self.gazetteer.target_kind_words(sentence.text[cue.end :])
        found = {kind: match for kind, match in words.items() if match is not None}
        if "non_state" in found:
            return "non_state", FieldEvidence(sentence.number, found["non_state"].group(0), 0.7)
        if "state" in found:
            return "state", FieldEvidence(sentence.number, found["state"].group(0), 0.7)
        flag = "the sentence does not say what was struck"
        return "unknown", FieldEvidence(sentence.number, "", 0.3, flag)

    def _date(self, sentence: Sentence, cue: Cue) -> DateReading:
        """The day of the cue's own event: the sentence's, or for an event named as the cause
        of another, only a date inside that clause, at lower confidence."""
        aside = _holder(aside_spans(sentence.text), cue.start)
        if aside is not None:
            # "Russia, which invaded Ukraine on Feb. 24, denies ...": the aside's own event.
            inside = read_date(sentence.text[slice(*aside)], self.published, own_event=False)
            return inside or publication_month(self.published, BACKGROUND)
        clause = _holder(cause_spans(sentence.text), cue.start)
        if clause is None and (later := self._counted_on(sentence.text, cue)) is not None:
            return later
        if clause is None:
            reading = read_date(sentence.text, self.published)
            if reading is not None:
                return reading
            background = is_background(own_words(sentence.text))
            return publication_month(self.published, BACKGROUND if background else NO_DATE)
        cause = "named as the cause of another event"
        if is_background(sentence.text[slice(*clause)]):
            # "after years of border clashes": the report's past, not one event.
            return publication_month(self.published, BACKGROUND)
        found = read_date(sentence.text[slice(*clause)], self.published, own_event=False)
        offset = cause_offset(sentence.text, clause[0])
        if found is None and offset is not None:
            # "four days after Israeli strikes in Beirut": counted back from the answer's day.
            answer = read_date(sentence.text, self.published)
            if answer is not None and answer.precision == "day":
                flag = f"{cause}: {offset} day(s) before the answer's day"
                return DateReading(answer.date - dt.timedelta(days=offset), "day", "", 0.5, flag)
        if found is None:
            month = publication_month(self.published, f"{cause}; its day is not given")
            return replace(month, days_before_answer=offset)
        return replace(found, confidence=min(found.confidence, 0.5), flag=found.flag or cause)

    def _counted_on(self, text: str, cue: Cue) -> DateReading | None:
        """'Iran retaliated the next day', 'two days later': the day counted on from the day
        told before the words in the sentence, else from the report's latest dated incident.
        Force told before that day's words is that day's own ("Israel struck on June 13, and
        Iran answered a day later")."""
        found = days_later(own_words(text))
        if found is None:
            return None
        match, days = found
        anchor = read_date(text[: match.start()], self.published)
        if anchor is not None and anchor.precision == "day":
            if cue.start < text.find(anchor.phrase) + len(anchor.phrase):
                return None
            start = anchor.date
        else:
            dated = [i for i in self.incidents if i.date_precision == "day"]
            if not dated:
                return None
            start = dated[-1].date
        flag = f"'{match.group(0)}': counted on from {start.isoformat()}"
        return DateReading(start + dt.timedelta(days=days), "day", match.group(0), 0.6, flag)

    def _merge(self, incident: CodedIncident) -> CodedIncident:
        """A second mention of a known incident adds its sentence; a new one is appended."""
        position = self.positions.setdefault(_identity(incident), len(self.incidents))
        if position < len(self.incidents):
            known = self.incidents[position]
            known.sentences.update(incident.sentences)
            return known
        self.incidents.append(incident)
        return incident

    def _read_deaths(self, sentence: Sentence, coded: list[CodedIncident]) -> None:
        report = read_deaths(sentence.text, self.gazetteer)
        if report is None:
            return
        if coded:
            incident = coded[-1]
        elif self.incidents and _REFERS_TO_FORCE.search(sentence.text):
            incident = self.incidents[-1]
            incident.sentences[sentence.number] = sentence.text
        else:
            self.verdicts.append(
                SentenceVerdict(sentence.number, "a death toll with no incident to attach it to")
            )
            return
        side = _side(incident, report)
        reporter = read_reporter(sentence.text, self.gazetteer)
        position = self.positions[_identity(incident)]
        self.claims.setdefault(position, []).append(_Claim(side, report, reporter, sentence.number))

    def _target_from_exchange(self) -> None:
        """Force with an actor and no target ("Cambodian rocket attacks struck a gas station")
        fell on the other state of the actor's exchange, when the report's incidents give the
        actor exactly one: low confidence, flagged."""
        partners: dict[str, set[str]] = {}
        for incident in self.incidents:
            partners.setdefault(incident.initiator, set()).add(incident.target)
            partners.setdefault(incident.target, set()).add(incident.initiator)
        for force in self.untargeted:
            if force.initiator is None or force.initiator_evidence is None:
                continue
            others = partners.get(force.initiator, set())
            if len(others) != 1:
                continue
            [target] = others
            flag = "no state named as struck: the other state of the report's exchange"
            evidence = FieldEvidence(force.sentence.number, "", 0.4, flag)
            incident = self._incident(
                force.sentence,
                force.cue,
                force.initiator,
                target,
                force.initiator_evidence,
                evidence,
                force.places,
            )
            self._merge(incident)

    def finish(self) -> list[CodedIncident]:
        """The article's incidents, each restatement joined to the dated incident it restates
        (with its sentences and death tolls), and every death toll settled."""
        self._target_from_exchange()
        joined = _restatements(self.incidents)
        settle_undated_days(self.incidents, joined, self.story_days, self.published)
        settle_cause_days(self.incidents, joined)
        for restating, dated in joined.items():
            self.incidents[dated].sentences.update(self.incidents[restating].sentences)
            self.claims.setdefault(dated, []).extend(self.claims.pop(restating, []))
        for position, claims in self.claims.items():
            _settle_deaths(self.incidents[position], claims)
        kept = [incident for i, incident in enumerate(self.incidents) if i not in joined]
        # Force the report places in its past with no date ("a six-week war last year") is
        # context, not an incident anyone can date: it is named, not proposed.
        for incident in [i for i in kept if i.evidence["date"].flag == BACKGROUND]:
            number = min(incident.sentences)
            self.verdicts.append(
                SentenceVerdict(
                    number,
                    f"{incident.initiator} -> {incident.target}: earlier force the report "
                    "names with no date: not proposed",
                )
            )
        kept = [i for i in kept if i.evidence["date"].flag != BACKGROUND]
        for incident in kept:
            signs = [
                (ev, text) for state, ev, text in self.crisis_signs if state == incident.target
            ]
            if signs:
                evidence, text = signs[0]
                incident.evidence["crisis"] = evidence
                incident.sentences.setdefault(evidence.sentence, text)
        return kept


@dataclass(frozen=True)
class _Untargeted:
    """A use of force with a state as the one who acted and no state named as struck."""

    sentence: Sentence
    cue: Cue
    initiator: str | None
    initiator_evidence: FieldEvidence | None
    places: list[Mention]


def _restatements(incidents: Sequence[CodedIncident]) -> dict[int, int]:
    """Month-only incidents that restate one dated incident: position -> the dated one's.

    A headline ("Iran strikes Pakistan") or a later undated sentence about the same pair and
    action is the same event told again, not a second one in the publication month. It joins the
    dated incident when exactly one day is given for that pair and action in the article (in its
    month, when the restatement names a month; a recent day for the story's undated mentions, an
    older one for the background's), never when two days are, and a day-precise incident never
    joins a month-only one.
    """
    days: dict[tuple[str, str, str], list[int]] = {}
    for position, incident in enumerate(incidents):
        if incident.date_precision == "day":
            days.setdefault(_pair_and_action(incident), []).append(position)
    joined: dict[int, int] = {}
    for position, incident in enumerate(incidents):
        if incident.date_precision != "month":
            continue
        undated = not incident.evidence["date"].phrase
        story = incident.evidence["date"].flag == NO_DATE
        # "In January" may be the dated day's month; "last week" is a span the day may miss.
        named_month = incident.evidence["date"].flag == ONLY_MONTH
        candidates = [
            day
            for day in days.get(_pair_and_action(incident), [])
            if (
                story_day(incidents[day]) == story
                if undated
                else incidents[day].date.replace(day=1) == incident.date and named_month
            )
        ]
        if len({incidents[day].date for day in candidates}) == 1:
            joined[position] = candidates[0]
    return joined


def _holder(spans: Sequence[tuple[int, int]], position: int) -> tuple[int, int] | None:
    """The span that holds `position`, None when none does."""
    return next((span for span in spans if span[0] <= position < span[1]), None)


def _pair_and_action(incident: CodedIncident) -> tuple[str, str, str]:
    return incident.initiator, incident.target, incident.action


def _identity(incident: CodedIncident) -> tuple[str, str, dt.date, str, bool]:
    """Two mentions with the same initiator, target, day and action are one incident; an
    undated mention placed in the past ("over the years") is never the story's."""
    background = incident.evidence["date"].flag == BACKGROUND
    return incident.initiator, incident.target, incident.date, incident.action, background


def _is_passive(text: str, start: int, cue: Cue) -> bool:
    """'were attacked by Afghan forces', 'Balochistan, hit by floods': the actor follows 'by';
    'came under fire from Azerbaijani forces': the actor follows 'from'."""
    if _CAME_UNDER.match(cue.text):
        return True
    by_follows = re.match(r"\s+by\b", text[cue.end :]) is not None
    return by_follows and (
        _PASSIVE_BEFORE.search(text[start : cue.start]) is not None
        or " " not in cue.text
        or _PASSIVE_INSIDE.search(cue.text) is not None
    )


def _is_attribution(text: str, mention: Mention) -> bool:
    """'..., Japan said' or '..., Pakistani officials said': who speaks, not where force fell."""
    return (
        _COMMA_BEFORE.search(text[max(0, mention.start - 5) : mention.start]) is not None
        and _SAID_AFTER.match(text[mention.end : mention.end + 60]) is not None
    )


def _clause_after(text: str, position: int) -> str:
    """The words after a force word up to the end of its clause (or 120 characters)."""
    rest = text[position : position + 120]
    end = _CLAUSE_END.search(rest)
    return rest[: end.start()] if end else rest


def _listed_with(text: str, first: Mention, places: list[Mention], initiator: str) -> list[Mention]:
    """The target and the states listed with it: "struck Iran and Syria", "Syria, Iraq and
    Jordan". A list must end in "and", so "struck Syria, Lebanon said" keeps Syria alone."""
    after = sorted((m for m in places if m.start >= first.end), key=lambda m: m.start)
    listed, joiners = [first], []
    for mention in after:
        between = text[listed[-1].end : mention.start]
        if not _JOINED.fullmatch(between) or not mention.state or mention.state == initiator:
            break
        listed.append(mention)
        joiners.append(between)
    while joiners and "and" not in joiners[-1]:
        joiners.pop()
        listed.pop()
    return list({m.state: m for m in reversed(listed)}.values())[::-1]


def _joint_actors(text: str, actors: list[Mention]) -> list[Mention]:
    """'The United States and Britain carried out strikes': each state in the list acted."""
    chain = [actors[-1]]
    for earlier in reversed(actors[:-1]):
        between = text[earlier.end : chain[0].start]
        if not _JOINED.fullmatch(between):
            break
        chain.insert(0, earlier)
    return chain


def _clash_parties(text: str, cue: Cue, mentions: list[Mention]) -> list[Mention]:
    """The states that can be sides of a clash: named in the clash's own clause, not a
    politician ("alongside Russian President ..."), and not where it happened ("a summit in
    Uzbekistan") unless the places are all the clause names."""
    opening = max((m.end() for m in _CLASH_CLAUSE.finditer(text, 0, cue.start)), default=0)
    closing = _CLASH_CLAUSE.search(text, cue.end)
    end = closing.start() if closing else len(text)
    # A town is where a clash happened, never one of its sides.
    named = [
        m
        for m in mentions
        if opening <= m.start < end and m.kind != "place" and not _TITLE_AFTER.match(text, m.end)
    ]
    sides = [
        m
        for m in named
        if not (m.state and _is_place(text, m) and not _PARTY_BEFORE.search(text[: m.start]))
    ]
    # "Border clashes in Azerbaijan-Armenia ...": where it happened names the sides when
    # nothing else does.
    return sides if len({m.state for m in sides if m.state}) >= 2 else named


def _in_retaliation(text: str, cue: Cue) -> bool:
    """Whether the force words stand in a clause naming what another act answered ("in
    retaliation for a ballistic missile assault", "in response to US airstrikes")."""
    return _holder(_spans(_RETALIATION, text), cue.start) is not None


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [match.span() for match in pattern.finditer(text)]


def _territory_after(
    text: str, owner: Mention, places: list[Mention], initiator: str, listed: list[Mention]
) -> list[Mention]:
    """The state, named after an object a state owns, on whose soil the object stood: a name
    (not an adjective) after "in" within the clause, of a state not already listed."""
    taken = {m.state for m in listed} | {initiator}
    clause_end = _CLAUSE_END.search(text, owner.end)
    stop = clause_end.start() if clause_end else len(text)
    for mention in sorted(places, key=lambda m: m.start):
        if (
            owner.end < mention.start < stop + 40
            and mention.kind in {"name", "capital", "region", "place"}
            and mention.state not in taken
            and mention.state is not None
            and _IN_BEFORE.search(text[: mention.start])
            # "..., officials in Washington said": who speaks, not where it stood.
            and not _SAID_AFTER.match(text[mention.end : mention.end + 60])
        ):
            return [mention]
    return []


def _is_subject(text: str, actor: Mention, cue: Cue) -> bool:
    """Whether the actor is plainly the force's own: an adjective or force right before force
    written as a noun ("Cambodian rocket attacks"), or a subject at most four words before its
    verb with no comma between ("Tajik forces are attacking"). A state's name before a noun
    ("Syria strike") may be the place, not the actor."""
    between = text[actor.end : cue.start]
    if "," in between or len(between.split()) > _SUBJECT_GAP_WORDS:
        return False
    return not cue.noun or actor.kind in {"adjective", "force"}


def _is_place(text: str, mention: Mention) -> bool:
    """'in Iran's province', 'into Pakistan': a place where force landed, not who used it.
    A state's forces are never a place: 'Members of the Venezuelan National Guard fired'."""
    if mention.kind in {"region", "place"}:
        return True
    if _FORCE_AFTER.match(text, mention.end):
        return False
    return _PLACE_BEFORE.search(text[: mention.start]) is not None


def _actor_confidence(mention: Mention) -> float:
    return {"name": 0.9, "capital": 0.8, "adjective": 0.8, "force": 0.8}.get(mention.kind, 0.5)


def _location(
    sentence: int, places: list[Mention], target: str
) -> tuple[str | None, FieldEvidence | None]:
    for mention in places:
        if mention.kind in {"region", "capital"} and target in mention.states:
            # A region split between states is named alone: its owner is what is in doubt.
            owner = _state_name(target) if len(mention.states) == 1 else None
            text = f"{mention.text}, {owner}" if owner else mention.text
            return text, FieldEvidence(sentence, mention.text, 0.8)
    return None, None


@cache
def _state_name(iso3: str) -> str:
    """The state's name, looked up once: the country table is a DataFrame, slow to ask per
    incident in a long report."""
    return name_of(resolve_country(iso3))


def _side(incident: CodedIncident, report: DeathReport) -> str:
    """Whose dead: named by nationality when the text says; else the struck side of a strike."""
    if incident.initiator in report.victim_states:
        return "initiator"
    if incident.target in report.victim_states:
        return "target"
    return "target" if incident.directed else "unknown"


def _settle_deaths(incident: CodedIncident, claims: list[_Claim]) -> None:
    """One count per side when the sources agree; otherwise the notes keep every claim."""
    for claim in claims:
        who = claim.reporter.phrase if claim.reporter else "the article (no source named)"
        incident.notes.append(
            f"deaths ({claim.side} side), s{claim.sentence}: {claim.report.describe()} "
            f'according to {who}: "{claim.report.phrase}"'
        )
    for side in ("initiator", "target"):
        mine = [c for c in claims if c.side == side]
        if not mine:
            continue
        counts = {c.report.count for c in mine}
        first = mine[0]
        confidence = 0.8 if first.reporter else 0.5
        flag = None
        if None in counts or len(counts) > 1:
            flag = "a range or disagreeing counts: left empty, see notes"
            count = None
            confidence = 0.3
        else:
            count = counts.pop()
        setattr(incident, f"fatalities_{side}", count)
        incident.evidence[f"fatalities_{side}"] = FieldEvidence(
            first.sentence, first.report.phrase, confidence, flag
        )
        if first.reporter is not None:
            reporter = first.reporter
            state = f"{_state_name(reporter.state)}: " if reporter.state else ""
            incident.fatalities_reported_by = f"{state}{reporter.phrase}"
    if any(c.side == "unknown" for c in claims):
        incident.notes.append("deaths whose side the text does not tell are left unknown")
