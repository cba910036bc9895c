"""Benchmarks of the application on the national data set (``make bench``)."""
