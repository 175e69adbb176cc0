"""The test kit: helpers that more than one app's tests use (walkers, scenarios, clocks).

Modules holding fixtures are plugins, loaded once by ``pytest_plugins`` in the root
conftest.py; plain functions and constants are imported from ``tests.kit.<module>``. A test
imports nothing from another app's ``tests`` package, nor from any conftest.py.
"""
