"""From a news report to coded incidents: a transparent, rule-based coder.

`code_article(text, published)` splits the report into sentences, finds the uses of force its
verb lexicon knows (built from the CAMEO and PLOVER code lists), works out who acted against
whom from a gazetteer of states, regions and armed groups, resolves the day against the
publication date and reads death tolls with who reported them. Every field of a proposed
incident points at the sentence and words it came from; nothing is fetched at run time.
"""

from forecast.news.coder import MAX_ARTICLE_BYTES, CodingResult, code_article, code_file
from forecast.news.records import CodedIncident, FieldEvidence

__all__ = [
    "MAX_ARTICLE_BYTES",
    "CodedIncident",
    "CodingResult",
    "FieldEvidence",
    "code_article",
    "code_file",
]
