"""The demo upstream's media models: pictures drawn and described, speech made and read back, embeddings and
labels. Deterministic, offline, Pillow and the standard library only; demo/upstream.py serves them."""
