"""Instruction templates of the nine LyricBank-SFT tasks (Chinese and English paraphrases) and the teacher prompts.

Each task has several paraphrases per language; :func:`pick` chooses one deterministically from the run
seed and the sample id, so a rebuild gives the same prompts. Placeholders (``str.format``):
``{query}`` user request, ``{playlist}`` a playlist block (see :func:`playlist_block`), ``{lyrics}``,
``{first_half}``, ``{keywords}``, ``{labels}`` (the emotion labels to choose from).
Languages: ``zh`` (Chinese templates) and ``en`` (English templates, also used for ja/ko/other songs).
"""

from __future__ import annotations

import hashlib

ZH, EN = "zh", "en"

TASK_TEMPLATES: dict[str, dict[str, list[str]]] = {
    "query_rewrite": {
        ZH: [
            "请把下面的用户歌单需求改写成一段具体、概括的歌单描述。\n用户需求：{query}",
            "用户想听的歌单是这样说的：“{query}”。请将其改写为一段适合检索歌单的描述。",
            "改写任务：把用户的查询转写成对目标歌单的整体描述（情绪、场景、风格）。\n查询：{query}",
        ],
        EN: [
            "Rewrite the user's playlist request below into a specific, general description of the playlist.\nRequest: {query}",
            'A listener asked for a playlist: "{query}". Rewrite it as a description that could be used to find that playlist.',
            "Turn this user query into an overall description of the playlist it asks for (mood, scene, style).\nQuery: {query}",
        ],
    },
    "playlist_tags": {
        ZH: [
            "根据歌单的标题、歌曲列表和简介，为这个歌单生成标签。\n{playlist}",
            "请给下面的歌单打上几个合适的标签。\n{playlist}",
            "阅读歌单信息，输出最能概括它的标签。\n{playlist}",
        ],
        EN: [
            "Generate tags for this playlist from its title, song list and description.\n{playlist}",
            "Give a few fitting tags for the playlist below.\n{playlist}",
            "Read the playlist information and output the tags that best summarise it.\n{playlist}",
        ],
    },
    "playlist_description": {
        ZH: [
            "根据歌单的标题、标签和歌曲列表，为歌单写一段简介。\n{playlist}",
            "请为下面这个歌单撰写描述。\n{playlist}",
            "给这个歌单写一段吸引人的介绍文字。\n{playlist}",
        ],
        EN: [
            "Write a description for this playlist from its title, tags and song list.\n{playlist}",
            "Please write a description of the playlist below.\n{playlist}",
            "Write an inviting introduction for this playlist.\n{playlist}",
        ],
    },
    "lyrics_story": {
        ZH: [
            "根据下面的歌词，讲述这首歌背后的故事。\n{lyrics}",
            "读完这段歌词，说说它讲了一个怎样的故事、表达了什么。\n{lyrics}",
            "请从歌词出发，讲一讲这首歌的创作灵感和其中的故事。\n{lyrics}",
        ],
        EN: [
            "Tell the story behind this song based on its lyrics.\n{lyrics}",
            "Read these lyrics and describe the story they tell.\n{lyrics}",
            "From the lyrics below, narrate the inspiration and the story reflected in the song.\n{lyrics}",
        ],
    },
    "lyrics_continuation": {
        ZH: [
            "请根据歌词的前半部分续写后半部分。\n{first_half}",
            "下面是一首歌的前半段歌词，请接着写下去。\n{first_half}",
            "续写歌词：\n{first_half}",
        ],
        EN: [
            "Continue writing the second half of these lyrics from the first half.\n{first_half}",
            "Here is the first half of a song. Write the rest of the lyrics.\n{first_half}",
            "Continue the lyrics:\n{first_half}",
        ],
    },
    "keywords_to_lyrics": {
        ZH: [
            "请以这些关键词为灵感写一段歌词：{keywords}",
            "根据给定的关键词创作歌词。\n关键词：{keywords}",
            "用下面的关键词写一首歌的歌词：{keywords}",
        ],
        EN: [
            "Write lyrics inspired by these keywords: {keywords}",
            "Compose song lyrics from the given keywords.\nKeywords: {keywords}",
            "Write the lyrics of a song using these keywords: {keywords}",
        ],
    },
    "lyrics_artist": {
        ZH: [
            "根据歌词推断这首歌的演唱者。\n{lyrics}",
            "这段歌词出自哪位歌手（或作者）？\n{lyrics}",
            "请说出演唱这首歌的艺人。\n{lyrics}",
        ],
        EN: [
            "Infer the artist of this song from its lyrics.\n{lyrics}",
            "Who sings (or wrote) these lyrics?\n{lyrics}",
            "Name the artist behind this song.\n{lyrics}",
        ],
    },
    "lyrics_title": {
        ZH: [
            "为下面的歌词起一个歌名。\n{lyrics}",
            "这段歌词对应的歌曲名称是什么？\n{lyrics}",
            "请根据歌词给出歌名。\n{lyrics}",
        ],
        EN: [
            "Give a song title for these lyrics.\n{lyrics}",
            "What is the title of the song with these lyrics?\n{lyrics}",
            "Create a title for the song based on its lyrics.\n{lyrics}",
        ],
    },
    "lyrics_emotion": {
        ZH: [
            "根据歌词判断这首歌的情绪（从{labels}中选择）。\n{lyrics}",
            "这首歌传达了怎样的情绪？可选：{labels}。\n{lyrics}",
            "请识别歌词的情感基调，选项：{labels}。\n{lyrics}",
        ],
        EN: [
            "Detect the emotion of this song from its lyrics (choose from {labels}).\n{lyrics}",
            "What emotion does this song convey? Options: {labels}.\n{lyrics}",
            "Identify the emotional tone of the lyrics. Options: {labels}.\n{lyrics}",
        ],
    },
}

