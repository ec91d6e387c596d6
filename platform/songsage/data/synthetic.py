"""Deterministic synthetic LyricBank data: the shipped sample and benchmark-scale song files.

Two entry points, both standard library only and fully seeded (same seed -> byte-identical output):

* :func:`make_sample` writes ``data/sample/`` -- ``songs.jsonl`` (about 600 songs: project-written
  lyrics plus up to 150 real public-domain songs from the shared corpus, with deliberate defects),
  ``playlists.jsonl``, ``general.jsonl`` (general text for mixing), ``expected.json`` (ground truth
  for every deliberate defect) and ``README.md``.
* :func:`make_synthetic_songs` writes N synthetic songs (e.g. 200k for benchmarks) with the same
  defect kinds in proportion and an en:zh:ko:ja = 3:3:1:1 language skew.

Lyrics are composed from per-language phrase banks written for this project (English, Chinese,
Japanese, Korean with some English), with slot fills and verse/chorus structure, so independently
composed songs share few character shingles. All project-written text is dedicated to the public
domain (CC0).

CLI::

    python -m songsage.data.synthetic sample --out data/sample
    python -m songsage.data.synthetic songs --n 200000 --out /tmp/songs.jsonl
"""

from __future__ import annotations

import argparse
import html
import json
import math
import os
import random
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LANGS: tuple[str, ...] = ("en", "zh", "ja", "ko")
DEFAULT_PD_CORPUS = Path("/work/shared/corpora/public-domain-lyrics/songs.jsonl")
PD_CORPUS_ENV = "SONGSAGE_PD_CORPUS"

# --------------------------------------------------------------------------------------------
# Phrase banks. Templates use {slot} fields filled from the per-language slot banks.
# --------------------------------------------------------------------------------------------

EN_SLOTS: dict[str, tuple[str, ...]] = {
    "place": (
        "the station", "Main Street", "the harbor", "the old bridge", "the parking lot", "the rooftop",
        "the corner store", "the highway", "the county line", "the dance floor", "the back porch",
        "the empty beach", "the subway platform", "the city park", "the hotel lobby", "your front door",
        "the river bend", "the football field", "the laundromat", "the gas station", "the lighthouse",
        "the bus stop", "the fairground", "the diner on Fifth", "the train yard", "the pier",
        "the motel sign", "the school gate", "the canyon road", "the old chapel",
    ),
    "time": (
        "midnight", "sunrise", "the morning", "the weekend", "December", "the summer", "closing time",
        "last call", "tomorrow", "the last train", "the first snow", "daybreak", "Friday night",
        "the end of June", "the harvest moon", "the new year", "half past two", "the county fair",
    ),
    "thing": (
        "your jacket", "the radio", "a paper heart", "the streetlights", "an old photograph", "the car keys",
        "your letters", "the neon signs", "a borrowed guitar", "the candle", "our favorite song", "the rain",
        "the headlights", "a silver ring", "the city lights", "your perfume", "the telephone",
        "a broken compass", "a postcard", "the porch swing", "a mixtape", "the tide", "a cheap guitar",
        "the jukebox", "your sweater", "a train ticket", "the wind chimes", "a matchbook",
    ),
    "color": ("golden", "silver", "blue", "crimson", "violet", "amber", "pale", "electric", "faded", "emerald",
              "rosy", "smoky"),
    "feel": ("lonely", "restless", "alive", "brave", "foolish", "lucky", "tired", "wild", "quiet", "free",
             "careless", "hopeful"),
    "verb": ("run", "dance", "drive", "wait", "fall", "shine", "sing", "breathe", "hold on", "let go",
             "wander", "stay"),
    "name": ("Caroline", "Jamie", "Rosie", "Daniel", "Lucy", "Marco", "Sadie", "Tommy", "Eliza", "Johnny",
             "Maggie", "Leo"),
    "weather": ("the rain", "the snow", "the thunder", "the summer heat", "the fog", "the wind",
                "the storm", "the drizzle"),
    "number": ("two", "three", "a hundred", "a thousand", "seven", "ten", "forty", "a million"),
}  # fmt: skip

EN_TEMPLATES: tuple[str, ...] = (
    "I still remember {thing} under the {color} sky",
    "We were young and {feel} on {place}",
    "Meet me at {place} when it's {time}",
    "You left {thing} on the kitchen table",
    "Every road I take leads back to {place}",
    "Oh, the night is long and I can't {verb}",
    "Hold me close until {time}",
    "I've been waiting at {place} for a sign",
    "Your voice is like {thing} in the dark",
    "Don't let me {verb} alone tonight",
    "We could {verb} till the stars burn out",
    "Tell me why the {color} lights feel so far away",
    "I wrote your name on {thing}",
    "The city sleeps but I'm wide awake in {weather}",
    "Nobody told me love would feel this {feel}",
    "Driving down to {place} with the windows down",
    "There's a {color} moon hanging over {place}",
    "Say it one more time before {time}",
    "I keep {thing} like a secret in my coat",
    "All the words I never said are falling like {weather}",
    "Heartbeat racing, {name}, I can hear it in my ears",
    "If you call my name I'll {verb} to you",
    "We were dancing in the kitchen after {time}",
    "Maybe I was {feel}, maybe I was right",
    "The summer ended but {thing} stayed",
    "I see your shadow every time I pass {place}",
    "Pictures fading in a {color} frame",
    "Keep the music playing until {time}",
    "My heart is a house with {number} lights left on",
    "You and me against the {color} tide",
    "I don't need a reason, {name}, I just need you here",
    "Call me up when it's {time}",
    "Running through {weather} on {place}",
    "Every little thing reminds me of {thing}",
    "We made a promise by {place}",
    "I feel {feel} when you look at me that way",
    "The band at {place} is playing our song again",
    "Counting every star above {place}",
    "Baby, don't you cry, {time} is coming soon",
    "I left my heart at {place}",
    "Whisper something {feel} and I'll believe it",
    "Footsteps echo down {place}",
    "Turn {thing} up and sing along",
    "I was lost until you found me at {place}",
    "The clock keeps ticking but I'm standing still in {weather}",
    "We'll be fine, we'll be {feel}, we'll be gold",
    "Your laughter's ringing like {thing}",
    "Take my hand and let's {verb} tonight",
    "I can't forget the way you said goodbye at {place}",
    "Trains go by and I'm still here at {place}",
    "Paint the sky in {color} and call it ours",
    "Fireflies are dancing over {place}",
    "I'm not ready to let {time} go",
    "Write me a letter when you reach {place}",
    "Something in the air says it's {time}",
    "You're the melody stuck inside my head since {time}",
    "The ocean doesn't care how far we've come, {name}",
    "Broken glass and {color} neon light",
    "I'm {feel} tonight and I don't know why",
    "Call me when {weather} rolls in",
    "Living for the weekend, dreaming of {place}",
    "Just one more dance before {time}",
    "My mama said that love takes {number} years",
    "Out on the highway with {thing} on the seat",
    "Pretty little promises in a {color} dress",
    "Sunlight on your face at {time}",
    "We were singing loud enough to wake {place}",
    "Hold on, hold on, {name}, it's gonna be alright",
    "I found {thing} in a box of memories",
    "Let the {color} river carry us away",
    "The snow is falling soft on {place}",
    "You were the answer to a question I forgot at {place}",
    "Every heartbeat says your name, {name}",
    "Here's to the ones who stayed through {weather}",
    "I'm gonna {verb} like nobody's watching",
    "The leaves are turning {color} again",
    "We're chasing thunder down {place}",
    "Tomorrow is a page we haven't written, {name}",
    "You can't fake a {feel} feeling when it's real",
    "So I sing this for you at {time}",
    "Keep the porch light on for me till {time}",
    "Lonely hearts are gathering at {place}",
    "I traded {thing} for a ticket out of town",
    "Can you hear the {color} bells ringing",
    "Oh oh oh, {name}, don't say goodbye",
    "Gonna find my way back home through {weather}",
    "All my friends are dancing on {place}",
    "Stay with me until {time}",
    "Falling for you like {thing} in the wind",
    "I'll be waiting at {place} when the lights go down",
    "The coffee's cold and the sky is {color}",
    "Little by little the walls come down, {name}",
    "I hear {thing} calling me home",
    "{number} miles of road and a {color} horizon",
    "{name}, you always knew the way to {place}",
    "I gave you {number} reasons and you gave me {thing}",
    "Sleeping in the back seat under {weather}",
    "Catch me if I {verb} too far",
    "There's a light at {place} that never fades",
    "{weather} on the window and {thing} on the floor",
    "We were {feel} kids with {number} dollars and a dream",
    "Dance with me, {name}, like it's {time}",
    "Somewhere past {place} the stars are {color}",
    "I learned to {verb} the day you left",
    "Say goodnight to {place} for me",
    "Love is {thing} you forget to give back",
    "Tell {name} I'm doing fine",
    "Shadows long on {place} at {time}",
    "We could {verb} forever, you and I",
    "Every song on {thing} sounds like you",
    "The {color} hour falls on {place}",
    "Come back before {weather}, {name}",
    "I count {number} steps to your door",
    "Leave {thing} by the window when you go",
    "We were kings of {place} for a night",
)

ZH_SLOTS: dict[str, tuple[str, ...]] = {
    "place": (
        "街角", "海边", "车站", "天台", "操场", "地铁站", "咖啡馆", "老街", "路口", "江边", "校门口", "小巷",
        "机场", "桥上", "窗前", "山顶", "公交站", "雨里的城市", "图书馆", "屋檐下",
    ),
    "time": (
        "天亮", "深夜", "黄昏", "下个夏天", "冬天", "明天", "很久以后", "散场", "凌晨三点", "清晨",
        "春天来临", "最后一班车", "雪停",
    ),
    "thing": (
        "月光", "晚风", "旧照片", "那首歌", "雨滴", "星光", "落叶", "信纸", "耳机", "钥匙", "烟火", "雪花",
        "旧吉他", "车票", "路灯", "蒲公英", "纸飞机",
    ),
    "color": ("蓝色", "白色", "金色", "灰色", "红色", "透明", "淡紫色"),
    "feel": ("孤单", "勇敢", "温柔", "寂寞", "骄傲", "疲惫", "自由", "倔强"),
}  # fmt: skip

