"""The news coder's rules, one behaviour per test, on short reports written for the tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from forecast.core.countries import resolve_country
from forecast.core.errors import DataFileError
from forecast.news import MAX_ARTICLE_BYTES, CodedIncident, code_article, code_file
from forecast.news.evaluation import incident_values, score
from forecast.news.export import forecastable
from forecast.news.gazetteer import load_gazetteer
from forecast.news.lexicon import load_lexicon

FIXTURES = Path(__file__).parent / "fixtures" / "news"
GOLD = yaml.safe_load((FIXTURES / "gold.yaml").read_text())


def coded(name: str) -> list[CodedIncident]:
    return code_file(FIXTURES / name, GOLD[name]["published"]).incidents


PUBLISHED = dt.date(2024, 1, 18)  # a Thursday


def one(text: str, published: dt.date = dt.date(2024, 1, 18)) -> list[CodedIncident]:
    return code_article(text, published).incidents


@pytest.mark.parametrize("name", sorted(GOLD))
def test_each_fixture_report_gives_its_gold_incidents(name: str) -> None:
    proposed = [incident_values(i) for i in coded(name)]
    scores = score(proposed, GOLD[name]["incidents"])
    assert scores["incidents"].precision == 1.0 and scores["incidents"].recall == 1.0
    for field, result in scores.items():
        assert result.precision == 1.0, f"{name}: {field} {result}"


def test_three_incidents_in_one_report_are_kept_apart() -> None:
    incidents = coded("three_incidents.txt")
    assert [(i.initiator, i.target, i.action) for i in incidents] == [
        ("IND", "PAK", "attack"),
        ("PAK", "IND", "attack"),
        ("IND", "PAK", "clash"),
    ]


def test_a_report_of_diplomacy_only_gives_no_incident() -> None:
    result = code_file(FIXTURES / "none.txt", dt.date(2024, 1, 20))
    assert result.incidents == []
    assert any("condemnation" in v.verdict for v in result.verdicts)
    assert any("summoning" in v.verdict for v in result.verdicts)


@pytest.mark.parametrize(
    "text",
    [
        "Israel did not strike Syrian targets on Monday.",
        "Pakistan denied that its jets had carried out air strikes in Afghanistan.",
        "India never shelled Pakistani posts on Monday.",
    ],
)
def test_negated_force_is_no_incident(text: str) -> None:
    result = code_article(text, dt.date(2024, 1, 18))
    assert result.incidents == []
    assert "negated" in result.verdicts[0].verdict


@pytest.mark.parametrize(
    "text",
    [
        "North Korea threatened to launch missile strikes against South Korea.",
        "The United States said it would strike Houthi targets in Yemen.",
        "China vowed to attack Japanese ships on Monday.",
        "If India attacked Pakistan, the army would respond.",
    ],
)
def test_threats_and_hypotheticals_are_no_use_of_force(text: str) -> None:
    result = code_article(text, dt.date(2024, 1, 18))
    assert all(i.hostility < 4 for i in result.incidents)
    assert "threat or hypothetical" in result.verdicts[0].verdict


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        ("North Korea threatened to launch missile strikes against South Korea.", ("PRK", "KOR")),
        ("China vowed to attack Japanese ships on Monday.", ("CHN", "JPN")),
        ("Pakistan warned India of a befitting response.", ("PAK", "IND")),
    ],
)
def test_a_threat_against_a_named_state_is_a_threat_of_force(
    text: str, pair: tuple[str, str]
) -> None:
    [threat] = code_article(text, dt.date(2024, 1, 18)).incidents
    assert (threat.initiator, threat.target) == pair
    assert (threat.action, threat.hostility, threat.cameo) == ("threat_to_use_force", 2, "138")
    assert forecastable([threat])[0] == []


def test_a_denied_threat_or_one_against_no_state_is_nothing() -> None:
    assert code_article("Iran did not threaten Israel.", dt.date(2024, 1, 18)).incidents == []
    assert code_article("China vowed to attack any ship.", dt.date(2024, 1, 18)).incidents == []


def test_a_threat_with_no_force_verb_is_explained_as_a_threat() -> None:
    result = code_article("Iran said it would respond to any attack.", dt.date(2024, 1, 18))
    assert result.incidents == [] and "threat" in result.verdicts[0].verdict


def test_the_same_verb_stated_as_done_is_an_incident() -> None:
    [incident] = one("China attacked Japanese ships on Monday.")
    assert (incident.initiator, incident.target, incident.date) == (
        "CHN",
        "JPN",
        dt.date(2024, 1, 15),
    )


def test_demonyms_name_the_acting_and_the_struck_state() -> None:
    [incident] = one("Azerbaijani jets bombed Armenian positions on Tuesday.")
    assert (incident.initiator, incident.target) == ("AZE", "ARM")
    assert incident.evidence["initiator"].phrase == "Azerbaijani"


def test_a_region_names_the_struck_state_and_the_location() -> None:
    [incident] = one("Iran launched drones into Balochistan on Tuesday.")
    assert incident.target == "PAK"
    assert incident.location == "Balochistan, Pakistan"


def test_a_capital_names_its_state() -> None:
    [incident] = one("Israeli aircraft bombed targets near Damascus on Tuesday.")
    assert incident.target == "SYR"


def test_a_region_claimed_by_two_states_gives_the_other_one_at_low_confidence() -> None:
    [incident] = one("Indian jets struck camps in Kashmir on Tuesday.")
    assert incident.target == "PAK"
    assert "target" in incident.low_confidence


def test_a_place_is_not_taken_for_the_one_who_acted() -> None:
    [incident] = one("In Iran's Sistan-Baluchestan, Pakistani jets struck hideouts on Thursday.")
    assert (incident.initiator, incident.target) == ("PAK", "IRN")


def test_the_passive_voice_names_the_initiator_after_by() -> None:
    [incident] = one("Pakistani border posts were attacked by Afghan forces on Monday.")
    assert (incident.initiator, incident.target) == ("AFG", "PAK")


def test_a_strike_on_a_group_on_another_states_soil_is_force_against_that_state() -> None:
    [incident] = one("On Tuesday, Iran launched missiles into Pakistan, targeting Jaish al-Adl.")
    assert (incident.initiator, incident.target, incident.target_kind) == (
        "IRN",
        "PAK",
        "non_state",
    )


def test_a_group_with_no_place_named_gives_its_base_at_low_confidence() -> None:
    [incident] = one("The United States struck Houthi fighters on Tuesday.")
    assert (incident.target, incident.target_kind) == ("YEM", "non_state")
    assert "target" in incident.low_confidence


def test_a_group_as_the_one_who_acted_is_no_interstate_incident() -> None:
    result = code_article("Hezbollah fired rockets into Israel on Tuesday.", dt.date(2024, 1, 18))
    assert result.incidents == [] and "armed group" in result.verdicts[0].verdict


def test_force_on_the_initiators_own_soil_is_no_incident() -> None:
    result = code_article(
        "Pakistani jets struck militants in North Waziristan on Tuesday.", dt.date(2024, 1, 18)
    )
    assert result.incidents == [] and "own soil" in result.verdicts[0].verdict


def test_a_clash_has_no_direction_and_the_lower_cow_code_first() -> None:
    [incident] = one("Kyrgyz and Tajik border guards exchanged fire on Thursday.")
    assert (incident.initiator, incident.target, incident.directed) == ("TJK", "KGZ", False)


def test_a_report_that_gives_no_day_proposes_its_publication_day_flagged() -> None:
    [incident] = one("Turkish jets carried out air strikes on PKK militants in Iraq.")
    assert (incident.date, incident.date_precision) == (PUBLISHED, "day")
    assert "date" in incident.low_confidence
    assert "publication day" in str(incident.evidence["date"].flag)


def test_undated_force_the_report_places_in_its_past_is_named_not_proposed() -> None:
    result = code_article(
        "Turkish jets have repeatedly struck PKK militants in Iraq over the years.", PUBLISHED
    )
    assert result.incidents == []
    assert any("earlier force" in v.verdict for v in result.verdicts)


def test_an_undated_mention_takes_the_day_given_to_the_same_states_force() -> None:
    incidents = code_article(
        "Thailand and Cambodia clash at border. Thai jets bombed Cambodian positions on Monday.",
        PUBLISHED,
    ).incidents
    assert {(i.action, i.date) for i in incidents} == {
        ("clash", dt.date(2024, 1, 15)),
        ("attack", dt.date(2024, 1, 15)),
    }


def test_an_undated_mention_takes_the_day_of_force_told_without_names() -> None:
    [incident] = code_article(
        "Israel struck targets in Iran. The strikes began early Tuesday.", PUBLISHED
    ).incidents
    assert (incident.date, incident.date_precision) == (dt.date(2024, 1, 16), "day")
    assert incident.evidence["date"].confidence == 0.5


def test_a_list_of_victims_is_summed_and_its_reporter_kept() -> None:
    [incident] = one(
        "Pakistan carried out air strikes in Iran on Thursday. Iran's interior minister said "
        "the strikes killed four children, three women, and two men."
    )
    assert incident.fatalities_target == 9
    assert incident.fatalities_reported_by is not None
    assert incident.fatalities_reported_by.startswith("Iran")
    assert incident.evidence["fatalities_target"].sentence == 2


def test_deaths_named_by_nationality_go_to_that_side() -> None:
    [incident] = one(
        "Indian troops shelled Pakistani posts on Monday, killing two Indian soldiers."
    )
    assert (incident.fatalities_initiator, incident.fatalities_target) == (2, None)


def test_disagreeing_counts_leave_the_number_empty_with_both_in_the_notes() -> None:
    [incident, _] = coded("fatalities.txt")
    assert incident.fatalities_target is None
    assert "fatalities_target" in incident.low_confidence
    notes = " ".join(incident.notes)
    assert "about 300 killed according to India" in notes and "2 killed" in notes


def test_a_range_is_kept_in_the_notes_not_as_a_number() -> None:
    [incident] = one(
        "Indian jets struck camps in Pakistan on Monday, killing between 10 and 20 militants."
    )
    assert incident.fatalities_target is None
    assert any("10 to 20 killed" in note for note in incident.notes)


def test_every_field_points_at_its_sentence() -> None:
    for incident in coded("three_incidents.txt"):
        for evidence in incident.evidence.values():
            assert evidence.sentence in incident.sentences


def test_a_second_mention_of_an_incident_adds_its_sentence_not_an_incident() -> None:
    incidents = one(
        "Pakistan carried out air strikes in Iran on Thursday. "
        "Witnesses said Pakistani jets struck Iran on Thursday."
    )
    assert len(incidents) == 1 and sorted(incidents[0].sentences) == [1, 2]


def test_a_missing_or_empty_article_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="file not found"):
        code_file(tmp_path / "missing.txt", dt.date(2024, 1, 18))
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    with pytest.raises(DataFileError, match="is empty"):
        code_file(empty, dt.date(2024, 1, 18))
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(DataFileError, match="is binary, not text"):
        code_file(binary, dt.date(2024, 1, 18))


def test_an_article_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"Pakistan struck Iran on Thursday. " * 3)
    assert MAX_ARTICLE_BYTES == 5_000_000
    with pytest.raises(DataFileError, match="is 102 bytes, more than the 101 a news report"):
        code_file(big, dt.date(2024, 1, 18), max_bytes=101)
    assert code_file(big, dt.date(2024, 1, 18), max_bytes=102).incidents


def test_gazetteer_matches_whole_case_sensitive_names_longest_first() -> None:
    mentions = load_gazetteer().mentions("Iranian drones hit us near Sistan-Baluchestan.")
    assert [(m.text, m.states) for m in mentions] == [
        ("Iranian", ("IRN",)),
        ("Sistan-Baluchestan", ("IRN",)),
    ]


def test_every_force_entry_maps_to_a_use_of_force() -> None:
    lexicon = load_lexicon()
    assert {e.cameo[:2] for e in lexicon.force} <= {"18", "19", "20"}
    assert all(e.hostility == 4 for e in lexicon.force)


def test_states_acting_together_each_get_an_incident() -> None:
    incidents = one("The United States and Britain carried out strikes in Yemen on Monday.")
    assert [(i.initiator, i.target) for i in incidents] == [("USA", "YEM"), ("GBR", "YEM")]


def test_a_participle_with_no_state_after_by_is_no_incident() -> None:
    result = code_article(
        "Pakistan's Balochistan, hit by floods last year, borders Iran.", dt.date(2024, 1, 18)
    )
    assert result.incidents == []


def test_the_reporter_is_the_speaker_of_the_clause_before_said() -> None:
    [incident] = one(
        "Iranian missiles hit Pakistani territory on Tuesday, killing two children, "
        "Pakistani officials said."
    )
    assert incident.fatalities_reported_by == "Pakistan: Pakistani officials"


def test_every_gazetteer_state_is_one_the_forecaster_knows() -> None:
    states = {s for _, states in load_gazetteer().meanings.values() for s in states}
    assert all(resolve_country(iso3) > 0 for iso3 in sorted(states))


def test_actions_follow_the_projects_cameo_mapping() -> None:
    """Air and missile strikes are attacks; an exchange of fire is a clash (as feeds); one
    side's shelling is an attack that keeps its artillery code."""
    [strike] = one("Iran fired missiles at Pakistani posts on Tuesday.")
    [shelling] = one("Iranian artillery shelled Pakistani posts on Tuesday.")
    [exchange] = one("Iranian and Pakistani troops exchanged fire on Tuesday.")
    assert (strike.action, strike.cameo, strike.directed) == ("attack", "195", True)
    assert (shelling.action, shelling.cameo, shelling.directed) == ("attack", "194", True)
    assert (shelling.initiator, shelling.target) == ("IRN", "PAK")
    assert (exchange.action, exchange.cameo, exchange.directed) == ("clash", "193", False)


