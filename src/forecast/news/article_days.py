"""The day of a use of force its own sentence does not date, read from the rest of the report.

News reports date an event once ("The strikes occurred late Saturday") and name it several
times without a date: in the headline, in the lead ("Pakistan carried out airstrikes inside
Afghanistan"), in a sentence about another side of the same exchange. A report of a fresh
event that gives no day at all was written on the day or the day after. So an undated mention
of a report's story takes, in this order:

1. the one day the report gives for force between the same two states (any action); with
   two days to choose from it keeps the publication month, as a restatement does;
2. the day the report gives to force whose sentence names no state ("The latest fighting
   began Monday morning"), the first one told when it gives several ("The strikes occurred
   late Saturday" before "Iran confirmed the attacks early Sunday");
(in both, only days up to two weeks before publication: an older day is background)
3. the publication day.

Each is a reading, not a fact, and says so: confidence 0.6, 0.5 and 0.3, with a flag naming
where the day came from; `forecast predict --news` forecasts none of them until a person has
set the day (`forecast.news.export.forecastable`). A sentence that places its event in the past
("in the past", "over the years", "in recent months") is read with another flag (`BACKGROUND`),
is never merged with the story's mentions and keeps the publication month.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from forecast.news.dates import DateReading, is_background, own_words
from forecast.news.records import CodedIncident, FieldEvidence

# The flags a sentence's own reading gives when it finds no date (coder._date): for the story,
# and for an event the sentence places in the past ("over the years", "in recent months").
NO_DATE = "the sentence gives no date"
BACKGROUND = "the sentence places it in the past and gives no date"
# The flag of a day taken from the publication date: such an incident is not forecast as read.
STORY_DAYS = 14
# Hostility of a use of force (MIE's scale; 2 is a threat).
FORCE = 4
ASSUMED_DAY = "the report gives no day for it: its publication day, to check"


def _pair(incident: CodedIncident) -> tuple[frozenset[str], bool]:
    """The two states, and whether force was used: a threat takes no day from a strike."""
    return frozenset((incident.initiator, incident.target)), incident.hostility >= FORCE


def recent(day: dt.date, published: dt.date) -> bool:
    """A day that can be a fresh report's story: on or up to two weeks before publication.
    Older days named in a report ("Russia, which invaded on 24 February") are its background."""
    return 0 <= (published - day).days <= STORY_DAYS


def story_day(incident: CodedIncident) -> bool:
    """Whether a dated incident can be the report's story: recent, and not told as what
    happened earlier ("Earlier on August 28, two shells ...", "in 2010")."""
    first = incident.sentences[min(incident.sentences)]
    return recent(incident.date, incident.published) and not is_background(own_words(first))


def undated(incident: CodedIncident) -> bool:
    """A mention whose sentence gave no date at all (not "last week", not a cause)."""
    evidence = incident.evidence["date"]
    return incident.date_precision == "month" and not evidence.phrase and evidence.flag == NO_DATE


def settle_undated_days(
    incidents: Sequence[CodedIncident],
    skip: Collection[int],
    story_days: Sequence[tuple[int, DateReading]],
    published: dt.date,
) -> None:
    """Give each undated incident (outside `skip`, the restatements already joined) its day."""
    pair_days: dict[tuple[frozenset[str], bool], dict[dt.date, int]] = {}
    for incident in incidents:
        if incident.date_precision == "day" and story_day(incident):
            days = pair_days.setdefault(_pair(incident), {})
            days.setdefault(incident.date, incident.evidence["date"].sentence)
    story: dict[dt.date, int] = {}
    for number, reading in story_days:
        if recent(reading.date, published):
            story.setdefault(reading.date, number)
    for position, incident in enumerate(incidents):
        if position in skip or not undated(incident):
            continue
        number = min(incident.sentences)
        same_pair = pair_days.get(_pair(incident), {})
        if len(same_pair) > 1:
            continue  # it restates one of the pair's days, and the words do not say which
        if len(same_pair) == 1:
            [(day, source)] = same_pair.items()
            flag = f"{NO_DATE}: the day of the same states' force in s{source}"
            evidence = FieldEvidence(source, f"s{source}", 0.6, flag)
        elif story:
            # With several, the first told: "The strikes occurred late Saturday" before "Iran
            # confirmed the attacks early Sunday".
            day, source = min(story.items(), key=lambda item: item[1])
            flag = f"{NO_DATE}: the day the report gives its force in s{source}"
            evidence = FieldEvidence(source, f"s{source}", 0.5, flag)
        else:
            day, evidence = published, FieldEvidence(number, "", 0.3, ASSUMED_DAY)
        _redate(incident, day, evidence)


def settle_cause_days(incidents: Sequence[CodedIncident], skip: Collection[int]) -> None:
    """A cause said to be N days before its answer ("a day after Iran's Revolutionary Guards
    attacked targets in Iraq"), whose sentence gave the answer no day, is counted back from the
    day the answer took from the report (confidence 0.4, flagged)."""
    for position, cause in enumerate(incidents):
        if position in skip or cause.days_before_answer is None or cause.date_precision == "day":
            continue
        number = min(cause.sentences)
        answers = [
            i
            for i in incidents
            if i is not cause
            and i.days_before_answer is None
            and i.date_precision == "day"
            and number in i.sentences
        ]
        if not answers:
            # "the attack was launched a day after ...": an answer with no names is the
            # report's story, when the report gives its force one day.
            answers = [
                i
                for i in incidents
                if i.days_before_answer is None
                and i.date_precision == "day"
                and recent(i.date, i.published)
                and "cause" not in str(i.evidence["date"].flag)
            ]
        if len({a.date for a in answers}) != 1:
            continue
        answer = answers[0]
        flag = (
            f"named as the cause of another event: {cause.days_before_answer} day(s) before "
            f"the answer's day, read in s{answer.evidence['date'].sentence}"
        )
        day = answer.date - dt.timedelta(days=cause.days_before_answer)
        _redate(cause, day, FieldEvidence(number, "", 0.4, flag))


def _redate(incident: CodedIncident, day: dt.date, evidence: FieldEvidence) -> None:
    """Give an incident the day read from the rest of the report, with its evidence and note."""
    incident.date, incident.date_precision = day, "day"
    incident.evidence["date"] = evidence
    incident.notes = [n for n in incident.notes if not n.startswith("date: ")]
    incident.notes.append(f"date: {evidence.flag}")
