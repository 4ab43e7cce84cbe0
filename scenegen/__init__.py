"""scenegen: synthetic, ambiguous patient triage dialogues with gold reasoning and escalation labels."""

from .content import Disposition
from .errors import ContentError, Problem, ScenegenError, UsageError
from .knowledge import Demographics, KnowledgeBase
from .load import load_knowledge_base

__version__ = "0.1.0"

__all__ = [
    "ContentError", "Demographics", "Disposition", "KnowledgeBase", "Problem", "ScenegenError", "UsageError",
    "load_knowledge_base", "__version__",
]
