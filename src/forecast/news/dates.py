"""When a reported use of force happened, read from the words of one sentence.

News reports write "on Tuesday", "yesterday" or "last week" and leave the reader to know the
publication date. Each phrase is resolved against that date: a weekday is the most recent such
day on or before it, "yesterday" the day before. What cannot be pinned to a day ("last week",
"over the weekend", "in January") keeps month precision and a flag; no day is ever guessed. A
dateline's date is the report's, and a date inside a named cause ("after Tuesday's attack") is
the provocation's: neither dates the sentence's own event.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateutil import parser as date_parser

from forecast.news.fatalities import number_value

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_EXPLICIT = re.compile(
    rf"\b(?:\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)? (?:{_MONTHS})\b\.?(?:,? \d{{4}})?"
    rf"|(?:{_MONTHS})\b\.? \d{{1,2}}(?:st|nd|rd|th)?\b(?:,? \d{{4}})?)"
)
_WEEKDAY = re.compile(rf"\b(?P<last>last )?(?P<day>{'|'.join(WEEKDAYS)})\b")
_DAY_BEFORE = re.compile(r"\b(?:yesterday|last night|overnight)\b", re.IGNORECASE)
_SAME_DAY = re.compile(r"\b(?:today|this morning|earlier today|tonight)\b", re.IGNORECASE)
_VAGUE = re.compile(
    r"\b(?:last week|this week|earlier this week|earlier this month|this month|"
    r"in recent days|last weekend|over the weekend|at the weekend|this weekend|"
    r"earlier in the week)\b",
    re.IGNORECASE,
)
# A dateline opens a wire report ("ISLAMABAD, Jan 18 (Reuters) -"): its date is the report's,
# not the event's.
_DATELINE = re.compile(
    rf"^\s*[A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+){{0,3}}(?:, [A-Z][A-Za-z.' -]{{1,30}})?,? "
    rf"(?:(?:{_MONTHS})\.? \d{{1,2}}|\d{{1,2}} (?:{_MONTHS})\.?)(?:,? \d{{4}})?"
    rf"(?: \([^)]{{1,40}}\))? ?[-\u2013\u2014:]+ "
)
# A cause named beside the force ("after Tuesday's attack", "in retaliation for the strike on
# Monday"): the date inside it is the provocation's, never the answer's. Time of day after
# "after" (dawn, midnight, 2 am) is not a cause.
_CAUSE = re.compile(
    r"\b(?:(?:(?:days?|hours?|weeks?|a day|shortly) )?after(?! (?:midnight|dawn|dusk|"
    r"sunrise|sunset|noon|nightfall|darkness|\d))|following|in (?:response|retaliation|reply) "
    r"(?:to|for)|in revenge for|to avenge|a response to|retaliation for)\b[^,;:]*",
    re.IGNORECASE,
)
# Words that place a sentence's event before the report's story: it is background, whatever day
# the report was written.
_BACKGROUND = re.compile(
    r"\b(?:in the past|previously|in recent (?:days|weeks|months|years)|over the (?:past|last) "
    r"(?:few |two |three |several )?(?:days|weeks|months|years|decades?)|over the years|for years|"
    r"years ago|decades ago|a history of|history of|last year|earlier this year|in (?:19|20)\d\d|"
    r"since (?:19|20)\d\d|repeatedly|has long|have long|had long|ever since|regular|frequent|"
    r"routine|periodic|repeated|second time|first time since|(?:years|decades|months) of)\b"
    r"|^\W*(?:Earlier|Previously)\b",
    re.IGNORECASE,
)
# Context beside the event, whose dates are other events': "amid the war that began with the
# attack of Oct. 7, 2023", "Russia, which invaded on Feb. 24, ...".
_ASIDE = re.compile(r"\bamid\b[^,;:]*|,\s*which\b[^,;:]*", re.IGNORECASE)
ONLY_MONTH = "only the month is given"
_LAST_YEAR = re.compile(r"\blast year\b", re.IGNORECASE)
# The opening of a cause clause that says how long before the answer it happened.
_OFFSET = re.compile(
    r"(?:(?P<count>a|an|one)\s+)?(?P<unit>days?|weeks?|hours?|minutes?)\s+after\b", re.IGNORECASE
)
_COUNT_BEFORE = re.compile(
    r"(?P<count>\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten)\s+$", re.IGNORECASE
)
_LATER = re.compile(
    r"\b(?:the (?:next|following) day|(?P<count>a|an|one|two|three|four|five|six|seven|\d{1,2})"
    r" (?P<unit>days?|weeks?) later)\b",
    re.IGNORECASE,
)
_LAST_MONTH = re.compile(r"\blast month\b", re.IGNORECASE)
_MONTH_ONLY = re.compile(rf"\b(?:in|during|since) (?P<month>{_MONTHS})\b(?: (?P<year>\d{{4}}))?")


@dataclass(frozen=True)
class DateReading:
    """A date read from text: the day (first of the month when precision is 'month').

    `flag` says why the day is not known or is doubtful; `phrase` is the words it rests on.
    """

    date: dt.date
    precision: str
    phrase: str
    confidence: float
    flag: str | None = None
    # For a cause "four days after" whose answer's day the sentence does not give: counted
    # back once the report gives that day (forecast.news.article_days).
    days_before_answer: int | None = None


def publication_month(published: dt.date, reason: str) -> DateReading:
    """The fallback when a sentence gives no usable date: the publication month, flagged."""
    return DateReading(published.replace(day=1), "month", "", 0.3, reason)


def days_later(text: str) -> tuple[re.Match[str], int] | None:
    """ "the next day", "a day later", "two days later", "a week later": the words and how many
    days after an event told before them the sentence's own event came."""
    match = _LATER.search(text)
    if match is None:
        return None
    count = match.group("count")
    return match, 1 if count is None else _days(count, match.group("unit"))


