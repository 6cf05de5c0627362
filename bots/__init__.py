"""The edges of clausewatch: CLI, console chat, chat-platform adapters and the server that hosts them."""
