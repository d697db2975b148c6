"""Force as reports write it: more verbs, nouns, passives, headlines, lists and one-sided fire.

One sentence per rule and per form, written for these tests; their events are invented.
"""

from __future__ import annotations

import datetime as dt

import pytest

from forecast.news import CodedIncident, code_article

PUBLISHED = dt.date(2024, 1, 18)  # a Thursday


def coded(text: str) -> list[CodedIncident]:
    return code_article(text, PUBLISHED).incidents


def pairs(text: str) -> list[tuple[str, str, str]]:
    return [(i.initiator, i.target, i.action) for i in coded(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Iranian forces ambushed Iraqi soldiers on Monday.", ("IRN", "IRQ", "190")),
        ("Israeli jets destroyed targets in northern Syria on Monday.", ("ISR", "SYR", "190")),
        ("Indian jets targeted launch pads inside Pakistan on Monday.", ("IND", "PAK", "190")),
        ("Syrian air defences shot down a Turkish drone on Monday.", ("SYR", "TUR", "190")),
        ("Thai jets dropped bombs on Cambodian positions on Monday.", ("THA", "KHM", "195")),
        ("Russia unleashed a wave of drones on Ukraine on Monday.", ("RUS", "UKR", "195")),
        ("Russia unleashed massive airstrikes on Ukraine on Monday.", ("RUS", "UKR", "195")),
    ],
)
def test_wider_verbs_are_uses_of_force(text: str, expected: tuple[str, str, str]) -> None:
    [incident] = coded(text)
    assert (incident.initiator, incident.target, incident.cameo) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Two Pakistani soldiers were killed in a clash with Afghan troops on Sunday.",
        "An exchange of fire between Thai and Cambodian troops erupted on Thursday.",
        "Indian and Chinese soldiers were hurt in a firefight on the border on Monday.",
        "Kyrgyz and Tajik forces fought along the border on Friday.",
    ],
)
def test_a_fight_written_as_a_noun_or_fought_is_a_clash_of_the_two_states(text: str) -> None:
    [incident] = coded(text)
    assert incident.action == "clash" and not incident.directed


@pytest.mark.parametrize(
    "text",
    [
        "India and Pakistan have fought three wars since 1947.",
        "A diplomatic clash between India and Pakistan followed.",
        "India and China clashed over trade on Monday.",
    ],
)
def test_a_fight_of_words_or_of_history_is_no_incident(text: str) -> None:
    assert coded(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Azerbaijan launched an offensive against Armenian forces on Tuesday.", ("AZE", "ARM")),
        ("Russian missiles slammed into Kyiv on Monday.", ("RUS", "UKR")),
    ],
)
def test_an_offensive_or_missiles_slamming_into_a_place_is_an_attack(
    text: str, expected: tuple[str, str]
) -> None:
    [incident] = coded(text)
    assert (incident.initiator, incident.target, incident.action) == (*expected, "attack")


def test_pounded_is_one_sides_artillery_fire_and_so_a_directed_attack() -> None:
    [incident] = coded("Azerbaijani artillery pounded Armenian villages on Monday.")
    assert (incident.action, incident.cameo, incident.directed) == ("attack", "194", True)
    assert (incident.initiator, incident.target) == ("AZE", "ARM")


def test_targeted_with_sanctions_is_not_force() -> None:
    assert coded("The United States targeted Iran with new sanctions on Monday.") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Pakistani airstrikes targeted hideouts inside Afghanistan on Sunday.",
            ("PAK", "AFG", "195"),
        ),
        (
            "An Israeli missile strike killed five people in Syria's Quneitra on Monday.",
            ("ISR", "SYR", "195"),
        ),
        ("Iran's drone attacks on Iraq's Erbil continued on Monday.", ("IRN", "IRQ", "195")),
        (
            "Pakistan's bombing of Afghan border posts on Monday drew protests.",
            ("PAK", "AFG", "195"),
        ),
        ("Israeli strikes on Iran on Monday hit Fordow.", ("ISR", "IRN", "190")),
    ],
)
def test_force_written_as_a_noun_takes_its_actor_from_its_noun_phrase(
    text: str, expected: tuple[str, str, str]
) -> None:
    [incident] = coded(text)
    assert (incident.initiator, incident.target, incident.cameo) == expected


