"""Telegram update handlers: parse, authorise, call ``domain``, render. Thin.

``handlers.registry.register`` is the one visible list of every handler.
"""
