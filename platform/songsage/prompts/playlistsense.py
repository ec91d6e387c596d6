"""PlaylistSense prompts, shared by the evaluation (Tables 1-2) and the serving recommender: query
generation (10 perspectives, 5 exemplars each), the zero-shot playlist description and query rewrite,
as texts and as chat-message builders.

The paper's human-written exemplars are not released; the exemplars below follow the perspective
definitions of its appendix (Figure 7 examples included) and are mixed Chinese/English like the data.
"""

from __future__ import annotations

from collections.abc import Callable

# Measured on the shipped sample with SmolLM2-135M as the writer (20 playlists x 2 perspectives, 3 songs
# each): the earlier prompts ("Perspective: ..." blocks, a long rule list) were echoed back verbatim and
# the oracle row fell to chance (HR@1 7% vs 5%); this short one gives queries about the playlist's own
# songs (oracle HR@1 20% / HR@5 47% vs chance 5% / 25%).
QUERY_SYSTEM = "You write the short request a music-app user types to find songs."

# perspective -> (definition, five exemplar queries)
PERSPECTIVES: dict[str, tuple[str, list[str]]] = {
    "music_culture": (
        "Music-based, culture: the cultural or regional background of the music.",
        [
            "I'd like songs rooted in Irish folk traditions, with fiddles and old ballads.",
            "有没有带浓厚江南水乡韵味的曲子？",
            "Recommend music that carries the spirit of the American civil-rights era.",
            "想听一些有古典诗词意境的中国风歌曲。",
            "Play something that feels like a Japanese summer festival.",
        ],
    ),
    "music_emotion": (
        "Music-based, emotion: the mood the music itself expresses.",
        [
            "Songs that sound melancholic but still hopeful, please.",
            "来点旋律欢快、让人忍不住跟着哼的歌。",
            "I want tracks full of longing and quiet heartbreak.",
            "有没有气势磅礴、听了热血沸腾的音乐？",
            "Give me tender, gentle love songs.",
        ],
    ),
    "music_era": (
        "Music-based, era: the period the music comes from or evokes.",
        [
            "I'd love to hear more music from the Beatles era, as well as songs from the 1960s.",
            "想听几首上世纪八十年代的经典老歌。",
            "Play hymns and parlour songs from the nineteenth century.",
            "有没有唐宋时期诗词改编的歌曲？",
            "Some early jazz-age tunes from the 1920s, please.",
        ],
    ),
    "music_scene": (
        "Music-based, scene: the setting or scenery the music paints.",
        [
            "Songs that feel like walking by the sea at dusk.",
            "想听描写山水田园风光的歌。",
            "Music that paints a snowy winter night by the fire.",
            "有没有适合想象边塞大漠、金戈铁马的曲子？",
            "Something that sounds like a rainy afternoon in a small town.",
        ],
    ),
    "music_type": (
        "Music-based, type: the genre, form or style of the music.",
        [
            "Recommend some traditional folk ballads with simple melodies.",
            "来点民谣吉他弹唱。",
            "I'm after choral hymns and spirituals.",
            "想听古琴、古筝这类民乐演奏的歌。",
            "A list of sea shanties and work songs, please.",
        ],
    ),
    "user_characteristic": (
        "User-based, characteristic: who the listener is (age, background, taste).",
        [
            "As a literature student I want songs with poetic, literary lyrics.",
            "我是个怀旧的老歌迷，有什么适合我的？",
            "I'm a retired sailor; play me something that reminds me of the sea.",
            "作为一个喜欢传统文化的年轻人，想找些有古韵的歌。",
            "I'm a choir singer looking for pieces to learn.",
        ],
    ),
    "user_emotion": (
        "User-based, emotion: how the listener feels right now.",
        [
            "I just went through a breakup and need songs that understand me.",
            "今天特别开心，想听点能分享这份快乐的歌。",
            "I'm homesick tonight; what should I listen to?",
            "心里有点烦躁，想听些能让我平静的歌。",
            "Feeling nostalgic about my childhood, any suggestions?",
        ],
    ),
    "user_habit": (
        "User-based, habit: the listener's routine or activity while listening.",
        [
            "I need something to listen to on my morning run.",
            "睡前总想听点安静的歌，有推荐吗？",
            "Music for long drives on empty country roads.",
            "写作业的时候想听点不打扰思路的歌。",
            "Songs to cook dinner to on a Sunday evening.",
        ],
    ),
    "user_social_role": (
        "User-based, social role: the listener's role towards others (parent, teacher, friend...).",
        [
            "As a teacher, I want songs to share with my class about history.",
            "我要在朋友婚礼上选几首歌，有什么合适的？",
            "I'm a new dad looking for lullabies to sing to my baby.",
            "作为班长，想给毕业晚会挑几首歌。",
            "I'm hosting a family reunion and need songs everyone knows.",
        ],
    ),
    "user_psychology": (
        "User-based, psychology: the listener's inner needs or mental state.",
        [
            "Could you recommend a playlist that helps calm my nerves and reduce stress?",
            "最近很迷茫，想听些能给我力量的歌。",
            "I feel lonely and want music that keeps me company.",
            "压力很大，有没有能让人放松下来的歌？",
            "I need songs that help me accept things I cannot change.",
        ],
    ),
}

# The playlist comes first: a small writer that drifts or half-copies its prompt then still writes about
# this playlist. {focus} is the perspective's definition without its "Music-based, culture:" label.
QUERY_USER = (
    "{context}\n\n{examples}Write one sentence a listener would type to ask for exactly these songs, "
    "about {focus} Mention the playlist's themes, images and tags."
)
QUERY_EXAMPLES = "Example requests from this perspective:\n{shown}\n\n"

DESCRIBE_SYSTEM = "You are a music expert who writes concise, accurate playlist descriptions."
DESCRIBE_USER = (
    "Write a general description of the playlist below: its style, emotions, era, suitable scenes and "
    "listeners. Answer in the playlist's language, in one paragraph.\n\nPlaylist information:\n{context}"
)

REWRITE_SYSTEM = "You are a music expert who turns listeners' requests into playlist descriptions."
REWRITE_USER = (
    "Rewrite the listener's request below into a description of the playlist that would satisfy it "
    "(style, emotion, era, scene, listeners). Answer in the request's language, in one paragraph.\n\n"
    "Request: {query}"
)


Messages = list[dict[str, str]]


def query_messages(perspective: str, shots: int) -> Callable[[str], Messages]:
    """A function playlist context -> messages writing one query from ``perspective`` (``shots`` exemplars)."""
    definition, examples = PERSPECTIVES[perspective]
    shown = "\n".join(f"- {e}" for e in examples[:shots])
    shown = QUERY_EXAMPLES.format(shown=shown) if shots else ""
    focus = definition.split(": ", 1)[-1].lower()

    def make(context: str) -> Messages:
        user = QUERY_USER.format(focus=focus, examples=shown, context=context)
        return [{"role": "system", "content": QUERY_SYSTEM}, {"role": "user", "content": user}]

    return make


def describe_messages(context: str) -> Messages:
    """Zero-shot description prompt for one playlist context."""
    return [
        {"role": "system", "content": DESCRIBE_SYSTEM},
        {"role": "user", "content": DESCRIBE_USER.format(context=context)},
    ]


def rewrite_messages(query: str) -> Messages:
    """Query-rewrite prompt: turn a listener's request into a playlist description."""
    return [
        {"role": "system", "content": REWRITE_SYSTEM},
        {"role": "user", "content": REWRITE_USER.format(query=query)},
    ]