def aside_spans(text: str) -> list[tuple[int, int]]:
    """Where the sentence steps aside to another event ("Russia, which invaded Ukraine on
    Feb. 24, ...", "amid the war that began ..."): the (start, end) of each aside."""
    return [match.span() for match in _ASIDE.finditer(text)]


def own_words(text: str) -> str:
    """The sentence without its named causes and asides ("after years of raids", "amid the
    war"), whose words are about other events (offsets kept)."""
    return _blanked(_blanked(text, _CAUSE), _ASIDE)


def is_background(text: str) -> bool:
    """Whether the sentence places its event in the past of the report ("in recent months",
    "last year", "in 2010", "over the years"): then no day of the report's story is its day."""
    return _BACKGROUND.search(text) is not None


def cause_offset(text: str, start: int) -> int | None:
    """How many days before its answer a cause happened, from the words that open the cause
    clause at `start`: "hours after" 0, "a day after" 1, "four days after" 4, "two weeks
    after" 14; None when the clause does not say ("after", "in retaliation for")."""
    opening = _OFFSET.match(text, start)
    if opening is None:
        return None
    if opening.group("unit").startswith(("hour", "minute")):
        return 0
    count = _COUNT_BEFORE.search(text[max(0, start - 20) : start])
    words = opening.group("count") or (count.group("count") if count else None)
    return None if words is None else _days(words, opening.group("unit"))


def _days(count: str, unit: str) -> int:
    """'two' 'weeks' -> 14, 'a' 'day' -> 1: the number words are the death tolls' own."""
    number = 1 if count.lower() in {"a", "an"} else number_value(count)
    return number * (7 if unit.lower().startswith("week") else 1)


def cause_spans(text: str) -> list[tuple[int, int]]:
    """Where the sentence names a cause of its event ("hours after the Iranian attack"): the
    (start, end) of each such clause, up to the next comma, semicolon or colon."""
    return [match.span() for match in _CAUSE.finditer(text)]


def read_date(text: str, published: dt.date, *, own_event: bool = True) -> DateReading | None:
    """The first date the sentence gives to its own event, resolved against the publication
    date; None if none.

    A dateline's date (the report's) and a date inside a named cause ("after Tuesday's
    attack": the provocation's) are not the event's, so they are blanked before reading;
    `own_event=False` reads a cause clause itself, for the provocation's own date.
    Day-precise readings are preferred over month-precise ones in the same sentence.
    """
    text = _blanked(text, _DATELINE)
    if own_event:
        text = own_words(text)
    for reader in (_explicit_day, _weekday, _relative_day):
        reading = reader(text, published)
        if reading is not None:
            return reading
    return _month_only(text, published)


def _explicit_day(text: str, published: dt.date) -> DateReading | None:
    match = _EXPLICIT.search(text)
    if match is None:
        return None
    phrase = match.group(0)
    has_year = re.search(r"\d{4}", phrase) is not None
    try:
        day = date_parser.parse(phrase, default=dt.datetime(published.year, 1, 1)).date()
    except (ValueError, OverflowError):
        return None
    if not has_year and _LAST_YEAR.search(text):
        # "Last year on March 16": the day of the year before publication.
        day = _year_before(day, published)
    elif not has_year and day > published:
        # "on 30 December" in a report of 2 January means the year before.
        day = day.replace(year=day.year - 1)
    if day > published:
        return DateReading(day, "day", phrase, 0.3, "date after the publication date")
    return DateReading(day, "day", phrase, 0.9)


def _year_before(day: dt.date, published: dt.date) -> dt.date:
    """`day`'s month and day in the year before publication (28 February for a 29th)."""
    try:
        return day.replace(year=published.year - 1)
    except ValueError:
        return dt.date(published.year - 1, 2, 28)


def _weekday(text: str, published: dt.date) -> DateReading | None:
    match = _WEEKDAY.search(text)
    if match is None:
        return None
    back = (published.weekday() - WEEKDAYS.index(match.group("day"))) % 7
    if back == 0 and match.group("last"):
        back = 7
    return DateReading(published - dt.timedelta(days=back), "day", match.group(0), 0.8)


def _relative_day(text: str, published: dt.date) -> DateReading | None:
    if match := _DAY_BEFORE.search(text):
        return DateReading(published - dt.timedelta(days=1), "day", match.group(0), 0.8)
    if match := _SAME_DAY.search(text):
        return DateReading(published, "day", match.group(0), 0.8)
    return None


def _month_only(text: str, published: dt.date) -> DateReading | None:
    if match := _VAGUE.search(text):
        # "last week" may fall in the previous month; the month a week back is the safer one.
        anchor = published - dt.timedelta(days=7) if "week" in match.group(0).lower() else published
        return DateReading(
            anchor.replace(day=1), "month", match.group(0), 0.4, f"'{match.group(0)}' gives no day"
        )
    if match := _LAST_MONTH.search(text):
        previous = published.replace(day=1) - dt.timedelta(days=1)
        return DateReading(
            previous.replace(day=1), "month", match.group(0), 0.5, "'last month' gives no day"
        )
    if match := _MONTH_ONLY.search(text):
        month = date_parser.parse(match.group("month")).month
        year = int(match.group("year")) if match.group("year") else published.year
        if not match.group("year") and (year, month) > (published.year, published.month):
            year -= 1
        return DateReading(dt.date(year, month, 1), "month", match.group(0), 0.6, ONLY_MONTH)
    return None


def _blanked(text: str, pattern: re.Pattern[str]) -> str:
    """`text` with every match of `pattern` replaced by spaces (offsets are kept)."""
    return pattern.sub(lambda match: " " * len(match.group(0)), text)
