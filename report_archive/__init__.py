"""The report archive's core: model, loading and validation, index pages, search and import.

Nothing here depends on MkDocs; hooks, scripts and tests all call into this package.
"""

from .archive import Archive, load_archive, load_report
from .model import Problem, Report
from .units import Registry, Unit, load_registry

__all__ = ["Archive", "Problem", "Registry", "Report", "Unit", "load_archive", "load_registry", "load_report"]