ZH_TEMPLATES: tuple[str, ...] = (
    "我在{place}等你到{time}",
    "{thing}落在你的肩上",
    "你说过的话还在耳边回荡",
    "那年夏天我们都很{feel}",
    "风吹过{place}带走了回忆",
    "我把思念写进{thing}里",
    "如果还能再见你一面",
    "这城市太大 找不到你的脸",
    "一个人走过{place}",
    "今晚最亮的是{thing}",
    "眼泪不知不觉又掉下来",
    "我们说好不分离",
    "时间啊请你慢一点",
    "你的笑容像{color}的梦",
    "不要问我为什么还在等",
    "我愿意陪你走到{time}",
    "心跳声越来越快",
    "在{place}遇见{feel}的自己",
    "天空下起了{color}的雨",
    "我会把你放在心里最深的地方",
    "那些年没说出口的爱",
    "想念是一种很{feel}的病",
    "你是我唯一的光",
    "我们的故事没有结局",
    "走吧 别回头",
    "听见{thing}在窗外轻轻地唱",
    "就算全世界都反对",
    "我依然相信爱情",
    "记得那天你穿着{color}的衣裳",
    "我假装不在乎 其实很在乎",
    "回不去的从前",
    "牵着你的手走过{place}",
    "夜深了 你还好吗",
    "每一次想起你都会微笑",
    "请把我的爱带走",
    "你给的温柔我还记得",
    "我们在{time}说再见",
    "梦里的你还是那么美",
    "我站在{place}看着人来人往",
    "一首歌唱了一遍又一遍",
    "你的背影越来越远",
    "不如就这样吧",
    "等{thing}照亮回家的路",
    "人海茫茫 我只想要你",
    "这一次我不会再放手",
    "爱是一场盛大的冒险",
    "我们都曾年少{feel}",
    "谁还记得{place}的约定",
    "把心事交给{thing}",
    "一起看过的电影还没有结局",
    "你离开以后 我学会了坚强",
    "青春像一列飞驰的火车",
    "慢慢地 慢慢地 我忘了你",
    "如果爱能重来",
    "我在{time}醒来 身边没有你",
    "城市的灯火一盏一盏亮起",
    "你是春天里的第一朵花",
    "我想陪你看遍四季的风景",
    "别让我一个人{feel}",
    "雨停了 天就晴了",
    "在人海里找到了你",
    "我的心像一间空房子",
    "时光匆匆 留下了{thing}",
    "你的名字刻在{thing}上",
    "一杯咖啡 一本旧书",
    "窗外的{thing}轻轻飘落",
    "明天会不会更好",
    "我们在{place}唱着歌",
    "追着风 追着光",
    "给我一个拥抱 好吗",
    "那些说不出口的话",
    "每个夜晚都在想你",
    "你曾经说过会陪我看{thing}",
    "爱情来得太快 我还没准备好",
    "也许有一天我们会再相遇",
    "在{color}的天空下奔跑",
    "我不怕孤单 只怕没有你",
    "海浪一遍一遍拍打着{place}",
    "你是我写不完的诗",
    "今夜的风有点凉",
    "把过去留在{time}",
    "我们笑着 哭着 长大了",
    "花开花落又一年",
    "你在远方还好吗",
    "心里的{thing}从来没有熄灭",
    "就让这首歌陪你到{time}",
    "轻轻地说一声晚安",
    "我数着{thing}等天亮",
    "拥抱这一刻的温暖",
    "走过的路都算数",
    "原来幸福这么简单",
)

JA_SLOTS: dict[str, tuple[str, ...]] = {
    "place": (
        "駅のホーム", "海辺", "屋上", "交差点", "坂道", "教室", "公園", "商店街", "川沿い", "夜の街", "改札口",
        "踏切", "帰り道", "港", "丘の上", "図書館",
    ),
    "time": ("夜明け", "真夜中", "夕暮れ", "夏の終わり", "春", "明日", "雨上がり", "冬の朝", "放課後", "最終電車"),
    "thing": (
        "月明かり", "花びら", "風", "星屑", "手紙", "写真", "雨音", "夕焼け", "約束", "涙", "足音", "街灯",
        "花火", "雪", "シャボン玉", "紙ひこうき",
    ),
    "color": ("青い", "白い", "赤い", "透明な", "銀色の", "茜色の", "金色の"),
    "feel": ("寂しい", "切ない", "懐かしい", "苦しい", "愛しい", "悲しい", "嬉しい"),
}  # fmt: skip

JA_TEMPLATES: tuple[str, ...] = (
    "{place}で君を待っていた",
    "{time}の{thing}が揺れている",
    "君の声がまだ聞こえる",
    "二人で歩いた{place}",
    "{color}空を見上げて",
    "忘れられない{thing}",
    "もう一度だけ会いたい",
    "涙がこぼれそうな夜に",
    "手を伸ばせば届きそうで",
    "{feel}気持ちを抱きしめて",
    "明日へ続く道を行こう",
    "君がいれば何もいらない",
    "心の中で{thing}が光る",
    "{time}までそばにいて",
    "言葉にできない想いがある",
    "季節は巡り また春が来る",
    "何度でも君を探すよ",
    "遠く離れても忘れない",
    "{place}に{thing}が降る",
    "僕らはまだ夢の途中",
    "ありがとう さよなら",
    "笑顔の君が好きだった",
    "{color}花が咲いていた",
    "信じることを諦めないで",
    "止まらない胸の鼓動",
    "夜空に浮かぶ{thing}",
    "ふたりの未来を描こう",
    "今日も{place}を通り過ぎる",
    "目を閉じれば君がいる",
    "走り出した気持ちは止められない",
    "小さな{thing}を拾い集めて",
    "約束の場所へ急ごう",
    "君のいない毎日は寂しすぎる",
    "風に吹かれて歩き出す",
    "思い出だけが残っている",
    "{time}が来るまで歌い続ける",
    "泣かないで 大丈夫だよ",
    "夢を見ていた {place}の片隅で",
    "こんなにも君が好きなのに",
    "光の中へ飛び込もう",
    "雨の日も晴れの日も一緒に",
    "{thing}みたいに消えないで",
    "駆け抜けた青春の日々",
    "誰かのために生きていく",
    "傷ついても前を向いて",
    "世界はこんなに美しい",
    "{color}夕日が沈んでいく",
    "ひとりきりの部屋で",
    "君の名前を呼んだ",
    "時計の針は戻らない",
    "胸の奥で鳴り響くメロディー",
    "迷いながら進んでいく",
    "{place}から見える景色",
    "あの日の空を覚えてる",
    "君と出会えた奇跡",
    "さよならは言わないで",
    "流れ星に願った夜",
    "心がざわめいている",
    "優しい嘘をついた",
    "{time}の{place}で",
    "繋いだ手を離さない",
    "届かない想いを歌にして",
    "まっすぐな瞳で見つめて",
    "ラララ 口ずさむ",
    "一歩ずつ 一歩ずつ",
    "君の笑顔を守りたい",
    "夏祭りの{thing}",
    "桜の花が散る頃に",
    "僕の心に火を灯して",
    "忘れかけた{thing}の匂い",
    "どこまでも続く{color}海",
    "涙のあとに虹が出る",
    "振り返らずに行くよ",
    "君を想うたびに強くなれる",
    "眠れない夜を数えて",
    "{thing}が教えてくれた",
    "答えはまだ見つからない",
    "抱きしめたい 今すぐに",
    "都会の喧騒に紛れて",
    "電車の窓に映る{thing}",
    "明日はきっと晴れるから",
    "何気ない毎日が宝物",
    "この歌よ 君に届け",
    "戻れない日々を胸に",
    "夜明け前の{place}で",
    "もう迷わないと決めたんだ",
    "心のまま生きていこう",
    "君の隣で笑っていたい",
    "{feel}夢を見ていた",
    "ポケットの中の{thing}",
)

KO_SLOTS: dict[str, tuple[str, ...]] = {
    "place": (
        "거리", "바닷가", "골목길", "정류장", "옥상", "교실", "창가", "한강", "지하철역", "카페", "놀이터",
        "기차역", "공원", "다리 위", "너의 집 앞", "편의점 앞",
    ),
    "time": ("새벽", "밤", "아침", "주말", "겨울밤", "봄날", "여름밤", "오늘 밤", "비 오는 날", "첫눈 오는 날"),
    "thing": (
        "별빛", "달빛", "빗소리", "노래", "향기", "기억", "사진", "편지", "목소리", "웃음", "바람", "눈물",
        "꽃잎", "불빛", "그림자",
    ),
    "color": ("파란", "하얀", "붉은", "투명한", "은빛", "노란", "보랏빛"),
}  # fmt: skip

