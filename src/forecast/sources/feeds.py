"""Event feeds as sources: find a feed's file, read it with its format's adapter.

A feed is declared in params.yaml (`data.feeds`, `forecast.core.config.FeedParams`) or in a feed
mapping file (the same keys as YAML, e.g. data/feeds/icews18.yaml, for `forecast data
check-file`). Its file is looked for like any source file (data.paths.<name>, data/external/,
$FORECAST_DATA_DIR); a folder holds a knowledge-graph slice or several yearly files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from forecast.core.config import DataParams, FeedParams
from forecast.core.errors import DataFileError, ForecastError
from forecast.core.user_yaml import read_user_yaml
from forecast.sources.base import md5_of
from forecast.sources.feed_reduce import FeedResult, FeedRules, combine_feed
from forecast.sources.feed_tables import (
    code_labels,
    load_actor_tables,
    load_consented_operations,
    load_event_codes,
    read_yaml_mapping,
)
from forecast.sources.gdelt import read_gdelt
from forecast.sources.icews import read_icews
from forecast.sources.icews_tkg import read_icews_tkg
from forecast.sources.locate import SourceFileSpec, places
from forecast.sources.polecat import read_polecat

SCHEME_OF_FORMAT = {"icews": "cameo", "icews_tkg": "cameo", "gdelt": "cameo", "polecat": "plover"}
FEED_FOLDER = Path("data/feeds")


@dataclass(frozen=True)
class FeedFormat:
    """One event-feed layout an adapter reads (the `format:` of a feed), as users know it."""

    name: str
    title: str
    layout: str

    @property
    def scheme(self) -> str:
        return SCHEME_OF_FORMAT[self.name]


# In the order docs/data-sources.md describes them ("Layouts").
FEED_FORMATS = (
    FeedFormat("icews", "ICEWS", "Dataverse files: tab-separated, one header, a file per year"),
    FeedFormat(
        "icews_tkg",
        "ICEWS knowledge-graph slices",
        "zip or folder: entity2id, relation2id, train/valid/test (subject relation object time)",
    ),
    FeedFormat("gdelt", "GDELT 2.0", "event export files: 61 tab-separated columns, no header"),
    FeedFormat("polecat", "POLECAT", "weekly files: tab-separated, one header"),
)


@dataclass(frozen=True)
class ConfiguredFeed:
    """A feed a user declared, and where: params.yaml (data.feeds) or data/feeds (<name>.yaml)."""

    feed: FeedParams
    declared_in: str
    # Only params.yaml's feeds are ingested; the folder's serve `forecast data agree NAME`.
    ingested: bool


_ONE_FILE_READERS: dict[str, Callable[..., FeedResult]] = {
    "icews": read_icews,
    "gdelt": read_gdelt,
    "polecat": read_polecat,
}


def locate_feed_path(name: str, file: str, data: DataParams) -> Path:
    """Where a feed's file or folder is, by the look-up order of all source files."""
    tried = places(SourceFileSpec(key=name, source=name, names=(file,)), data)
    tried = [("given", Path(file).expanduser()), *tried]
    for _how, path in tried:
        if path.exists():
            return path
    raise ForecastError(
        f"feed {name}: {file} not found; looked in {', '.join(p.as_posix() for _, p in tried)}. "
        "Set FORECAST_DATA_DIR, put it in data/external/, or name it in data.paths"
    )


def feed_fingerprint(feed: FeedParams, data: DataParams) -> dict[str, object]:
    """Path and md5 of a feed's file (each file of a folder), for the fetch manifest."""
    try:
        path = locate_feed_path(feed.name, feed.file, data)
    except ForecastError:
        return {"missing": feed.file}
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file())
        return {"path": path.as_posix(), "md5": {p.name: md5_of(p) for p in files}}
    return {"path": path.as_posix(), "md5": md5_of(path)}


def feed_rules(feed: FeedParams, data: DataParams) -> FeedRules:
    """The mapping tables and declarations a feed is reduced with."""
    return FeedRules(
        codes=load_event_codes(_optional(feed.codes)),
        consented=load_consented_operations(_optional(feed.consented)),
        scheme=SCHEME_OF_FORMAT[feed.format],
        coverage=(feed.coverage.start, feed.coverage.end),
        gap_days=feed.gap_days,
    )


def read_feed(feed: FeedParams, data: DataParams, path: Path | None = None) -> FeedResult:
    """Read one declared feed (its file found by look-up unless `path` is given)."""
    path = Path(path) if path is not None else locate_feed_path(feed.name, feed.file, data)
    rules = feed_rules(feed, data)
    actors = load_actor_tables(_optional(feed.actors))
    if feed.format == "icews_tkg":
        assert feed.time is not None  # FeedParams requires it for slices
        cameo_list = locate_feed_path(feed.name, feed.labels, data) if feed.labels else None
        labels = code_labels(rules.codes, cameo_list)
        return read_icews_tkg(path, rules, actors, source=feed.name, time=feed.time, labels=labels)
    reader = _ONE_FILE_READERS[feed.format]
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    if not files:
        raise DataFileError(path, "folder holds no feed file")
    results = [reader(f, rules, actors, source=feed.name) for f in files]
    return results[0] if len(results) == 1 else combine_feed(results, feed.name)


def _optional(value: str | None) -> Path | None:
    return Path(value) if value else None


def load_feed_spec(path: Path, **overrides: object) -> FeedParams:
    """A feed mapping file (FeedParams keys in YAML), with errors that name the file."""
    raw, path = read_yaml_mapping(Path(path))
    try:
        return FeedParams.model_validate({**raw, **overrides})
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise DataFileError(path, problems) from exc


def is_feed_mapping(path: Path) -> bool:
    """Whether a mapping file declares a feed (a `format:` key) rather than CSV columns."""
    try:
        raw = read_user_yaml(Path(path))
    except DataFileError:
        return False  # not readable as a feed mapping: the column-mapping reader says why
    return isinstance(raw, dict) and "format" in raw and "columns" not in raw


def find_feed(name: str, data: DataParams) -> FeedParams:
    """A feed by name: from params.yaml's data.feeds, else data/feeds/<name>.yaml."""
    for feed in data.feeds:
        if feed.name == name:
            return feed
    spec = FEED_FOLDER / f"{name}.yaml"
    if spec.is_file():
        return load_feed_spec(spec)
    known = [f.name for f in data.feeds] + _folder_feed_names()
    raise ForecastError(f"unknown feed {name!r}; known: {', '.join(known) or 'none'}")


def _folder_feed_names() -> list[str]:
    return sorted(p.stem for p in FEED_FOLDER.glob("*.yaml"))


def configured_feeds(data: DataParams) -> list[ConfiguredFeed]:
    """Every feed `find_feed` can name: params.yaml's first, then the folder's (a folder file
    with the name of a params.yaml feed is shadowed by it, as `find_feed` reads them)."""
    feeds = [ConfiguredFeed(feed, "params.yaml", True) for feed in data.feeds]
    taken = {feed.name for feed in data.feeds}
    for name in _folder_feed_names():
        if name not in taken:
            path = FEED_FOLDER / f"{name}.yaml"
            feeds.append(ConfiguredFeed(load_feed_spec(path), str(FEED_FOLDER), False))
    return feeds
