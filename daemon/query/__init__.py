"""Dataview Query Language: parser, evaluator, functions and engine."""