# "을/를", "이/가", "은/는", "과/와" after a slot are resolved by the final consonant (see _fix_josa).
KO_TEMPLATES: tuple[str, ...] = (
    "{place}에서 너를 기다렸어",
    "{time}이/가 오면 너를 생각해",
    "너의 {thing}이/가 아직 남아 있어",
    "Baby 오늘 밤 너를 보고 싶어",
    "우리 함께 걷던 {place}",
    "{color} 하늘 아래 서 있어",
    "잊을 수 없는 {thing}",
    "한 번만 더 너를 안고 싶어",
    "눈물이 멈추지 않는 밤",
    "손을 뻗으면 닿을 것 같아",
    "Oh 내 맘을 알잖아",
    "너만 있으면 아무것도 필요 없어",
    "내 마음속에 {thing}이/가 빛나",
    "{time}까지 곁에 있어 줘",
    "말로 할 수 없는 마음이 있어",
    "계절이 지나고 또 봄이 와",
    "몇 번이라도 너를 찾을게",
    "멀리 떨어져도 잊지 않을게",
    "{place}에 {thing}이/가 내려",
    "우린 아직 꿈속에 있어",
    "고마워 그리고 안녕",
    "웃는 네 모습이 좋았어",
    "{color} 꽃이 피어 있었지",
    "포기하지 마 I believe in you",
    "멈추지 않는 심장 소리",
    "밤하늘에 떠 있는 {thing}",
    "우리의 내일을 그려 보자",
    "오늘도 {place}을/를 지나가",
    "눈을 감으면 네가 보여",
    "달려가는 마음을 멈출 수 없어",
    "작은 {thing}을/를 주워 담아",
    "약속한 곳으로 달려가",
    "네가 없는 하루는 너무 외로워",
    "바람을 맞으며 걸어가",
    "추억만 남아 있어",
    "{time}이/가 올 때까지 노래할게",
    "울지 마 괜찮아",
    "꿈을 꿨어 {place}의 구석에서",
    "이렇게 너를 좋아하는데",
    "빛 속으로 뛰어들자",
    "비가 와도 해가 떠도 함께",
    "{thing}처럼 사라지지 마",
    "뜨거웠던 우리의 청춘",
    "누군가를 위해 살아가",
    "상처받아도 앞을 봐",
    "세상은 이렇게 아름다워",
    "{color} 노을이 지고 있어",
    "혼자 남은 방 안에서",
    "네 이름을 불렀어",
    "시계 바늘은 돌아가지 않아",
    "가슴속에 울리는 melody",
    "헤매면서도 나아가",
    "{place}에서 보이는 풍경",
    "그날의 하늘을 기억해",
    "너를 만난 건 기적이야",
    "안녕이라고 말하지 마",
    "별똥별에 소원을 빌던 밤",
    "마음이 자꾸 흔들려",
    "착한 거짓말을 했어",
    "{time}의 {place}에서",
    "잡은 손을 놓지 않을게",
    "닿지 않는 마음을 노래로",
    "나를 바라보는 너의 눈빛",
    "랄랄라 흥얼거려",
    "한 걸음씩 한 걸음씩",
    "너의 미소를 지키고 싶어",
    "여름 축제의 {thing}",
    "벚꽃이 지는 계절에",
    "내 맘에 불을 켜 줘",
    "잊혀 가는 {thing}의 향기",
    "끝없이 펼쳐진 {color} 바다",
    "눈물 뒤에 무지개가 떠",
    "뒤돌아보지 않을게",
    "Tonight 너와 춤추고 싶어",
    "잠 못 드는 밤을 세어",
    "{thing}이/가 알려 줬어",
    "아직 답을 찾지 못했어",
    "지금 당장 안아 주고 싶어",
    "도시의 소음 속에 숨어",
    "창밖에 비친 {thing}",
    "내일은 분명 맑을 거야",
    "평범한 하루가 보물이야",
    "이 노래가 너에게 닿기를",
    "돌아갈 수 없는 날들",
    "My love 너 하나면 돼",
    "이제 망설이지 않을래",
    "마음 가는 대로 살아가자",
    "네 옆에서 웃고 싶어",
    "I miss you 매일 밤마다",
    "Forever 우리 둘이서",
    "{thing}과/와 함께 걷는 길",
)

BANKS: dict[str, tuple[tuple[str, ...], dict[str, tuple[str, ...]]]] = {
    "en": (EN_TEMPLATES, EN_SLOTS),
    "zh": (ZH_TEMPLATES, ZH_SLOTS),
    "ja": (JA_TEMPLATES, JA_SLOTS),
    "ko": (KO_TEMPLATES, KO_SLOTS),
}

# Traditional-Chinese lines (used for traditional-script songs).
ZH_TRAD_LINES: tuple[str, ...] = (
    "我們的愛情像一場夢", "雨下個不停 在這個城市", "時間帶走了你的聲音", "說好的未來在哪裡",
    "想念是一種無聲的語言", "風吹過窗前 帶來你的消息", "記憶裡的那條街", "讓我再聽一次你的歌",
    "夜晚的燈光照亮歸途", "你的眼淚是我心裡的雨", "寫一封長長的信給你", "轉身之後 再也不見",
    "這些年我學會了堅強", "請你不要忘記我們的約定", "愛過的人 還在遠方", "霓虹燈下的孤單",
    "陪你看遍每一個日落", "聽說你過得很好", "如果時間能夠倒流", "我願意為你等待",
    "熱鬧的街頭 沒有你的身影", "海風輕輕吹過臉龐", "一個人的晚餐", "謝謝你曾經來過",
    "舊照片裡的笑容", "把心事說給月亮聽", "離開的時候別說再見", "這條路我們一起走過",
)  # fmt: skip

# Kanji-heavy Japanese lines: mostly kanji with only a little kana.
JA_KANJI_LINES: tuple[str, ...] = (
    "春夏秋冬 巡る季節の中", "満開の桜並木", "夕暮れ時の帰り道", "永遠の誓い 今此処に", "明日への扉",
    "白い息 冬の星座", "都会の片隅で独り", "遠い記憶 色褪せた写真", "花鳥風月 心に刻む", "故郷の空 茜色",
    "一期一会 出会いの奇跡", "千年後の世界へ", "月光 静寂 夜想曲", "紅葉舞う古都の秋", "未来永劫 変わらぬ想い",
    "桜吹雪 散る花弁", "雪月花 季節の便り", "東京駅 午前零時", "線香花火 夏の夜", "満月の夜 約束の場所",
    "黄昏時 影二つ", "青春時代 全力疾走", "天気予報 明日は雨", "夜行列車 北へ向かう", "海岸線 潮騒の記憶",
    "旅路の果て 故郷の灯", "初恋の人 今何処に",
)  # fmt: skip

# Korean lines with English words (K-pop style code-switching).
KO_MIX_LINES: tuple[str, ...] = (
    "Baby 너 없인 안 돼", "Tonight 별빛 아래서", "Oh my love 내 곁에 있어 줘", "Everyday 너만 생각해",
    "I need you 지금 이 순간", "Let's go 같이 떠나자", "Shine bright 우리의 밤", "Say my name 한 번 더",
    "Hold me tight 놓지 마", "Forever young 우리는", "Don't cry 내가 있잖아", "One more time 다시 한 번",
    "So beautiful 너의 미소", "Run away 함께라면", "Good night 좋은 꿈 꿔",
)  # fmt: skip

# Chinese lines with English words.
ZH_MIX_LINES: tuple[str, ...] = (
    "我们的 love story 还没写完", "Baby 你在哪里", "轻轻说一声 goodbye", "今晚的 party 只为你",
    "把 playlist 循环到天亮", "你说 forever 是多远", "心里一直 missing you", "给我一个 hug 就好",
    "每个 weekend 都想见你", "窗外的 city lights 闪烁", "Oh 这就是 love", "一起 dance 到天亮",
    "你的 smile 最耀眼", "Yeah 别再犹豫", "我的 dream 里有你",
)  # fmt: skip

TITLES: dict[str, tuple[str, ...]] = {
    "en": (
        "Midnight Drive", "Paper Hearts", "Golden Hour", "Summer Rain", "Neon Skyline", "Back to You",
        "Northern Lights", "Slow Dancing", "Runaway Train", "Wildflower", "Echoes", "Hometown", "Last Call",
        "Silver Lining", "Open Road", "Satellite", "Firefly", "Afterglow", "Little Lights", "Daydreamer",
        "Stay Awake", "Harbor Lights", "Heartline", "Borrowed Time", "Fading Photograph", "Lantern",
        "Kitchen Dance", "Porch Light", "County Line", "Blue Horizon",
    ),
    "zh": (
        "晚风", "旧时光", "夏天的尾巴", "南方的雨", "月光下", "给未来的信", "城市漫步", "心跳", "远方", "星河",
        "不说再见", "回声", "海边的约定", "第一场雪", "时光机", "路灯下", "白日梦", "慢慢", "风的方向",
        "最后一班车", "雨后", "一封信", "温柔的夜", "梦游", "你好 明天", "纸飞机", "屋顶上的猫", "小城故事多",
    ),
    "ja": (
        "夏の終わりに", "夜明けのうた", "さくら色の約束", "星屑のメロディー", "帰り道", "雨上がりの空",
        "君に贈る歌", "遠い日の花火", "青い春", "真夜中のドライブ", "風になれ", "ありがとうの歌", "虹の向こう",
        "冬のひかり", "放課後", "茜空", "約束の丘", "涙のあと", "ミライ", "シャボン玉の午後", "海辺の手紙",
    ),
    "ko": (
        "새벽 두 시", "봄날의 기억", "너에게 닿기를", "밤하늘의 별", "여름 바다", "첫눈", "안녕 나의 사랑",
        "그리운 날", "비 오는 거리", "우리의 계절", "별빛 아래", "다시 만나", "너의 이름", "하루 끝",
        "Blue Night", "Dreamer", "고백", "약속", "꽃길", "한강에서", "Moonlight", "새벽 정류장",
    ),
}  # fmt: skip

_SURNAMES: dict[str, tuple[str, ...]] = {
    "en": ("Collins", "Parker", "Hayes", "Rivera", "Brooks", "Bennett", "Reyes", "Morgan", "Fletcher", "Quinn"),
    "zh": ("林", "陈", "王", "李", "张", "周", "吴", "许", "赵", "孙", "刘", "何"),
    "ja": ("佐藤", "鈴木", "高橋", "田中", "渡辺", "伊藤", "山本", "中村", "小林", "加藤"),
    "ko": ("김", "이", "박", "최", "정", "강", "조", "윤", "장", "임"),
}  # fmt: skip
_GIVEN: dict[str, tuple[str, ...]] = {
    "en": ("Ava", "Noah", "Maya", "Eli", "Grace", "Owen", "Lily", "Caleb", "Nora", "Jude", "Ruby", "Miles"),
    "zh": ("小雨", "子涵", "思远", "一鸣", "若曦", "嘉怡", "晓峰", "雨桐", "宇航", "梦琪", "浩然", "静雯"),
    "ja": ("美咲", "陽菜", "蓮", "湊", "結衣", "葵", "大翔", "さくら", "ひかり", "翔太"),
    "ko": ("민준", "서연", "지우", "하은", "도윤", "서윤", "예준", "지민", "수아", "현우"),
}  # fmt: skip
_BANDS: dict[str, tuple[str, ...]] = {
    "en": (
        "The Velvet Lanterns", "Northbound", "The Paper Comets", "Silver Sparrows", "The Wandering Tides",
        "Electric Foxes", "Quiet Harbors", "The Midnight Rivers",
    ),
    "zh": ("白鸽乐队", "夏夜乐团", "山海乐队", "晚风乐队", "旧城乐团", "南方组合", "北窗乐队"),
    "ja": ("ソラノオト", "ミッドナイトブルー", "ハルカゼ", "ネオンテトラ", "ほしぞら楽団", "月見坂"),
    "ko": ("블루문", "하루", "스타라이트", "NOVA", "Luna Bloom", "새벽달", "여름밤"),
}  # fmt: skip
ALBUMS: dict[str, tuple[str, ...]] = {
    "en": (
        "Late Bloomers", "Highway Hymns", "Small Town Radio", "Neon & Gold", "After Hours", "The Long Way Home",
        "Letters Never Sent", "Weather Report", "Second Chances", "Glow",
    ),
    "zh": ("城市日记", "晚安地球", "夏日限定", "第一人称", "旧梦新歌", "远行", "小日子", "星星之火", "风起时"),
    "ja": ("青の時代", "ひかりの方へ", "夏草", "ミッドナイト・シティ", "ことのは", "旅の途中", "ゆめのあと"),
    "ko": ("우리의 여름", "새벽 감성", "Dear My Days", "꽃잎 편지", "Midnight Road", "청춘 일기", "하루의 끝"),
}  # fmt: skip
TAGS: dict[str, tuple[str, ...]] = {
    "en": ("Pop", "Indie", "Rock", "Country", "Chill", "Workout", "Road Trip", "Love", "R&B", "Acoustic"),
    "zh": ("华语流行", "伤感", "治愈", "民谣", "摇滚", "校园", "深夜", "失恋", "青春", "古风"),
    "ja": ("J-Pop", "アニメ", "ロック", "バラード", "青春", "夏", "シティポップ", "卒業"),
    "ko": ("K-Pop", "발라드", "댄스", "인디", "R&B", "감성", "새벽", "OST"),
}  # fmt: skip

