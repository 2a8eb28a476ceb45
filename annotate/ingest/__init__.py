"""Stage 1 of the loop: news in, sentence records out (documents, page furniture, splitting,
and public data sets converted to gold)."""
