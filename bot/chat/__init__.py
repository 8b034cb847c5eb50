"""The Telegram chat: the application, handlers, renderers, menus and callbacks."""
