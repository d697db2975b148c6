"""ICEWS slices in temporal-knowledge-graph form: name tables plus (subject, relation, object,
time) quadruples, in a zip or a folder.

`entity2id.txt` and `relation2id.txt` map names to ids; `train.txt`, `valid.txt` and `test.txt`
together are the whole slice. Entities are ICEWS actor names (some slices write spaces as
underscores: "Military_(Pakistan)"); relations are CAMEO event labels, turned into codes by the
labels of the code table (feed_event_codes.yaml) or, when given, the full CAMEO code list. The
time column is read by the encoding the feed declares (`FeedTime`), never guessed.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.core.config import FeedTime
from forecast.core.errors import DataFileError
from forecast.sources.base import SourceFile, md5_of
from forecast.sources.feed_actors import icews_actor_states
from forecast.sources.feed_reduce import (
    FeedResult,
    FeedRules,
    feed_events,
    file_label,
    reduce_feed,
)
from forecast.sources.feed_tables import ActorTables

NAME_TABLES = ("entity2id.txt", "relation2id.txt")
SPLITS = ("train.txt", "valid.txt", "test.txt")


def _members(path: Path) -> dict[str, bytes]:
    """The slice's files by name, from a zip (any folder inside it) or a folder."""
    wanted = (*NAME_TABLES, *SPLITS)
    if path.is_dir():
        return {name: (path / name).read_bytes() for name in wanted if (path / name).is_file()}
    try:
        with zipfile.ZipFile(path) as archive:
            found = {Path(n).name: n for n in archive.namelist() if Path(n).name in wanted}
            return {name: archive.read(member) for name, member in found.items()}
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataFileError(path, f"not a zip or folder of a slice ({exc})") from exc


def _table(data: bytes, names: list[str], where: str) -> pd.DataFrame:
    try:
        return pd.read_csv(
            io.BytesIO(data),
            sep="\t",
            header=None,
            names=names,
            usecols=range(len(names)),
            dtype=str,
            quoting=3,
            keep_default_na=False,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise DataFileError(where, f"cannot be read as tab-separated columns ({exc})") from exc


def slice_day(values: pd.Series, time: FeedTime) -> pd.Series:
    """Dates of a slice's time values under its declared encoding (NaT when not a number)."""
    number = pd.to_numeric(values, errors="coerce")
    offset = np.floor_divide(number - time.origin_value, time.per_day)
    return pd.Timestamp(time.origin) + pd.to_timedelta(offset, unit="D")


def read_icews_tkg(
    path: Path,
    rules: FeedRules,
    actors: ActorTables,
    *,
    source: str,
    time: FeedTime,
    labels: pd.DataFrame,
) -> FeedResult:
    """A slice as feed incidents; rows are counted over its three splits."""
    path = Path(path)
    if not path.exists():
        raise DataFileError(path, "file or folder not found")
    members = _members(path)
    missing = [name for name in (*NAME_TABLES, "train.txt") if name not in members]
    if missing:
        raise DataFileError(
            path,
            f"slice lacks {', '.join(missing)}",
            "expected entity2id.txt, relation2id.txt and train/valid/test.txt",
        )
    entities = _table(members["entity2id.txt"], ["name", "id"], f"{path}:entity2id.txt")
    relations = _table(members["relation2id.txt"], ["label", "id"], f"{path}:relation2id.txt")
    quads = [
        _table(members[split], ["subject", "relation", "object", "time"], f"{path}:{split}").assign(
            _row=lambda f: np.arange(1, len(f) + 1), _file=file_label(path, split)
        )
        for split in SPLITS
        if split in members
    ]
    events = slice_events(
        pd.concat(quads, ignore_index=True), entities, relations, actors, time, labels
    )
    if path.is_dir():
        files = [SourceFile(path / n, md5_of(path / n)) for n in sorted(members)]
    else:
        files = [SourceFile(path, md5_of(path))]
    return reduce_feed(events, rules, source=source, files=files, rows_read=len(events))


def slice_events(
    quads: pd.DataFrame,
    entities: pd.DataFrame,
    relations: pd.DataFrame,
    actors: ActorTables,
    time: FeedTime,
    labels: pd.DataFrame,
) -> pd.DataFrame:
    """Quadruples as feed events: ids to names (underscores read as spaces), labels to codes."""
    entity_name = _lookup(entities["name"].str.replace("_", " ", regex=False), entities["id"])
    relation_label = _lookup(relations["label"].str.replace("_", " ", regex=False), relations["id"])
    subject = quads["subject"].map(entity_name)
    target = quads["object"].map(entity_name)
    label = quads["relation"].map(relation_label)
    code_of = _lookup(labels["code"], labels["label"].str.casefold())
    code = label.astype("string").str.casefold().map(code_of)
    return feed_events(
        file=quads["_file"],
        rows=quads["_row"],
        raw_date=quads["time"],
        when=slice_day(quads["time"], time),
        code=code.fillna("label: " + label.fillna("unknown relation id")),
        source_actor=subject.fillna("unknown entity id " + quads["subject"]),
        source=icews_actor_states(subject, actors),
        target_actor=target.fillna("unknown entity id " + quads["object"]),
        target=icews_actor_states(target, actors),
    )


def _lookup(values: pd.Series, keys: pd.Series) -> pd.Series:
    """`values` indexed by `keys`, for `Series.map`; a key listed twice keeps its first value."""
    table = pd.Series(values.to_numpy(), index=keys.to_numpy())
    return table[~table.index.duplicated()]