def test_a_state_that_only_speaks_of_the_strikes_is_not_their_actor() -> None:
    result = code_article("Iran condemned the strikes on Pakistan on Monday.", PUBLISHED)
    assert result.incidents == []
    verdicts = " ".join(v.verdict for v in result.verdicts)
    assert "no state named as the one who acted" in verdicts and "condemnation" in verdicts


@pytest.mark.parametrize(
    "text",
    [
        "Pakistan strikes a deal with Iran.",
        "Iran hits out at Israel over the strikes.",
        "A general strike shut Iran and Iraq on Monday.",
        "Israel bought Turkish attack drones on Monday.",
    ],
)
def test_words_of_force_in_other_senses_make_no_incident(text: str) -> None:
    assert coded(text) == []


def test_a_noun_of_force_joined_to_its_passive_verb_is_one_use_of_force() -> None:
    """The place of a passive is the target when an adjective names the actor."""
    [incident] = coded("Pakistani airstrikes were carried out in Paktika on Sunday.")
    assert (incident.initiator, incident.target, incident.cameo) == ("PAK", "AFG", "195")
    assert incident.location == "Paktika, Afghanistan"


def test_the_agent_of_a_passive_of_carrying_out_is_the_actor() -> None:
    [incident] = coded("The strikes were carried out by Pakistani jets in Paktika on Sunday.")
    assert (incident.initiator, incident.target) == ("PAK", "AFG")


@pytest.mark.parametrize(
    "text",
    [
        "Eight people died in airstrikes conducted by Pakistani jets near Afghanistan's Khost.",
        "Strikes in the Afghan province of Kunar carried out by the Pakistani army killed six.",
        "Five people were killed in an airstrike by Pakistani forces in Kunar on Sunday.",
    ],
)
def test_a_noun_of_force_with_its_agent_after_by_is_that_agents(text: str) -> None:
    [incident] = coded(text)
    assert (incident.initiator, incident.target) == ("PAK", "AFG")


def test_a_passive_with_no_actor_named_makes_no_incident() -> None:
    assert coded("The strikes were carried out in Paktika on Sunday.") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Iran strikes Pakistan", ("IRN", "PAK", "attack")),
        ("Iran Strikes Pakistan", ("IRN", "PAK", "attack")),
        ("Israel attacks Iranian nuclear sites", ("ISR", "IRN", "attack")),
        ("Turkey bombs PKK targets in Iraq", ("TUR", "IRQ", "attack")),
        ("North Korea shells South Korean island", ("PRK", "KOR", "attack")),
        ("Thailand F-16 jet bombs Cambodian targets", ("THA", "KHM", "attack")),
    ],
)
def test_a_headline_in_the_present_tense_is_a_use_of_force(
    text: str, expected: tuple[str, str, str]
) -> None:
    assert pairs(text) == [expected]


def test_a_lone_headline_is_dated_to_the_publication_day_and_flagged() -> None:
    [incident] = coded("Iran strikes Pakistan")
    assert incident.date_precision == "day"
    assert incident.evidence["date"].confidence < 0.5


@pytest.mark.parametrize(
    ("text", "targets"),
    [
        ("Israel struck Iran and Syria on Monday.", ["IRN", "SYR"]),
        ("Israeli jets struck Syria, Lebanon and Iraq on Monday.", ["SYR", "LBN", "IRQ"]),
        ("Israeli jets struck Iranian and Syrian positions on Monday.", ["IRN", "SYR"]),
    ],
)
def test_each_state_listed_as_a_target_gets_an_incident(text: str, targets: list[str]) -> None:
    assert [i.target for i in coded(text)] == targets


def test_a_state_after_a_comma_without_and_is_not_a_second_target() -> None:
    """ "Israel struck Syria, Lebanon said": Lebanon is who spoke, not who was struck."""
    assert [i.target for i in coded("Israel struck Syria, Lebanon said on Monday.")] == ["SYR"]


