"""dmzoo's training subproject: events, classifiers, measurements and exports for the zoo."""

__version__ = "0.1.0"
