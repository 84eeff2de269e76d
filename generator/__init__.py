"""aftersales: registers, checks and controlled forms for after-sales service offices.

Public API:
    load_policy, default_policy        the company policy (policy.toml)
    load_specs                         register specs
    read_register, read_all            typed records from the workbooks
    CheckContext, run_checks           findings over all registers
    init_registers                     write workbooks and policy
"""
from .checks import CheckContext, run_checks
from .findings import Finding
from .policy import default_policy, load_policy
from .registers import read_all, read_register
from .registry_init import init_registers
from .spec import load_specs

__all__ = [
    "CheckContext", "Finding", "default_policy", "init_registers", "load_policy",
    "load_specs", "read_all", "read_register", "run_checks",
]
__version__ = "0.1.0"
