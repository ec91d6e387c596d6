"""LyricBank-SFT and preference-set construction (paper 4.3-4.4): tasks, templates, builders."""