@pytest.mark.parametrize(
    "text",
    [
        "Indian troops fired into Pakistan on Monday.",
        "Pakistani troops launched rockets at Afghan posts on Monday.",
        "Iranian forces fired mortar rounds across the border into Iraq on Monday.",
        'Cambodian troops fired "heavy artillery" on a Thai army base on Monday.',
        "Cambodian rocket attacks struck homes in Thailand's Surin province on Monday.",
    ],
)
def test_one_sided_fire_is_directed(text: str) -> None:
    [incident] = coded(text)
    assert incident.directed and incident.action == "attack"


def test_fire_exchanged_stays_a_clash() -> None:
    [incident] = coded("Indian and Pakistani troops exchanged fire on Monday.")
    assert not incident.directed and incident.action == "clash"


@pytest.mark.parametrize(
    "text",
    [
        "Pakistan denied that its airstrikes hit Afghanistan on Monday.",
        "Iran said any strike on its soil by Israel would be answered.",
        "Officials discussed possible airstrikes on Iran by Israel.",
        "The opposition called for airstrikes by Turkey on Syria.",
        "India never targeted Pakistani civilians on Monday.",
    ],
)
def test_nouns_of_force_are_set_aside_when_negated_or_hypothetical(text: str) -> None:
    result = code_article(text, PUBLISHED)
    assert result.incidents == []
    assert "negated" in result.verdicts[0].verdict or "hypothetical" in result.verdicts[0].verdict


@pytest.mark.parametrize(
    "text",
    [
        "An Israeli strike on Iran would set back its programme by years.",
        "Analysts said an Israeli strike on Iran's nuclear sites remains possible.",
    ],
)
def test_a_noun_of_force_that_its_clause_makes_a_possibility_is_no_incident(text: str) -> None:
    result = code_article(text, PUBLISHED)
    assert result.incidents == [] and "hypothetical" in result.verdicts[0].verdict


def test_a_state_speaking_at_the_end_of_the_sentence_is_not_the_target() -> None:
    result = code_article(
        "North Korea launched a ballistic missile into the sea on Monday, Japan said.", PUBLISHED
    )
    assert result.incidents == []


def test_a_speaker_at_the_end_leaves_the_target_named_before_it() -> None:
    [incident] = coded("Israel struck targets in Syria on Monday, the Syrian army said.")
    assert (incident.initiator, incident.target) == ("ISR", "SYR")


def test_a_headline_and_an_undated_restatement_join_the_dated_incident() -> None:
    text = (
        "Iran strikes Pakistan\n\n"
        "Iranian jets struck militant camps inside Pakistan on Tuesday. "
        "The Iranian strike on Pakistan killed two children. "
        "Iran struck Pakistan to defend its borders, its foreign ministry said."
    )
    [incident] = coded(text)
    assert (incident.initiator, incident.target, incident.date_precision) == ("IRN", "PAK", "day")
    assert incident.date == dt.date(2024, 1, 16)
    assert sorted(incident.sentences) == [1, 2, 3, 4]


def test_a_restatement_with_two_days_to_choose_from_stays_apart() -> None:
    text = (
        "Iranian jets struck Pakistan on Monday. Iranian jets struck Pakistan again on Tuesday. "
        "Iran struck Pakistan to defend its borders, its foreign ministry said."
    )
    precisions = sorted((i.date, i.date_precision) for i in coded(text))
    assert precisions == [
        (dt.date(2024, 1, 1), "month"),
        (dt.date(2024, 1, 15), "day"),
        (dt.date(2024, 1, 16), "day"),
    ]


def test_a_month_named_apart_from_the_dated_incident_is_another_event() -> None:
    text = "Iranian jets struck Pakistan on Tuesday. Iran also struck Pakistan in November."
    assert sorted(i.date_precision for i in coded(text)) == ["day", "month"]


@pytest.mark.parametrize(
    "text",
    [
        "Pakistani forces struck rebels in Balochistan on Thursday, hours after Iran's attack.",
        "Pakistani jets bombed militants on Thursday in response to the Afghan raid.",
    ],
)
def test_a_state_named_in_a_cause_is_not_the_target_of_the_answer(text: str) -> None:
    assert pairs(text) == []


