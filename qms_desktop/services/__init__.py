"""Use cases shared by the GUI and the CLI. They return plain dataclasses, never ORM objects."""
