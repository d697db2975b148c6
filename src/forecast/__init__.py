"""forecast: will the target of a cross-border strike strike back, and how soon?"""

import warnings

# With the spark extra installed, pandera imports pyspark.pandas, which warns about pandas 3 on
# every command; the engine does not use pyspark.pandas (only Spark SQL and Arrow).
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")

__version__ = "0.1.0"
