"""Local stand-ins for the clouds clausewatch talks to (Slack's Web API, the Bot Framework connector, a chat
API), for tests and benchmarks only."""
