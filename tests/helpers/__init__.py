"""Helpers shared by test modules. Test modules and conftest.py files import from here, never
from one another."""
