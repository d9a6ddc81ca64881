"""The Canonical ABI: component values <-> core wasm values and linear memory.

(public API documentation to be written)
"""

from witkit.abi.context import CanonicalOptions as CanonicalOptions
from witkit.abi.context import Context as Context
from witkit.abi.specialize import FuncABI as FuncABI
from witkit.abi.specialize import func_abi as func_abi
from witkit.abi.specialize import type_abi as type_abi
