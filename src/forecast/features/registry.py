"""What each feature means: its family, its window, whether it is recent context, its gaps.

The feature columns are many and their names long; models, forecasts and the brief each need
to know what kind of fact a column holds (the trigger's severity, the dyad's history, the days
just before the trigger that an analyst may or may not know). They ask this registry rather
than reading it from the name, so a feature renamed or added changes one list.

`feature_specs(params, horizons)` is the registry for the configured windows and horizons, in
the column order of `forecast.features.computation.build_features`. A model fitted on feature
columns sees only their names; `family_of`, `is_recent_context` and `FeatureSelection` answer
for a name alone by its measure (the name without its window, `measure_of`), which the
windows configured do not change, looked up in the registry itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from functools import cache

import numpy as np
import pandas as pd

from forecast.core.config import EpisodeParams, FeatureParams

# Action groups one-hot coded; anything else falls into action_other.
ACTION_GROUPS: dict[str, tuple[str, ...]] = {
    "attack": ("attack", "strike"),
    "clash": ("clash",),
    "war_battle": ("war_battle", "begin_interstate_war", "join_interstate_war"),
    "seizure_or_occupation": ("seizure", "occupation_of_territory", "blockade"),
}
ACTIVITY_DAYS = 365
RECORD_AGE = "record_age_years"
# The dyad's own answering record over H days (`target_answer_rate_{H}d`), which dyad
# persistence reads.
DYAD_ANSWER_RATE = "target_answer_rate"
# The `source` of the registry's history features: read from the record, up to its end.
RECORD_SOURCE = "force events in the record (before the trigger's day, or the record's end)"
# Shrunk answering rates start from this prior before any trigger's window has closed.
NEUTRAL_RATE = 0.5
# Neutral values for covariates when a dyad-year is not in the table (flagged as missing).
NEUTRAL_LOG_DISTANCE = float(np.log1p(1000.0))
NEUTRAL_CAPABILITY_SHARE = 0.5

# The families: what kind of fact a feature holds. A `*_missing` flag belongs to the family of
# the feature whose gap it flags.
TRIGGER_SEVERITY = "trigger severity"
TARGET_KIND = "target kind"
RECENT_CONTEXT = "recent context"
RECORD_AGE_FAMILY = "record age"
DYAD_HISTORY = "dyad history"
ANSWERING_RECORDS = "answering records"
COVARIATES = "covariates"
FAMILIES = (
    TRIGGER_SEVERITY,
    TARGET_KIND,
    RECENT_CONTEXT,
    RECORD_AGE_FAMILY,
    DYAD_HISTORY,
    ANSWERING_RECORDS,
    COVARIATES,
)

# A window of N days appears in a feature's name as `_{N}d` (`force_30d_initiator_to_target`).
_WINDOW = re.compile(r"_(\d+)d(?=_|$)")


@dataclass(frozen=True)
class FeatureSpec:
    """One feature: its column name, what it means, the time window it looks at, where from.

    `family` says what kind of fact it is (one of `FAMILIES`). `recent_context` marks the
    days just before the trigger: the record holds them while it reaches the trigger, but
    beyond the record's end only an analyst can supply them, so a model for an old record is
    fitted with and without them. `missing_of` names the feature whose unknown value this flag
    marks; the flag's family and recent context are that feature's.
    """

    name: str
    meaning: str
    window: str
    source: str
    family: str
    recent_context: bool = False
    missing_of: str | None = None


def _missing_flag(base: FeatureSpec, name: str, meaning: str, **differs: str) -> FeatureSpec:
    """The flag raised when `base` is unknown: described by `base` unless told otherwise."""
    return replace(base, name=name, meaning=meaning, missing_of=base.name, **differs)


def feature_specs(
    params: FeatureParams | None = None, horizons: Sequence[int] | None = None
) -> list[FeatureSpec]:
    """The registry for the given windows and horizons, in the column order of build_features."""
    params = params or FeatureParams()
    horizons = list(horizons or EpisodeParams().horizons)
    history, dispute_history = _history_specs(params)
    return [
        *_trigger_specs(),
        *_recent_context_specs(params),
        FeatureSpec(
            RECORD_AGE,
            "years from the end of the systematic record to the trigger (0 while it is "
            "observed); history features above and below are read up to that end",
            "-",
            "record coverage",
            RECORD_AGE_FAMILY,
        ),
        *history,
        *_answering_specs(params, horizons),
        *dispute_history,
        *_covariate_specs(),
    ]


def _trigger_specs() -> list[FeatureSpec]:
    """The trigger's own attributes: how hard the blow was, and what it hit."""
    trigger = "trigger"
    specs = [
        FeatureSpec(
            "hostility",
            "MID hostility level of the trigger (4 use, 5 war)",
            "-",
            trigger,
            TRIGGER_SEVERITY,
        ),
        *[
            FeatureSpec(
                f"action_{group}",
                f"1 if the trigger's action is {' / '.join(actions)}",
                "-",
                trigger,
                TRIGGER_SEVERITY,
            )
            for group, actions in ACTION_GROUPS.items()
        ],
        FeatureSpec(
            "action_other",
            "1 if the action is in none of the groups above",
            "-",
            trigger,
            TRIGGER_SEVERITY,
        ),
    ]
    for side, whose in (("initiator", "the initiator's own"), ("target", "the target's")):
        fatalities = FeatureSpec(
            f"log_fatalities_{side}",
            f"log1p of {whose} fatalities in the trigger known on its day (0 when unknown)",
            "-",
            trigger,
            TRIGGER_SEVERITY,
        )
        specs += [
            fatalities,
            _missing_flag(
                fatalities,
                f"fatalities_{side}_missing",
                f"1 if the {side}'s fatalities are unknown on the trigger's day (always when "
                "it lasted several days)",
            ),
        ]
    hit = FeatureSpec(
        "target_is_state",
        "1 if the trigger hit the target state's forces, 0 if non-state actors on its soil "
        "(0 when unknown)",
        "-",
        trigger,
        TARGET_KIND,
    )
    return [
        *specs,
        hit,
        _missing_flag(hit, "target_kind_missing", "1 if what the trigger hit is unknown"),
    ]


