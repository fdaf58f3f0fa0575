"""The modelling API that protocols import: everything needed to write a model, nothing else."""
from ..errors import ModelError
from .builder import ModelBuilder, when
from .expr import If, all_of, any_of, count, exists, forall, implies, mask_of
from .protocol import Config, Param, Protocol
from .types import BOOL, Elem, Enum, IndexSet, IntRange, Mask
from .variant import KEEP, Replace, Vars

__all__ = ["ModelBuilder", "when", "ModelError", "If", "all_of", "any_of", "count", "exists",
           "forall", "implies", "mask_of", "Config", "Param", "Protocol", "BOOL", "Elem", "Enum",
           "IndexSet", "IntRange", "Mask", "KEEP", "Replace", "Vars"]
