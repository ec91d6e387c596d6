"""The paper's two LLM-as-judge prompts (Figures 12 and 13), used by :mod:`songsage.eval.judge`."""

from __future__ import annotations

# Figure 12 (best description), verbatim apart from the number of choices, which follows the letters.
JUDGE_BEST_DESCRIPTION = """You are an expert in evaluating Chinese playlist descriptions. Your task is to select the best description from the {n_words} given descriptions based on the following criteria:

- Accuracy: Does the description accurately reflect the playlist name, tags, and song style?
- Emotional Conveyance: Does the description convey the emotional tone and atmosphere of the playlist?
- Information Coverage: Does the description cover the main styles and representative songs of the playlist?
- Scenario Suitability: Does the description demonstrate suitable usage scenarios?

Based on these evaluation criteria, please select the best playlist description and respond with the corresponding letter.

- Here is the playlist information:
- Playlist name is: {playlist_name}
- Playlist meta description is: {playlist_description}
- Playlist tags include: {playlist_tag}
- This playlist includes these songs: {songlists}

Here are the choices:

{choices}

Based on these evaluation criteria, please select the best playlist description and respond with the corresponding letter without any explanation."""

# Figure 13 (lyrics evaluation); the paper does not print the answer format, so the last paragraph
# asks for one parseable line per dimension (scores 1-10, as in Table 3).
JUDGE_LYRICS = """Please evaluate the lyric continuation based on these four key dimensions:

Creativity:
The lyrics demonstrate innovative and fresh ideas while maintaining the song's essence
The continuation offers new perspectives without compromising the original style
Shows originality in wordplay, metaphors, and thematic development

Fluency:
The flow and rhythm maintain a natural, smooth progression
The meter and cadence remain consistent throughout the continuation
The lyrics integrate seamlessly with the original and demonstrate strong singability

Relevance:
The continuation aligns closely with the original lyrics' theme and tone
The imagery and narrative direction remain consistent throughout
The thematic elements and structural approach demonstrate strong coherence

Emotional Expression:
The lyrics effectively convey and develop emotional content
The emotional journey maintains or enhances the original sentiment
The emotional delivery shows authenticity and depth

Keywords: {keywords}

First half Lyrics: {first_half}

Lyrics Continuation: {continuation}

Score each dimension from {min_score} to {max_score}. Answer with exactly four lines:
Creativity: <score>
Fluency: <score>
Relevance: <score>
Emotional Expression: <score>"""
