"""Benchmarks: ``python -m benchmarks NAME [options]``. Each prints a table for people and, as its last line,
one JSON object for machines. Figures are measured here, never asserted in the test suite."""
