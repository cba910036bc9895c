"""Reading page forms and query strings: posted text in, typed values and per-field errors out.

Pure functions, one module per area, no request and no database: the page controllers call
them between reading the request and calling a service. The services check the values again
(they are shared with the JSON API); these functions only turn what a browser sends into what
a service or a template takes, and name the field at fault when they cannot.
"""
