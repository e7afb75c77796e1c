"""Contract path (ARCHITECTURE.md): ``from model.network import NetworkSpec, Network``.

The code lives in :mod:`model.nn`; this module keeps the documented import working.
"""

from model.nn.network import MAX_PARAMS, Backward, Network, Trace, initial_parameters
from model.nn.spec import NetworkSpec

__all__ = ["MAX_PARAMS", "Backward", "Network", "NetworkSpec", "Trace", "initial_parameters"]
