"""`make bench`: the POS and the ERP measured against the browser's own limits, in one run.

What it is for: medians of several runs of each figure, with the ratio to its natural floor measured in the
same run (raw-JS fetch + IndexedDB for the catalog load, a bare Pyodide page for the boot), printed as a table
and written to bench/results/<date>-<quick|full>.json with the machine and versions.
What it must NOT do: assert anything (benchmarks are not tests), edit web/ or server/, reach beyond 127.0.0.1,
or leave servers, browsers or temporary databases behind.
"""
