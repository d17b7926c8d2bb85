"""Wiring: settings, the command line, and (later) the Telegram application."""
