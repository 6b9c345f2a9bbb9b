"""imekit: HIPAA Security Rule compliance kit for an IME organisation's AWS platform."""

__version__ = "0.1.0"
