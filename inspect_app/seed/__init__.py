"""Generated data: the demo province (``demo``) and bulk data for benchmarks (``bulk``).

Both draw case histories from ``cases``, which applies the domain's legal clock and measure
rules, so that generated records look exactly like records entered through the app.
"""