def _recent_context_specs(params: FeatureParams) -> list[FeatureSpec]:
    """Whether the trigger is itself an answer: the days just before it."""
    return [
        FeatureSpec(
            f"is_response_{days}d",
            "1 if the target used force against the initiator in the window (the trigger "
            "is itself a response: the 'last word' effect)",
            f"{days} days before",
            RECORD_SOURCE,
            RECENT_CONTEXT,
            recent_context=True,
        )
        for days in params.response_windows
    ]


def _history_specs(params: FeatureParams) -> tuple[list[FeatureSpec], list[FeatureSpec]]:
    """Force in the dyad and by each side, read from the record: (the dyad's counts and days
    since force, which come before the answering records; activity, trend and confrontation,
    which come after them)."""
    cap = max(params.windows)
    dyad = []
    for days in params.windows:
        dyad += [
            _history(
                f"force_{days}d_initiator_to_target",
                "uses of force by the initiator against the target",
                f"{days} days before",
            ),
            _history(
                f"force_{days}d_target_to_initiator",
                "uses of force by the target against the initiator",
                f"{days} days before",
            ),
        ]
    for direction, words in (
        ("initiator_to_target", "the initiator against the target"),
        ("target_to_initiator", "the target against the initiator"),
    ):
        dyad += [
            _history(
                f"days_since_force_{direction}",
                f"days since the last force by {words} (capped at {cap}; {cap} when never)",
                f"all history, capped at {cap} days",
            ),
            _history(
                f"never_force_{direction}",
                f"1 if {words} never used force before",
                "all history",
            ),
        ]
    short, long = params.escalation_short_days, params.escalation_long_days
    confrontation = _history(
        "dispute_prior_events",
        "uses of force (dyad-days, a day holding a clash once for the pair) in the same "
        "confrontation (dispute_id) so far; 0 when the trigger has no dispute id",
        "all history",
    )
    later = [
        _history(
            f"initiator_force_any_{ACTIVITY_DAYS}d",
            "uses of force by the initiator against anyone",
            f"{ACTIVITY_DAYS} days before",
        ),
        _history(
            f"target_force_any_{ACTIVITY_DAYS}d",
            "uses of force by the target against anyone",
            f"{ACTIVITY_DAYS} days before",
        ),
        _history(
            "escalation_trend",
            f"log((force in the dyad over {short} days + 1) / (the count expected there from "
            f"the {long}-day rate + 1)); 0 = steady, > 0 = escalating",
            f"{short} and {long} days before",
        ),
        confrontation,
        _missing_flag(
            confrontation,
            "dispute_id_missing",
            "1 if the trigger has no dispute id",
            window="-",
            source="trigger",
        ),
    ]
    return dyad, later


def _history(name: str, meaning: str, window: str) -> FeatureSpec:
    return FeatureSpec(name, meaning, window, RECORD_SOURCE, DYAD_HISTORY)


def _answering_specs(params: FeatureParams, horizons: Sequence[int]) -> list[FeatureSpec]:
    """How often the target answered past triggers whose windows had closed."""
    specs = []
    for horizon in horizons:
        closed = f"past triggers whose {horizon}-day window closed before the trigger's day"
        specs += [
            FeatureSpec(
                f"{DYAD_ANSWER_RATE}_{horizon}d",
                f"share of the initiator's past triggers against the target that the target "
                f"answered within {horizon} days, shrunk toward the overall rate with "
                f"{params.shrinkage_strength:g} pseudo-counts ({NEUTRAL_RATE} before any window "
                "closed)",
                closed,
                RECORD_SOURCE,
                ANSWERING_RECORDS,
            ),
            FeatureSpec(
                f"target_answer_record_{horizon}d",
                "number of the initiator's past triggers against the target behind the "
                f"{horizon}-day rate",
                closed,
                RECORD_SOURCE,
                ANSWERING_RECORDS,
            ),
            FeatureSpec(
                f"target_answer_rate_any_{horizon}d",
                f"share of past triggers against the target by anyone that it answered within "
                f"{horizon} days, shrunk like the dyad rate",
                closed,
                RECORD_SOURCE,
                ANSWERING_RECORDS,
            ),
        ]
    return specs


