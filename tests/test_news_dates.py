"""Dates in news text are resolved against the publication date, never guessed to the day."""

from __future__ import annotations

import datetime as dt

import pytest

from forecast.news.dates import is_background, publication_month, read_date

THURSDAY = dt.date(2024, 1, 18)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pakistan struck on Thursday.", dt.date(2024, 1, 18)),  # the publication day itself
        ("On Tuesday, Iran launched missiles.", dt.date(2024, 1, 16)),
        ("It happened on Friday.", dt.date(2024, 1, 12)),  # never a day after publication
        ("It happened last Thursday.", dt.date(2024, 1, 11)),
        ("Jets struck yesterday.", dt.date(2024, 1, 17)),
        ("Jets struck last night.", dt.date(2024, 1, 17)),
        ("Jets struck today.", dt.date(2024, 1, 18)),
    ],
)
def test_relative_days_resolve_against_the_publication_date(text: str, expected: dt.date) -> None:
    reading = read_date(text, THURSDAY)
    assert reading is not None
    assert (reading.date, reading.precision, reading.flag) == (expected, "day", None)


@pytest.mark.parametrize(
    "text",
    [
        "on 16 January 2024",
        "on January 16, 2024",
        "on Jan. 16",
        "on 16th January",
        "on 2024-01-16",
    ],
)
def test_explicit_dates_in_common_english_forms(text: str) -> None:
    reading = read_date(f"Iran struck {text}.", THURSDAY)
    assert reading is not None and (reading.date, reading.precision) == (
        dt.date(2024, 1, 16),
        "day",
    )


def test_a_date_without_year_after_publication_is_last_year() -> None:
    reading = read_date("Shelling began on 30 December.", dt.date(2024, 1, 2))
    assert reading is not None and reading.date == dt.date(2023, 12, 30)


def test_a_date_after_publication_is_flagged_not_trusted() -> None:
    reading = read_date("Talks are due on 3 March 2024.", THURSDAY)
    assert reading is not None and reading.flag and reading.confidence < 0.5


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("Troops fired on posts last week.", dt.date(2024, 1, 1)),
        ("Troops fired on posts earlier this month.", dt.date(2024, 1, 1)),
        ("Troops fired on posts last month.", dt.date(2023, 12, 1)),
        ("Troops fired on posts in March.", dt.date(2023, 3, 1)),
    ],
)
def test_vague_dates_keep_month_precision_and_a_flag(text: str, month: dt.date) -> None:
    reading = read_date(text, THURSDAY)
    assert reading is not None
    assert (reading.date, reading.precision) == (month, "month")
    assert reading.flag


def test_last_week_early_in_a_month_falls_in_the_month_before() -> None:
    reading = read_date("Troops fired on posts last week.", dt.date(2024, 3, 3))
    assert reading is not None and reading.date == dt.date(2024, 2, 1)


def test_no_date_gives_none_and_the_fallback_is_the_flagged_publication_month() -> None:
    assert read_date("Iran condemned the strikes.", THURSDAY) is None
    fallback = publication_month(THURSDAY, "the sentence gives no date")
    assert (fallback.date, fallback.precision, fallback.flag) == (
        dt.date(2024, 1, 1),
        "month",
        "the sentence gives no date",
    )


PUBLISHED_SATURDAY = dt.date(2024, 1, 20)


@pytest.mark.parametrize(
    ("sentence", "day"),
    [
        # The provocation's date is inside the named cause; the answer's is its own.
        ("Pakistan struck Iran early Saturday, two days after Iran's attack on Tuesday.", 20),
        ("In retaliation for Tuesday's attack, Pakistan struck early Saturday.", 20),
        ("Hours after the attack on Monday, India shelled posts on Tuesday.", 16),
        # Time of day after "after" is no cause.
        ("Jets struck shortly after midnight on Friday.", 19),
        # A dateline's date is the report's; the event's day is read after it.
        ("ISLAMABAD, Jan 18 (Reuters) - Pakistan struck targets in Iran on Thursday.", 18),
    ],
)
def test_the_date_of_a_named_cause_or_a_dateline_never_dates_the_event(
    sentence: str, day: int
) -> None:
    reading = read_date(sentence, PUBLISHED_SATURDAY)
    assert reading is not None and reading.date == dt.date(2024, 1, day), reading


@pytest.mark.parametrize(
    "sentence",
    [
        "Pakistan struck back after Iran attacked on Tuesday.",
        "ISLAMABAD, Jan 18 (Reuters) - Pakistan struck targets inside Iran.",
    ],
)
def test_a_sentence_whose_only_date_is_a_cause_or_a_dateline_gives_no_day(sentence: str) -> None:
    assert read_date(sentence, PUBLISHED_SATURDAY) is None


@pytest.mark.parametrize("phrase", ["over the weekend", "at the weekend", "earlier in the week"])
def test_a_weekend_or_a_week_keeps_month_precision(phrase: str) -> None:
    reading = read_date(f"Jets struck the camps {phrase}.", PUBLISHED_SATURDAY)
    assert reading is not None and reading.precision == "month" and reading.flag


def test_a_day_said_to_be_last_years_is_in_the_year_before_publication() -> None:
    reading = read_date("Last year on March 16, the army shot down a drone.", dt.date(2020, 4, 9))
    assert reading is not None and reading.date == dt.date(2019, 3, 16)


def test_a_date_inside_an_aside_is_another_events() -> None:
    text = "Iran attacked Israel amid the war that began with the attack of Oct. 7, 2023."
    assert read_date(text, dt.date(2024, 10, 26)) is None
    text = "Russia, which invaded Ukraine on Feb. 24, shelled Toretsk on Monday."
    reading = read_date(text, dt.date(2022, 7, 18))
    assert reading is not None and reading.phrase == "Monday"


@pytest.mark.parametrize(
    ("text", "background"),
    [
        ("The two armies fought a war last year.", True),
        ("Israel has struck targets in Syria regularly over the years.", True),
        ("Its support has drawn regular Israeli air strikes.", True),
        ("Israel struck targets in Syria.", False),
    ],
)
def test_words_that_place_an_event_in_the_reports_past(text: str, background: bool) -> None:
    assert is_background(text) is background