# Teacher prompts for the targets that must be written. Fields as above plus {title}/{artist}.
TEACHER_TEMPLATES: dict[str, dict[str, str]] = {
    "story": {
        ZH: "阅读歌曲《{title}》（{artist}）的歌词，用三四句话讲述歌曲背后的故事：场景、人物和情感。\n歌词：\n{lyrics}",
        EN: 'Read the lyrics of "{title}" by {artist} and tell the story behind the song in three or four '
        "sentences: the scene, the people and the feeling.\nLyrics:\n{lyrics}",
    },
    "query": {
        ZH: "下面是一个歌单。写一句听众在音乐软件里想找这类歌单时可能输入的请求，只写这句请求。\n{playlist}",
        EN: "Here is a playlist. Write one short request a listener might type into a music app when looking for "
        "a playlist like this. Write only the request.\n{playlist}",
    },
    "rewrite": {
        ZH: "听众的请求是：“{query}”。把它改写成一段两三句话的歌单描述（情绪、场景、风格），供检索歌单使用。"
        "参考歌单：\n{playlist}",
        EN: 'A listener asked: "{query}". Rewrite the request as a two or three sentence description of a '
        "playlist that answers it (mood, scene, style). Reference playlist:\n{playlist}",
    },
    "description": {
        ZH: "为下面的歌单写一段两三句话的简介，说明它的情绪、适合的场景和风格。\n{playlist}",
        EN: "Write a two or three sentence description of the playlist below: its mood, the scenes it suits and "
        "its style.\n{playlist}",
    },
}

# Labels of the playlist block and list separators per language.
BLOCK_LABELS = {
    ZH: {"title": "歌单标题", "tags": "标签", "description": "简介", "songs": "歌曲", "sep": "、"},
    EN: {
        "title": "Playlist title",
        "tags": "Tags",
        "description": "Description",
        "songs": "Songs",
        "sep": ", ",
    },
}
SONG_BY = {ZH: "{name} - {artist}", EN: "{name} by {artist}"}


def stable_hash(*parts: object) -> int:
    """A 64-bit integer from ``parts`` (sha256; stable across processes, unlike ``hash``)."""
    blob = "\x1f".join(str(p) for p in parts).encode("utf-8")
    return int.from_bytes(hashlib.sha256(blob).digest()[:8], "big")


def pick(task: str, lang: str, seed: int, sample_id: str) -> str:
    """The paraphrase of ``task`` in ``lang`` for this sample (deterministic in seed and sample id)."""
    options = TASK_TEMPLATES[task][lang]
    return options[stable_hash(seed, "template", sample_id) % len(options)]


def join_list(items: list[str], lang: str) -> str:
    """Items joined with the language's list separator."""
    return BLOCK_LABELS[lang]["sep"].join(items)


def playlist_block(
    lang: str, title: str, tags: list[str] | None, description: str | None, songs: list[tuple[str, str]]
) -> str:
    """A playlist as text: title, then tags / description when given (None = leave the field out), then the
    songs (``(name, artist)`` pairs), one a line."""
    labels = BLOCK_LABELS[lang]
    lines = [f"{labels['title']}: {title}"]
    if tags is not None:
        lines.append(f"{labels['tags']}: {join_list(tags, lang)}")
    if description is not None:
        lines.append(f"{labels['description']}: {description}")
    lines.append(f"{labels['songs']}:")
    lines.extend(f"{i}. " + SONG_BY[lang].format(name=n, artist=a) for i, (n, a) in enumerate(songs, 1))
    return "\n".join(lines)
