"""Words by which a struck state shows it treats the strike as a crisis, read from a report.

The forecasts lean on the outside view when the analyst judges that the target treats a
strike as a crisis (ADR 10, docs/adr/0010-crisis-forecasts-lean-on-the-outside-view.md): ICB's
crisis triggers are answered about twice as often as other limited uses of force. A report
often says so in the target's own words or deeds: it vows to answer, recalls its envoy,
convenes an emergency security meeting, puts its forces on alert, mobilises or declares an
emergency. Such a sentence is proposed as the `crisis` judgement of the incidents that state
suffered in the article, with the words as evidence, for a person to check like every other
proposed field. A mere protest (summoning an envoy, condemning) is not one: states protest
strikes they then let pass.
"""

from __future__ import annotations

import re

_ENVOY = r"(?:ambassador|envoy|high commissioner|charg[eé] d['’]affaires|diplomats?)"
_FORCES = r"(?:armed forces|forces|troops|military|army|air force|reserves?)"
# Each alternative is a deed or a vow of the speaking state; the state is the sentence's subject.
CRISIS_CUES = re.compile(
    r"\b(?:"
    r"(?:vow(?:ed|s)?|pledg(?:ed|es)|promis(?:ed|es)|threaten(?:ed|s)?|warn(?:ed|s)? it would)"
    r" (?:to )?(?:a )?(?:retaliat\w*|respon\w*|aveng\w*|take revenge|revenge|hit back|strike back"
    r"|answer\w*|punish\w*)"
    r"|reserve[sd]? (?:the|its) right to (?:respond|retaliate|self-defen[cs]e|defend)"
    r"|(?:will|shall) (?:respond|retaliate|hit back|strike back|avenge)"
    rf"|(?:recall(?:ed|s)?|withdr[eaw]w?s?) (?:its |their |the )?(?:\w+ )?{_ENVOY}"
    rf"|expel(?:led|s)? (?:the |its |their )?(?:\w+ )?{_ENVOY}"
    r"|(?:emergency|urgent|extraordinary) (?:meeting|session) of (?:the |its )?(?:national )?"
    r"(?:security|defen[cs]e)"
    r"|(?:national )?security (?:council|committee) (?:met|convened|held an emergency)"
    rf"|(?:put|placed|puts|places) (?:its |the )?{_FORCES} on (?:high|full|maximum|highest) alert"
    r"|declared (?:a |an )?(?:state of )?emergency"
    rf"|mobili[sz](?:ed|es|ing) (?:its |the )?{_FORCES}"
    r")",
    re.IGNORECASE,
)


def crisis_cue(text: str) -> re.Match[str] | None:
    """The first words of `text` by which a state shows a crisis, None if there are none."""
    return CRISIS_CUES.search(text)
