"""A report's words by which the struck state treats a strike as a crisis are proposed as the
incident's `crisis` judgement, with the words as evidence; a protest, a denial, another state's
words or a hypothetical are not."""

from __future__ import annotations

import datetime as dt

import pytest

from forecast.news import code_article
from forecast.news.export import forecastable, handcoded_frame

PUBLISHED = dt.date(2024, 1, 18)
STRIKE = "Iranian missiles struck militant camps inside Pakistan on Tuesday, killing two children."


def crisis_of(follow_up: str) -> list[str]:
    return [
        incident.crisis for incident in code_article(f"{STRIKE} {follow_up}", PUBLISHED).incidents
    ]


@pytest.mark.parametrize(
    "follow_up",
    [
        "Pakistan recalled its ambassador from Tehran.",
        "Pakistan vowed to respond at a time of its choosing.",
        "Pakistan's prime minister chaired an emergency meeting of the national security body.",
        "Pakistan put its armed forces on high alert.",
        "Islamabad said it reserves the right to respond.",
        "Pakistan expelled the Iranian ambassador.",
    ],
)
def test_the_struck_states_vow_or_deed_proposes_a_crisis(follow_up: str) -> None:
    assert crisis_of(follow_up) == ["yes"]


@pytest.mark.parametrize(
    "follow_up",
    [
        "Pakistan summoned Iran's envoy and condemned the strike.",  # a protest
        "Pakistan did not recall its ambassador.",  # denied
        "Iran vowed to respond to any attack.",  # the striker's words
        "Pakistan could recall its ambassador if the attacks continue.",  # hypothetical
        "Officials vowed to respond.",  # no state named
    ],
)
def test_a_protest_a_denial_the_strikers_words_or_a_hypothetical_propose_nothing(
    follow_up: str,
) -> None:
    assert crisis_of(follow_up) == ["unknown"]


def test_the_proposal_reaches_the_csv_and_the_forecast_with_its_words() -> None:
    result = code_article(f"{STRIKE} Pakistan recalled its ambassador from Tehran.", PUBLISHED)
    frame = handcoded_frame([result])
    assert frame["crisis"].tolist() == ["yes"]
    assert 'crisis: s2 "recalled its ambassador"' in frame["evidence"].iloc[0]
    assert "[s2] Pakistan recalled its ambassador" in frame["notes"].iloc[0]
    (incident,), _ = forecastable(result.incidents)
    assert incident.crisis is True
