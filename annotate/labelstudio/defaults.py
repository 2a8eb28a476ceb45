"""Constants the command line shows as option defaults and help, kept apart from the push and
ML-backend machinery so that `annotate --help` and `COMMAND --help` need not import it (and its
HTTP client)."""

BATCH_SIZE = 1000  # tasks per import request: ~1.5 s each on a laptop-class server
# A task with its prediction is 1.3 kB on average, 2.5 kB at most on the haiti-mss corpus: 10,000
# make a request of ~25 MB at worst, a tenth of Label Studio's DATA_UPLOAD_MAX_MEMORY_SIZE (250 MB)
MAX_BATCH_SIZE = 10_000

# The basic auth of `annotate serve`, read from the environment (never from an option).
USER_ENV, PASSWORD_ENV = "ANNOTATE_SERVE_USER", "ANNOTATE_SERVE_PASSWORD"
