"""Stage 4: quality of the gold: inter-annotator agreement, adjudication, annotation order."""