def test_a_cause_that_names_its_own_pair_is_dated_inside_its_clause_at_lower_confidence() -> None:
    text = (
        "Pakistan struck Iran on Thursday in retaliation for Iran's strike on Pakistan on Tuesday."
    )
    answer, cause = coded(text)
    assert (answer.initiator, answer.target, answer.date) == ("PAK", "IRN", dt.date(2024, 1, 18))
    assert (cause.initiator, cause.target, cause.date) == ("IRN", "PAK", dt.date(2024, 1, 16))
    assert cause.evidence["date"].confidence <= 0.5
    assert cause.evidence["date"].flag == "named as the cause of another event"


def test_a_cause_without_a_day_of_its_own_is_month_only() -> None:
    text = "Pakistan struck targets in Iran on Thursday, after Iranian missiles hit Pakistan."
    cause = coded(text)[1]
    assert (cause.initiator, cause.target, cause.date_precision) == ("IRN", "PAK", "month")


@pytest.mark.parametrize(
    ("opening", "day"),
    [("two days after", 16), ("a day after", 17), ("hours after", 18), ("a week after", 11)],
)
def test_a_cause_said_to_be_days_before_is_counted_back_from_the_answers_day(
    opening: str, day: int
) -> None:
    text = f"Pakistan struck targets in Iran on Thursday, {opening} Iranian missiles hit Pakistan."
    cause = coded(text)[1]
    assert (cause.initiator, cause.target) == ("IRN", "PAK")
    assert (cause.date, cause.date_precision) == (dt.date(2024, 1, day), "day")
    assert cause.evidence["date"].confidence == 0.5


def test_two_states_joined_by_a_hyphen_are_the_sides_of_a_clash() -> None:
    assert pairs("Soldiers killed in Azerbaijan-Armenia border clashes on Tuesday") == [
        ("ARM", "AZE", "clash")
    ]


def test_a_state_named_as_a_venue_or_a_politician_is_not_a_side_of_a_clash() -> None:
    text = (
        "The clashes took place on Tuesday as Kyrgyz and Tajik leaders attended a summit in "
        "Uzbekistan alongside Russian President Vladimir Putin."
    )
    assert [p for p in pairs(text) if "UZB" in p or "RUS" in p] == []


def test_a_clash_keeps_to_its_own_clause() -> None:
    text = (
        "Two Tajik and Kyrgyz guards died in clashes on Tuesday, but both countries host "
        "Russian military bases."
    )
    assert pairs(text) == [("TJK", "KGZ", "clash")]


def test_terrorist_attacks_are_an_armed_groups_not_a_states() -> None:
    result = code_article(
        "Pakistan said militants use Afghan soil to carry out terrorist attacks inside Pakistan.",
        PUBLISHED,
    )
    assert result.incidents == []
    assert any("armed group" in v.verdict for v in result.verdicts)


def test_the_source_of_the_news_is_not_the_one_who_struck() -> None:
    text = (
        "According to Qatar's foreign ministry, Iranian missiles were launched at the base on "
        "Monday."
    )
    assert all(p[0] != "QAT" for p in pairs(text))


@pytest.mark.parametrize(
    "text",
    [
        "Tajik forces are attacking Kyrgyz outposts along the border on Friday.",
        "Israeli jets responded by striking Hezbollah targets in southern Lebanon on Sunday.",
        "A Russian shell smashed into a building in the Ukrainian town of Toretsk on Monday.",
    ],
)
def test_progressive_gerund_and_impact_verbs_are_force(text: str) -> None:
    assert len(pairs(text)) == 1 and pairs(text)[0][2] == "attack"


def test_fighting_between_two_states_is_a_clash_and_fighting_terrorism_is_not() -> None:
    assert pairs("Heavy fighting between Armenian and Azerbaijani troops on Monday.") == [
        ("ARM", "AZE", "clash")
    ]
    assert pairs("Pakistan is fighting terrorism in Afghanistan, it said on Monday.") == []


def test_force_with_no_target_falls_on_the_other_state_of_the_reports_exchange() -> None:
    text = (
        "Thai jets bombed Cambodian positions on Monday. Cambodian rocket attacks struck a gas "
        "station and homes on Monday."
    )
    assert ("KHM", "THA", "attack") in pairs(text)


