"""Reading legal language: the AI-training statements a text makes, the judgment of a change, the AI data-use
profile, and their measurement."""
