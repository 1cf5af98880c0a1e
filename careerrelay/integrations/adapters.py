"""Which adapter reads an integration's deliveries: careerrelay.integrations.vendors.<kind>,
loaded by name so each vendor's module plugs in by existing (vendors/base.py is the contract)."""

import importlib
from types import ModuleType

from careerrelay.integrations.models import Integration


class NoAdapter(LookupError):
    pass


def adapter_for(kind: str) -> ModuleType:
    if kind not in Integration.Kind.values:
        raise NoAdapter(kind)
    try:
        return importlib.import_module(f"careerrelay.integrations.vendors.{kind}")
    except ModuleNotFoundError as error:
        if error.name == f"careerrelay.integrations.vendors.{kind}":
            raise NoAdapter(kind) from None
        raise


def available_kinds() -> list[str]:
    kinds = []
    for kind in Integration.Kind.values:
        try:
            adapter_for(kind)
        except NoAdapter:
            continue
        kinds.append(kind)
    return kinds
