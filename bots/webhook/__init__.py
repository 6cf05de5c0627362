"""The webhook destination: alerts POSTed as JSON to a URL."""