def _covariate_specs() -> list[FeatureSpec]:
    """Dyad-year covariates as of the year before the trigger."""

    def covariate(name: str, meaning: str) -> FeatureSpec:
        return FeatureSpec(
            name, meaning, "-", "dyad-year covariates, year before the trigger", COVARIATES
        )

    distance = covariate(
        "log_distance_km",
        f"log1p of the minimum distance in km ({NEUTRAL_LOG_DISTANCE:.2f} = 1,000 km when unknown)",
    )
    capability = covariate(
        "capability_share_initiator",
        f"initiator's CINC / (initiator's + target's) ({NEUTRAL_CAPABILITY_SHARE} when unknown)",
    )
    democracy = covariate("joint_democracy", "1 if both states are democracies")
    return [
        covariate("contiguity_land", "1 if the two states share a land border"),
        covariate("contiguity_any", "1 if contiguous by land or by up to 400 miles of water"),
        distance,
        _missing_flag(distance, "distance_missing", "1 if the distance is unknown"),
        capability,
        _missing_flag(capability, "capability_missing", "1 if capabilities are unknown"),
        covariate("major_power_initiator", "1 if the initiator is a major power"),
        covariate("major_power_target", "1 if the target is a major power"),
        democracy,
        _missing_flag(democracy, "democracy_missing", "1 if either regime is unknown"),
        covariate("rivalry", "1 if the states are strategic rivals"),
        covariate("defense_alliance", "1 if the states share a defence pact"),
        # The whole row's gap: every covariate above then takes its neutral value.
        covariate(
            "covariates_missing",
            "1 if the dyad has no covariate row at or before the year before the trigger "
            "(all covariates then take their neutral values)",
        ),
        covariate(
            "covariates_carried_forward",
            "1 if the covariates come from an earlier year than the one before the trigger",
        ),
    ]


def feature_table(
    params: FeatureParams | None = None, horizons: Sequence[int] | None = None
) -> pd.DataFrame:
    """The registry as a table for docs, notebooks, reports: name, meaning, window, source,
    then family, recent_context and missing_of."""
    return pd.DataFrame([asdict(spec) for spec in feature_specs(params, horizons)])


def feature_markdown(
    params: FeatureParams | None = None, horizons: Sequence[int] | None = None
) -> str:
    """The registry as a Markdown table (the body of docs/features.md)."""
    lines = ["| name | meaning | window | source | family |", "|---|---|---|---|---|"]
    for spec in feature_specs(params, horizons):
        meaning = spec.meaning.replace("|", "/")
        lines.append(
            f"| `{spec.name}` | {meaning} | {spec.window} | {spec.source} | {spec.family} |"
        )
    return "\n".join(lines) + "\n"


@cache
def measure_of(name: str) -> str:
    """The feature's name without its window: 'force_30d_initiator_to_target' ->
    'force_initiator_to_target'. The same measure over several windows shares it.

    Remembered per name: a forecast's explanation asks for each pair of a few dozen names.
    """
    return _WINDOW.sub("", name)


def window_days(name: str) -> int | None:
    """The window in days that the feature's name carries, if any."""
    found = _WINDOW.search(name)
    return int(found.group(1)) if found else None


def measure_windows(names: Iterable[str], measure: str) -> dict[str, int]:
    """{name: window in days} of the columns that take `measure` over a window."""
    return {
        name: days
        for name in names
        if measure_of(name) == measure and (days := window_days(name)) is not None
    }


@cache
def _spec_of_measure() -> dict[str, FeatureSpec]:
    """One spec per measure: family and recent context do not change with the windows."""
    return {measure_of(spec.name): spec for spec in feature_specs()}


def family_of(name: str) -> str | None:
    """The family of the feature column `name`, None for a column not in the registry."""
    spec = _spec_of_measure().get(measure_of(name))
    return spec.family if spec else None


def is_recent_context(name: str) -> bool:
    """Whether the column `name` describes the days just before the trigger."""
    spec = _spec_of_measure().get(measure_of(name))
    return spec.recent_context if spec else False


def recent_context_features(names: Iterable[str]) -> list[str]:
    """The recent-context columns among `names`, in their order."""
    return [name for name in names if is_recent_context(name)]


@dataclass(frozen=True)
class FeatureSelection:
    """The feature columns a model reads, chosen by meaning and kept in the table's order.

    `families` (None: every family) keeps the columns of those families, so a column outside
    the registry is left out; `recent_context=False` leaves out the recent-context columns.
    A model holds the selection and applies it to its training table's columns when fitted.
    """

    families: tuple[str, ...] | None = None
    recent_context: bool = True

    def of(self, names: Iterable[str]) -> list[str]:
        """The selected columns among `names`."""
        return [
            name
            for name in names
            if (self.families is None or family_of(name) in self.families)
            and (self.recent_context or not is_recent_context(name))
        ]

    def __str__(self) -> str:
        words = ["feature"]
        if self.families:
            words.append(f"of family {' or '.join(self.families)}")
        if not self.recent_context:
            words.append("other than recent context")
        return " ".join(words)
