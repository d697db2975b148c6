"""Event-feed actors to states, by exact look-up in the actor tables (feed_actors.yaml).

A feed names its actors three ways: ICEWS writes names ("Pakistan", "Military (Pakistan)",
"Militant (Pakistan)"), GDELT writes codes (country PAK, type MIL), POLECAT writes a country and
a sector. Each becomes (state, kind): kind `country` for a bare country, `agency` for a state
sector or a listed named force, `non_state` for everyone else (rebels, militants, citizens,
persons, unknowns), whose state is missing. Names are resolved once per distinct value, so a
file of millions of rows costs a look-up per distinct actor, not per row.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.sources.feed_tables import ActorTables, iso3_to_cow

COUNTRY, AGENCY, NON_STATE = "country", "agency", "non_state"
_BRACKETED = r"^(?P<sector>.+?) \((?P<owner>[^()]+)\)$"


def _exact(values: pd.Series, table: pd.DataFrame, *, casefold: bool) -> pd.Series:
    """COW code of each value by exact (optionally case-blind) match on the table's names."""
    keys = values.str.casefold() if casefold else values
    lookup = pd.Series(table["cow"].to_numpy(), index=table["name"].to_numpy())
    lookup = lookup[~lookup.index.duplicated()]
    return keys.map(lookup).astype("Int64")


def _on_distinct_fields(resolve: object, *fields: pd.Series) -> pd.DataFrame:
    """`_on_distinct` over several fields together; `resolve` gets the distinct fields."""
    keys = fields[0].astype("string").fillna("")
    for field in fields[1:]:
        keys = keys + "|" + field.astype("string").fillna("")

    def split(unique: pd.Series) -> pd.DataFrame:
        parts = unique.str.split("|", expand=True, regex=False)
        return resolve(*(parts[i] for i in range(len(fields))))  # type: ignore[operator]

    return _on_distinct(keys, split)


def _on_distinct(values: pd.Series, resolve: object) -> pd.DataFrame:
    """Apply `resolve` (distinct names -> state, kind) once per distinct value, then spread."""
    codes, uniques = pd.factorize(values.astype("string").fillna(""), sort=False)
    resolved = resolve(pd.Series(uniques, dtype="string"))  # type: ignore[operator]
    positions = np.asarray(codes)
    kinds = pd.Categorical(resolved["kind"].to_numpy(), categories=[COUNTRY, AGENCY, NON_STATE])
    return pd.DataFrame(
        {
            "state": pd.array(resolved["state"], dtype="Int64").take(positions),
            "kind": kinds.take(positions),
        },
        index=values.index,
    )


def icews_actor_states(names: pd.Series, tables: ActorTables) -> pd.DataFrame:
    """(state, kind) for ICEWS actor names: bare country, "<Sector> (<Country>)", named force."""

    def resolve(unique: pd.Series) -> pd.DataFrame:
        bare = _exact(unique, tables.countries, casefold=True)
        named = _exact(unique, tables.named_forces, casefold=False)
        parts = unique.str.extract(_BRACKETED)
        owner_country = _exact(parts["owner"].astype("string"), tables.countries, casefold=True)
        owner_force = _exact(parts["owner"].astype("string"), tables.named_forces, casefold=False)
        sector_of_state = parts["sector"].isin(sorted(tables.state_sectors)).to_numpy()
        as_sector = owner_country.where(sector_of_state).fillna(owner_force)
        state = bare.fillna(named).fillna(as_sector)
        kind = np.where(bare.notna(), COUNTRY, np.where(state.notna(), AGENCY, NON_STATE))
        return pd.DataFrame({"state": state, "kind": kind})

    return _on_distinct(names, resolve)


def iso3_states(codes: pd.Series) -> pd.Series:
    """COW code of each exact ISO3 code (GDELT's and POLECAT's country fields); else missing."""
    return codes.astype("string").map(iso3_to_cow()).astype("Int64")


def gdelt_actor_states(
    actor_code: pd.Series, country_code: pd.Series, type_code: pd.Series, tables: ActorTables
) -> pd.DataFrame:
    """(state, kind) for GDELT actors: a state type code (GOV, MIL...) or the bare country code.

    `Actor1Code == Actor1CountryCode` with no type is the country itself ("PAK"); any other
    type (REB, INS, CVL, ...) or a missing country is not a state.
    """

    def resolve(code: pd.Series, country: pd.Series, kind_code: pd.Series) -> pd.DataFrame:
        state = iso3_states(country.where(country != ""))
        agency = kind_code.isin(sorted(tables.state_type_codes))
        bare = (kind_code == "") & (code == country)
        return _state_and_kind(state, agency, bare)

    return _on_distinct_fields(resolve, actor_code, country_code, type_code)


def polecat_actor_states(
    name: pd.Series, country: pd.Series, sector: pd.Series, tables: ActorTables
) -> pd.DataFrame:
    """(state, kind) for POLECAT actors: a state sector of a country, or the country itself.

    The country field is an ISO3 code or an exact country name; an actor with no sector whose
    name is that country's name is the bare country; anything else is not a state.
    """

    def resolve(actor: pd.Series, where: pd.Series, actor_sector: pd.Series) -> pd.DataFrame:
        state = iso3_states(where).fillna(_exact(where, tables.countries, casefold=True))
        named_state = _exact(actor, tables.countries, casefold=True)
        agency = actor_sector.isin(sorted(tables.polecat_state_sectors))
        bare = (actor_sector == "") & (named_state == state).fillna(False)
        return _state_and_kind(state, agency, bare)

    return _on_distinct_fields(resolve, name, country, sector)


def _state_and_kind(state: pd.Series, agency: pd.Series, bare: pd.Series) -> pd.DataFrame:
    """A state agency, the bare country, or (without a state, or neither) not a state."""
    kind = np.where(
        state.isna(), NON_STATE, np.where(agency, AGENCY, np.where(bare, COUNTRY, NON_STATE))
    )
    return pd.DataFrame({"state": state.where(kind != NON_STATE), "kind": kind})