def test_a_place_named_before_force_as_a_noun_is_not_its_actor_for_the_exchange() -> None:
    text = "Iran struck Syria on Tuesday.\nSyria strike\nThe strike hit a depot."
    assert ("SYR", "IRN", "attack") not in pairs(text)


def test_a_cause_that_names_no_sides_is_the_answers_reversed() -> None:
    text = (
        "Israel launched airstrikes on military targets in Iran on Saturday in retaliation for "
        "a ballistic missile assault on Oct. 1."
    )
    pairs_found = {(i.initiator, i.target, i.date) for i in coded(text)}
    assert ("IRN", "ISR", dt.date(2023, 10, 1)) in pairs_found


def test_taliban_forces_are_afghanistans_after_august_2021_and_a_group_before() -> None:
    text = "Taliban forces attacked a Pakistani border post on Monday."
    now = code_article(text, dt.date(2024, 1, 18)).incidents
    then = code_article(text, dt.date(2019, 1, 18)).incidents
    assert [(i.initiator, i.target) for i in now] == [("AFG", "PAK")]
    assert then == []


def test_a_headlines_missiles_rock_a_capital() -> None:
    assert pairs("Russian missiles rock Ukraine capital Kyiv on Sunday") == [
        ("RUS", "UKR", "attack")
    ]


def test_shells_fired_from_a_state_were_that_states() -> None:
    assert pairs(
        "Two shells fired from Myanmar military aircraft fell on Bangladesh on Friday"
    ) == [("MMR", "BGD", "attack")]


def test_firing_weapons_into_another_state_is_one_sides_fire() -> None:
    text = "Venezuelan soldiers crossed into Colombia and fired their weapons on Friday."
    assert pairs(text) == [("VEN", "COL", "attack")]


def test_an_undated_headline_does_not_join_what_happened_earlier() -> None:
    text = (
        "Shells from Myanmar fall on Bangladesh\n"
        "Earlier on January 8, two mortar shells fired from Myanmar landed in Bangladesh."
    )
    assert sorted(i.date for i in coded(text)) == [dt.date(2024, 1, 8), PUBLISHED]


def test_a_cause_days_before_an_unnamed_answer_is_counted_back_from_the_storys_day() -> None:
    text = (
        "Iran launched a missile attack on Pakistan on Tuesday. The attack was launched a day "
        "after Iran's Revolutionary Guards attacked targets in Iraq."
    )
    dates = {(i.target, i.date) for i in coded(text)}
    assert dates == {("PAK", dt.date(2024, 1, 16)), ("IRQ", dt.date(2024, 1, 15))}


def test_a_states_forces_after_of_are_the_ones_who_acted_not_a_place() -> None:
    text = "Members of the Venezuelan National Guard crossed into Colombia and fired their weapons."
    assert pairs(text) == [("VEN", "COL", "attack")]


def test_fire_exchanged_in_a_report_on_two_states_is_theirs() -> None:
    text = (
        "An Egyptian soldier was killed near Rafah in an incident involving Egyptian and "
        "Israeli troops. Israeli media say there was an exchange of fire on Monday."
    )
    [clash] = coded(text)
    assert (clash.initiator, clash.target, clash.action) == ("EGY", "ISR", "clash")
    assert clash.evidence["target"].confidence == 0.4


def test_recently_is_no_date_of_its_own() -> None:
    [incident] = coded("Iran's Revolutionary Guards recently struck facilities in Iraq.")
    assert (incident.date, incident.date_precision) == (PUBLISHED, "day")


@pytest.mark.parametrize(
    "text",
    [
        "China staged drills simulating strikes on Taiwan on Monday.",
        "India and Pakistan held talks on Tuesday after years of border clashes.",
        "The two navies held exercises rehearsing missile strikes against Japan on Monday.",
    ],
)
def test_rehearsals_and_years_of_past_force_are_no_incident(text: str) -> None:
    assert coded(text) == []


