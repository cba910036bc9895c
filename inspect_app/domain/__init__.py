"""Pure rules of the domain: periods, holidays, the legal clock, transitions, measures, formats.

No database, no web: plain functions over plain values, tested with plain tests.
"""