# --------------------------------------------------------------------------------------------
# Line pools and song composition
# --------------------------------------------------------------------------------------------

_JOSA_RE = re.compile(r"([가-힣])(을/를|이/가|은/는|과/와)")
_SLOT_RE = re.compile(r"{(\w+)}")


def _fix_josa(text: str) -> str:
    """Resolve Korean particle pairs (``을/를`` ...) by the preceding syllable's final consonant."""

    def rep(m: re.Match[str]) -> str:
        ch = m.group(1)
        has_final = (ord(ch) - 0xAC00) % 28 != 0
        first, second = m.group(2).split("/")
        return ch + (first if has_final else second)

    return _JOSA_RE.sub(rep, text)


class _Filler(dict):  # type: ignore[type-arg]
    """``str.format_map`` mapping that draws every slot value at random from a slot bank."""

    def __init__(self, rng: random.Random, slots: dict[str, tuple[str, ...]]) -> None:
        super().__init__()
        self._rng = rng
        self._slots = slots

    def __missing__(self, key: str) -> str:
        return self._rng.choice(self._slots[key])


def _fill(template: str, rng: random.Random, slots: dict[str, tuple[str, ...]], lang: str) -> str:
    """One filled template line (Korean particles resolved)."""
    line = template.format_map(_Filler(rng, slots)) if "{" in template else template
    return _fix_josa(line) if lang == "ko" else line


@dataclass
class LinePool:
    """Per-template lists of filled line variants for one language.

    ``variants[i]`` holds distinct fills of template ``i``; a song takes distinct templates so a
    line never repeats inside a verse by accident.
    """

    lang: str
    variants: list[list[str]]

    def lines(self, rng: random.Random, k: int) -> list[str]:
        """``k`` lines from ``k`` distinct templates (k is capped at the number of templates)."""
        k = min(k, len(self.variants))
        return [rng.choice(self.variants[i]) for i in rng.sample(range(len(self.variants)), k)]

    def line(self, rng: random.Random) -> str:
        """One random line."""
        return rng.choice(rng.choice(self.variants))


def build_pool(lang: str, seed: int = 0, per_template: int = 40) -> LinePool:
    """Build the line pool of ``lang`` (``en``/``zh``/``ja``/``ko``) deterministically from ``seed``."""
    templates, slots = BANKS[lang]
    rng = random.Random(f"pool:{lang}:{seed}")
    variants: list[list[str]] = []
    for tpl in templates:
        if "{" not in tpl:
            variants.append([_fix_josa(tpl) if lang == "ko" else tpl])
            continue
        seen: dict[str, None] = {}
        for _ in range(per_template * 5):
            seen.setdefault(_fill(tpl, rng, slots, lang), None)
            if len(seen) >= per_template:
                break
        variants.append(list(seen))
    return LinePool(lang, variants)


def compose_lines(rng: random.Random, pool: LinePool, n_lines: int, stanza_breaks: bool | None = None) -> list[str]:
    """Verse/chorus lyric of ``n_lines`` non-blank lines; ``""`` entries are stanza breaks.

    The chorus (2-4 lines) repeats 2-4 times and long songs get a 2-line pre-chorus, so the most
    common line stays well under half of all lines and the number of distinct lines stays moderate.
    """
    n = max(4, n_lines)
    chorus_n = 2 if n < 12 else rng.randint(2, 4)
    reps = 2 if n < 16 else (3 if n < 30 else 4)
    pre_n = 2 if n >= 20 else 0
    pre_reps = min(2, reps) if pre_n else 0
    while chorus_n * reps + pre_n * pre_reps > n - reps:
        if pre_n:
            pre_n = pre_reps = 0
        elif chorus_n > 2:
            chorus_n -= 1
        else:
            reps -= 1
    verse_n = n - chorus_n * reps - pre_n * pre_reps
    distinct = pool.lines(rng, verse_n + chorus_n + pre_n)
    while len(distinct) < verse_n + chorus_n + pre_n:  # tiny pools only
        distinct.append(pool.line(rng))
    verse, chorus, pre = distinct[:verse_n], distinct[verse_n : verse_n + chorus_n], distinct[verse_n + chorus_n :]
    breaks = rng.random() < 0.6 if stanza_breaks is None else stanza_breaks
    sizes = [verse_n // reps + (1 if i < verse_n % reps else 0) for i in range(reps)]
    out: list[str] = []
    start = 0
    for i, size in enumerate(sizes):
        if out and breaks:
            out.append("")
        out.extend(verse[start : start + size])
        start += size
        if pre_n and i < pre_reps:
            out.extend(pre)
        if breaks:
            out.append("")
        out.extend(chorus)
    return out


def _person(rng: random.Random, lang: str) -> str:
    sur, given = rng.choice(_SURNAMES[lang]), rng.choice(_GIVEN[lang])
    return f"{given} {sur}" if lang == "en" else f"{sur}{given}"


def make_artist(rng: random.Random, lang: str) -> str:
    """A project-made artist name (a person or a band) for ``lang``."""
    return rng.choice(_BANDS[lang]) if rng.random() < 0.3 else _person(rng, lang)


# --------------------------------------------------------------------------------------------
# Defect makers (each returns new lyric text)
# --------------------------------------------------------------------------------------------

_BY_NAMES = ("LrcMaker", "小字幕", "lyricbot", "歌词君", "Ando", "네오")


def _stamp(t: float, three: bool) -> str:
    m, s = divmod(t, 60.0)
    return f"[{int(m):02d}:{s:06.3f}]" if three else f"[{int(m):02d}:{s:05.2f}]"


def add_lrc(
    rng: random.Random, lyrics: str, *, meta: dict[str, str] | None = None, multi: bool = False, three: bool | None = None
) -> str:
    """Timestamp every line LRC-style; ``multi`` merges repeated lines into ``[t1][t2]line``.

    ``meta`` adds ``[ti:]``/``[ar:]``/``[by:]``/``[offset:]`` tag lines at the top. Blank lines
    become bare timestamps (single mode) or vanish (multi mode).
    """
    three = rng.random() < 0.3 if three is None else three
    t = rng.uniform(5.0, 25.0)
    stamped: list[tuple[str, str]] = []
    for line in lyrics.split("\n"):
        stamped.append((_stamp(t, three), line))
        t += rng.uniform(3.0, 9.0) if not line else rng.uniform(2.5, 6.0)
    out: list[str] = []
    if meta:
        out.extend(f"[{k}:{v}]" for k, v in meta.items())
    if multi:
        order: list[str] = []
        times: dict[str, list[str]] = {}
        for st, line in stamped:
            if not line:
                continue
            if line not in times:
                order.append(line)
                times[line] = []
            times[line].append(st)
        out.extend("".join(times[line]) + line for line in order)
    else:
        out.extend(st + line for st, line in stamped)
    return "\n".join(out)


CREDIT_STYLES: dict[str, tuple[tuple[str, ...], ...]] = {
    "zh": (("作词：{a}", "作曲：{b}"), ("作词：{a}", "作曲：{b}", "编曲：{c}"), ("作词 : {a}", "作曲 : {b}"),
           ("作曲：{b}", "编曲：{c}", "制作人：{d}")),
    "en": (("Lyrics by {a}", "Composed by {b}"), ("Written by {a}",), ("Written by {a}", "Producer: {d}"),
           ("Lyrics by {a}", "Composed by {b}", "Producer: {d}")),
    "ko": (("작사 : {a}", "작곡 : {b}"), ("작사 : {a}", "작곡 : {b}", "편곡 : {c}")),
    "ja": (("作詞：{a}", "作曲：{b}"), ("作詞：{a}", "作曲：{b}", "編曲：{c}")),
}  # fmt: skip


def credit_lines(rng: random.Random, lang: str, style: int | None = None) -> list[str]:
    """Credit lines (``作词：X`` / ``Lyrics by X`` / ``작사 : X`` / ``作詞：X`` ...) for ``lang``."""
    styles = CREDIT_STYLES[lang]
    fmt = styles[rng.randrange(len(styles)) if style is None else style % len(styles)]
    names = {k: _person(rng, lang) for k in "abcd"}
    return [f.format(**names) for f in fmt]


def add_credits(rng: random.Random, lyrics: str, lang: str, style: int | None = None) -> str:
    """Prepend credit lines (producer lines sometimes go to the end instead)."""
    lines = credit_lines(rng, lang, style)
    tail = [ln for ln in lines if ln.startswith(("制作人", "Producer"))]
    head = [ln for ln in lines if ln not in tail]
    parts = ["\n".join(head)] if head else []
    parts.append(lyrics)
    if tail:
        parts.append("\n".join(tail))
    return "\n".join(parts) if rng.random() < 0.5 else "\n\n".join(parts)


def add_html(rng: random.Random, lyrics: str, mode: str) -> str:
    """HTML remnants: ``br`` (``<br>`` line ends), ``p`` (``<p>`` stanzas), ``entities`` (``&amp;``/``&#39;``)."""
    if mode == "br":
        tag = rng.choice(("<br>", "<br/>", "<br />"))
        return "".join(f"{ln}{tag}" if rng.random() < 0.5 else f"{ln}{tag}\n" for ln in lyrics.split("\n"))
    if mode == "p":
        stanzas = [s for s in lyrics.split("\n\n") if s.strip()]
        return "".join("<p>" + s.replace("\n", "<br>") + "</p>" for s in stanzas)
    text = html.escape(lyrics, quote=True).replace("&#x27;", "&#39;")
    if "&" not in text:
        lines = text.split("\n")
        i = rng.randrange(len(lines))
        lines[i] = lines[i] + " &amp; " + lines[(i + 1) % len(lines)]
        text = "\n".join(lines)
    return text


def add_control_chars(rng: random.Random, lyrics: str) -> str:
    """Scatter BEL/ESC (and a zero-width space or BOM) through a few lines."""
    lines = lyrics.split("\n")
    for i in rng.sample(range(len(lines)), min(3, len(lines))):
        ln = lines[i]
        pos = rng.randint(0, len(ln))
        lines[i] = ln[:pos] + rng.choice(("\x07", "\x1b", "\x07\x07", "\u200b")) + ln[pos:]
    text = "\n".join(lines)
    return ("\ufeff" + text) if rng.random() < 0.5 else text + "\x1b"


def to_fullwidth(text: str) -> str:
    """ASCII -> full-width forms (and space -> ideographic space); NFKC folds them back."""
    return "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in text
    )


