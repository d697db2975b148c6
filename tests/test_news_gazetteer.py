"""The gazetteer: every state the project knows, its forces, and names that are not the state."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from forecast.core.countries import country_table
from forecast.news import CodedIncident, code_article
from forecast.news.gazetteer import load_gazetteer


def coded(text: str) -> list[CodedIncident]:
    return code_article(text, dt.date(2024, 1, 18)).incidents


def named_states(text: str) -> list[str | None]:
    return [m.state for m in load_gazetteer().mentions(text)]


def test_every_state_with_an_iso3_code_in_the_country_table_is_in_the_gazetteer() -> None:
    table = country_table()
    expected = set(table["iso3"].dropna())
    named = {
        states[0]
        for kind, states in load_gazetteer().meanings.values()
        if kind == "name" and len(states) == 1
    }
    assert expected - named == set()


def test_every_state_has_its_own_adjective_but_where_it_is_shared() -> None:
    """'Dominican' is read as the Dominican Republic, the state reports mean by it, and
    'Congolese' as either Congo (a name shared by two states names neither alone)."""
    with_adjective = {
        states[0] for kind, states in load_gazetteer().meanings.values() if kind == "adjective"
    }
    missing = set(country_table()["iso3"].dropna()) - with_adjective
    assert missing == {"DMA", "COD", "COG"}


def test_no_name_of_one_state_is_read_as_another() -> None:
    """A state's short and official names from the table match that state, not another."""
    gazetteer = load_gazetteer()
    for row in country_table().dropna(subset=["iso3"]).itertuples():
        _, states = gazetteer.meanings.get(row.name, ("name", (row.iso3,)))
        assert row.iso3 in states, row.name


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("Thai jets struck Cambodian positions near Preah Vihear.", ["THA", "KHM", "KHM"]),
        ("Ethiopia and Eritrea", ["ETH", "ERI"]),
        ("Chadian troops", ["TCD"]),
        ("Niger and Nigeria", ["NER", "NGA"]),
        (
            "Guinea, Guinea-Bissau, Equatorial Guinea and Papua New Guinea",
            ["GIN", "GNB", "GNQ", "PNG"],
        ),
        ("the Czech Republic, Czechia", ["CZE", "CZE"]),
    ],
)
def test_states_beyond_the_first_few_are_known(text: str, state: list[str]) -> None:
    assert named_states(text) == state


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("The IRGC said", "IRN"),
        ("Revolutionary Guards said", "IRN"),
        ("The IDF said", "ISR"),
        ("The PLA said", "CHN"),
        ("The Tatmadaw said", "MMR"),
        ("The Korean People's Army said", "PRK"),
        ("The Armed Forces of Ukraine said", "UKR"),
        ("The Saudi-led coalition said", "SAU"),
    ],
)
def test_a_states_force_or_agency_is_read_as_that_state(text: str, state: str) -> None:
    [mention] = load_gazetteer().mentions(text)
    assert (mention.kind, mention.state) == ("force", state)


def test_a_force_named_alone_is_the_one_who_acted() -> None:
    [incident] = coded("The IRGC struck militant bases in Erbil on Tuesday.")
    assert (incident.initiator, incident.target) == ("IRN", "IRQ")
    assert incident.evidence["initiator"].phrase == "IRGC"


def test_a_force_struck_makes_a_state_target() -> None:
    [incident] = coded("Iranian drones attacked the IDF on Tuesday.")
    assert (incident.initiator, incident.target, incident.target_kind) == ("IRN", "ISR", "state")


@pytest.mark.parametrize(
    "text",
    [
        "Michael Jordan scored 30 points.",
        "Jordan Peterson spoke in London.",
        "Chad Smith said the match was over.",
        "Voters in Atlanta, Georgia went to the polls.",
        "Georgia Tech won the game.",
        "The Georgia legislature met.",
        "The Niger River floods every year.",
        "Air India cancelled flights.",
        "Turkey sandwiches were served.",
        "He bought a China plate.",
    ],
)
def test_a_name_that_is_a_person_or_another_place_is_not_the_state(text: str) -> None:
    states = named_states(text)
    assert not {"JOR", "TCD", "GEO", "NER", "IND", "TUR", "CHN"} & set(states)


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("Israel Strikes Jordan Again", "JOR"),
        ("Russian troops entered Georgia in 2008.", "GEO"),
        ("Israel and Jordan signed a treaty.", "JOR"),
        ("Sudan and Chad closed the border.", "TCD"),
    ],
)
def test_the_guards_keep_the_state_where_it_is_meant(text: str, state: str) -> None:
    assert state in named_states(text)


