"""Realise stage: turn a plan into messages through the persona and the templates.

Only words are chosen here: the template variant, the lay phrasing, the persona's name. Nothing here can
change a label, because the plan is final before the first word is written. The stage is a small package:
:mod:`.realiser` drives it; :mod:`.parts` gives each template part its variables; :mod:`.phrasebook` words
findings and :mod:`.closing` the decision; :mod:`.choose` picks variants and :mod:`.fluency` scores them;
:mod:`.person`, :mod:`.localise` and :mod:`.words` are the pure text functions the checks share.
"""

from .localise import Localiser
from .person import proxy_question
from .realiser import Realiser, Rendered
from .words import clauses, distinct_names, mentions, said_topic, short_sentences, supported, topic

__all__ = ["Localiser", "Realiser", "Rendered", "clauses", "distinct_names", "mentions", "proxy_question",
           "said_topic", "short_sentences", "supported", "topic"]
