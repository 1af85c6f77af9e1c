"""Use cases: domain rules combined with the database. Services own every write and every
transaction; handlers call them and render what they return."""