def test_a_day_nobody_read_is_not_forecast_until_a_person_sets_it() -> None:
    dated = one("Turkish jets struck PKK militants in Iraq on Tuesday.")
    undated = one("Turkish jets carried out air strikes on PKK militants in Iraq.")
    assert len(forecastable(dated)[0]) == 1
    ready, left_out = forecastable(undated)
    assert ready == [] and "gives no day" in left_out[0]


def test_a_day_given_to_a_statement_is_not_the_storys_day() -> None:
    [incident] = code_article(
        "Israel struck targets in Iran. The strikes were a warning, the minister said on Monday.",
        PUBLISHED,
    ).incidents
    assert incident.date == PUBLISHED and "publication day" in str(incident.evidence["date"].flag)


def test_an_old_day_is_not_the_day_of_an_undated_headline() -> None:
    incidents = code_article(
        "Iran strikes Israel\nIran struck Israel on 13 April 2024, its first direct attack.",
        dt.date(2024, 10, 1),
    ).incidents
    assert sorted(i.date for i in incidents) == [dt.date(2024, 4, 13), dt.date(2024, 10, 1)]


def test_of_several_days_told_without_names_the_first_dates_the_story() -> None:
    [incident] = code_article(
        "US strikes Iranian nuclear sites. The strikes occurred late Tuesday. Iran's agency "
        "confirmed the attacks early Wednesday.",
        PUBLISHED,
    ).incidents
    assert incident.date == dt.date(2024, 1, 16)
