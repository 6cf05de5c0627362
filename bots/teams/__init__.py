"""The Microsoft Teams adapter on botbuilder: activities in, core commands, Adaptive Cards out."""
