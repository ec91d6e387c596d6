"""Prompt texts and chat-message builders, below every stage that sends them to a model.

- :mod:`songsage.prompts.playlistsense`: query generation, playlist description and query rewrite
  (the evaluation and the serving recommender send the same rewrite prompt).
- :mod:`songsage.prompts.judge`: the LLM-as-judge prompts.
"""