def add_fullwidth(rng: random.Random, lyrics: str) -> str:
    """Turn a few lines (or their ASCII parts) into full-width characters."""
    lines = lyrics.split("\n")
    idx = [i for i, ln in enumerate(lines) if ln]
    for i in rng.sample(idx, min(len(idx), max(2, len(idx) // 3))):
        lines[i] = to_fullwidth(lines[i])
    return "\n".join(lines)


def _sloppy_cp1252_table() -> list[str]:
    table = []
    for b in range(256):
        try:
            table.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            table.append(chr(b))
    return table


_CP1252 = _sloppy_cp1252_table()


def mojibake(text: str, codec: str = "cp1252") -> str:
    """UTF-8 bytes mis-decoded as ``cp1252`` (undefined bytes kept as latin-1) or ``latin-1``."""
    data = text.encode("utf-8")
    if codec == "latin-1":
        return data.decode("latin-1")
    return "".join(_CP1252[b] for b in data)


INSTRUMENTAL_TEXTS: tuple[tuple[str, str], ...] = (
    ("zh", "纯音乐，请欣赏"),
    ("zh", "此歌曲为没有填词的纯音乐，请您欣赏"),
    ("en", "Instrumental"),
    ("en", "(instrumental)"),
    ("ja", "インストゥルメンタル"),
)

# Project-written filler for the "mostly non-letter" defect.
NON_LETTER_TEXTS: tuple[str, ...] = (
    "1 2 3 4 5 6 7 8\n!!! ??? ... !!!\n♪♪♪ ~~~ ♫♫♫ ~~~\n12345 67890 12345",
    "🎵🎶🎵🎶🎵🎶\n😀😀😂😂🤣🤣\n❤️❤️❤️ 💔💔💔\n🔥🔥🔥 100 100 100",
    "0:00 / 3:45 ▶ ■ ◀◀ ▶▶\n------------------\n+++ === +++ === +++\n2019.05.20 // 13:14",
    "(((( )))) [[[[ ]]]]\n.... ,,,, ;;;; ::::\n* * * * * * * *\n00000 11111 22222 ok",
    "#1 #2 #3 #4 #5\n$$$ %%% &&& @@@\n>>> <<< >>> <<<\n~~ 520 ~~ 1314 ~~",
)

SHORT_TEXTS: dict[str, tuple[str, ...]] = {
    "en": ("Oh baby", "La la la\nGoodbye"),
    "zh": ("我爱你", "再见\n晚安"),
    "ja": ("さよなら\nまたね", "ありがとう"),
    "ko": ("사랑해 안녕", "고마워\n잘 자"),
}  # fmt: skip

# Word swaps for near-duplicate edits: (old, new) pairs tried in order.
_SWAPS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (("night", "light"), ("heart", "soul"), ("rain", "snow"), ("love", "need"), ("home", "back"),
           ("tonight", "right now"), ("you", "her"), ("the ", "that "), ("my ", "our ")),
    "zh": (("你", "他"), ("我们", "你我"), ("爱", "想"), ("风", "雨"), ("夜", "晚"), ("心", "梦"), ("的", "之")),
    "ja": (("君", "あなた"), ("僕", "私"), ("夜", "朝"), ("空", "海"), ("夢", "恋"), ("の", "に")),
    "ko": (("너", "그대"), ("우리", "우린"), ("밤", "낮"), ("사랑", "마음"), ("하늘", "바다"), ("에서", "에")),
}  # fmt: skip


def swap_word(rng: random.Random, lines: list[str], lang: str) -> list[str]:
    """Change one word (first applicable swap) in one random non-blank line."""
    out = list(lines)
    idx = [i for i, ln in enumerate(out) if ln]
    rng.shuffle(idx)
    for old, new in _SWAPS[lang]:
        for i in idx:
            if old in out[i]:
                out[i] = out[i].replace(old, new, 1)
                return out
    i = idx[0]
    out[i] = out[i] + ("!" if lang == "en" else "啊")
    return out


# --------------------------------------------------------------------------------------------
# Reference normalization (used only to verify the ground truth written to expected.json)
# --------------------------------------------------------------------------------------------

_REF_LRC_TIME = re.compile(r"\[\s*\d{1,3}\s*:\s*\d{1,2}(?:\s*[.:]\s*\d{1,3})?\s*\]")
_REF_LRC_META = re.compile(r"^\s*\[(?:ti|ar|al|au|by|offset|re|ve|length)\s*:[^\]]*\]\s*$", re.I)
_REF_HTML_BREAK = re.compile(r"<\s*(?:br|/p|p|/div|div)\s*/?\s*>", re.I)
_REF_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]{0,200}>")
_REF_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_REF_CREDIT = re.compile(
    r"^\s*(?:作词|作曲|编曲|作詞|編曲|制作人|작사|작곡|편곡|lyrics|composed|written|producer)"
    r"(?:\s*(?:by|者))?\s*(?:[:：\-–—/]|\bby\b)\s*\S",
    re.I,
)
_REF_SPACE = re.compile(r"[ \t\u3000\xa0]+")
_WS = re.compile(r"\s+")
_PUNCT_DIGIT_WS = re.compile(r"[\W\d_]+", re.UNICODE)


def reference_normalize(text: str) -> str:
    """Cleaning as the curation pipeline is expected to do it (minus mojibake repair).

    HTML -> line breaks/unescaped, control characters dropped, NFKC, LRC tags and credit lines
    removed, lines stripped, blank runs collapsed. Only used to check the shipped ground truth.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = html.unescape(_REF_HTML_TAG.sub("", _REF_HTML_BREAK.sub("\n", text)))
    text = unicodedata.normalize("NFKC", _REF_CONTROL.sub("", text))
    text = _REF_LRC_TIME.sub("", "\n".join(ln for ln in text.split("\n") if not _REF_LRC_META.match(ln)))
    lines = [_REF_SPACE.sub(" ", ln).strip() for ln in text.split("\n")]
    lines = [ln for ln in lines if not (len(ln) <= 80 and _REF_CREDIT.match(ln))]
    out: list[str] = []
    for ln in lines:
        if ln or (out and out[-1]):
            out.append(ln)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def shingles(text: str, k: int = 5) -> set[str]:
    """Character ``k``-grams of the lowercased, whitespace-collapsed text."""
    s = _WS.sub(" ", text.lower()).strip()
    if len(s) < k:
        return {s} if s else set()
    return {s[i : i + k] for i in range(len(s) - k + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Jaccard similarity of two sets (1.0 for two empty sets)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def text_jaccard(a: str, b: str, k: int = 5, normalize: bool = True) -> float:
    """Character-``k``-gram Jaccard of two lyric texts (after :func:`reference_normalize` if asked)."""
    if normalize:
        a, b = reference_normalize(a), reference_normalize(b)
    return jaccard(shingles(a, k), shingles(b, k))


def squash(text: str) -> str:
    """Lowercased text without punctuation, digits or whitespace (strict exact-duplicate key)."""
    return _PUNCT_DIGIT_WS.sub("", text.lower())


def estimate_tokens(text: str) -> int:
    """Rough token count: one per CJK/kana/hangul character, one per 4 other non-space characters."""
    cjk = other = 0
    for ch in text:
        cp = ord(ch)
        if 0x3040 <= cp <= 0x30FF or 0x3400 <= cp <= 0x9FFF or 0xAC00 <= cp <= 0xD7A3 or 0xF900 <= cp <= 0xFAFF:
            cjk += 1
        elif not ch.isspace():
            other += 1
    return cjk + (other + 3) // 4


# --------------------------------------------------------------------------------------------
# Records and file writing
# --------------------------------------------------------------------------------------------

_ABSENT = "__absent__"


@dataclass
class Song:
    """One song record of the sample plus its ground-truth labels.

    ``truth`` is the language a human would assign (None when the lyric has no language);
    ``hint`` is the ``language`` field written to the file (``_ABSENT`` to leave it out).
    """

    song_id: str
    name: str
    artist: str
    album: str | None
    lyrics: str | None
    tags: list[str]
    truth: str | None
    hint: str | None = None
    labels: set[str] = field(default_factory=set)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_obj(self) -> dict[str, Any]:
        """The JSON object written to ``songs.jsonl``."""
        obj: dict[str, Any] = {
            "song_id": self.song_id,
            "name": self.name,
            "artist": self.artist,
            "album": self.album,
            "lyrics": self.lyrics,
            "tags": self.tags,
        }
        if self.hint != _ABSENT:
            obj["language"] = self.hint
        obj.update(self.extra)
        return obj


@dataclass
class RawLine:
    """A deliberately invalid line, written verbatim."""

    data: bytes
    kind: str
    song_id: str | None = None
    detail: str = ""


def dumps_line(obj: Any) -> bytes:
    """One JSONL line (UTF-8, no trailing newline); line/paragraph separators are escaped."""
    text = json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\u0085", "\\u0085")
    return text.encode("utf-8")


def write_lines(path: Path, lines: Iterable[bytes]) -> tuple[int, int]:
    """Write byte lines (``\\n``-terminated) in binary mode; returns (lines, bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = size = 0
    with open(path, "wb") as fh:
        for line in lines:
            fh.write(line + b"\n")
            n += 1
            size += len(line) + 1
    return n, size


class IdMaker:
    """Opaque, unique, seeded ids like ``s3f9a2c1b07`` (no language hint inside)."""

    def __init__(self, rng: random.Random, prefix: str) -> None:
        self._rng = rng
        self._prefix = prefix
        self._seen: set[str] = set()

    def __call__(self) -> str:
        while True:
            new = f"{self._prefix}{self._rng.getrandbits(44):011x}"
            if new not in self._seen:
                self._seen.add(new)
                return new


# --------------------------------------------------------------------------------------------
# Public-domain subset from the shared corpus
# --------------------------------------------------------------------------------------------

# Broad credit-like line starts: public-domain songs with such lines are skipped so that cleaning
# leaves them untouched.
_PD_CREDITISH = re.compile(
    r"^\s*(?:music|words|written|lyrics?|composed|arranged|vocals?|producer|歌|唄|曲|词|詞|作|鼓|노래)\s*(?:by|[:：\-–—/])",
    re.I,
)
PD_QUOTA: dict[str, int] = {"en": 45, "zh": 55, "ja": 40}
_PD_ALBUMS: dict[str, tuple[str, ...]] = {
    "en": ("The Real Mother Goose (1916)", "Traditional Nursery Songs of England (1843)",
           "The Christian Hymn Book (1870)", "Hymns for Christian Devotion (1853)"),
    "zh": ("诗经", "花间集", "全宋词", "南唐二主词", "纳兰性德诗集"),
    "ja": ("雨情民謡百篇", "螢の燈台", "朝おき雀", "青い眼の人形", "十五夜お月さん", "極楽とんぼ", "まざあ・ぐうす",
           "とんぼの眼玉", "どんたく", "おさんだいしよさま"),
}  # fmt: skip
_PD_LEN: dict[str, tuple[int, int]] = {"en": (150, 650), "zh": (48, 220), "ja": (50, 320)}


def _pd_ok(rec: dict[str, Any]) -> bool:
    lang = rec.get("language")
    if lang not in _PD_LEN or rec.get("album") not in _PD_ALBUMS[lang]:
        return False
    text = rec["lyrics"]
    lo, hi = _PD_LEN[lang]
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if not lo <= len(text) <= hi or len(lines) < 4:
        return False
    if any(_PD_CREDITISH.match(ln) or "[" in ln or "<" in ln for ln in lines):
        return False
    top = Counter(lines).most_common(1)[0][1]
    return top / len(lines) <= 0.34


def load_public_domain(path: Path, seed: int, quota: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """Pick a small, duplicate-free subset of the shared public-domain corpus.

    Input: ``songs.jsonl`` of the shared corpus. Output: records (all original fields kept) with
    ``quota`` songs per language, no two of them sharing a strict exact key or reaching 0.4
    character-5-gram Jaccard, spread over the collections of ``_PD_ALBUMS``.
    """
    quota = dict(PD_QUOTA if quota is None else quota)
    by_lang_album: dict[tuple[str, str], list[dict[str, Any]]] = {}
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            if not raw.strip():
                continue
            rec = json.loads(raw)
            if _pd_ok(rec):
                by_lang_album.setdefault((rec["language"], rec["album"]), []).append(rec)
    rng = random.Random(f"pd:{seed}")
    chosen: list[dict[str, Any]] = []
    keys: set[str] = set()
    sh: list[set[str]] = []
    for lang in ("en", "zh", "ja"):
        queues = []
        for album in _PD_ALBUMS[lang]:
            recs = sorted(by_lang_album.get((lang, album), []), key=lambda r: r["song_id"])
            rng.shuffle(recs)
            queues.append(recs)
        got = 0
        while got < quota.get(lang, 0) and any(queues):
            for q in queues:
                if got >= quota.get(lang, 0) or not q:
                    continue
                rec = q.pop()
                key = squash(rec["lyrics"])
                s = shingles(reference_normalize(rec["lyrics"]))
                if key in keys or any(jaccard(s, o) >= 0.4 for o in sh):
                    continue
                keys.add(key)
                sh.append(s)
                chosen.append(rec)
                got += 1
    return chosen


# --------------------------------------------------------------------------------------------
# The sample's songs
# --------------------------------------------------------------------------------------------

SAMPLE_TRUTH_TARGET: dict[str, int] = {"en": 200, "zh": 200, "ja": 120, "ko": 80}
_PUNCT: dict[str, tuple[str, ...]] = {"en": (",", "!", "..."), "zh": ("，", "！", "。"), "ja": ("、", "！", "。"),
                                      "ko": (",", "!", "...")}  # fmt: skip
_WRONG_HINT: dict[str, str] = {"en": "zh", "zh": "ja", "ja": "zh", "ko": "ja"}


def _unique_line_indexes(lines: list[str]) -> list[int]:
    counts = Counter(lines)
    return [i for i, ln in enumerate(lines) if ln and counts[ln] == 1]


def edit_lines(rng: random.Random, lines: list[str], lang: str, op: str, pool: LinePool | None) -> list[str]:
    """Apply one small edit: ``swap`` (one word), ``line_change``, ``line_add``, ``line_remove``, ``punct``."""
    out = list(lines)
    if op == "swap":
        return swap_word(rng, out, lang)
    idx = _unique_line_indexes(out) or [i for i, ln in enumerate(out) if ln]
    i = rng.choice(idx)
    if op == "line_change" and pool is not None:
        new = pool.line(rng)
        while new in out:
            new = pool.line(rng)
        out[i] = new
    elif op == "line_add" and pool is not None:
        new = pool.line(rng)
        while new in out:
            new = pool.line(rng)
        out.insert(i, new)
    elif op == "line_remove":
        del out[i]
    elif op == "punct":
        for j in rng.sample(idx, min(3, len(idx))):
            out[j] = out[j] + rng.choice(_PUNCT[lang])
    else:
        raise ValueError(f"unknown edit {op!r}")
    return out


class _SongFactory:
    """Builds the labelled songs of the sample (valid records and invalid lines)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"songs:{seed}")
        self.pools = {lang: build_pool(lang, seed) for lang in LANGS}
        self.new_id = IdMaker(self.rng, "s")
        self.songs: list[Song] = []
        self.raw: list[RawLine] = []
        self.exact_groups: list[list[str]] = []
        self.exact_raw_groups: list[list[str]] = []
        self.near_groups: list[list[str]] = []
        self.near_pairs: list[float] = []

    # ---- helpers -----------------------------------------------------------------------
    def lines(self, lang: str, lo: int = 8, hi: int = 20) -> list[str]:
        return compose_lines(self.rng, self.pools[lang], self.rng.randint(lo, hi))

    def add(self, lang: str, lyrics: str | None, *labels: str, truth: str | None = "", **kw: Any) -> Song:
        rng = self.rng
        song = Song(
            song_id=kw.pop("song_id", None) or self.new_id(),
            name=kw.pop("name", None) or rng.choice(TITLES[lang]),
            artist=kw.pop("artist", None) or make_artist(rng, lang),
            album=kw.pop("album") if "album" in kw else (rng.choice(ALBUMS[lang]) if rng.random() < 0.85 else None),
            lyrics=lyrics,
            tags=kw.pop("tags") if "tags" in kw else rng.sample(TAGS[lang], rng.randint(0, 3)),
            truth=lang if truth == "" else truth,
            hint=lang,
            labels=set(labels),
            extra=kw.pop("extra", {}),
        )
        if kw:
            raise TypeError(f"unexpected {sorted(kw)}")
        self.songs.append(song)
        return song

    def copy(self, song: Song, lyrics: str, *labels: str, **kw: Any) -> Song:
        fields = {"name": song.name, "artist": song.artist, "album": song.album, "tags": list(song.tags),
                  "extra": dict(song.extra)}  # fmt: skip
        fields.update(kw)
        lang = song.hint if song.hint in LANGS else (song.truth or "en")
        new = self.add(lang, lyrics, *labels, truth=song.truth, **fields)
        return new

    # ---- defect families -----------------------------------------------------------------
    def lrc_songs(self) -> None:
        plan = [("en", True, False, False), ("en", False, True, True), ("zh", True, False, False),
                ("zh", True, True, False), ("zh", False, False, True), ("ja", True, False, False),
                ("ja", False, True, False), ("ko", False, False, False), ("ko", True, True, True)]  # fmt: skip
        for lang, meta, multi, three in plan:
            song = self.add(lang, None, "lrc")
            lines = self.lines(lang, 10, 18)
            tags = None
            if meta:
                tags = {"ti": song.name, "ar": song.artist}
                if song.album:
                    tags["al"] = song.album
                tags.update({"by": self.rng.choice(_BY_NAMES), "offset": str(self.rng.choice((0, 200, -150, 500)))})
                song.labels.add("lrc_metadata")
            if multi:
                song.labels.add("lrc_multi_stamp")
            song.lyrics = add_lrc(self.rng, "\n".join(lines), meta=tags, multi=multi, three=three)

    def credit_songs(self) -> None:
        for lang in LANGS:
            for style in range(len(CREDIT_STYLES[lang])):
                self.add(lang, add_credits(self.rng, "\n".join(self.lines(lang)), lang, style), "credits")
        # credits and LRC together (the usual shape of downloaded .lrc files)
        song = self.add("zh", None, "credits", "lrc")
        body = "\n".join(credit_lines(self.rng, "zh", 1) + self.lines("zh", 10, 16))
        song.lyrics = add_lrc(self.rng, body, meta={"ti": song.name, "ar": song.artist})
        song.labels.add("lrc_metadata")

    def markup_songs(self) -> None:
        en = "\n".join(ln for ln in self.lines("en") if ln)
        while "'" not in en:
            en = "\n".join(self.lines("en"))
        self.add("en", add_html(self.rng, en, "entities"), "html")
        self.add("en", add_html(self.rng, "\n".join(self.lines("en")), "br"), "html")
        self.add("zh", add_html(self.rng, "\n".join(self.lines("zh")), "p"), "html")
        self.add("zh", add_html(self.rng, "\n".join(self.lines("zh")), "br"), "html")
        ja = add_html(self.rng, "\n".join(self.lines("ja")), "p").replace("</p><p>", "</p>\n&amp;\n<p>", 1)
        self.add("ja", ja, "html")
        for lang in LANGS:
            self.add(lang, add_control_chars(self.rng, "\n".join(self.lines(lang))), "control_chars")
        for _ in range(2):
            self.add("en", add_fullwidth(self.rng, "\n".join(self.lines("en"))), "fullwidth")
        zh = self.lines("zh", 8, 12) + self.rng.sample(ZH_MIX_LINES, 3)
        self.rng.shuffle(zh)
        zh = [to_fullwidth(ln) if any("a" <= c.lower() <= "z" for c in ln) else ln for ln in zh]
        self.add("zh", "\n".join(zh), "fullwidth", "mixed_language")
        ko = self.lines("ko", 8, 12) + self.rng.sample(KO_MIX_LINES, 3)
        self.rng.shuffle(ko)
        ko = [to_fullwidth(ln) if any("a" <= c.lower() <= "z" for c in ln) else ln for ln in ko]
        self.add("ko", "\n".join(ko), "fullwidth", "mixed_language")

    def quality_songs(self) -> None:
        for lang, text in INSTRUMENTAL_TEXTS:
            self.add(lang, text, "instrumental", truth=None)
        body = "\n".join(credit_lines(self.rng, "zh", 3)) + "\n\n纯音乐，请欣赏"
        self.add("zh", body, "instrumental", "credits", truth=None)
        for lang, text in (("en", ""), ("zh", ""), ("ko", "   "), ("ja", "\n\n \t\n"), ("en", None)):
            self.add(lang, text, "empty", truth=None)
        for lang in LANGS:
            self.add(lang, SHORT_TEXTS[lang][0], "too_short")
        self.add("en", SHORT_TEXTS["en"][1], "too_short")
        for lang, reps in (("en", 35), ("zh", 40), ("ko", 32), ("ja", 30)):
            pool = self.pools[lang]
            line = pool.line(self.rng)
            others = [pool.line(self.rng) for _ in range(2)]
            self.add(lang, "\n".join(others[:1] + [line] * reps + others[1:]), "spam")
        langs = ("en", "zh", "ja", "ko", "zh")
        for lang, text in zip(langs, NON_LETTER_TEXTS):
            self.add(lang, text, "non_letter", truth=None)

    def mojibake_songs(self) -> None:
        for lang, codec in (("zh", "cp1252"), ("zh", "latin-1"), ("ja", "cp1252"), ("ko", "cp1252")):
            self.add(lang, mojibake("\n".join(self.lines(lang)), codec), "mojibake", f"mojibake_{codec}")

    def language_songs(self) -> None:
        rng = self.rng
        for _ in range(3):  # Korean with English lines
            lines = self.lines("ko", 10, 16)
            for i in rng.sample(range(len(lines)), 3):
                if lines[i]:
                    lines[i] = rng.choice(KO_MIX_LINES)
            lines += [self.pools["en"].line(rng), ""] if rng.random() < 0.5 else []
            self.add("ko", "\n".join(lines).strip("\n"), "mixed_language")
        for _ in range(3):  # Japanese verses, English chorus
            chorus = self.pools["en"].lines(rng, 2)
            verses = [self.pools["ja"].lines(rng, 4) for _ in range(3)]
            parts = [verses[0], chorus, verses[1], chorus, verses[2]]
            self.add("ja", "\n\n".join("\n".join(p) for p in parts), "mixed_language")
        for _ in range(3):  # Chinese with English words
            lines = self.lines("zh", 10, 16)
            for i in rng.sample(range(len(lines)), 4):
                if lines[i]:
                    lines[i] = rng.choice(ZH_MIX_LINES)
            self.add("zh", "\n".join(lines), "mixed_language")
        for _ in range(4):  # kanji-heavy Japanese with only a little kana
            lines = rng.sample(JA_KANJI_LINES, rng.randint(8, 11))
            lines.insert(rng.randrange(len(lines)), self.pools["ja"].line(rng))
            self.add("ja", "\n".join(lines), "kanji_heavy_ja")
        for _ in range(4):  # traditional Chinese
            self.add("zh", "\n".join(rng.sample(ZH_TRAD_LINES, rng.randint(8, 14))), "traditional_zh")

    def exact_dups(self, pd: list[dict[str, Any]]) -> None:
        rng = self.rng
        for lang, n in (("en", 2), ("zh", 3), ("ko", 2)):
            first = self.add(lang, "\n".join(self.lines(lang)), "exact_dup")
            group = [first.song_id]
            for k in range(n - 1):
                kw = {"name": rng.choice(TITLES[lang])} if k == 0 else {"artist": make_artist(rng, lang)}
                group.append(self.copy(first, first.lyrics or "", "exact_dup", **kw).song_id)
            self.exact_groups.append(group)
            self.exact_raw_groups.append(group)
        ja_pd = next((s for s in self.songs if "public_domain" in s.labels and s.truth == "ja"), None)
        if ja_pd is None:  # no shared corpus: a synthetic stand-in
            ja_pd = self.add("ja", "\n".join(self.lines("ja")))
        dup = self.copy(ja_pd, ja_pd.lyrics or "", "exact_dup", name=ja_pd.name + "（再録）")
        if "public_domain" in ja_pd.labels:
            dup.labels.add("public_domain_derived")
            dup.extra = {**ja_pd.extra, "source": ja_pd.extra["source"] + " (duplicate copy)"}
        ja_pd.labels.add("exact_dup")
        self.exact_groups.append([ja_pd.song_id, dup.song_id])
        self.exact_raw_groups.append([ja_pd.song_id, dup.song_id])
        # duplicates that differ only in LRC timestamps / credits / line endings
        for lang, kinds in (("zh", ("lrc",)), ("ja", ("lrc",)), ("en", ("credits",)), ("ko", ("credits", "lrc")),
                            ("en", ("crlf",))):  # fmt: skip
            plain = self.lines(lang, 10, 16)
            first = self.add(lang, "\n".join(plain), "exact_dup")
            group = [first.song_id]
            for kind in kinds:
                if kind == "lrc":
                    text, labels = add_lrc(rng, "\n".join(plain)), ("lrc",)
                elif kind == "credits":
                    text, labels = add_credits(rng, "\n".join(plain), lang), ("credits",)
                else:
                    text, labels = "\r\n".join(ln + rng.choice(("", " ", "  ")) for ln in plain), ()
                group.append(self.copy(first, text, "exact_dup", *labels).song_id)
            self.exact_groups.append(group)

    def near_dups(self, pd: list[Song]) -> None:
        plan: list[tuple[str, tuple[str, ...]]] = [
            ("en", ("swap",)), ("en", ("line_add+punct",)), ("zh", ("swap", "line_remove")),
            ("zh", ("credits+swap",)), ("ja", ("line_change",)), ("ja", ("lrc+swap",)),
            ("ko", ("swap", "line_add")), ("ko", ("punct+swap",)),
        ]  # fmt: skip
        for lang, ops in plan:
            self._near_group(lang, ops, None)
        hymn = next((s for s in pd if s.truth == "en" and "Hymn" in (s.album or "")), None)
        self._near_group("en", ("swap",), hymn)

    def _near_group(self, lang: str, ops: tuple[str, ...], base_song: Song | None) -> None:
        rng = self.rng
        base_lines = (base_song.lyrics or "").split("\n") if base_song else self.lines(lang, 20, 28)
        for _attempt in range(50):
            texts: list[tuple[str, tuple[str, ...]]] = []
            for op in ops:
                lines, labels = list(base_lines), []
                for part in op.split("+"):
                    if part in ("credits", "lrc"):
                        continue
                    lines = edit_lines(rng, lines, lang, part, self.pools[lang])
                text = "\n".join(lines)
                if "credits" in op:
                    text, labels = add_credits(rng, text, lang), ["credits"]
                if "lrc" in op:
                    text, labels = add_lrc(rng, text), ["lrc"]
                texts.append((text, tuple(labels)))
            allt = ["\n".join(base_lines)] + [t for t, _ in texts]
            norm = [reference_normalize(t) for t in allt]
            sims = [jaccard(shingles(a), shingles(b)) for i, a in enumerate(norm) for b in norm[i + 1 :]]
            keys = {squash(n) for n in norm}
            if min(sims) >= 0.85 and len(keys) == len(norm):
                break
        else:
            raise RuntimeError("could not make a near-duplicate group")
        self.near_pairs.extend(sims)
        if base_song is None:
            base = self.add(lang, allt[0], "near_dup")
        else:
            base = base_song
            base.labels.add("near_dup")
        group = [base.song_id]
        for text, labels in texts:
            kw: dict[str, Any] = {}
            if rng.random() < 0.4:
                kw["name"] = base.name + rng.choice((" (Live)", " (Acoustic)", " - Remastered", "（现场版）"))
            new = self.copy(base, text, "near_dup", *labels, **kw)
            if "public_domain" in base.labels:
                new.labels.add("public_domain_derived")
                new.extra = {**base.extra, "source": base.extra["source"] + " (edited copy)"}
            group.append(new.song_id)
        self.near_groups.append(group)

    def public_domain(self, pd: list[dict[str, Any]]) -> list[Song]:
        out = []
        for rec in pd:
            extra = {k: v for k, v in rec.items() if k in ("source", "license")}
            song = self.add(rec["language"], rec["lyrics"], "public_domain", song_id=rec["song_id"], name=rec["name"],
                            artist=rec["artist"], album=rec.get("album"), tags=list(rec.get("tags") or []),
                            extra=extra)  # fmt: skip
            out.append(song)
        return out

    def invalid_lines(self) -> None:
        rng = self.rng

        def obj(lang: str = "en") -> dict[str, Any]:
            return {"song_id": self.new_id(), "name": rng.choice(TITLES[lang]), "artist": make_artist(rng, lang),
                    "album": rng.choice(ALBUMS[lang]), "lyrics": "\n".join(self.lines(lang, 8, 10)),
                    "tags": rng.sample(TAGS[lang], 2), "language": lang}  # fmt: skip

        o = obj("zh")
        text = dumps_line(o).decode("utf-8")
        self.raw.append(RawLine(text[: int(len(text) * 0.6)].encode("utf-8"), "broken_json", o["song_id"],
                                "truncated object"))  # fmt: skip
        o = obj("en")
        self.raw.append(RawLine(dumps_line({k: o[k] for k in ("song_id", "name", "artist")})[:-1] + b",",
                                "broken_json", o["song_id"], "ends after a comma"))  # fmt: skip
        o = obj("ko")
        self.raw.append(RawLine(repr(o).encode("utf-8"), "broken_json", o["song_id"], "python dict repr (single quotes)"))
        for bad, detail in ((b"\xff\xfe", "bytes FF FE"), (b"\x80", "lone continuation byte"),
                            (b"\xe4\xbd", "truncated 3-byte sequence")):  # fmt: skip
            o = obj(rng.choice(LANGS))
            data = dumps_line(o)
            at = data.index(b'"lyrics": "') + len(b'"lyrics": "')
            nl = data.index(b"\\n", at)
            self.raw.append(RawLine(data[:nl] + bad + data[nl:], "invalid_utf8", o["song_id"], detail))
        for variant in ("removed", "id", "songId"):
            o = obj(rng.choice(LANGS))
            sid = o.pop("song_id")
            if variant != "removed":
                o = {variant: sid, **o}
            self.raw.append(RawLine(dumps_line(o), "missing_song_id", None, f"song_id {variant}"))
        for empty in ("", "   ", ""):
            o = obj(rng.choice(LANGS))
            o["song_id"] = empty
            self.raw.append(RawLine(dumps_line(o), "empty_song_id", None, repr(empty)))
        for fld, value, detail in (("tags", "pop, love", "tags is a string"), ("lyrics", 12345, "lyrics is a number"),
                                   ("name", None, "name is null"), ("artist", ["A", "B"], "artist is a list")):  # fmt: skip
            o = obj(rng.choice(LANGS))
            o[fld] = value
            self.raw.append(RawLine(dumps_line(o), "wrong_type", o["song_id"], detail))
        o = obj("en")
        self.raw.append(RawLine(dumps_line([o["song_id"], o["name"], o["lyrics"]]), "not_object", None, "array"))
        self.raw.append(RawLine(dumps_line("just a lyric line, not an object"), "not_object", None, "string"))
        self.raw.append(RawLine(b"null", "not_object", None, "null"))
        victims = rng.sample([s for s in self.songs if "public_domain" not in s.labels and s.truth], 3)
        for v in victims:
            o = obj(v.truth or "en")
            o["song_id"] = v.song_id
            self.raw.append(RawLine(dumps_line(o), "duplicate_song_id", v.song_id, "reuses an earlier song_id"))

    def fill_plain(self) -> None:
        have = Counter(s.truth for s in self.songs if s.truth)
        for lang in LANGS:
            for _ in range(SAMPLE_TRUTH_TARGET[lang] - have[lang]):
                self.add(lang, "\n".join(self.lines(lang)))

    def hints(self) -> None:
        rng = self.rng
        for s in self.songs:
            if rng.random() < 0.1:
                s.hint = _ABSENT
                s.labels.add("language_hint_missing")
        plain = [s for s in self.songs if s.truth and s.hint == s.truth and not (s.labels - {"public_domain"})]
        for s in rng.sample(plain, 8):
            s.hint = _WRONG_HINT[s.truth or "en"] if rng.random() < 0.75 else "en"
            if s.hint == s.truth:
                s.hint = "zh"
            s.labels.add("language_hint_wrong")


# Labels whose songs the quality filters should drop, with the pipeline's expected reason.
QUALITY_DROP: dict[str, str] = {
    "empty": "empty",
    "instrumental": "instrumental",
    "too_short": "too_few_lines",
    "non_letter": "non_letter",
    "spam": "repeated_lines",
}
SONG_LABELS: tuple[str, ...] = (
    "lrc", "lrc_metadata", "lrc_multi_stamp", "credits", "html", "control_chars", "fullwidth", "instrumental",
    "empty", "too_short", "spam", "non_letter", "mojibake", "mojibake_cp1252", "mojibake_latin-1",
    "mixed_language", "kanji_heavy_ja", "traditional_zh", "exact_dup", "near_dup", "public_domain",
    "public_domain_derived", "language_hint_missing", "language_hint_wrong",
)  # fmt: skip
INVALID_KINDS: tuple[str, ...] = (
    "broken_json", "invalid_utf8", "missing_song_id", "empty_song_id", "wrong_type", "not_object",
    "duplicate_song_id",
)  # fmt: skip


def _layout(rng: random.Random, songs: list[Song], raws: list[RawLine], blanks: Sequence[bytes]) -> list[Any]:
    """Shuffle records, put duplicate-id lines after their originals, sprinkle blank lines."""
    items: list[Any] = [*songs, *(r for r in raws if r.kind != "duplicate_song_id")]
    rng.shuffle(items)
    for r in (r for r in raws if r.kind == "duplicate_song_id"):
        pos = next(i for i, it in enumerate(items) if isinstance(it, Song) and it.song_id == r.song_id)
        items.insert(rng.randint(pos + 1, len(items)), r)
    for b in blanks:
        items.insert(rng.randint(1, len(items) - 1), b)
    return items


def _check_songs(f: _SongFactory) -> dict[str, Any]:
    """Verify the song ground truth with the reference normalization; returns measured numbers.

    Raises RuntimeError when a labelled group is not what it claims or when two songs outside a
    group are exact or near (>= 0.5 char-5-gram Jaccard) duplicates of each other.
    """
    dropped = set(QUALITY_DROP) | {"mojibake"}
    live = [s for s in f.songs if not (s.labels & dropped)]
    norm = {s.song_id: reference_normalize(s.lyrics or "") for s in live}
    sh = {sid: shingles(t) for sid, t in norm.items()}
    group_of: dict[str, int] = {}
    for gi, g in enumerate(f.exact_groups + f.near_groups):
        for sid in g:
            group_of[sid] = gi
    for g in f.exact_groups:
        if len({norm[sid] for sid in g}) != 1:
            raise RuntimeError(f"exact group {g} differs after normalization")
    near_sims = []
    for g in f.near_groups:
        for i, a in enumerate(g):
            for b in g[i + 1 :]:
                near_sims.append(jaccard(sh[a], sh[b]))
                if squash(norm[a]) == squash(norm[b]):
                    raise RuntimeError(f"near group {g} has exact duplicates")
    if min(near_sims) < 0.85:
        raise RuntimeError(f"near group below 0.85: {min(near_sims)}")
    ids = sorted(sh)
    worst = 0.0
    keys: dict[str, str] = {}
    for sid in ids:
        k = squash(norm[sid])
        if k in keys and group_of.get(k and keys[k]) != group_of.get(sid, -1):
            raise RuntimeError(f"unlabelled exact duplicate: {keys[k]} {sid}")
        keys.setdefault(k, sid)
    # candidate pairs through a shingle index (exact Jaccard on the candidates)
    index: dict[str, list[str]] = {}
    for sid in ids:
        for g in sh[sid]:
            index.setdefault(g, []).append(sid)
    shared: Counter[tuple[str, str]] = Counter()
    for members in index.values():
        if len(members) > 60:  # very common shingles (" the ") say nothing
            continue
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                shared[(a, b)] += 1
    for (a, b), n in shared.items():
        if n < 5:
            continue
        same = a in group_of and group_of[a] == group_of.get(b)
        if not same:
            j = jaccard(sh[a], sh[b])
            worst = max(worst, j)
            if j >= 0.5:
                raise RuntimeError(f"unlabelled near duplicate {a} {b}: {j:.3f}")
    return {"near_dup_min_jaccard": round(min(near_sims), 4), "near_dup_max_other_jaccard": round(worst, 4)}


def build_sample_songs(seed: int, pd_records: list[dict[str, Any]]) -> tuple[list[bytes], dict[str, Any], _SongFactory]:
    """All lines of ``songs.jsonl`` and its ground truth (the ``songs`` part of expected.json)."""
    f = _SongFactory(seed)
    pd_songs = f.public_domain(pd_records)
    f.lrc_songs()
    f.credit_songs()
    f.markup_songs()
    f.quality_songs()
    f.mojibake_songs()
    f.language_songs()
    f.exact_dups(pd_records)
    f.near_dups(pd_songs)
    f.fill_plain()
    f.hints()
    f.invalid_lines()
    measured = _check_songs(f)

    items = _layout(f.rng, f.songs, f.raw, (b"", b"", b"   ", b""))
    lines: list[bytes] = []
    line_of: dict[str, int] = {}
    blank: list[int] = []
    invalid: dict[str, list[int]] = {k: [] for k in INVALID_KINDS}
    details = []
    for n, it in enumerate(items, start=1):
        if isinstance(it, bytes):
            lines.append(it)
            blank.append(n)
        elif isinstance(it, Song):
            lines.append(dumps_line(it.to_obj()))
            line_of[it.song_id] = n
        else:
            lines.append(it.data)
            invalid[it.kind].append(n)
            details.append({"line": n, "kind": it.kind, "song_id": it.song_id, "detail": it.detail})
    order = sorted(f.songs, key=lambda s: line_of[s.song_id])
    labelled = {lab: [s.song_id for s in order if lab in s.labels] for lab in SONG_LABELS}
    truth = {s.song_id: s.truth for s in order if s.truth}
    excluded = {s.song_id: sorted(s.labels & set(QUALITY_DROP))[0] for s in order if not s.truth}
    quality = {s.song_id: QUALITY_DROP[lab] for s in order for lab in QUALITY_DROP if lab in s.labels}
    removed_by_dedup = {sid for g in f.exact_groups + f.near_groups for sid in g[1:]}
    after = Counter(s.truth for s in order if s.truth and s.song_id not in quality and s.song_id not in removed_by_dedup)
    ratios = {"en": 2, "zh": 2, "ko": 1, "ja": 1}
    unit = min(after[lang] / r for lang, r in ratios.items())
    balanced = {lang: min(after[lang], math.floor(unit * r + 1e-9)) for lang, r in ratios.items()}
    expected: dict[str, Any] = {
        "file": "songs.jsonl",
        "physical_lines": len(lines),
        "blank_lines": blank,
        "input_records": len(lines) - len(blank),
        "valid_records": len(f.songs),
        "invalid_records": len(f.raw),
        "invalid": invalid,
        "invalid_details": sorted(details, key=lambda d: d["line"]),
        **labelled,
        "exact_dup_groups": [sorted(g, key=line_of.__getitem__) for g in f.exact_groups],
        "exact_dup_raw_groups": [sorted(g, key=line_of.__getitem__) for g in f.exact_raw_groups],
        "near_dup_groups": [sorted(g, key=line_of.__getitem__) for g in f.near_groups],
        **measured,
        "language_hint_wrong_values": {s.song_id: s.hint for s in order if "language_hint_wrong" in s.labels},
        "language_truth": truth,
        "language_truth_excluded": excluded,
        "language_counts": dict(sorted(Counter(truth.values()).items())),
        "quality_drop": quality,
        "expected_after_quality_dedup": dict(sorted(after.items())),
        "expected_balanced_2_2_1_1": balanced,
        "lyric_tokens_estimate": sum(estimate_tokens(s.lyrics or "") for s in f.songs),
    }
    expected["counts"] = {
        **{lab: len(labelled[lab]) for lab in SONG_LABELS},
        **{f"invalid.{k}": len(v) for k, v in invalid.items()},
        "exact_dup_groups": len(f.exact_groups),
        "near_dup_groups": len(f.near_groups),
        "blank_lines": len(blank),
    }
    return lines, expected, f