def test_a_cause_in_the_reports_past_does_not_make_the_answer_background() -> None:
    [incident] = coded("Pakistani jets struck Afghanistan, after years of Taliban raids.")
    assert (incident.initiator, incident.target, incident.date) == ("PAK", "AFG", PUBLISHED)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "North Korean soldiers fired several rounds at a South Korean guard post on Monday.",
            ("PRK", "KOR", "attack"),
        ),
        (
            "Sudanese warplanes strafed a South Sudanese village on Monday.",
            ("SDN", "SSD", "attack"),
        ),
        (
            "Venezuelan troops traded gunfire with Colombian soldiers on Monday.",
            ("COL", "VEN", "clash"),
        ),
        ("Indian troops killed two Pakistani soldiers on Monday.", ("IND", "PAK", "attack")),
        ("Turkish jets downed a Syrian drone on Monday.", ("TUR", "SYR", "attack")),
    ],
)
def test_wire_verbs_of_force(text: str, expected: tuple[str, str, str]) -> None:
    assert pairs(text) == [expected]


def test_the_second_of_two_joined_verbs_has_the_first_ones_subject() -> None:
    text = (
        "A Chinese coast guard ship rammed a Philippine supply boat and blasted it with water "
        "cannon on Monday."
    )
    assert pairs(text) == [("CHN", "PHL", "attack")]


def test_force_in_an_aside_is_its_own_event_and_leaves_the_main_verb_its_subject() -> None:
    text = "Russia, which invaded Ukraine on 24 February 2022, shelled Toretsk on Monday."
    found = {(i.initiator, i.target, i.action, i.date) for i in coded(text)}
    assert found == {
        ("RUS", "UKR", "occupation_of_territory", dt.date(2022, 2, 24)),
        ("RUS", "UKR", "attack", dt.date(2024, 1, 15)),
    }


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Israel struck Iran on January 10. Iran retaliated the next day, firing at Israel.", 11),
        ("Israel struck Iran on January 10. Two days later, Iran fired missiles at Israel.", 12),
        ("Israel struck Iran on January 10, and Iran fired missiles at Israel a day later.", 11),
    ],
)
def test_a_day_counted_on_from_an_earlier_event(text: str, day: int) -> None:
    dates = {(i.initiator, i.date) for i in coded(text)}
    assert dates == {("ISR", dt.date(2024, 1, 10)), ("IRN", dt.date(2024, 1, day))}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Armenian positions came under fire from Azerbaijani forces on Monday.", ("AZE", "ARM")),
        ("Kyrgyz outposts came under attack by Tajik forces on Monday.", ("TJK", "KGZ")),
        ("Two Indian soldiers were killed by Pakistani shelling on Monday.", ("PAK", "IND")),
        ("Ethiopian forces pushed into Eritrean territory early Monday.", ("ETH", "ERI")),
    ],
)
def test_the_struck_side_as_the_subject(text: str, expected: tuple[str, str]) -> None:
    assert [(p[0], p[1]) for p in pairs(text)] == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "India denied reports that its troops had crossed into Nepal and fired on villagers.",
        "Pakistan rejected claims that its jets had bombed Afghan villages on Monday.",
        "Russia dismissed as fake reports that its drones struck Poland on Monday.",
        "Colombian soldiers clashed with ELN guerrillas near the Venezuelan border on Monday.",
        "Pakistani troops clashed with militants near the Afghan border on Monday.",
    ],
)
def test_denied_reports_and_clashes_with_armed_groups_are_no_interstate_force(text: str) -> None:
    assert coded(text) == []


def test_a_town_of_a_state_named_only_by_a_shared_name_is_that_states() -> None:
    text = (
        "GOMA, Congo (Reuters) - Four civilians were killed by Rwandan shelling in the "
        "Congolese border town of Goma on Wednesday night."
    )
    assert pairs(text) == [("RWA", "COD", "attack")]


def test_a_states_property_on_another_states_soil_strikes_both() -> None:
    text = (
        "Iran's Revolutionary Guards fired missiles at an Israeli spy headquarters in Erbil, in "
        "northern Iraq, on Monday."
    )
    assert pairs(text) == [("IRN", "ISR", "attack"), ("IRN", "IRQ", "attack")]
