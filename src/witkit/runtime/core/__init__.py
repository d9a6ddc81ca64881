"""witkit's core-engine adapter (docstring filled in below)."""

from witkit.runtime.core.engine import CoreModule as CoreModule
from witkit.runtime.core.engine import Engine as Engine
from witkit.runtime.core.engine import EngineConfig as EngineConfig
from witkit.runtime.core.extern import CoreExtern as CoreExtern
from witkit.runtime.core.func import CoreFunc as CoreFunc
from witkit.runtime.core.instance import CoreInstance as CoreInstance
from witkit.runtime.core.memory import CoreGlobal as CoreGlobal
from witkit.runtime.core.memory import CoreMemory as CoreMemory
from witkit.runtime.core.memory import CoreTable as CoreTable
from witkit.runtime.core.store import Store as Store
from witkit.runtime.core.traps import CoreTrap as CoreTrap
from witkit.runtime.core.types import CoreFuncType as CoreFuncType
