"""What the running bot's handlers and jobs share: the settings, the services they reach the
domain through, and how an answer goes to Telegram.

Arrows run ``bot → handlers, jobs → runtime → domain → storage`` (``reports`` beside the
domain); handlers and jobs never import each other, ``bot`` or ``storage``.
"""
