"""Stage 5: reports from gold: tables, charts, the HTML page and networks for analysts."""