def test_a_sea_named_after_a_state_is_not_that_state() -> None:
    result = code_article(
        "North Korea fired missiles into the Sea of Japan on Monday.", dt.date(2024, 1, 18)
    )
    assert result.incidents == []


def test_a_name_shared_by_two_states_names_neither_alone() -> None:
    [mention] = load_gazetteer().mentions("Congo")
    assert mention.state is None and set(mention.states) == {"COD", "COG"}


def test_names_alone_never_make_an_incident() -> None:
    result = code_article(
        "Chad, Jordan, Georgia, Niger, Thailand and Cambodia sent envoys to Doha.",
        dt.date(2024, 1, 18),
    )
    assert result.incidents == []


def test_a_place_still_gives_its_state_as_the_target() -> None:
    [incident] = coded("Israeli jets struck targets near Fordow on Tuesday.")
    assert (incident.initiator, incident.target) == ("ISR", "IRN")
    assert incident.location == "Fordow, Iran"


@pytest.mark.parametrize(
    ("text", "state"),
    [
        ("Indian missiles struck Bahawalpur on Wednesday.", "PAK"),
        ("Israeli jets struck Nabatieh on Wednesday.", "LBN"),
        ("Iranian missiles hit Nevatim on Wednesday.", "ISR"),
        ("Ukrainian drones struck Rostov on Wednesday.", "RUS"),
    ],
)
def test_a_city_or_site_gives_its_state_as_the_target(text: str, state: str) -> None:
    [incident] = coded(text)
    assert incident.target == state


def test_newly_known_states_are_coded() -> None:
    [incident] = coded("Thai jets bombed Cambodian army posts on Thursday.")
    assert (incident.initiator, incident.target, incident.target_kind) == ("THA", "KHM", "state")


def test_the_size_docs_news_md_states_is_the_gazetteers() -> None:
    meanings = load_gazetteer().meanings
    kinds = Counter(kind for kind, _ in meanings.values())
    docs = " ".join((Path(__file__).parents[1] / "docs" / "news.md").read_text().split())
    stated = (
        f"Size: {len(meanings):,} names ({kinds['name']} state names, {kinds['adjective']} "
        f"adjectives and demonyms, {kinds['capital']} capitals, {kinds['region']} places, "
        f"{kinds['force']} forces and agencies, {kinds['group']} armed groups)"
    )
    assert stated in docs


def test_a_city_from_the_library_names_the_struck_state_the_report_names() -> None:
    [incident] = code_article(
        "A Russian shell smashed into a building in Toretsk on Monday, Ukrainian officials said.",
        dt.date(2024, 1, 18),
    ).incidents
    assert (incident.initiator, incident.target) == ("RUS", "UKR")
    assert incident.evidence["target"].phrase == "Toretsk"


def test_a_library_place_of_a_state_the_report_never_names_is_not_read() -> None:
    # Blida is an Algerian city, and a Lebanese village: a report on Lebanon means the village.
    incidents = code_article(
        "Israeli jets struck Blida on Monday. Lebanon condemned the raid.", dt.date(2024, 1, 18)
    ).incidents
    assert all(i.target != "DZA" for i in incidents)


@pytest.mark.parametrize(
    "text",
    ["a summit of the Shanghai Cooperation Organisation", "Maria Karaj said", "in the North"],
)
def test_a_library_place_named_in_a_body_a_persons_name_or_a_word_is_not_a_place(
    text: str,
) -> None:
    assert [m for m in load_gazetteer().mentions(text) if m.kind == "place"] == []


def test_library_places_leave_out_names_of_two_states_and_known_names() -> None:
    places = load_gazetteer().places
    assert places["Toretsk"] == "UKR" and places["Karaj"] == "IRN"
    assert "Georgia" not in places and "Gaza" not in places
    assert all(len(name) >= 4 for name in places)


def test_a_city_of_a_million_names_its_state_though_the_report_does_not() -> None:
    [incident] = code_article(
        "Ukrainian drones hit an oil refinery in Samara overnight.", dt.date(2024, 1, 18)
    ).incidents
    assert (incident.initiator, incident.target) == ("UKR", "RUS")
    assert load_gazetteer().places["Samara"] == "RUS"  # not the Ethiopian town
