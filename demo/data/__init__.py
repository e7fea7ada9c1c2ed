"""The demo marketplace as plain data: studios, their models, people, and the words they use.

Records are frozen keyword dataclasses (`records.py`), so every value is read by name. The seeder draws
from these lists with a seeded random stream, so their order is part of the demo: reordering a list
changes which reviews, prompts and replies the seeded rows get.
"""
