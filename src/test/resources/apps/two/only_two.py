"""A module only app two has on its path."""
