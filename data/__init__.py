"""Where the numbers come from: templates, reading and validating uploads, the DuckDB store."""
