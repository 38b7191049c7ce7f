"""The customer domain: customers, importing, segments, analytics, lifecycle, the directory
and SLA clocks.  Nothing here imports the web layer."""
