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
        "the station",
        "Main Street",
        "the harbor",
        "the old bridge",
        "the parking lot",
        "the rooftop",
        "the corner store",
        "the highway",
        "the county line",
        "the dance floor",
        "the back porch",
        "the empty beach",
        "the subway platform",
        "the city park",
        "the hotel lobby",
        "your front door",
        "the river bend",
        "the football field",
        "the laundromat",
        "the gas station",
        "the lighthouse",
        "the bus stop",
        "the fairground",
        "the diner on Fifth",
        "the train yard",
        "the pier",
        "the motel sign",
        "the school gate",
        "the canyon road",
        "the old chapel",
    ),
    "time": (
        "midnight",
        "sunrise",
        "the morning",
        "the weekend",
        "December",
        "the summer",
        "closing time",
        "last call",
        "tomorrow",
        "the last train",
        "the first snow",
        "daybreak",
        "Friday night",
        "the end of June",
        "the harvest moon",
        "the new year",
        "half past two",
        "the county fair",
    ),
    "thing": (
        "your jacket",
        "the radio",
        "a paper heart",
        "the streetlights",
        "an old photograph",
        "the car keys",
        "your letters",
        "the neon signs",
        "a borrowed guitar",
        "the candle",
        "our favorite song",
        "the rain",
        "the headlights",
        "a silver ring",
        "the city lights",
        "your perfume",
        "the telephone",
        "a broken compass",
        "a postcard",
        "the porch swing",
        "a mixtape",
        "the tide",
        "a cheap guitar",
        "the jukebox",
        "your sweater",
        "a train ticket",
        "the wind chimes",
        "a matchbook",
    ),
    "color": (
        "golden",
        "silver",
        "blue",
        "crimson",
        "violet",
        "amber",
        "pale",
        "electric",
        "faded",
        "emerald",
        "rosy",
        "smoky",
    ),
    "feel": (
        "lonely",
        "restless",
        "alive",
        "brave",
        "foolish",
        "lucky",
        "tired",
        "wild",
        "quiet",
        "free",
        "careless",
        "hopeful",
    ),
    "verb": (
        "run",
        "dance",
        "drive",
        "wait",
        "fall",
        "shine",
        "sing",
        "breathe",
        "hold on",
        "let go",
        "wander",
        "stay",
    ),
    "name": (
        "Caroline",
        "Jamie",
        "Rosie",
        "Daniel",
        "Lucy",
        "Marco",
        "Sadie",
        "Tommy",
        "Eliza",
        "Johnny",
        "Maggie",
        "Leo",
    ),
    "weather": (
        "the rain",
        "the snow",
        "the thunder",
        "the summer heat",
        "the fog",
        "the wind",
        "the storm",
        "the drizzle",
    ),
    "number": ("two", "three", "a hundred", "a thousand", "seven", "ten", "forty", "a million"),
}

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
        "街角",
        "海边",
        "车站",
        "天台",
        "操场",
        "地铁站",
        "咖啡馆",
        "老街",
        "路口",
        "江边",
        "校门口",
        "小巷",
        "机场",
        "桥上",
        "窗前",
        "山顶",
        "公交站",
        "雨里的城市",
        "图书馆",
        "屋檐下",
    ),
    "time": (
        "天亮",
        "深夜",
        "黄昏",
        "下个夏天",
        "冬天",
        "明天",
        "很久以后",
        "散场",
        "凌晨三点",
        "清晨",
        "春天来临",
        "最后一班车",
        "雪停",
    ),
    "thing": (
        "月光",
        "晚风",
        "旧照片",
        "那首歌",
        "雨滴",
        "星光",
        "落叶",
        "信纸",
        "耳机",
        "钥匙",
        "烟火",
        "雪花",
        "旧吉他",
        "车票",
        "路灯",
        "蒲公英",
        "纸飞机",
    ),
    "color": ("蓝色", "白色", "金色", "灰色", "红色", "透明", "淡紫色"),
    "feel": ("孤单", "勇敢", "温柔", "寂寞", "骄傲", "疲惫", "自由", "倔强"),
}

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
        "駅のホーム",
        "海辺",
        "屋上",
        "交差点",
        "坂道",
        "教室",
        "公園",
        "商店街",
        "川沿い",
        "夜の街",
        "改札口",
        "踏切",
        "帰り道",
        "港",
        "丘の上",
        "図書館",
    ),
    "time": (
        "夜明け",
        "真夜中",
        "夕暮れ",
        "夏の終わり",
        "春",
        "明日",
        "雨上がり",
        "冬の朝",
        "放課後",
        "最終電車",
    ),
    "thing": (
        "月明かり",
        "花びら",
        "風",
        "星屑",
        "手紙",
        "写真",
        "雨音",
        "夕焼け",
        "約束",
        "涙",
        "足音",
        "街灯",
        "花火",
        "雪",
        "シャボン玉",
        "紙ひこうき",
    ),
    "color": ("青い", "白い", "赤い", "透明な", "銀色の", "茜色の", "金色の"),
    "feel": ("寂しい", "切ない", "懐かしい", "苦しい", "愛しい", "悲しい", "嬉しい"),
}

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
        "거리",
        "바닷가",
        "골목길",
        "정류장",
        "옥상",
        "교실",
        "창가",
        "한강",
        "지하철역",
        "카페",
        "놀이터",
        "기차역",
        "공원",
        "다리 위",
        "너의 집 앞",
        "편의점 앞",
    ),
    "time": (
        "새벽",
        "밤",
        "아침",
        "주말",
        "겨울밤",
        "봄날",
        "여름밤",
        "오늘 밤",
        "비 오는 날",
        "첫눈 오는 날",
    ),
    "thing": (
        "별빛",
        "달빛",
        "빗소리",
        "노래",
        "향기",
        "기억",
        "사진",
        "편지",
        "목소리",
        "웃음",
        "바람",
        "눈물",
        "꽃잎",
        "불빛",
        "그림자",
    ),
    "color": ("파란", "하얀", "붉은", "투명한", "은빛", "노란", "보랏빛"),
}

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
    "我們的愛情像一場夢",
    "雨下個不停 在這個城市",
    "時間帶走了你的聲音",
    "說好的未來在哪裡",
    "想念是一種無聲的語言",
    "風吹過窗前 帶來你的消息",
    "記憶裡的那條街",
    "讓我再聽一次你的歌",
    "夜晚的燈光照亮歸途",
    "你的眼淚是我心裡的雨",
    "寫一封長長的信給你",
    "轉身之後 再也不見",
    "這些年我學會了堅強",
    "請你不要忘記我們的約定",
    "愛過的人 還在遠方",
    "霓虹燈下的孤單",
    "陪你看遍每一個日落",
    "聽說你過得很好",
    "如果時間能夠倒流",
    "我願意為你等待",
    "熱鬧的街頭 沒有你的身影",
    "海風輕輕吹過臉龐",
    "一個人的晚餐",
    "謝謝你曾經來過",
    "舊照片裡的笑容",
    "把心事說給月亮聽",
    "離開的時候別說再見",
    "這條路我們一起走過",
)

# Kanji-heavy Japanese lines: mostly kanji with only a little kana.
JA_KANJI_LINES: tuple[str, ...] = (
    "春夏秋冬 巡る季節の中",
    "満開の桜並木",
    "夕暮れ時の帰り道",
    "永遠の誓い 今此処に",
    "明日への扉",
    "白い息 冬の星座",
    "都会の片隅で独り",
    "遠い記憶 色褪せた写真",
    "花鳥風月 心に刻む",
    "故郷の空 茜色",
    "一期一会 出会いの奇跡",
    "千年後の世界へ",
    "月光 静寂 夜想曲",
    "紅葉舞う古都の秋",
    "未来永劫 変わらぬ想い",
    "桜吹雪 散る花弁",
    "雪月花 季節の便り",
    "東京駅 午前零時",
    "線香花火 夏の夜",
    "満月の夜 約束の場所",
    "黄昏時 影二つ",
    "青春時代 全力疾走",
    "天気予報 明日は雨",
    "夜行列車 北へ向かう",
    "海岸線 潮騒の記憶",
    "旅路の果て 故郷の灯",
    "初恋の人 今何処に",
)

# Korean lines with English words (K-pop style code-switching).
KO_MIX_LINES: tuple[str, ...] = (
    "Baby 너 없인 안 돼",
    "Tonight 별빛 아래서",
    "Oh my love 내 곁에 있어 줘",
    "Everyday 너만 생각해",
    "I need you 지금 이 순간",
    "Let's go 같이 떠나자",
    "Shine bright 우리의 밤",
    "Say my name 한 번 더",
    "Hold me tight 놓지 마",
    "Forever young 우리는",
    "Don't cry 내가 있잖아",
    "One more time 다시 한 번",
    "So beautiful 너의 미소",
    "Run away 함께라면",
    "Good night 좋은 꿈 꿔",
)

# Chinese lines with English words.
ZH_MIX_LINES: tuple[str, ...] = (
    "我们的 love story 还没写完",
    "Baby 你在哪里",
    "轻轻说一声 goodbye",
    "今晚的 party 只为你",
    "把 playlist 循环到天亮",
    "你说 forever 是多远",
    "心里一直 missing you",
    "给我一个 hug 就好",
    "每个 weekend 都想见你",
    "窗外的 city lights 闪烁",
    "Oh 这就是 love",
    "一起 dance 到天亮",
    "你的 smile 最耀眼",
    "Yeah 别再犹豫",
    "我的 dream 里有你",
)

TITLES: dict[str, tuple[str, ...]] = {
    "en": (
        "Midnight Drive",
        "Paper Hearts",
        "Golden Hour",
        "Summer Rain",
        "Neon Skyline",
        "Back to You",
        "Northern Lights",
        "Slow Dancing",
        "Runaway Train",
        "Wildflower",
        "Echoes",
        "Hometown",
        "Last Call",
        "Silver Lining",
        "Open Road",
        "Satellite",
        "Firefly",
        "Afterglow",
        "Little Lights",
        "Daydreamer",
        "Stay Awake",
        "Harbor Lights",
        "Heartline",
        "Borrowed Time",
        "Fading Photograph",
        "Lantern",
        "Kitchen Dance",
        "Porch Light",
        "County Line",
        "Blue Horizon",
    ),
    "zh": (
        "晚风",
        "旧时光",
        "夏天的尾巴",
        "南方的雨",
        "月光下",
        "给未来的信",
        "城市漫步",
        "心跳",
        "远方",
        "星河",
        "不说再见",
        "回声",
        "海边的约定",
        "第一场雪",
        "时光机",
        "路灯下",
        "白日梦",
        "慢慢",
        "风的方向",
        "最后一班车",
        "雨后",
        "一封信",
        "温柔的夜",
        "梦游",
        "你好 明天",
        "纸飞机",
        "屋顶上的猫",
        "小城故事多",
    ),
    "ja": (
        "夏の終わりに",
        "夜明けのうた",
        "さくら色の約束",
        "星屑のメロディー",
        "帰り道",
        "雨上がりの空",
        "君に贈る歌",
        "遠い日の花火",
        "青い春",
        "真夜中のドライブ",
        "風になれ",
        "ありがとうの歌",
        "虹の向こう",
        "冬のひかり",
        "放課後",
        "茜空",
        "約束の丘",
        "涙のあと",
        "ミライ",
        "シャボン玉の午後",
        "海辺の手紙",
    ),
    "ko": (
        "새벽 두 시",
        "봄날의 기억",
        "너에게 닿기를",
        "밤하늘의 별",
        "여름 바다",
        "첫눈",
        "안녕 나의 사랑",
        "그리운 날",
        "비 오는 거리",
        "우리의 계절",
        "별빛 아래",
        "다시 만나",
        "너의 이름",
        "하루 끝",
        "Blue Night",
        "Dreamer",
        "고백",
        "약속",
        "꽃길",
        "한강에서",
        "Moonlight",
        "새벽 정류장",
    ),
}

_SURNAMES: dict[str, tuple[str, ...]] = {
    "en": (
        "Collins",
        "Parker",
        "Hayes",
        "Rivera",
        "Brooks",
        "Bennett",
        "Reyes",
        "Morgan",
        "Fletcher",
        "Quinn",
    ),
    "zh": ("林", "陈", "王", "李", "张", "周", "吴", "许", "赵", "孙", "刘", "何"),
    "ja": ("佐藤", "鈴木", "高橋", "田中", "渡辺", "伊藤", "山本", "中村", "小林", "加藤"),
    "ko": ("김", "이", "박", "최", "정", "강", "조", "윤", "장", "임"),
}
_GIVEN: dict[str, tuple[str, ...]] = {
    "en": ("Ava", "Noah", "Maya", "Eli", "Grace", "Owen", "Lily", "Caleb", "Nora", "Jude", "Ruby", "Miles"),
    "zh": ("小雨", "子涵", "思远", "一鸣", "若曦", "嘉怡", "晓峰", "雨桐", "宇航", "梦琪", "浩然", "静雯"),
    "ja": ("美咲", "陽菜", "蓮", "湊", "結衣", "葵", "大翔", "さくら", "ひかり", "翔太"),
    "ko": ("민준", "서연", "지우", "하은", "도윤", "서윤", "예준", "지민", "수아", "현우"),
}
_BANDS: dict[str, tuple[str, ...]] = {
    "en": (
        "The Velvet Lanterns",
        "Northbound",
        "The Paper Comets",
        "Silver Sparrows",
        "The Wandering Tides",
        "Electric Foxes",
        "Quiet Harbors",
        "The Midnight Rivers",
    ),
    "zh": ("白鸽乐队", "夏夜乐团", "山海乐队", "晚风乐队", "旧城乐团", "南方组合", "北窗乐队"),
    "ja": ("ソラノオト", "ミッドナイトブルー", "ハルカゼ", "ネオンテトラ", "ほしぞら楽団", "月見坂"),
    "ko": ("블루문", "하루", "스타라이트", "NOVA", "Luna Bloom", "새벽달", "여름밤"),
}
ALBUMS: dict[str, tuple[str, ...]] = {
    "en": (
        "Late Bloomers",
        "Highway Hymns",
        "Small Town Radio",
        "Neon & Gold",
        "After Hours",
        "The Long Way Home",
        "Letters Never Sent",
        "Weather Report",
        "Second Chances",
        "Glow",
    ),
    "zh": (
        "城市日记",
        "晚安地球",
        "夏日限定",
        "第一人称",
        "旧梦新歌",
        "远行",
        "小日子",
        "星星之火",
        "风起时",
    ),
    "ja": ("青の時代", "ひかりの方へ", "夏草", "ミッドナイト・シティ", "ことのは", "旅の途中", "ゆめのあと"),
    "ko": (
        "우리의 여름",
        "새벽 감성",
        "Dear My Days",
        "꽃잎 편지",
        "Midnight Road",
        "청춘 일기",
        "하루의 끝",
    ),
}
TAGS: dict[str, tuple[str, ...]] = {
    "en": ("Pop", "Indie", "Rock", "Country", "Chill", "Workout", "Road Trip", "Love", "R&B", "Acoustic"),
    "zh": ("华语流行", "伤感", "治愈", "民谣", "摇滚", "校园", "深夜", "失恋", "青春", "古风"),
    "ja": ("J-Pop", "アニメ", "ロック", "バラード", "青春", "夏", "シティポップ", "卒業"),
    "ko": ("K-Pop", "발라드", "댄스", "인디", "R&B", "감성", "새벽", "OST"),
}

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


def compose_lines(
    rng: random.Random, pool: LinePool, n_lines: int, stanza_breaks: bool | None = None
) -> list[str]:
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
    verse, chorus, pre = (
        distinct[:verse_n],
        distinct[verse_n : verse_n + chorus_n],
        distinct[verse_n + chorus_n :],
    )
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
    rng: random.Random,
    lyrics: str,
    *,
    meta: dict[str, str] | None = None,
    multi: bool = False,
    three: bool | None = None,
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
    "zh": (
        ("作词：{a}", "作曲：{b}"),
        ("作词：{a}", "作曲：{b}", "编曲：{c}"),
        ("作词 : {a}", "作曲 : {b}"),
        ("作曲：{b}", "编曲：{c}", "制作人：{d}"),
    ),
    "en": (
        ("Lyrics by {a}", "Composed by {b}"),
        ("Written by {a}",),
        ("Written by {a}", "Producer: {d}"),
        ("Lyrics by {a}", "Composed by {b}", "Producer: {d}"),
    ),
    "ko": (("작사 : {a}", "작곡 : {b}"), ("작사 : {a}", "작곡 : {b}", "편곡 : {c}")),
    "ja": (("作詞：{a}", "作曲：{b}"), ("作詞：{a}", "作曲：{b}", "編曲：{c}")),
}


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
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in text)


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
}

# Word swaps for near-duplicate edits: (old, new) pairs tried in order.
_SWAPS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        ("night", "light"),
        ("heart", "soul"),
        ("rain", "snow"),
        ("love", "need"),
        ("home", "back"),
        ("tonight", "right now"),
        ("you", "her"),
        ("the ", "that "),
        ("my ", "our "),
    ),
    "zh": (
        ("你", "他"),
        ("我们", "你我"),
        ("爱", "想"),
        ("风", "雨"),
        ("夜", "晚"),
        ("心", "梦"),
        ("的", "之"),
    ),
    "ja": (("君", "あなた"), ("僕", "私"), ("夜", "朝"), ("空", "海"), ("夢", "恋"), ("の", "に")),
    "ko": (
        ("너", "그대"),
        ("우리", "우린"),
        ("밤", "낮"),
        ("사랑", "마음"),
        ("하늘", "바다"),
        ("에서", "에"),
    ),
}


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
        if (
            0x3040 <= cp <= 0x30FF
            or 0x3400 <= cp <= 0x9FFF
            or 0xAC00 <= cp <= 0xD7A3
            or 0xF900 <= cp <= 0xFAFF
        ):
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
    "en": (
        "The Real Mother Goose (1916)",
        "Traditional Nursery Songs of England (1843)",
        "The Christian Hymn Book (1870)",
        "Hymns for Christian Devotion (1853)",
    ),
    "zh": ("诗经", "花间集", "全宋词", "南唐二主词", "纳兰性德诗集"),
    "ja": (
        "雨情民謡百篇",
        "螢の燈台",
        "朝おき雀",
        "青い眼の人形",
        "十五夜お月さん",
        "極楽とんぼ",
        "まざあ・ぐうす",
        "とんぼの眼玉",
        "どんたく",
        "おさんだいしよさま",
    ),
}
_PD_LEN: dict[str, tuple[int, int]] = {"en": (150, 480), "zh": (48, 200), "ja": (50, 300)}


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
_PUNCT: dict[str, tuple[str, ...]] = {
    "en": (",", "!", "..."),
    "zh": ("，", "！", "。"),
    "ja": ("、", "！", "。"),
    "ko": (",", "!", "..."),
}
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
    def lines(self, lang: str, lo: int = 8, hi: int = 11) -> list[str]:
        return compose_lines(self.rng, self.pools[lang], self.rng.randint(lo, hi))

    def add(self, lang: str, lyrics: str | None, *labels: str, truth: str | None = "", **kw: Any) -> Song:
        rng = self.rng
        song = Song(
            song_id=kw.pop("song_id", None) or self.new_id(),
            name=kw.pop("name", None) or rng.choice(TITLES[lang]),
            artist=kw.pop("artist", None) or make_artist(rng, lang),
            album=kw.pop("album")
            if "album" in kw
            else (rng.choice(ALBUMS[lang]) if rng.random() < 0.85 else None),
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
        fields = {
            "name": song.name,
            "artist": song.artist,
            "album": song.album,
            "tags": list(song.tags),
            "extra": dict(song.extra),
        }
        fields.update(kw)
        lang = song.hint if song.hint in LANGS else (song.truth or "en")
        new = self.add(lang, lyrics, *labels, truth=song.truth, **fields)
        return new

    # ---- defect families -----------------------------------------------------------------
    def lrc_songs(self) -> None:
        plan = [
            ("en", True, False, False),
            ("en", False, True, True),
            ("zh", True, False, False),
            ("zh", True, True, False),
            ("zh", False, False, True),
            ("ja", True, False, False),
            ("ja", False, True, False),
            ("ko", False, False, False),
            ("ko", True, True, True),
        ]
        for lang, meta, multi, three in plan:
            song = self.add(lang, None, "lrc")
            lines = self.lines(lang, 10, 18)
            tags = None
            if meta:
                tags = {"ti": song.name, "ar": song.artist}
                if song.album:
                    tags["al"] = song.album
                tags.update(
                    {"by": self.rng.choice(_BY_NAMES), "offset": str(self.rng.choice((0, 200, -150, 500)))}
                )
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
        for lang, mix in (("zh", ZH_MIX_LINES), ("ko", KO_MIX_LINES)):
            lines = self.lines(lang, 9, 12)
            idx = _unique_line_indexes(lines)
            for i, new in zip(self.rng.sample(idx, min(3, len(idx))), self.rng.sample(mix, 3), strict=False):
                lines[i] = to_fullwidth(new)
            self.add(lang, "\n".join(lines), "fullwidth", "mixed_language")

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
        for lang, text in zip(langs, NON_LETTER_TEXTS, strict=True):
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
        for lang, kinds in (
            ("zh", ("lrc",)),
            ("ja", ("lrc",)),
            ("en", ("credits",)),
            ("ko", ("credits", "lrc")),
            ("en", ("crlf",)),
        ):
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
            ("en", ("swap",)),
            ("en", ("line_add+punct",)),
            ("zh", ("swap", "line_remove")),
            ("zh", ("credits+swap",)),
            ("ja", ("line_change",)),
            ("ja", ("lrc+swap",)),
            ("ko", ("swap", "line_add")),
            ("ko", ("punct+swap",)),
        ]
        for lang, ops in plan:
            self._near_group(lang, ops, None)
        hymn = next((s for s in pd if s.truth == "en" and "Hymn" in (s.album or "")), None)
        self._near_group("en", ("swap",), hymn)

    def _near_group(self, lang: str, ops: tuple[str, ...], base_song: Song | None) -> None:
        rng = self.rng
        base_lines = (base_song.lyrics or "").split("\n") if base_song else self.lines(lang, 18, 24)
        for attempt in range(60):
            if base_song is None and attempt % 10 == 9:  # this base is too short for the edit: draw another
                base_lines = self.lines(lang, 18, 24)
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
            song = self.add(
                rec["language"],
                rec["lyrics"],
                "public_domain",
                song_id=rec["song_id"],
                name=rec["name"],
                artist=rec["artist"],
                album=rec.get("album"),
                tags=list(rec.get("tags") or []),
                extra=extra,
            )
            out.append(song)
        return out

    def invalid_lines(self) -> None:
        rng = self.rng

        def obj(lang: str = "en") -> dict[str, Any]:
            return {
                "song_id": self.new_id(),
                "name": rng.choice(TITLES[lang]),
                "artist": make_artist(rng, lang),
                "album": rng.choice(ALBUMS[lang]),
                "lyrics": "\n".join(self.lines(lang, 8, 10)),
                "tags": rng.sample(TAGS[lang], 2),
                "language": lang,
            }

        o = obj("zh")
        text = dumps_line(o).decode("utf-8")
        self.raw.append(
            RawLine(
                text[: int(len(text) * 0.6)].encode("utf-8"), "broken_json", o["song_id"], "truncated object"
            )
        )
        o = obj("en")
        self.raw.append(
            RawLine(
                dumps_line({k: o[k] for k in ("song_id", "name", "artist")})[:-1] + b",",
                "broken_json",
                o["song_id"],
                "ends after a comma",
            )
        )
        o = obj("ko")
        self.raw.append(
            RawLine(repr(o).encode("utf-8"), "broken_json", o["song_id"], "python dict repr (single quotes)")
        )
        for bad, detail in (
            (b"\xff\xfe", "bytes FF FE"),
            (b"\x80", "lone continuation byte"),
            (b"\xe4\xbd", "truncated 3-byte sequence"),
        ):
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
        for fld, value, detail in (
            ("tags", "pop, love", "tags is a string"),
            ("lyrics", 12345, "lyrics is a number"),
            ("name", None, "name is null"),
            ("artist", ["A", "B"], "artist is a list"),
        ):
            o = obj(rng.choice(LANGS))
            o[fld] = value
            self.raw.append(RawLine(dumps_line(o), "wrong_type", o["song_id"], detail))
        o = obj("en")
        self.raw.append(
            RawLine(dumps_line([o["song_id"], o["name"], o["lyrics"]]), "not_object", None, "array")
        )
        self.raw.append(RawLine(dumps_line("just a lyric line, not an object"), "not_object", None, "string"))
        self.raw.append(RawLine(b"null", "not_object", None, "null"))
        victims = rng.sample([s for s in self.songs if "public_domain" not in s.labels and s.truth], 3)
        for v in victims:
            o = obj(v.truth or "en")
            o["song_id"] = v.song_id
            self.raw.append(
                RawLine(dumps_line(o), "duplicate_song_id", v.song_id, "reuses an earlier song_id")
            )

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
        plain = [
            s for s in self.songs if s.truth and s.hint == s.truth and not (s.labels - {"public_domain"})
        ]
        for s in rng.sample(plain, 8):
            s.hint = _WRONG_HINT[s.truth or "en"] if rng.random() < 0.75 else "en"
            if s.hint == s.truth:
                s.hint = "zh"
            s.labels.add("language_hint_wrong")


# Labels whose songs the quality filters should drop, with the pipeline's expected reason.
QUALITY_DROP: dict[str, str] = {
    "empty": "empty",
    "instrumental": "instrumental",
    "too_short": "too_short",  # or "too_few_lines" for the one-line texts, depending on min_lines
    "non_letter": "non_letter",
    "spam": "repeated_lines",
}
SONG_LABELS: tuple[str, ...] = (
    "lrc",
    "lrc_metadata",
    "lrc_multi_stamp",
    "credits",
    "html",
    "control_chars",
    "fullwidth",
    "instrumental",
    "empty",
    "too_short",
    "spam",
    "non_letter",
    "mojibake",
    "mojibake_cp1252",
    "mojibake_latin-1",
    "mixed_language",
    "kanji_heavy_ja",
    "traditional_zh",
    "exact_dup",
    "near_dup",
    "public_domain",
    "public_domain_derived",
    "language_hint_missing",
    "language_hint_wrong",
)
INVALID_KINDS: tuple[str, ...] = (
    "broken_json",
    "invalid_utf8",
    "missing_song_id",
    "empty_song_id",
    "wrong_type",
    "not_object",
    "duplicate_song_id",
)


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


def build_sample_songs(
    seed: int, pd_records: list[dict[str, Any]]
) -> tuple[list[bytes], dict[str, Any], _SongFactory]:
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
    after = Counter(
        s.truth for s in order if s.truth and s.song_id not in quality and s.song_id not in removed_by_dedup
    )
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


# --------------------------------------------------------------------------------------------
# Playlists
# --------------------------------------------------------------------------------------------

# (title, tags, {slot: value}) per language; descriptions come from _PL_DESC templates.
_PL_THEMES: dict[str, tuple[tuple[str, tuple[str, ...], dict[str, str]], ...]] = {
    "zh": (
        ("深夜电台", ("深夜", "伤感"), {"scene": "夜深人静", "mood": "安静又有点伤感", "time": "失眠的夜晚"}),
        ("失恋疗伤歌单", ("失恋", "伤感"), {"scene": "刚刚分手", "mood": "温柔治愈", "time": "难熬的日子"}),
        ("通勤路上的好心情", ("通勤", "治愈"), {"scene": "挤地铁上班", "mood": "轻快明亮", "time": "早高峰"}),
        (
            "90年代华语金曲",
            ("90s", "怀旧", "华语流行"),
            {"scene": "想找回童年记忆", "mood": "充满怀旧味道", "time": "周末午后"},
        ),
        ("雨天听的歌", ("雨天", "安静"), {"scene": "听雨", "mood": "慵懒安静", "time": "下雨天"}),
        ("毕业季", ("校园", "青春"), {"scene": "和同学告别", "mood": "青春又不舍", "time": "毕业季"}),
        ("一个人的旅行", ("旅行", "民谣"), {"scene": "一个人出门远行", "mood": "自由舒展", "time": "旅途"}),
        ("健身燃脂", ("运动", "Workout"), {"scene": "在健身房挥汗", "mood": "节奏感强", "time": "训练时间"}),
        ("咖啡馆背景音乐", ("Chill", "咖啡馆"), {"scene": "在咖啡馆看书", "mood": "松弛", "time": "午后"}),
        ("写作业专用", ("学习", "安静"), {"scene": "埋头写作业", "mood": "不打扰人", "time": "自习时间"}),
        ("KTV必点", ("KTV", "流行"), {"scene": "和朋友去唱歌", "mood": "朗朗上口", "time": "聚会夜晚"}),
        ("夏日海边", ("夏天", "海边"), {"scene": "在海边吹风", "mood": "清爽", "time": "夏天"}),
        ("冬夜取暖", ("冬天", "温暖"), {"scene": "冬天窝在家里", "mood": "温暖", "time": "寒冷的夜晚"}),
        ("古风诗词", ("古风", "诗词"), {"scene": "读诗词", "mood": "古典雅致", "time": "闲暇时光"}),
        ("周末慵懒时光", ("周末", "慵懒"), {"scene": "周末睡到自然醒", "mood": "慵懒", "time": "周末"}),
    ),
    "en": (
        ("Late Night Drive", ("Night", "Chill"), {"scene": "driving home after midnight", "mood": "moody"}),
        ("Workout Energy", ("Workout", "Energy"), {"scene": "lifting or running", "mood": "high-energy"}),
        ("Chill Sunday Morning", ("Chill", "Morning"), {"scene": "a slow breakfast", "mood": "easygoing"}),
        (
            "90s Throwback",
            ("90s", "Nostalgia"),
            {"scene": "a long road trip with old friends", "mood": "nostalgic"},
        ),
        ("Healing a Broken Heart", ("Breakup", "Sad"), {"scene": "getting over someone", "mood": "tender"}),
        ("Road Trip Anthems", ("Road Trip", "Pop"), {"scene": "open highways", "mood": "sing-along"}),
        ("Rainy Day Acoustic", ("Acoustic", "Rain"), {"scene": "a grey afternoon indoors", "mood": "gentle"}),
        ("Focus & Study", ("Focus", "Study"), {"scene": "long study sessions", "mood": "calm"}),
        ("Summer Party", ("Summer", "Party"), {"scene": "backyard parties", "mood": "upbeat"}),
        ("Old Hymns", ("Hymns", "Traditional"), {"scene": "a quiet evening", "mood": "reverent"}),
        ("Nursery Rhymes for Little Ones", ("Kids", "Traditional"), {"scene": "bedtime", "mood": "playful"}),
        ("Indie Discoveries", ("Indie", "New"), {"scene": "finding new favorites", "mood": "curious"}),
        ("Sing-Along Classics", ("Karaoke", "Pop"), {"scene": "karaoke night", "mood": "loud and happy"}),
        ("Sunset Vibes", ("Chill", "Evening"), {"scene": "watching the sun go down", "mood": "warm"}),
        ("Coffee Shop Corner", ("Chill", "Cafe"), {"scene": "a corner table with a book", "mood": "cozy"}),
    ),
    "ja": (
        ("深夜のドライブ", ("深夜", "ドライブ"), {"scene": "夜の高速道路を走る", "mood": "少し切ない"}),
        ("失恋ソング", ("失恋", "バラード"), {"scene": "恋が終わった", "mood": "優しい"}),
        ("夏の思い出", ("夏", "青春"), {"scene": "夏祭りや海を思い出す", "mood": "爽やかな"}),
        ("J-Pop 定番", ("J-Pop", "定番"), {"scene": "みんなで盛り上がる", "mood": "明るい"}),
        ("雨の日に聴きたい曲", ("雨", "癒し"), {"scene": "雨の音を聞きながら過ごす", "mood": "穏やかな"}),
        ("通勤・通学", ("通勤", "朝"), {"scene": "電車に揺られている", "mood": "前向きな"}),
        ("卒業ソング", ("卒業", "春"), {"scene": "友達と別れる", "mood": "胸が熱くなる"}),
        ("童謡・民謡", ("童謡", "民謡"), {"scene": "昔の歌を味わう", "mood": "懐かしい"}),
        ("作業用BGM", ("作業用", "集中"), {"scene": "仕事や勉強に集中する", "mood": "落ち着いた"}),
        ("90年代J-Pop", ("90s", "J-Pop"), {"scene": "あの頃を振り返る", "mood": "懐かしい"}),
        ("冬のバラード", ("冬", "バラード"), {"scene": "寒い夜に温まる", "mood": "しっとりした"}),
        ("朝の目覚め", ("朝", "元気"), {"scene": "一日を始める", "mood": "元気な"}),
        ("桜の季節", ("春", "桜"), {"scene": "桜の下を歩く", "mood": "華やかな"}),
        ("カフェで聴く", ("カフェ", "Chill"), {"scene": "カフェでのんびりする", "mood": "おしゃれな"}),
        ("アニメ主題歌風", ("アニメ", "ロック"), {"scene": "気分を上げたい", "mood": "熱い"}),
    ),
    "ko": (
        ("새벽 감성", ("새벽", "감성"), {"scene": "잠이 오지 않는 새벽", "mood": "잔잔한"}),
        ("이별 노래", ("이별", "발라드"), {"scene": "헤어진 뒤", "mood": "슬프지만 따뜻한"}),
        ("K-Pop 댄스", ("K-Pop", "댄스"), {"scene": "춤추고 싶은 밤", "mood": "신나는"}),
        ("출근길 플레이리스트", ("출근", "아침"), {"scene": "출근하는 지하철 안", "mood": "상쾌한"}),
        ("비 오는 날", ("비", "감성"), {"scene": "비가 내리는 오후", "mood": "차분한"}),
        ("90년대 가요", ("90s", "가요"), {"scene": "옛 추억이 떠오르는 밤", "mood": "그리운"}),
        ("운동할 때", ("운동", "Workout"), {"scene": "달리기하는 시간", "mood": "힘이 나는"}),
        ("드라이브", ("드라이브", "여름"), {"scene": "바닷가로 드라이브 가는 길", "mood": "시원한"}),
        ("카페 감성", ("카페", "Chill"), {"scene": "카페에서 책 읽는 오후", "mood": "여유로운"}),
        ("공부할 때 듣는 노래", ("공부", "집중"), {"scene": "시험 공부하는 밤", "mood": "조용한"}),
        ("여름 바다", ("여름", "바다"), {"scene": "바다에 놀러 가는 날", "mood": "청량한"}),
        ("겨울 발라드", ("겨울", "발라드"), {"scene": "첫눈이 오는 날", "mood": "포근한"}),
        ("주말 아침", ("주말", "아침"), {"scene": "늦잠 자고 일어난 주말", "mood": "느긋한"}),
        ("인디 발견", ("인디", "New"), {"scene": "새로운 음악이 듣고 싶은 날", "mood": "신선한"}),
        (
            "노래방 애창곡",
            ("노래방", "K-Pop"),
            {"scene": "친구들과 노래방 가는 날", "mood": "따라 부르기 좋은"},
        ),
    ),
}

_PL_DESC: dict[str, tuple[str, ...]] = {
    "zh": (
        "{scene}的时候，总想找几首歌陪着自己。这份歌单收录了{n}首{mood}的作品，希望能陪你度过每一个{time}。",
        "适合{scene}时听的{n}首歌。旋律{mood}，歌词里有很多值得回味的句子，建议按顺序播放，戴上耳机效果更好。",
        "把{time}交给音乐吧。我们挑选了{n}首{mood}的歌，有熟悉的声音，也有值得发现的新面孔，欢迎收藏和分享。",
        "这是一份为{scene}准备的歌单，一共{n}首。每一首都{mood}，听完也许会让你的{time}变得不一样。",
    ),
    "en": (
        "Made for {scene}: {n} {mood} songs that flow into each other. Press play, turn it up and let the playlist do the rest.",
        "{n} tracks picked for {scene}. Expect {mood} melodies, a few surprises and nothing that breaks the mood.",
        "Our {mood} selection for {scene}. We update it now and then, so save it and check back for new additions.",
        "The {mood} soundtrack for {scene}, {n} songs long. Best enjoyed from start to finish, ideally with good headphones.",
    ),
    "ja": (
        "{scene}ときにぴったりの{n}曲を集めました。{mood}メロディーが、きっとあなたの気持ちに寄り添ってくれます。",
        "{mood}曲ばかりを{n}曲セレクト。{scene}時間のお供にどうぞ。気に入ったらお気に入りに追加してください。",
        "{scene}ときに聴きたい歌をまとめたプレイリストです。全{n}曲、最初から順番に聴くのがおすすめです。",
    ),
    "ko": (
        "{scene}에 듣기 좋은 {mood} 노래 {n}곡을 모았어요. 이어폰을 끼고 처음부터 끝까지 들어 보세요.",
        "{mood} 분위기의 노래로 가득한 플레이리스트예요. {scene}에 함께하면 하루가 조금 더 특별해질 거예요.",
        "{scene}에 생각나는 노래들을 골랐어요. 모두 {n}곡이고, 마음에 드는 곡이 있다면 저장해 두세요.",
    ),
}


def build_playlists(
    seed: int, truth: dict[str, str], pd_albums: dict[str, str]
) -> tuple[list[bytes], dict[str, Any]]:
    """``playlists.jsonl`` lines and ground truth.

    Inputs: the sample's valid songs as {song_id: language} and {song_id: album} for the
    public-domain ones. Output: 60 valid playlists (15 per language) referencing 5-25 valid songs
    each, plus 3 invalid lines (missing id, ``song_ids`` not a list, broken JSON).
    """
    rng = random.Random(f"playlists:{seed}")
    new_id = IdMaker(rng, "pl")
    by_lang: dict[str, list[str]] = {
        lang: sorted(s for s, lang2 in truth.items() if lang2 == lang) for lang in LANGS
    }
    pd_by_lang = {lang: [s for s in by_lang[lang] if s in pd_albums] for lang in LANGS}
    lines: list[bytes] = []
    valid: list[str] = []
    no_desc: list[str] = []
    refs = 0
    for lang in LANGS:
        for title, tags, slots in _PL_THEMES[lang]:
            n = rng.randint(5, 25)
            pd_theme = title in ("古风诗词", "Old Hymns", "Nursery Rhymes for Little Ones", "童謡・民謡")
            source = pd_by_lang[lang] if pd_theme else by_lang[lang]
            if title == "Old Hymns":
                source = [s for s in source if "Hymn" in pd_albums[s]]
            elif title == "Nursery Rhymes for Little Ones":
                source = [s for s in source if "Hymn" not in pd_albums[s]]
            ids = rng.sample(source, min(n, len(source)))
            if not pd_theme and rng.random() < 0.25:  # a few cross-language picks
                other = rng.choice([x for x in LANGS if x != lang])
                ids += rng.sample(by_lang[other], 2)
            desc: str | None = None
            if rng.random() < 0.88:
                for tpl in rng.sample(_PL_DESC[lang], len(_PL_DESC[lang])):
                    desc = tpl.format(n=len(ids), title=title, **slots)
                    if 50 <= len(desc) <= 200:
                        break
            pid = new_id()
            if desc is None:
                no_desc.append(pid)
            rec = {
                "playlist_id": pid,
                "title": title,
                "tags": list(tags),
                "description": desc,
                "song_ids": ids,
            }
            lines.append(dumps_line(rec))
            valid.append(pid)
            refs += len(ids)
    order = list(range(len(lines)))
    rng.shuffle(order)
    lines = [lines[i] for i in order]
    valid = [valid[i] for i in order]
    bad_ids = rng.sample(by_lang["zh"], 5)
    bad = [
        (
            "missing_playlist_id",
            dumps_line({"title": "无名歌单", "tags": ["伤感"], "description": None, "song_ids": bad_ids}),
        ),
        (
            "song_ids_not_list",
            dumps_line(
                {
                    "playlist_id": new_id(),
                    "title": "Broken list",
                    "tags": ["Pop"],
                    "description": "song_ids is a comma-separated string here.",
                    "song_ids": ",".join(bad_ids),
                }
            ),
        ),
        (
            "broken_json",
            dumps_line({"playlist_id": new_id(), "title": "途中で切れた", "tags": [], "song_ids": bad_ids})[
                :40
            ],
        ),
    ]
    invalid: dict[str, list[int]] = {}
    for _kind, data in bad:
        lines.insert(rng.randint(1, len(lines)), data)
    for n, line in enumerate(lines, start=1):
        for kind, data in bad:
            if line is data:
                invalid[kind] = [n]
    valid_set = set(valid)
    expected = {
        "file": "playlists.jsonl",
        "physical_lines": len(lines),
        "input_records": len(lines),
        "valid_records": len(valid),
        "invalid": invalid,
        "valid_playlist_ids": [
            p for p in (json.loads(x)["playlist_id"] for x in lines if _is_json(x)) if p in valid_set
        ],
        "description_null": no_desc,
        "song_refs": refs,
        "unknown_song_refs": 0,
    }
    return lines, expected


def _is_json(data: bytes) -> bool:
    try:
        obj = json.loads(data)
    except ValueError:
        return False
    return isinstance(obj, dict) and "playlist_id" in obj


# --------------------------------------------------------------------------------------------
# General text: wiki-style articles (facts written for this project)
# --------------------------------------------------------------------------------------------

# (kind, English name, Chinese name, English facts, Chinese facts)
WIKI_TOPICS: tuple[tuple[str, str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "instrument",
        "piano",
        "钢琴",
        (
            "The piano is a keyboard instrument in which felt-covered hammers strike strings when the keys are pressed.",
            "It was developed in Italy around 1700 by Bartolomeo Cristofori, who built an instrument that could play both soft and loud.",
            "The name is short for pianoforte, Italian for soft-loud.",
            "A standard modern piano has 88 keys, 52 white and 36 black, spanning a little more than seven octaves.",
            "Most pianos have two or three pedals; the right-hand sustain pedal lifts the dampers so that the strings keep ringing.",
        ),
        (
            "钢琴是一种键盘乐器，按下琴键时，包着毛毡的琴槌会敲击琴弦发声。",
            "钢琴大约在1700年前后由意大利人巴托洛梅奥·克里斯托福里发明，它既能弹得很轻，也能弹得很响。",
            "钢琴的意大利文名称pianoforte意为“弱-强”。",
            "标准的现代钢琴有88个键，其中白键52个、黑键36个，音域超过七个八度。",
            "钢琴通常有两到三个踏板，右踏板（延音踏板）会抬起制音器，让琴弦持续振动。",
        ),
    ),
    (
        "instrument",
        "violin",
        "小提琴",
        (
            "The violin is the smallest and highest-pitched member of the violin family of bowed string instruments.",
            "Its four strings are tuned in perfect fifths: G, D, A and E.",
            "The instrument took its modern shape in northern Italy in the 16th century.",
            "Makers in Cremona such as the Amati family, Antonio Stradivari and the Guarneri family are still admired for their craftsmanship.",
            "The bow is usually strung with horsehair, which is rubbed with rosin so that it grips the string.",
        ),
        (
            "小提琴是提琴家族中体积最小、音高最高的弓弦乐器。",
            "它的四根弦按纯五度定弦，依次为G、D、A、E。",
            "小提琴在16世纪的意大利北部形成了现代的样子。",
            "克雷莫纳的阿马蒂家族、斯特拉迪瓦里和瓜奈里家族制作的琴至今仍备受推崇。",
            "琴弓通常用马尾制成，演奏前要涂上松香，使弓毛能够摩擦琴弦发声。",
        ),
    ),
    (
        "instrument",
        "cello",
        "大提琴",
        (
            "The cello is a bowed string instrument played sitting down, held between the knees and supported by an endpin.",
            "Its strings are tuned C, G, D and A, an octave below the viola.",
            "Johann Sebastian Bach wrote six suites for unaccompanied cello.",
            "In the orchestra the cellos often carry the bass line together with the double basses, but they also play many melodies.",
        ),
        (
            "大提琴是一种坐着演奏的弓弦乐器，演奏者把琴夹在两膝之间，由尾柱支撑在地面上。",
            "它的四根弦定为C、G、D、A，比中提琴低一个八度。",
            "巴赫曾为无伴奏大提琴创作了六首组曲。",
            "在管弦乐队中，大提琴常与低音提琴一起演奏低音声部，也经常承担旋律。",
        ),
    ),
    (
        "instrument",
        "guitar",
        "吉他",
        (
            "The guitar is a fretted string instrument that is usually played by plucking or strumming with the fingers or a pick.",
            "Most guitars have six strings; the standard tuning from the lowest string to the highest is E, A, D, G, B, E.",
            "Metal frets divide the neck into semitones, so moving up one fret raises the pitch by a half step.",
            "Classical guitars use nylon strings, acoustic guitars usually use steel strings, and electric guitars use magnetic pickups and an amplifier.",
        ),
        (
            "吉他是一种带品的拨弦乐器，通常用手指或拨片弹奏或扫弦。",
            "大多数吉他有六根弦，标准定弦从最低音弦到最高音弦依次为E、A、D、G、B、E。",
            "琴颈上的金属品丝把指板分成半音，每向上移动一个品，音高就升高半音。",
            "古典吉他使用尼龙弦，民谣吉他通常使用钢弦，电吉他则依靠拾音器和音箱发声。",
        ),
    ),
    (
        "instrument",
        "erhu",
        "二胡",
        (
            "The erhu is a Chinese two-stringed bowed instrument, sometimes called the Chinese violin.",
            "Its bow hair passes between the two strings, so the bow and the instrument stay joined while it is strung.",
            "The small resonator at the bottom is traditionally covered with python skin.",
            "The two strings are usually tuned a fifth apart, to D and A.",
            "The erhu has no fingerboard: the player presses the strings without touching the neck, which allows expressive slides.",
        ),
        (
            "二胡是中国传统的两弦拉弦乐器，有时被称为“中国小提琴”。",
            "二胡的弓毛夹在两根弦之间，因此琴弓和琴身是连在一起的。",
            "琴筒一端传统上蒙着蟒皮。",
            "两根弦通常按五度定弦，为D和A。",
            "二胡没有指板，演奏者按弦时手指不接触琴杆，因此可以做出丰富的滑音。",
        ),
    ),
    (
        "instrument",
        "guzheng",
        "古筝",
        (
            "The guzheng is a Chinese plucked zither with a history of more than two thousand years.",
            "Modern instruments usually have 21 strings, each resting on a movable bridge.",
            "The strings are tuned to a pentatonic scale, and the left hand presses the strings beside the bridges to bend notes and fill in the missing tones.",
            "Players usually wear small picks on the fingers of the right hand.",
            "The Japanese koto, the Korean gayageum and the Vietnamese dan tranh are related zithers.",
        ),
        (
            "古筝是中国的弹拨乐器，已有两千多年的历史。",
            "现代古筝一般有21根弦，每根弦下都有一个可以移动的筝码。",
            "古筝按五声音阶定弦，左手在筝码左侧按弦，可以做出滑音、颤音，也能得到音阶中缺少的音。",
            "演奏者通常在右手手指上戴义甲弹奏。",
            "日本的筝、韩国的伽倻琴和越南的筝都是与古筝相关的乐器。",
        ),
    ),
    (
        "instrument",
        "pipa",
        "琵琶",
        (
            "The pipa is a Chinese four-stringed plucked lute with a pear-shaped wooden body.",
            "It is held upright on the lap and has frets along both the neck and the soundboard.",
            "Its repertoire includes dramatic martial pieces such as Ambush from Ten Sides and lyrical civil pieces.",
            "A fast tremolo made by rolling the fingers across the strings is one of its characteristic sounds.",
        ),
        (
            "琵琶是中国的四弦弹拨乐器，琴身呈半梨形。",
            "演奏时琵琶竖抱在腿上，琴颈和面板上都有品位。",
            "琵琶的曲目分为“武曲”和“文曲”，《十面埋伏》就是著名的武曲。",
            "轮指是琵琶最有特色的技巧之一，能奏出连绵不断的声音。",
        ),
    ),
    (
        "instrument",
        "koto",
        "日本筝",
        (
            "The koto is a Japanese plucked zither, traditionally with 13 strings and movable bridges.",
            "It came to Japan from China more than a thousand years ago and was first used in court music.",
            "Players wear picks on the thumb, index and middle fingers of the right hand.",
            "The koto is played on the floor or on a low stand, and moving the bridges changes the tuning.",
        ),
        (
            "日本筝是日本的弹拨乐器，传统上有13根弦，配有可移动的琴码。",
            "它在一千多年前从中国传入日本，最初用于宫廷音乐。",
            "演奏者在右手拇指、食指和中指上戴义甲弹奏。",
            "日本筝放在地上或矮架上演奏，移动琴码就能改变定弦。",
        ),
    ),
    (
        "instrument",
        "shamisen",
        "三味线",
        (
            "The shamisen is a Japanese three-stringed lute with a long, fretless neck.",
            "It is played with a large plectrum called a bachi.",
            "The shamisen accompanies kabuki and bunraku puppet theatre and is heard in many folk songs.",
            "Tsugaru-jamisen, from the north of Honshu, is known for its fast, percussive style.",
        ),
        (
            "三味线是日本的三弦弹拨乐器，琴杆细长且没有品。",
            "演奏时使用一种叫作“拨”的大拨子。",
            "三味线常为歌舞伎和文乐木偶戏伴奏，也出现在许多民谣中。",
            "来自本州北部的津轻三味线以快速、富有打击感的演奏风格闻名。",
        ),
    ),
    (
        "instrument",
        "shakuhachi",
        "尺八",
        (
            "The shakuhachi is an end-blown bamboo flute played in Japan.",
            "Its name refers to its standard length of one shaku and eight sun, about 54 centimetres.",
            "A traditional shakuhachi has four finger holes on the front and one thumb hole on the back.",
            "End-blown flutes of this kind came to Japan from China, where they were played in the Tang dynasty.",
            "It is associated with the komuso monks of the Fuke sect of Zen Buddhism, who played it as a spiritual practice.",
        ),
        (
            "尺八是一种竖吹的竹制管乐器，在日本广泛流传。",
            "它的名称来自标准长度“一尺八寸”，约54厘米。",
            "传统的尺八正面有四个按孔，背面有一个拇指孔。",
            "尺八源于中国唐代，后来传入日本。",
            "尺八与日本禅宗普化宗的虚无僧有关，他们把吹奏尺八当作修行。",
        ),
    ),
    (
        "instrument",
        "gayageum",
        "伽倻琴",
        (
            "The gayageum is a Korean plucked zither with movable bridges.",
            "The traditional instrument has 12 silk strings, while modern versions may have 18, 21 or 25 strings.",
            "According to tradition it was created in the Gaya confederacy in the 6th century.",
            "It is central to sanjo, a solo genre in which the player is accompanied by the janggu drum.",
        ),
        (
            "伽倻琴是朝鲜半岛的弹拨乐器，琴弦下有可移动的琴码。",
            "传统伽倻琴有12根丝弦，现代改良琴有18弦、21弦或25弦。",
            "相传伽倻琴诞生于6世纪的伽倻国。",
            "伽倻琴是“散调”的代表乐器，演奏时常由杖鼓伴奏。",
        ),
    ),
    (
        "instrument",
        "janggu",
        "杖鼓",
        (
            "The janggu is a Korean hourglass-shaped drum with two heads.",
            "The two heads give different sounds: one is usually struck with a thin stick and the other with the hand or a mallet.",
            "It is used in almost every kind of Korean traditional music, from court music to farmers' music.",
            "Together with the buk, kkwaenggwari and jing, it forms the four instruments of samul nori.",
        ),
        (
            "杖鼓是朝鲜半岛传统的沙漏形双面鼓。",
            "两面鼓皮音色不同，一面通常用细鞭敲击，另一面用手或鼓槌拍打。",
            "从宫廷音乐到农乐，几乎所有朝鲜半岛传统音乐中都能听到杖鼓。",
            "杖鼓与北鼓、小锣和大锣一起构成“四物游戏”的四件乐器。",
        ),
    ),
    (
        "instrument",
        "flute",
        "长笛",
        (
            "The flute is a woodwind instrument even though modern flutes are usually made of metal.",
            "The player blows across an embouchure hole instead of into a reed or a mouthpiece.",
            "In the 19th century Theobald Boehm designed the key system that most modern flutes still use.",
            "The piccolo, a smaller flute, sounds an octave higher.",
        ),
        (
            "长笛属于木管乐器，尽管现代长笛大多用金属制成。",
            "演奏者把气流吹向吹孔边缘发声，而不是吹簧片或号嘴。",
            "19世纪，特奥巴尔德·波姆设计了至今仍被大多数长笛采用的按键系统。",
            "短笛是一种更小的长笛，音高比长笛高一个八度。",
        ),
    ),
    (
        "instrument",
        "clarinet",
        "单簧管",
        (
            "The clarinet is a woodwind instrument played with a single reed attached to a mouthpiece.",
            "Its cylindrical bore makes it overblow at the twelfth rather than the octave.",
            "The B-flat clarinet is the most common size, and it is a transposing instrument.",
            "Mozart wrote a famous concerto and a quintet for the clarinet.",
        ),
        (
            "单簧管是一种木管乐器，吹嘴上装有一片簧片。",
            "由于管身是圆柱形，单簧管超吹时升高的是十二度而不是八度。",
            "降B调单簧管最为常见，它是一种移调乐器。",
            "莫扎特为单簧管写过著名的协奏曲和五重奏。",
        ),
    ),
    (
        "instrument",
        "oboe",
        "双簧管",
        (
            "The oboe is a woodwind instrument played with a double reed.",
            "Its clear, penetrating tone carries well, and orchestras traditionally tune to the oboe's A.",
            "Oboists often make or finish their own reeds by hand.",
            "The cor anglais, or English horn, is a larger and lower member of the oboe family.",
        ),
        (
            "双簧管是一种用双簧片吹奏的木管乐器。",
            "它的音色清亮而有穿透力，管弦乐队传统上以双簧管的A音为标准定音。",
            "双簧管演奏者常常自己手工制作或修整哨片。",
            "英国管是双簧管家族中更大、音更低的成员。",
        ),
    ),
    (
        "instrument",
        "saxophone",
        "萨克斯管",
        (
            "The saxophone was invented by the Belgian instrument maker Adolphe Sax in the 1840s.",
            "Although it is made of brass, it is a woodwind instrument because its sound comes from a single reed.",
            "The most common types are the soprano, alto, tenor and baritone saxophones.",
            "It became one of the central instruments of jazz.",
        ),
        (
            "萨克斯管由比利时乐器制造家阿道夫·萨克斯在19世纪40年代发明。",
            "萨克斯管虽然用铜制成，但因为靠单簧片发声，所以属于木管乐器。",
            "最常见的是高音、中音、次中音和上低音萨克斯管。",
            "萨克斯管后来成为爵士乐中最重要的乐器之一。",
        ),
    ),
    (
        "instrument",
        "trumpet",
        "小号",
        (
            "The trumpet is a brass instrument with a cup-shaped mouthpiece and, in its modern form, three valves.",
            "The player produces sound by buzzing the lips against the mouthpiece.",
            "Pressing the valves adds lengths of tubing and lowers the pitch.",
            "The B-flat trumpet is the most common in bands and in jazz.",
        ),
        (
            "小号是一种铜管乐器，有杯形号嘴，现代小号有三个活塞。",
            "演奏者靠嘴唇在号嘴上振动发声。",
            "按下活塞会接入更长的管道，使音高降低。",
            "降B调小号在管乐队和爵士乐中最为常见。",
        ),
    ),
    (
        "instrument",
        "harp",
        "竖琴",
        (
            "The modern concert harp has 47 strings and seven pedals.",
            "Each pedal changes the pitch of every string with the same note name, for example all the C strings.",
            "The C strings are usually coloured red and the F strings black or blue so that the player can find their place.",
            "Harps are among the oldest string instruments; they appear in art from ancient Mesopotamia and Egypt.",
        ),
        (
            "现代音乐会竖琴有47根弦和7个踏板。",
            "每个踏板会改变同名音的所有琴弦的音高，例如所有的C弦。",
            "C弦通常染成红色，F弦染成黑色或蓝色，方便演奏者找到位置。",
            "竖琴是最古老的弦乐器之一，古代美索不达米亚和埃及的艺术中都能见到它。",
        ),
    ),
    (
        "instrument",
        "drum kit",
        "架子鼓",
        (
            "A drum kit is a set of drums and cymbals played by one person.",
            "A typical kit has a bass drum played with a foot pedal, a snare drum, tom-toms, a hi-hat and ride and crash cymbals.",
            "The kit took shape in the early 20th century, when pedals let one player cover several instruments.",
            "It is the rhythmic backbone of most jazz, rock and pop bands.",
        ),
        (
            "架子鼓是由一人演奏的一组鼓和镲。",
            "常见的架子鼓包括用脚踏板演奏的底鼓、军鼓、通鼓、踩镲以及叮叮镲和吊镲。",
            "20世纪初，踏板的出现让一个人就能同时演奏多件乐器，架子鼓由此成形。",
            "架子鼓是大多数爵士、摇滚和流行乐队的节奏核心。",
        ),
    ),
    (
        "instrument",
        "accordion",
        "手风琴",
        (
            "The accordion is a free-reed instrument played by pushing and pulling bellows.",
            "The right hand plays melodies on a piano-style keyboard or buttons, and the left hand plays bass notes and chords on buttons.",
            "It spread widely in the 19th century and became important in the folk music of many countries.",
            "Related instruments include the concertina and the bandoneon, which is central to Argentine tango.",
        ),
        (
            "手风琴是一种自由簧乐器，靠推拉风箱发声。",
            "右手在键盘或按钮上演奏旋律，左手通过按钮演奏低音和和弦。",
            "手风琴在19世纪迅速流行，在许多国家的民间音乐中都很重要。",
            "与它相近的乐器还有六角手风琴和班多钮手风琴，后者是阿根廷探戈的核心乐器。",
        ),
    ),
    (
        "instrument",
        "ukulele",
        "尤克里里",
        (
            "The ukulele is a small four-stringed instrument that developed in Hawaii in the 19th century.",
            "It grew out of small guitar-like instruments brought by immigrants from Madeira, Portugal.",
            "The standard tuning is G, C, E, A, usually with a high G string.",
            "Its light sound and easy chord shapes make it a popular first instrument.",
        ),
        (
            "尤克里里是一种小型四弦乐器，19世纪在夏威夷发展起来。",
            "它源于葡萄牙马德拉岛移民带来的小型吉他类乐器。",
            "标准定弦为G、C、E、A，G弦通常定得较高。",
            "尤克里里音色轻快，和弦指法简单，很适合作为入门乐器。",
        ),
    ),
    (
        "instrument",
        "harmonica",
        "口琴",
        (
            "The harmonica is a small free-reed wind instrument.",
            "Unlike many wind instruments, it sounds both when the player blows and when the player draws air in.",
            "The diatonic harmonica is common in blues, folk and rock, where players bend notes by changing the shape of the mouth.",
            "Chromatic harmonicas have a slide button that gives access to all twelve semitones.",
        ),
        (
            "口琴是一种小型自由簧吹奏乐器。",
            "与许多管乐器不同，口琴吹气和吸气都能发声。",
            "十孔布鲁斯口琴常见于布鲁斯、民谣和摇滚，演奏者可以通过改变口型做出压音。",
            "半音阶口琴有一个推键，可以奏出全部十二个半音。",
        ),
    ),
    (
        "instrument",
        "dizi",
        "笛子",
        (
            "The dizi is a Chinese transverse flute usually made of bamboo.",
            "Besides the blowing hole and the finger holes, it has an extra hole covered with a thin membrane.",
            "The vibrating membrane gives the dizi its bright, buzzing tone.",
            "Northern styles favour lively techniques such as flutter-tonguing, while southern styles are often softer and more lyrical.",
        ),
        (
            "笛子是中国的横吹管乐器，通常用竹子制成。",
            "除了吹孔和按音孔，笛子还有一个贴着笛膜的膜孔。",
            "笛膜的振动让笛子的声音明亮而有特色。",
            "北派笛子风格活泼，常用花舌等技巧；南派则更柔和、抒情。",
        ),
    ),
    (
        "instrument",
        "suona",
        "唢呐",
        (
            "The suona is a Chinese double-reed wind instrument with a conical wooden body and a metal bell.",
            "Its loud, bright sound carries a long way outdoors.",
            "It is played at weddings, funerals, festivals and in folk ensembles.",
            "Players often use circular breathing to sustain long phrases without a break.",
        ),
        (
            "唢呐是中国的双簧吹管乐器，有木制锥形管身和金属喇叭口。",
            "唢呐的声音嘹亮，在户外能传得很远。",
            "婚礼、丧事、节庆和民间乐队中都能听到唢呐。",
            "演奏者常用循环换气，不间断地吹奏长乐句。",
        ),
    ),
    (
        "instrument",
        "taiko",
        "太鼓",
        (
            "Taiko is the Japanese word for drum; in English it usually means the large drums of Japanese festivals and ensembles.",
            "Drums of this kind have long been used at shrines, temples and festivals.",
            "Ensemble drumming known as kumi-daiko developed in the 1950s.",
            "Performances combine powerful rhythms with carefully choreographed movement.",
        ),
        (
            "“太鼓”在日语中是鼓的意思，在英语中一般指日本祭典和合奏中使用的大鼓。",
            "这类鼓很早就在神社、寺院和祭典中使用。",
            "被称为“组太鼓”的多人合奏形式在20世纪50年代发展起来。",
            "太鼓表演把强劲的节奏与精心编排的动作结合在一起。",
        ),
    ),
    (
        "instrument",
        "pipe organ",
        "管风琴",
        (
            "The pipe organ produces sound by sending pressurised air through pipes chosen from its keyboards.",
            "Large organs have several keyboards, called manuals, and a pedalboard played with the feet.",
            "Stops switch different sets of pipes, called ranks, on and off, giving many tone colours.",
            "Organs have been built for churches and concert halls for centuries.",
        ),
        (
            "管风琴通过把压缩空气送入音管发声，演奏者用键盘选择发声的音管。",
            "大型管风琴有多层手键盘，还有一个用脚演奏的脚键盘。",
            "音栓可以打开或关闭不同的音管组，从而得到丰富的音色。",
            "几百年来，教堂和音乐厅中建造了许多管风琴。",
        ),
    ),
    (
        "instrument",
        "double bass",
        "低音提琴",
        (
            "The double bass is the largest and lowest-pitched bowed string instrument in the modern orchestra.",
            "Its strings are usually tuned in fourths: E, A, D and G.",
            "Players either stand or sit on a high stool.",
            "In jazz the bass is mostly plucked, providing a walking bass line.",
        ),
        (
            "低音提琴是现代管弦乐队中体积最大、音最低的弓弦乐器。",
            "它的四根弦通常按四度定弦，为E、A、D、G。",
            "演奏者站着或坐在高凳上演奏。",
            "在爵士乐中，低音提琴多用手指拨奏，演奏“行走低音”。",
        ),
    ),
    (
        "genre",
        "jazz",
        "爵士乐",
        (
            "Jazz developed in African American communities in New Orleans in the late 19th and early 20th centuries.",
            "It draws on blues, ragtime, brass band music and spirituals.",
            "Improvisation, swing rhythm and blue notes are central to its sound.",
            "Louis Armstrong, Duke Ellington, Charlie Parker and Miles Davis are among its best-known figures.",
        ),
        (
            "爵士乐于19世纪末20世纪初在新奥尔良的非裔美国人社区中发展起来。",
            "它吸收了布鲁斯、拉格泰姆、铜管乐队音乐和灵歌的元素。",
            "即兴演奏、摇摆节奏和蓝调音是爵士乐的核心。",
            "路易斯·阿姆斯特朗、艾灵顿公爵、查理·帕克和迈尔斯·戴维斯都是著名的爵士音乐家。",
        ),
    ),
    (
        "genre",
        "the blues",
        "布鲁斯",
        (
            "The blues originated in African American communities of the Deep South of the United States around the end of the 19th century.",
            "Many blues songs follow a twelve-bar pattern built on the I, IV and V chords.",
            "Blue notes, sung or played slightly flat, give the style its expressive colour.",
            "The blues strongly influenced jazz, rhythm and blues and rock and roll.",
        ),
        (
            "布鲁斯（蓝调）大约在19世纪末起源于美国南方腹地的非裔美国人社区。",
            "许多布鲁斯歌曲采用以I、IV、V级和弦为基础的十二小节结构。",
            "略微降低的“蓝调音”赋予布鲁斯独特的表现力。",
            "布鲁斯对爵士乐、节奏布鲁斯和摇滚乐都产生了深远影响。",
        ),
    ),
    (
        "genre",
        "rock and roll",
        "摇滚乐",
        (
            "Rock and roll emerged in the United States in the late 1940s and early 1950s.",
            "It combined rhythm and blues with country music and gospel influences.",
            "Electric guitar, bass, drums and a strong backbeat became its typical sound.",
            "Chuck Berry, Little Richard and Elvis Presley helped make it popular around the world.",
        ),
        (
            "摇滚乐于20世纪40年代末至50年代初在美国兴起。",
            "它融合了节奏布鲁斯、乡村音乐和福音音乐的元素。",
            "电吉他、贝斯、鼓以及强调第二、四拍的节奏构成了它的典型声音。",
            "查克·贝里、小理查德和猫王等人让摇滚乐风靡全世界。",
        ),
    ),
    (
        "genre",
        "hip hop",
        "嘻哈",
        (
            "Hip hop culture began in the Bronx, New York City, in the 1970s.",
            "Its elements include DJing, rapping, breakdancing and graffiti.",
            "DJ Kool Herc is often credited with extending the instrumental breaks of records at block parties.",
            "Today hip hop is one of the most popular genres in the world, including in Korea, Japan and China.",
        ),
        (
            "嘻哈文化于20世纪70年代在纽约布朗克斯区兴起。",
            "它包括DJ打碟、说唱、霹雳舞和涂鸦等元素。",
            "DJ Kool Herc常被认为是在街区派对上延长唱片器乐间奏段落的先驱。",
            "如今嘻哈已成为世界上最流行的音乐类型之一，在韩国、日本和中国也拥有大量听众。",
        ),
    ),
    (
        "genre",
        "K-pop",
        "韩国流行音乐",
        (
            "K-pop is popular music from South Korea.",
            "The debut of Seo Taiji and Boys in 1992 is often cited as the start of the modern K-pop era.",
            "Many K-pop artists are idol groups trained for years by entertainment companies before their debut.",
            "Synchronised choreography, music videos and active fan communities are central to the genre.",
        ),
        (
            "韩国流行音乐（K-pop）是指来自韩国的流行音乐。",
            "1992年徐太志和孩子们的出道常被视为现代韩国流行音乐的起点。",
            "许多K-pop艺人是由娱乐公司经过多年训练后出道的偶像团体。",
            "整齐的舞蹈、精心制作的音乐录影带和活跃的粉丝文化是K-pop的重要特点。",
        ),
    ),
    (
        "genre",
        "J-pop",
        "日本流行音乐",
        (
            "J-pop is a name for Japanese popular music that came into wide use around the late 1980s and early 1990s.",
            "It grew out of earlier styles such as kayokyoku and the city pop of the 1970s and 1980s.",
            "J-pop songs are often used as theme songs for anime, dramas and commercials.",
            "Idol groups, singer-songwriters and rock bands all appear in the J-pop charts.",
        ),
        (
            "日本流行音乐（J-pop）这一称呼大约在20世纪80年代末90年代初开始广泛使用。",
            "它源自更早的歌谣曲以及70、80年代的城市流行乐（City Pop）。",
            "J-pop歌曲经常被用作动画、电视剧和广告的主题曲。",
            "偶像团体、创作歌手和摇滚乐队都活跃在J-pop排行榜上。",
        ),
    ),
    (
        "genre",
        "Mandopop",
        "华语流行音乐",
        (
            "Mandopop is popular music sung in Mandarin Chinese.",
            "Its roots are often traced to the shidaiqu songs of 1920s and 1930s Shanghai, which mixed Chinese melodies with jazz.",
            "Taiwan and Hong Kong became major centres of the industry in the second half of the 20th century.",
            "Teresa Teng's songs were loved across the Chinese-speaking world.",
        ),
        (
            "华语流行音乐（Mandopop）是用普通话演唱的流行音乐。",
            "它的源头常追溯到20世纪二三十年代上海的时代曲，时代曲把中国旋律与爵士乐结合在一起。",
            "20世纪下半叶，台湾和香港成为华语流行音乐的重要中心。",
            "邓丽君的歌曲在整个华语世界广受喜爱。",
        ),
    ),
    (
        "genre",
        "Cantopop",
        "粤语流行曲",
        (
            "Cantopop is popular music sung in Cantonese, centred on Hong Kong.",
            "It rose in the 1970s, when Cantonese theme songs for television dramas became hits.",
            "The 1980s and 1990s are often seen as its golden age.",
            "Cantonese is a tonal language, so lyricists must fit the words to the rises and falls of the melody.",
        ),
        (
            "粤语流行曲（Cantopop）是以香港为中心、用粤语演唱的流行音乐。",
            "20世纪70年代，电视剧的粤语主题曲大受欢迎，粤语流行曲由此兴起。",
            "20世纪80至90年代常被视为粤语流行曲的黄金时代。",
            "粤语是声调语言，填词人必须让字的声调与旋律的起伏相配合。",
        ),
    ),
    (
        "genre",
        "enka",
        "演歌",
        (
            "Enka is a Japanese ballad style known for sentimental lyrics about love, loss and longing for home.",
            "Singers often use kobushi, a vibrato-like vocal ornament.",
            "Many enka melodies use a pentatonic scale.",
            "The style became especially popular in post-war Japan.",
        ),
        (
            "演歌是日本的一种抒情歌曲风格，歌词多写爱情、离别和思乡之情。",
            "演歌歌手常使用一种叫作“小节”（kobushi）的颤音装饰唱法。",
            "许多演歌旋律采用五声音阶。",
            "演歌在战后的日本尤其流行。",
        ),
    ),
    (
        "genre",
        "trot",
        "Trot",
        (
            "Trot is one of the oldest forms of Korean popular music, with roots in the early 20th century.",
            "It is known for its two-beat rhythm and for the singers' expressive vibrato.",
            "Its name comes from the foxtrot.",
            "Television singing contests brought a revival of trot in the late 2010s.",
        ),
        (
            "Trot是韩国最古老的流行音乐形式之一，起源于20世纪初。",
            "它以二拍子的节奏和歌手富有表现力的颤音著称。",
            "Trot这个名字来自狐步舞（foxtrot）。",
            "2010年代末，电视歌唱比赛节目让Trot再次流行起来。",
        ),
    ),
    (
        "genre",
        "bossa nova",
        "波萨诺瓦",
        (
            "Bossa nova developed in Rio de Janeiro, Brazil, in the late 1950s.",
            "It blends samba rhythms with the harmonies of cool jazz.",
            "Joao Gilberto's guitar style and Antonio Carlos Jobim's songs defined its sound.",
            "Its soft vocals and gentle rhythm made it popular around the world in the 1960s.",
        ),
        (
            "波萨诺瓦于20世纪50年代末在巴西里约热内卢发展起来。",
            "它把桑巴节奏与冷爵士的和声结合在一起。",
            "若昂·吉尔贝托的吉他风格和安东尼奥·卡洛斯·若比姆的作品奠定了它的声音。",
            "轻柔的演唱和舒缓的节奏让波萨诺瓦在20世纪60年代风靡世界。",
        ),
    ),
    (
        "genre",
        "reggae",
        "雷鬼音乐",
        (
            "Reggae developed in Jamaica in the late 1960s.",
            "It grew out of ska and rocksteady.",
            "Its rhythm stresses the offbeat, often with a short guitar or keyboard chop called the skank.",
            "Bob Marley and the Wailers brought reggae to audiences around the world.",
        ),
        (
            "雷鬼音乐于20世纪60年代末在牙买加发展起来。",
            "它由斯卡和洛克斯代迪音乐演变而来。",
            "雷鬼的节奏强调反拍，吉他或键盘常在反拍上短促地扫弦。",
            "鲍勃·马利和哭泣者乐队把雷鬼音乐带给了全世界的听众。",
        ),
    ),
    (
        "genre",
        "Baroque music",
        "巴洛克音乐",
        (
            "The Baroque period in European music lasted roughly from 1600 to 1750.",
            "A basso continuo, a bass line with improvised chords on harpsichord or organ, supports most Baroque music.",
            "Opera, the concerto and the fugue developed or flourished in this period.",
            "Johann Sebastian Bach, George Frideric Handel and Antonio Vivaldi are its best-known composers.",
        ),
        (
            "欧洲音乐的巴洛克时期大约从1600年延续到1750年。",
            "大多数巴洛克音乐都有“通奏低音”，即由羽管键琴或管风琴在低音线上即兴配上和弦。",
            "歌剧、协奏曲和赋格在这一时期发展或繁荣起来。",
            "巴赫、亨德尔和维瓦尔第是这一时期最著名的作曲家。",
        ),
    ),
    (
        "genre",
        "Classical-period music",
        "古典主义时期音乐",
        (
            "The Classical period in European music lasted roughly from 1750 to 1820.",
            "Its music favours clear melodies, balanced phrases and lighter textures than the Baroque.",
            "Sonata form became the main structure for symphonies, sonatas and string quartets.",
            "Joseph Haydn, Wolfgang Amadeus Mozart and the young Ludwig van Beethoven are its central figures.",
        ),
        (
            "欧洲音乐的古典主义时期大约从1750年延续到1820年。",
            "这一时期的音乐讲究旋律清晰、乐句均衡，织体比巴洛克音乐更轻盈。",
            "奏鸣曲式成为交响曲、奏鸣曲和弦乐四重奏的主要结构。",
            "海顿、莫扎特和青年时期的贝多芬是这一时期的核心人物。",
        ),
    ),
    (
        "genre",
        "Romantic music",
        "浪漫主义音乐",
        (
            "The Romantic period in European music roughly covers the 19th century.",
            "Composers sought intense personal expression and often drew on literature, nature and national folk music.",
            "The orchestra grew larger, and the short solo piano piece became a favourite form.",
            "Frederic Chopin, Robert Schumann, Johannes Brahms and Pyotr Ilyich Tchaikovsky are among its major composers.",
        ),
        (
            "欧洲音乐的浪漫主义时期大致涵盖整个19世纪。",
            "作曲家追求强烈的个人情感表达，常从文学、自然和民族民间音乐中汲取灵感。",
            "管弦乐队规模不断扩大，钢琴独奏小品也成为受欢迎的体裁。",
            "肖邦、舒曼、勃拉姆斯和柴可夫斯基都是这一时期的重要作曲家。",
        ),
    ),
    (
        "genre",
        "opera",
        "歌剧",
        (
            "Opera is a form of theatre in which the story is told mainly through singing.",
            "It began in Italy around 1600; Claudio Monteverdi's L'Orfeo of 1607 is one of the earliest operas still performed.",
            "An opera combines arias, recitatives, choruses and an orchestra.",
            "Giuseppe Verdi, Richard Wagner and Giacomo Puccini wrote some of the most performed operas.",
        ),
        (
            "歌剧是一种主要通过演唱来讲述故事的戏剧形式。",
            "歌剧大约于1600年在意大利诞生，蒙特威尔第1607年的《奥菲欧》是至今仍在上演的最早歌剧之一。",
            "歌剧由咏叹调、宣叙调、合唱和管弦乐队组成。",
            "威尔第、瓦格纳和普契尼创作了许多上演最多的歌剧。",
        ),
    ),
    (
        "genre",
        "Peking opera",
        "京剧",
        (
            "Peking opera is a form of Chinese opera that took shape in Beijing in the late 18th and 19th centuries.",
            "Its development is usually dated from 1790, when four opera troupes from Anhui came to Beijing.",
            "It combines singing, speech, acting and acrobatic fighting, with stylised movement and painted faces.",
            "The main role types are sheng, dan, jing and chou.",
            "It was inscribed on UNESCO's list of the Intangible Cultural Heritage of Humanity in 2010.",
        ),
        (
            "京剧是18世纪末至19世纪在北京形成的中国戏曲剧种。",
            "一般认为，1790年四大徽班进京是京剧形成的开端。",
            "京剧融合了唱、念、做、打，动作程式化，并使用脸谱。",
            "京剧的主要行当有生、旦、净、丑。",
            "2010年，京剧被列入联合国教科文组织人类非物质文化遗产代表作名录。",
        ),
    ),
    (
        "genre",
        "pansori",
        "盘索里",
        (
            "Pansori is a Korean genre of musical storytelling performed by one singer and one drummer.",
            "The singer, holding a fan, sings, speaks and acts out all the characters of a long story.",
            "The drummer plays the buk and calls out encouraging shouts called chuimsae.",
            "UNESCO proclaimed pansori a Masterpiece of the Oral and Intangible Heritage of Humanity in 2003.",
        ),
        (
            "盘索里是朝鲜半岛的一种说唱艺术，由一名歌者和一名鼓手表演。",
            "歌者手持折扇，通过唱、说和表演来演绎长篇故事中的所有角色。",
            "鼓手敲击北鼓，并不时发出助兴的呼喊（chuimsae）。",
            "2003年，盘索里被联合国教科文组织宣布为人类口头和非物质遗产代表作。",
        ),
    ),
    (
        "genre",
        "gagaku",
        "日本雅乐",
        (
            "Gagaku is the traditional court music of Japan.",
            "It includes music that came from China and Korea as well as native Japanese songs and dances.",
            "Its ensembles use wind instruments such as the sho and the hichiriki, string instruments and drums.",
            "Gagaku has been performed at the imperial court for more than a thousand years.",
        ),
        (
            "日本雅乐是日本传统的宫廷音乐。",
            "它既包括从中国和朝鲜半岛传入的音乐，也包括日本本土的歌舞。",
            "雅乐合奏使用笙、筚篥等管乐器以及弦乐器和鼓。",
            "雅乐在日本宫廷中已经演奏了一千多年。",
        ),
    ),
    (
        "tech",
        "the phonograph",
        "留声机",
        (
            "Thomas Edison invented the phonograph in 1877.",
            "It recorded sound as grooves on a cylinder wrapped in tin foil and could play it back.",
            "Later machines used wax cylinders, which gave better sound and could be reused.",
            "The phonograph helped create a market for recorded music in the home.",
        ),
        (
            "1877年，托马斯·爱迪生发明了留声机。",
            "它把声音以沟槽的形式记录在包着锡箔的圆筒上，并能回放出来。",
            "后来的机器改用蜡筒，音质更好，也可以重复使用。",
            "留声机帮助开创了家庭录音音乐的市场。",
        ),
    ),
    (
        "tech",
        "the gramophone",
        "圆盘式留声机",
        (
            "Emile Berliner developed the gramophone in the late 1880s.",
            "Instead of cylinders it used flat discs, which were easier to mass-produce.",
            "Shellac discs played at about 78 revolutions per minute became the standard for decades.",
            "The flat disc eventually replaced the cylinder as the main format for recorded music.",
        ),
        (
            "19世纪80年代末，埃米尔·贝利纳发明了圆盘式留声机。",
            "它用平面唱片代替圆筒，更便于大量生产。",
            "每分钟约78转的虫胶唱片在几十年里一直是标准格式。",
            "平面唱片最终取代圆筒，成为录音音乐的主要载体。",
        ),
    ),
    (
        "tech",
        "magnetic tape recording",
        "磁带录音",
        (
            "Magnetic tape recording was developed in Germany in the 1930s.",
            "After the Second World War, tape recorders spread quickly in radio stations and recording studios.",
            "Tape could be cut and spliced, which made editing recordings much easier.",
            "Multitrack tape machines let musicians record parts separately and combine them later.",
        ),
        (
            "磁带录音技术于20世纪30年代在德国发展起来。",
            "第二次世界大战后，磁带录音机在广播电台和录音室中迅速普及。",
            "磁带可以剪切和拼接，大大方便了录音的编辑。",
            "多轨磁带录音机让音乐人可以分别录制各个声部，再把它们混合在一起。",
        ),
    ),
    (
        "tech",
        "the LP record",
        "密纹唱片",
        (
            "Columbia Records introduced the long-playing record, or LP, in 1948.",
            "An LP turns at 33 1/3 revolutions per minute and holds roughly 20 minutes of music per side.",
            "Its longer playing time helped make the album a central format in popular music.",
            "Vinyl records have enjoyed a revival among collectors in the 21st century.",
        ),
        (
            "1948年，哥伦比亚唱片公司推出了密纹唱片（LP）。",
            "LP每分钟33⅓转，每面大约能容纳20分钟的音乐。",
            "更长的播放时间让专辑成为流行音乐的核心形式。",
            "进入21世纪后，黑胶唱片在收藏者中重新流行起来。",
        ),
    ),
    (
        "tech",
        "the compact disc",
        "激光唱片",
        (
            "The compact disc was developed by Philips and Sony and reached the market in 1982.",
            "It stores audio digitally as 16-bit samples at 44.1 kHz, read by a laser.",
            "A standard CD holds about 74 to 80 minutes of stereo audio.",
            "CDs were the main format for music sales until digital downloads and streaming took over.",
        ),
        (
            "激光唱片（CD）由飞利浦和索尼共同开发，于1982年上市。",
            "CD以44.1千赫、16位的采样数字化存储音频，由激光读取。",
            "一张标准CD可以容纳约74到80分钟的立体声音频。",
            "在数字下载和流媒体兴起之前，CD一直是音乐销售的主要形式。",
        ),
    ),
    (
        "tech",
        "MIDI",
        "MIDI",
        (
            "MIDI, the Musical Instrument Digital Interface, is a technical standard introduced in 1983.",
            "It lets electronic instruments, computers and other devices exchange performance data.",
            "A MIDI message describes events such as which note was played and how hard, not the sound itself.",
            "Because MIDI files contain instructions rather than audio, they are very small.",
        ),
        (
            "MIDI（乐器数字接口）是1983年推出的一项技术标准。",
            "它让电子乐器、电脑和其他设备之间可以交换演奏数据。",
            "MIDI消息描述的是弹了哪个音、力度多大等事件，而不是声音本身。",
            "由于MIDI文件保存的是指令而不是音频，所以体积非常小。",
        ),
    ),
    (
        "tech",
        "MP3",
        "MP3",
        (
            "MP3 is a digital audio format that uses lossy compression.",
            "Much of the work behind it was done at the Fraunhofer Society in Germany, and it was standardised in the early 1990s.",
            "It removes sounds that listeners are unlikely to notice, making files far smaller than CD audio.",
            "MP3 files made it practical to share and carry large music collections.",
        ),
        (
            "MP3是一种采用有损压缩的数字音频格式。",
            "其主要研发工作在德国弗劳恩霍夫协会完成，并于20世纪90年代初成为标准。",
            "它会去掉听众不易察觉的声音，使文件比CD音频小得多。",
            "MP3让分享和随身携带大量音乐变得很方便。",
        ),
    ),
    (
        "tech",
        "the Walkman",
        "随身听",
        (
            "Sony released the Walkman, a portable cassette player, in 1979.",
            "With lightweight headphones, it let people listen to their own music while walking or travelling.",
            "It changed how people used music in public spaces.",
            "Later models played CDs and, eventually, digital files.",
        ),
        (
            "1979年，索尼推出了便携式磁带播放机随身听（Walkman）。",
            "配上轻便的耳机，人们可以边走路、边旅行边听自己的音乐。",
            "它改变了人们在公共场所欣赏音乐的方式。",
            "后来的随身听还能播放CD，最终也能播放数字音乐文件。",
        ),
    ),
    (
        "tech",
        "karaoke",
        "卡拉OK",
        (
            "Karaoke developed in Japan in the 1970s.",
            "The word combines kara, meaning empty, and oke, short for orchestra.",
            "Singers perform along with recorded accompaniment while the lyrics appear on a screen.",
            "Karaoke boxes, private rooms for small groups, are popular across East Asia.",
        ),
        (
            "卡拉OK于20世纪70年代在日本发展起来。",
            "这个词由“空”（kara）和“管弦乐队”的简称（oke）组合而成。",
            "演唱者跟着录好的伴奏演唱，歌词会显示在屏幕上。",
            "供小团体使用的KTV包厢在东亚地区十分流行。",
        ),
    ),
    (
        "theory",
        "equal temperament",
        "十二平均律",
        (
            "Twelve-tone equal temperament divides the octave into twelve equal semitones.",
            "Each semitone has a frequency ratio of the twelfth root of two, about 1.0595.",
            "In the 1580s the Chinese scholar-prince Zhu Zaiyu published an exact mathematical description of it.",
            "Because all semitones are equal, music can be played in every key without retuning.",
            "Most Western instruments with fixed pitches, such as the piano, are tuned this way today.",
        ),
        (
            "十二平均律把一个八度平均分成十二个半音。",
            "每个半音的频率比是二的十二次方根，约为1.0595。",
            "明代的朱载堉在16世纪80年代就精确计算出了十二平均律。",
            "由于所有半音相等，音乐可以在任何调上演奏而无需重新调音。",
            "如今钢琴等大多数固定音高的西方乐器都采用这种律制。",
        ),
    ),
    (
        "theory",
        "staff notation",
        "五线谱",
        (
            "Modern Western notation writes pitches on a staff of five lines.",
            "Clefs, such as the treble and bass clef, fix which line stands for which note.",
            "In the 11th century Guido of Arezzo taught singers with the syllables ut, re, mi, fa, sol and la, which later grew into solfege.",
            "Note shapes show duration, from whole notes to sixteenth notes and shorter.",
        ),
        (
            "现代五线谱用五条线来记录音高。",
            "高音谱号、低音谱号等谱号规定了各条线代表的音。",
            "11世纪，圭多·达雷佐用ut、re、mi、fa、sol、la等音节教唱，后来发展为唱名。",
            "音符的形状表示时值，从全音符到十六分音符乃至更短。",
        ),
    ),
    (
        "theory",
        "numbered notation (jianpu)",
        "简谱",
        (
            "Jianpu, or numbered musical notation, writes the notes of the scale as the digits 1 to 7.",
            "Dots above or below a digit raise or lower the note by an octave.",
            "Underlines shorten notes and dashes after a digit lengthen them.",
            "It is widely used in China for songbooks and folk music.",
        ),
        (
            "简谱是一种用数字1到7表示音阶各音的记谱法。",
            "数字上方或下方加点，表示升高或降低一个八度。",
            "数字下方的短横线表示缩短时值，数字后面的横线表示延长时值。",
            "简谱在中国被广泛用于歌本和民间音乐。",
        ),
    ),
    (
        "theory",
        "concert pitch",
        "标准音高",
        (
            "Concert pitch today usually sets the A above middle C to 440 hertz.",
            "This reference was adopted in international agreements in the 20th century and is set out in the ISO 16 standard.",
            "Some orchestras tune slightly higher, for example to 442 or 443 hertz.",
            "Period-instrument ensembles often use a lower pitch, such as 415 hertz, for Baroque music.",
        ),
        (
            "如今的标准音高通常把中央C上方的A音定为440赫兹。",
            "这一标准在20世纪通过国际协议确立，并写入ISO 16标准。",
            "有些乐团会把音调得稍高一些，例如442或443赫兹。",
            "演奏巴洛克音乐的古乐团常使用较低的音高，例如415赫兹。",
        ),
    ),
)

_WIKI_GENERIC: dict[tuple[str, str], tuple[str, ...]] = {
    ("instrument", "en"): (
        "Learning the {name} usually begins with posture, tone production and simple scales.",
        "Teachers often recommend short daily practice sessions rather than one long session a week.",
        "The {name} can be heard in recordings of many styles, from traditional music to film scores and pop songs.",
        "Like most acoustic instruments, the {name} is sensitive to humidity and temperature, so careful storage matters.",
        "Many music schools offer graded examinations for the {name}.",
        "Beginners often find that recording themselves helps them hear problems with timing and tone.",
        "Instrument makers continue to experiment with new materials while keeping the traditional sound of the {name}.",
        "In ensembles, players of the {name} must listen carefully to balance their sound with the other parts.",
        "Contemporary composers have written new works that explore unusual techniques on the {name}.",
        "Museums around the world preserve historical examples of the {name}.",
    ),
    ("instrument", "zh"): (
        "学习{name}通常从姿势、发音和简单的音阶练习开始。",
        "老师们常常建议每天短时间练习，而不是每周集中练一次。",
        "从传统音乐到电影配乐和流行歌曲，许多录音中都能听到{name}的声音。",
        "和大多数原声乐器一样，{name}对湿度和温度很敏感，需要妥善保存。",
        "许多音乐学校都设有{name}的考级。",
        "初学者常常发现，给自己录音有助于听出节奏和音色上的问题。",
        "乐器制作者一直在尝试新材料，同时努力保留{name}的传统音色。",
        "在合奏中，{name}演奏者需要仔细聆听，让自己的声音与其他声部保持平衡。",
        "当代作曲家为{name}创作了许多探索特殊技巧的新作品。",
        "世界各地的博物馆都收藏着具有历史价值的{name}。",
    ),
    ("genre", "en"): (
        "Musicians in the {name} tradition often learned by ear, listening to recordings and playing with others.",
        "Radio and records helped {name} reach listeners far from where it began.",
        "Later artists mixed {name} with other styles, producing many new sub-genres.",
        "Critics and historians still debate where the boundaries of {name} should be drawn.",
        "Festivals and venues dedicated to {name} continue to attract new audiences.",
        "Many musicians who are not specialists still borrow rhythms or harmonies from {name}.",
        "Music schools now teach {name} alongside other traditions.",
        "The lyrics and stories of {name} often reflect the daily lives and feelings of the people who made it.",
    ),
    ("genre", "zh"): (
        "{name}的音乐人常常靠耳朵学习，通过听录音和与他人合奏来掌握风格。",
        "广播和唱片让{name}传到了远离发源地的听众那里。",
        "后来的音乐人把{name}与其他风格相融合，产生了许多新的分支。",
        "评论家和历史学家至今仍在讨论{name}的边界应当如何划定。",
        "以{name}为主题的音乐节和演出场所不断吸引着新的观众。",
        "许多并非专攻这一风格的音乐人，也会借用{name}的节奏或和声。",
        "如今，音乐学院也把{name}与其他传统一起纳入教学。",
        "{name}的歌词和故事常常反映创作者的日常生活和情感。",
    ),
    ("tech", "en"): (
        "Each new format changed not only how music sounded but also how it was sold and shared.",
        "Engineers had to balance sound quality, cost and convenience.",
        "Collectors still look for early examples of {name}.",
        "The history of {name} shows how closely music and technology are linked.",
        "Some musicians embraced {name} immediately, while others were suspicious of it at first.",
        "Today {name} is studied as part of the history of recorded sound.",
    ),
    ("tech", "zh"): (
        "每一种新的载体不仅改变了音乐的声音，也改变了音乐的销售和传播方式。",
        "工程师们需要在音质、成本和便利性之间取得平衡。",
        "收藏者至今仍在寻找早期的{name}。",
        "{name}的历史说明了音乐与技术之间的紧密联系。",
        "有些音乐人立刻接受了{name}，也有人起初对它心存疑虑。",
        "如今，{name}已成为录音史研究的一部分。",
    ),
    ("theory", "en"): (
        "Students usually meet {name} early in their music theory lessons.",
        "Understanding {name} makes it easier to read scores and to talk with other musicians.",
        "Different traditions around the world handle these questions in their own ways.",
        "Practising with a tuner or a keyboard helps turn the idea of {name} into something you can hear.",
        "Composers and performers sometimes bend the rules of {name} on purpose for expressive effect.",
    ),
    ("theory", "zh"): (
        "学生通常在乐理课的早期就会接触到{name}。",
        "理解{name}有助于读谱，也方便与其他音乐人交流。",
        "世界各地的音乐传统对这些问题有各自的处理方式。",
        "借助调音器或键盘练习，可以把{name}的概念变成耳朵能听到的东西。",
        "作曲家和演奏者有时会有意打破{name}的规则，以获得特别的表现效果。",
    ),
}

_WIKI_SECTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("instrument", "en"): (
        "History",
        "Construction",
        "Playing technique",
        "Repertoire",
        "Learning",
        "In modern music",
    ),
    ("instrument", "zh"): ("历史", "构造", "演奏技法", "曲目", "学习", "在现代音乐中"),
    ("genre", "en"): ("Origins", "Characteristics", "Key figures", "Influence", "Today"),
    ("genre", "zh"): ("起源", "特点", "代表人物", "影响", "现状"),
    ("tech", "en"): ("Development", "How it works", "Impact", "Legacy"),
    ("tech", "zh"): ("发展", "原理", "影响", "历史地位"),
    ("theory", "en"): ("Overview", "Details", "In practice"),
    ("theory", "zh"): ("概述", "细节", "实际应用"),
}


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _standalone(facts: Sequence[str], kind: str, name: str, lang: str) -> list[str]:
    """Facts with a leading "It"/"Its"/"它" replaced by the topic name (so any order reads well)."""
    subject = f"the {name}" if lang == "en" and kind == "instrument" else name
    out = [facts[0]]
    for f in facts[1:]:
        if lang == "en" and f.startswith("It "):
            f = _cap(subject) + f[2:]
        elif lang == "en" and f.startswith("Its "):
            f = _cap(subject) + "'s" + f[3:]
        elif lang == "zh" and f.startswith("它"):
            f = subject + f[1:]
        out.append(f)
    return out


def _wiki_doc(
    rng: random.Random, topic: tuple[str, str, str, tuple[str, ...], tuple[str, ...]], lang: str
) -> str:
    kind, en_name, zh_name, en_facts, zh_facts = topic
    name = en_name if lang == "en" else zh_name
    facts = _standalone(en_facts if lang == "en" else zh_facts, kind, name, lang)
    generic = [g.format(name=name) for g in _WIKI_GENERIC[(kind, lang)]]
    sections = list(_WIKI_SECTIONS[(kind, lang)])
    sep = " " if lang == "en" else ""
    style = rng.random()
    if style < 0.55:  # full article
        head = facts[:2]
        rest = facts[2:]
        rng.shuffle(rest)
        rng.shuffle(generic)
        parts = [f"# {_cap(name)}", sep.join(head)]
        titles = rng.sample(sections, min(len(sections), rng.randint(2, 3)))
        for i, title in enumerate(titles):
            body = rest[i :: len(titles)] + generic[i * 2 : i * 2 + rng.randint(1, 2)]
            rng.shuffle(body)
            parts.append(f"## {title}\n\n{sep.join(body)}")
        return "\n\n".join(parts)
    if style < 0.8:  # short summary with a related-topics line
        related = [t for t in WIKI_TOPICS if t[0] == kind and t[1] != en_name]
        see = rng.sample(related, 3)
        names = [t[1] if lang == "en" else t[2] for t in see]
        body = sep.join(facts[: rng.randint(2, len(facts))] + rng.sample(generic, 1))
        tail = (
            ("See also: " + ", ".join(names) + ".") if lang == "en" else ("参见：" + "、".join(names) + "。")
        )
        return f"{_cap(name)}\n\n{body}\n\n{tail}"
    # comparison of two topics of the same kind
    other = rng.choice([t for t in WIKI_TOPICS if t[0] == kind and t[1] != en_name])
    oname = other[1] if lang == "en" else other[2]
    ofacts = _standalone(other[3] if lang == "en" else other[4], kind, oname, lang)
    if lang == "en":
        title = f"# {_cap(name)} and {oname}: a comparison"
        intro = f"This note compares {name} with {oname}, two topics that are often mentioned together."
        closing = f"Both {name} and {oname} reward careful listening, and learning about one often helps with the other."
    else:
        title = f"# {name}与{oname}的比较"
        intro = f"本文比较{name}与{oname}这两个常被一起提到的话题。"
        closing = f"无论是{name}还是{oname}，都值得细细聆听；了解其中一个，往往也有助于理解另一个。"
    a = sep.join(facts[:1] + rng.sample(facts[1:], 2))
    b = sep.join(ofacts[:1] + rng.sample(ofacts[1:], 2))
    return "\n\n".join([title, intro, f"## {_cap(name)}\n\n{a}", f"## {_cap(oname)}\n\n{b}", closing])


def gen_wiki(rng: random.Random) -> Iterable[dict[str, Any]]:
    """Endless wiki-style documents (en and zh) about instruments, genres, technology and theory."""
    while True:
        topic = rng.choice(WIKI_TOPICS)
        lang = "en" if rng.random() < 0.4 else "zh"
        yield {"text": _wiki_doc(rng, topic, lang), "lang": lang}


# --------------------------------------------------------------------------------------------
# General text: everyday chat (en/zh), templated with computed details
# --------------------------------------------------------------------------------------------

_CITIES_EN = (
    "Seattle",
    "London",
    "Shanghai",
    "Osaka",
    "Seoul",
    "Toronto",
    "Melbourne",
    "Chicago",
    "Taipei",
    "Dublin",
)
_CITIES_ZH = ("上海", "杭州", "成都", "广州", "深圳", "武汉", "西安", "南京", "厦门", "青岛", "重庆", "长沙")
_DAYS_EN = ("Saturday", "Sunday", "weekend", "afternoon", "Monday", "evening")
_DAYS_ZH = ("周六", "周日", "这个周末", "今天下午", "明天", "今晚")
_INGR_EN = (
    "eggs",
    "tomatoes",
    "rice",
    "spinach",
    "chicken thighs",
    "tofu",
    "potatoes",
    "onions",
    "noodles",
    "mushrooms",
    "cheese",
    "bell peppers",
    "carrots",
    "canned chickpeas",
    "leftover pasta",
)
_INGR_ZH = (
    "鸡蛋",
    "西红柿",
    "米饭",
    "青菜",
    "鸡腿",
    "豆腐",
    "土豆",
    "洋葱",
    "面条",
    "蘑菇",
    "青椒",
    "胡萝卜",
    "午餐肉",
)
_SYSTEM_EN = (
    "You are a friendly, practical assistant. Keep answers short and concrete.",
    "You are a helpful assistant for everyday questions.",
    "You are SongSage, a cheerful assistant who loves music and gives practical advice.",
)
_SYSTEM_ZH = (
    "你是一个友好、实用的助手，回答要简洁具体。",
    "你是一个乐于助人的生活助手。",
    "你是SongSage，一个热爱音乐、说话轻松的助手。",
)

_RAINY_IDEAS_EN = (
    "Cook something that takes its time, like a slow stew or a loaf of bread.",
    "Visit a museum or a library if you don't mind a short walk with an umbrella.",
    "Start a jigsaw puzzle or a board game marathon.",
    "Make a playlist of rainy-day songs and listen to it from start to finish.",
    "Try a short online drawing or language lesson.",
    "Tidy one drawer or shelf you've been ignoring; it's oddly satisfying.",
    "Watch a film you've been saving and make popcorn.",
    "Write a message to someone you haven't talked to in a while.",
    "Do a 20-minute stretching or yoga session.",
    "Learn three chords on a guitar or ukulele.",
)
_RAINY_IDEAS_ZH = (
    "做一道需要慢慢炖的菜，比如番茄牛腩或者一锅热汤。",
    "如果不介意撑伞走几步，可以去博物馆或图书馆逛逛。",
    "拼一幅拼图，或者约朋友来家里玩桌游。",
    "整理一份“下雨天歌单”，从头到尾认真听一遍。",
    "跟着网上的短课学一点画画或者一门外语。",
    "收拾一个一直没整理的抽屉或书架，会很有成就感。",
    "把一直想看的电影找出来，配上一碗爆米花。",
    "给很久没联系的朋友发一条消息。",
    "做二十分钟拉伸或瑜伽。",
    "拿出尤克里里或吉他，学会三个和弦。",
)
_ACTIVITY_BPM: tuple[tuple[str, str, int, int], ...] = (
    ("running", "跑步", 150, 170),
    ("studying", "学习", 60, 80),
    ("cooking dinner", "做饭", 90, 110),
    ("doing yoga", "做瑜伽", 60, 75),
    ("cleaning the house", "打扫房间", 110, 130),
    ("a long drive", "长途开车", 90, 120),
    ("cycling", "骑动感单车", 120, 140),
    ("falling asleep", "入睡", 50, 65),
)
_GIFTS_EN: dict[str, tuple[str, ...]] = {
    "gardening": (
        "a good pair of gardening gloves",
        "a set of heirloom seeds",
        "a small pruning saw",
        "a hand-painted plant pot",
    ),
    "cooking": ("a cast-iron pan", "a spice sampler", "a handwritten recipe book", "a good chef's knife"),
    "hiking": (
        "a lightweight headlamp",
        "merino wool socks",
        "a trail map of a nearby park",
        "a refillable water bottle",
    ),
    "reading": (
        "a book light",
        "a cosy reading blanket",
        "a hand-made bookmark",
        "a novel by an author they like",
    ),
    "photography": (
        "a small tripod",
        "a photo printing voucher",
        "a cleaning kit for lenses",
        "a photo album",
    ),
    "music": ("concert tickets", "a set of guitar strings and picks", "a vinyl record", "a music stand"),
    "board games": (
        "a new strategy game",
        "a card game for travel",
        "a game night snack basket",
        "a dice set",
    ),
    "knitting": ("a skein of nice yarn", "bamboo knitting needles", "a pattern book", "a project bag"),
}
_HOBBY_ZH = {
    "gardening": "养花",
    "cooking": "做饭",
    "hiking": "徒步",
    "reading": "看书",
    "photography": "摄影",
    "music": "音乐",
    "board games": "桌游",
    "knitting": "织毛衣",
}
_GIFTS_ZH: dict[str, tuple[str, ...]] = {
    "gardening": ("一副好用的园艺手套", "几包花种", "一个手绘花盆", "一把小修枝剪"),
    "cooking": ("一口铸铁锅", "一套调料礼盒", "一本手写菜谱本", "一把好用的厨刀"),
    "hiking": ("一盏轻便头灯", "几双速干袜", "一个保温水壶", "一张附近山野的徒步地图"),
    "reading": ("一盏阅读灯", "一枚手工书签", "一本他喜欢的作者的新书", "一个舒服的靠枕"),
    "photography": ("一个小三脚架", "一张照片冲印券", "一套镜头清洁工具", "一本相册"),
    "music": ("一场演唱会的门票", "一套吉他弦和拨片", "一张黑胶唱片", "一个谱架"),
    "board games": ("一款新的策略桌游", "一副适合旅行的卡牌游戏", "一篮桌游夜零食", "一套骰子"),
    "knitting": ("几团好毛线", "一副竹制棒针", "一本编织图样书", "一个收纳袋"),
}
_RELATIONS = (
    ("mom", "妈妈"),
    ("dad", "爸爸"),
    ("sister", "姐姐"),
    ("best friend", "好朋友"),
    ("roommate", "室友"),
    ("grandfather", "爷爷"),
    ("coworker", "同事"),
)


def _chat_en(rng: random.Random) -> list[dict[str, str]]:
    kind = rng.randrange(9)
    msgs: list[dict[str, str]] = []
    if rng.random() < 0.3:
        msgs.append({"role": "system", "content": rng.choice(_SYSTEM_EN)})
    if kind == 0:
        city, day = rng.choice(_CITIES_EN), rng.choice(_DAYS_EN)
        msgs.append(
            {
                "role": "user",
                "content": rng.choice(
                    (
                        f"It's supposed to rain all {day} in {city}. Any ideas for things to do indoors?",
                        f"Rainy {day} in {city} again. What could I do at home?",
                    )
                ),
            }
        )
        ideas = rng.sample(_RAINY_IDEAS_EN, rng.randint(3, 5))
        msgs.append(
            {
                "role": "assistant",
                "content": "Rainy days are great for slowing down. A few ideas:\n\n"
                + "\n".join(f"- {i}" for i in ideas)
                + f"\n\nEnjoy your {day}!",
            }
        )
    elif kind == 1:
        a, b, c = rng.sample(_INGR_EN, 3)
        dish = rng.choice(
            ("a quick stir-fry", "a simple soup", "a one-pan bake", "a warm salad", "fried rice")
        )
        msgs.append(
            {"role": "user", "content": f"I have {a}, {b} and {c} in the fridge. What can I make for dinner?"}
        )
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    f"How about {dish}? It works well with what you have.\n\n"
                    f"1. Prepare everything first: wash and chop the {b} and the {c} into bite-sized pieces.\n"
                    f"2. Heat a little oil in a pan over medium heat.\n"
                    f"3. Cook the {a} until it is done, then add the {b} and {c}.\n"
                    f"4. Season with salt, pepper and anything you like (soy sauce, garlic or herbs all work).\n\n"
                    f"Taste as you go, and adjust the seasoning at the end."
                ),
            }
        )
    elif kind == 2:
        days, hours = rng.randint(5, 21), rng.randint(1, 4)
        subjects = rng.sample(
            ("math", "history", "biology", "English", "chemistry", "economics", "music theory"),
            rng.randint(2, 4),
        )
        total = days * hours
        review = max(1, days // 5)
        study_days = days - review
        per = study_days * hours / len(subjects)
        msgs.append(
            {
                "role": "user",
                "content": f"My exams start in {days} days and I can study about {hours} hours a day. "
                f"I need to cover {', '.join(subjects)}. How should I plan?",
            }
        )
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    f"You have {days} x {hours} = {total} hours in total. I'd keep the last {review} day(s) for review, "
                    f"which leaves {study_days} x {hours} = {study_days * hours} hours for new material. Split evenly over "
                    f"{len(subjects)} subjects, that's about {per:.1f} hours each.\n\n"
                    "- Put the hardest subject in the morning, when you're fresh.\n"
                    "- Alternate subjects every day instead of finishing one completely.\n"
                    "- End each session with ten minutes of self-testing: it shows what you really remember."
                ),
            }
        )
    elif kind == 3:
        act, _, lo, hi = rng.choice(_ACTIVITY_BPM)
        msgs.append({"role": "user", "content": f"What kind of music should I put on for {act}?"})
        mid = (lo + hi) // 2
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    f"For {act}, look for songs between about {lo} and {hi} BPM. Around {mid} BPM is a comfortable middle. "
                    f"At {mid} BPM one beat lasts {60 / mid:.2f} seconds, so you can check a song's tempo by counting beats "
                    "for 15 seconds and multiplying by four. "
                    + (
                        "Instrumental tracks are usually less distracting."
                        if lo < 90
                        else "A steady, strong beat helps you keep a rhythm."
                    )
                ),
            }
        )
    elif kind == 4:
        rel, _ = rng.choice(_RELATIONS)
        hobby = rng.choice(tuple(_GIFTS_EN))
        budget = rng.choice((20, 30, 40, 50, 75, 100))
        ideas = rng.sample(_GIFTS_EN[hobby], 3)
        msgs.append(
            {
                "role": "user",
                "content": f"My {rel}'s birthday is next week. They love {hobby} and my budget is about ${budget}. Ideas?",
            }
        )
        msgs.append(
            {
                "role": "assistant",
                "content": "Here are a few gift ideas for someone who loves "
                + hobby
                + ":\n\n"
                + "\n".join(f"- {i}" for i in ideas)
                + f"\n\nWith ${budget} you could pick one main gift and add a handwritten card; a personal note often means more than the price.",
            }
        )
    elif kind == 5:
        now = rng.randint(5, 20)
        goal = rng.choice((30, 45, 60))
        weeks = math.ceil(math.log(goal / now) / math.log(1.1))
        msgs.append(
            {
                "role": "user",
                "content": f"I can run for about {now} minutes without stopping. How long until I can run {goal} minutes?",
            }
        )
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    f"A common rule of thumb is to increase your running time by about 10% per week. Starting from {now} minutes, "
                    f"you'd need {weeks} weeks to reach {goal} minutes ({now} x 1.1^{weeks} = {now * 1.1**weeks:.1f} minutes). "
                    "Run three times a week, keep an easy pace where you can still talk, and take an extra rest day if anything hurts."
                ),
            }
        )
        if rng.random() < 0.5:
            msgs.append({"role": "user", "content": "Should I listen to music while running?"})
            msgs.append(
                {
                    "role": "assistant",
                    "content": "Many people find it helps. Choose songs around 150 to 170 BPM to match a "
                    "relaxed running cadence, and keep the volume low enough to hear traffic.",
                }
            )
    elif kind == 6:
        event = rng.choice(("birthday", "dinner plans", "graduation", "concert", "moving day"))
        msgs.append(
            {"role": "user", "content": f"I completely forgot about my friend's {event}. How do I apologize?"}
        )
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    "Apologize soon and keep it simple: say what happened, don't make excuses, and offer to make it up.\n\n"
                    f"Example: \"I'm really sorry I missed your {event}. I have no good excuse, and I know it mattered. "
                    'Can I take you out this week to celebrate properly?"'
                ),
            }
        )
    elif kind == 7:
        inst, chords = rng.choice(
            (("guitar", "G, C, D, E minor and A minor"), ("ukulele", "C, A minor, F and G"))
        )
        msgs.append(
            {"role": "user", "content": f"I just bought a {inst}. Which chords should I learn first?"}
        )
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    f"Start with {chords}. With these you can already play hundreds of simple songs. Practise switching between "
                    "two chords for one minute at a time, slowly, and only speed up when the changes are clean."
                ),
            }
        )
    else:
        d1, d2 = rng.sample(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"), 2)
        name = rng.choice(_GIVEN["en"])
        msgs.append(
            {
                "role": "user",
                "content": f"Can you help me write a short message to {name} to move our meeting from {d1} to {d2}?",
            }
        )
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    f'Sure:\n\n"Hi {name}, would it be possible to move our meeting from {d1} to {d2}? Something came up on '
                    f"{d1}. Same time works for me, but I'm happy to adjust. Thanks for understanding!\""
                ),
            }
        )
    return msgs


def _chat_zh(rng: random.Random) -> list[dict[str, str]]:
    kind = rng.randrange(8)
    msgs: list[dict[str, str]] = []
    if rng.random() < 0.3:
        msgs.append({"role": "system", "content": rng.choice(_SYSTEM_ZH)})
    if kind == 0:
        city, day = rng.choice(_CITIES_ZH), rng.choice(_DAYS_ZH)
        msgs.append(
            {
                "role": "user",
                "content": rng.choice(
                    (f"{city}{day}一直下雨，在家能做点什么？", f"{day}{city}要下大雨，有什么室内活动推荐吗？")
                ),
            }
        )
        ideas = rng.sample(_RAINY_IDEAS_ZH, rng.randint(3, 5))
        msgs.append(
            {
                "role": "assistant",
                "content": "下雨天正好可以慢下来。给你几个建议：\n\n"
                + "\n".join(f"- {i}" for i in ideas)
                + "\n\n祝你过得愉快！",
            }
        )
    elif kind == 1:
        a, b, c = rng.sample(_INGR_ZH, 3)
        msgs.append({"role": "user", "content": f"冰箱里只有{a}、{b}和{c}，晚饭做什么好？"})
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    f"可以做一道简单的家常小炒。\n\n1. 先把{b}和{c}洗净切好。\n2. 锅里放少许油，中火烧热。\n"
                    f"3. 先把{a}炒熟，再放入{b}和{c}翻炒。\n4. 加盐调味，喜欢的话可以放一点生抽或蒜末。\n\n边炒边尝，最后再调整咸淡。"
                ),
            }
        )
    elif kind == 2:
        days, hours = rng.randint(5, 21), rng.randint(1, 4)
        subjects = rng.sample(("数学", "语文", "英语", "物理", "化学", "历史", "乐理"), rng.randint(2, 4))
        review = max(1, days // 5)
        study = (days - review) * hours
        msgs.append(
            {
                "role": "user",
                "content": f"还有{days}天考试，每天大概能学{hours}小时，要复习{'、'.join(subjects)}，怎么安排？",
            }
        )
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    f"你一共有{days}×{hours}={days * hours}小时。建议留出最后{review}天做总复习，剩下{days - review}×{hours}={study}小时学新内容，"
                    f"平均分给{len(subjects)}门课，每门大约{study / len(subjects):.1f}小时。\n\n"
                    "- 把最难的科目放在精力最好的上午。\n- 每天交替复习不同科目，不要一门学完再学下一门。\n- 每次学习结束前花十分钟自测，检验真正记住了多少。"
                ),
            }
        )
    elif kind == 3:
        _, act, lo, hi = rng.choice(_ACTIVITY_BPM)
        mid = (lo + hi) // 2
        msgs.append({"role": "user", "content": f"{act}的时候适合听什么样的音乐？"})
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    f"{act}时可以选速度在每分钟{lo}到{hi}拍（BPM）之间的歌，{mid} BPM左右比较合适。{mid} BPM时每一拍约{60 / mid:.2f}秒。"
                    "想知道一首歌的速度，可以数15秒内的拍数再乘以4。"
                    + ("纯音乐通常更不容易让人分心。" if lo < 90 else "稳定、有力的节拍能帮你保持节奏。")
                ),
            }
        )
    elif kind == 4:
        _, rel = rng.choice(_RELATIONS)
        hobby = rng.choice(tuple(_GIFTS_ZH))
        budget = rng.choice((100, 200, 300, 500))
        ideas = rng.sample(_GIFTS_ZH[hobby], 3)
        msgs.append(
            {
                "role": "user",
                "content": f"下周是我{rel}的生日，他/她喜欢{_HOBBY_ZH[hobby]}，预算{budget}元左右，送什么好？",
            }
        )
        msgs.append(
            {
                "role": "assistant",
                "content": f"给喜欢{_HOBBY_ZH[hobby]}的人，可以考虑：\n\n"
                + "\n".join(f"- {i}" for i in ideas)
                + f"\n\n{budget}元的预算可以选一件主要礼物，再附上一张手写卡片，心意往往比价格更重要。",
            }
        )
    elif kind == 5:
        now = rng.randint(5, 20)
        goal = rng.choice((30, 45, 60))
        weeks = math.ceil(math.log(goal / now) / math.log(1.1))
        msgs.append({"role": "user", "content": f"我现在能连续跑{now}分钟，多久才能跑到{goal}分钟？"})
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    f"常见的建议是每周把跑步时间增加约10%。从{now}分钟开始，大约需要{weeks}周才能达到{goal}分钟"
                    f"（{now}×1.1^{weeks}≈{now * 1.1**weeks:.1f}分钟）。每周跑三次，保持能边跑边说话的轻松配速，身体不适就多休息一天。"
                ),
            }
        )
    elif kind == 6:
        event = rng.choice(("生日", "聚餐", "毕业典礼", "演唱会", "搬家"))
        msgs.append({"role": "user", "content": f"我完全忘了朋友的{event}，该怎么道歉？"})
        msgs.append(
            {
                "role": "assistant",
                "content": (
                    f"尽快道歉，简单真诚：说明情况，不找借口，并提出弥补。\n\n可以这样说：“真的很抱歉错过了你的{event}，"
                    "我没有任何借口，也知道这对你很重要。这周我请你吃饭，好好补上，好吗？”"
                ),
            }
        )
    else:
        q, a = rng.choice(
            (
                (
                    "今天好累啊，想听点轻松的。",
                    "辛苦啦！可以先泡一杯热茶，放一张节奏慢一点的专辑，把手机调成静音二十分钟，什么都不做，只听音乐。",
                ),
                (
                    "最近压力有点大，怎么放松一下？",
                    "可以试试散步十五分钟、做几次深呼吸，或者把想做的事写下来，一件一件划掉，会轻松很多。",
                ),
                (
                    "周末不想出门，有什么好玩的？",
                    "可以在家做一顿慢慢炖的饭，或者找一部老电影，再约一两个朋友线上一起玩个小游戏。",
                ),
            )
        )
        msgs.append({"role": "user", "content": q})
        msgs.append({"role": "assistant", "content": a})
        if rng.random() < 0.6:
            msgs.append({"role": "user", "content": "谢谢，有推荐的音乐类型吗？"})
            msgs.append(
                {
                    "role": "assistant",
                    "content": "可以听听波萨诺瓦、轻爵士或者钢琴独奏，速度在每分钟60到80拍左右的音乐通常最让人放松。",
                }
            )
    return msgs


def gen_chat(rng: random.Random) -> Iterable[dict[str, Any]]:
    """Endless everyday conversations in English and Chinese (``messages`` records)."""
    while True:
        if rng.random() < 0.4:
            yield {"messages": _chat_en(rng), "lang": "en"}
        else:
            yield {"messages": _chat_zh(rng), "lang": "zh"}


# --------------------------------------------------------------------------------------------
# General text: math word problems with computed worked answers
# --------------------------------------------------------------------------------------------


def _num(x: float) -> str:
    """A number without a pointless ``.0`` and with at most two decimals."""
    if abs(x - round(x)) < 1e-9:
        return str(int(round(x)))
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _mmss(seconds: int) -> str:
    m, s = divmod(seconds, 60)
    return f"{m}:{s:02d}"


def _math_problem(rng: random.Random, lang: str) -> tuple[str, list[str], str]:
    """(problem, solution steps, answer) for one generated word problem."""
    kind = rng.randrange(12)
    zh = lang == "zh"
    if kind == 0:
        a, p, b, q = (
            rng.randint(40, 400),
            rng.choice((15, 18, 20, 25, 30, 35)),
            rng.randint(5, 60),
            rng.choice((60, 75, 80, 120)),
        )
        total = a * p + b * q
        if zh:
            return (
                f"一场音乐会售出{a}张普通票，每张{p}元；还售出{b}张VIP票，每张{q}元。一共收入多少元？",
                [
                    f"普通票收入：{a}×{p}={a * p}元",
                    f"VIP票收入：{b}×{q}={b * q}元",
                    f"合计：{a * p}+{b * q}={total}元",
                ],
                f"{total}元",
            )
        return (
            f"A concert hall sold {a} regular tickets at ${p} each and {b} VIP tickets at ${q} each. How much money did it take in?",
            [
                f"Regular tickets: {a} x ${p} = ${a * p}",
                f"VIP tickets: {b} x ${q} = ${b * q}",
                f"Total: ${a * p} + ${b * q} = ${total}",
            ],
            f"${total}",
        )
    if kind == 1:
        p, d = rng.randint(8, 90), rng.choice((10, 15, 20, 25, 30, 40, 50))
        sale = p * (100 - d) / 100
        if zh:
            return (
                f"一张专辑原价{p}元，现在打{_num((100 - d) / 10)}折（便宜{d}%）。现价多少元？",
                [
                    f"便宜的金额：{p}×{d}%={_num(p * d / 100)}元",
                    f"现价：{p}-{_num(p * d / 100)}={sale:.2f}元",
                ],
                f"{sale:.2f}元",
            )
        return (
            f"An album costs ${p}. During a sale it is {d}% off. What is the sale price?",
            [
                f"Discount: {d}% of ${p} = ${p * d / 100:.2f}",
                f"Sale price: ${p} - ${p * d / 100:.2f} = ${sale:.2f}",
            ],
            f"${sale:.2f}",
        )
    if kind == 2:
        durs = [rng.randint(130, 330) for _ in range(rng.randint(3, 6))]
        total = sum(durs)
        listed = ", ".join(_mmss(d) for d in durs)
        steps = [
            ("换算成秒：" if zh else "Convert to seconds: ")
            + " + ".join(str(d) for d in durs)
            + f" = {total}",
            (
                f"{total}秒 = {total // 60}分{total % 60}秒"
                if zh
                else f"{total} s = {total // 60} min {total % 60} s"
            ),
        ]
        if zh:
            return (
                f"一个歌单里有{len(durs)}首歌，时长分别是{listed}。整个歌单一共多长？",
                steps,
                f"{_mmss(total)}（{total}秒）",
            )
        return (
            f"A playlist has {len(durs)} songs lasting {listed}. How long is the whole playlist?",
            steps,
            f"{_mmss(total)} ({total} seconds)",
        )
    if kind == 3:
        bpm, beats, bars = (
            rng.choice((60, 72, 80, 90, 96, 100, 120, 128, 144, 150)),
            rng.choice((3, 4)),
            rng.choice((8, 12, 16, 24, 32)),
        )
        secs = bars * beats * 60 / bpm
        if zh:
            return (
                f"一首歌速度为每分钟{bpm}拍，{beats}/4拍。{bars}小节一共多少秒？",
                [
                    f"总拍数：{bars}×{beats}={bars * beats}拍",
                    f"每拍时长：60÷{bpm}={_num(60 / bpm)}秒",
                    f"总时长：{bars * beats}×60÷{bpm}={_num(secs)}秒",
                ],
                f"{_num(secs)}秒",
            )
        return (
            f"A song is played at {bpm} beats per minute in {beats}/4 time. How many seconds do {bars} bars last?",
            [
                f"Beats: {bars} x {beats} = {bars * beats}",
                f"Seconds per beat: 60 / {bpm} = {_num(60 / bpm)}",
                f"Total: {bars * beats} x 60 / {bpm} = {_num(secs)} seconds",
            ],
            f"{_num(secs)} seconds",
        )
    if kind == 4:
        scores = [rng.randint(60, 100) for _ in range(rng.randint(4, 6))]
        mean = sum(scores) / len(scores)
        steps = [
            ("总分：" if zh else "Sum: ") + " + ".join(map(str, scores)) + f" = {sum(scores)}",
            (
                f"平均分：{sum(scores)}÷{len(scores)}={_num(mean)}"
                if zh
                else f"Average: {sum(scores)} / {len(scores)} = {_num(mean)}"
            ),
        ]
        if zh:
            return (
                f"合唱团{len(scores)}位评委的打分是{'、'.join(map(str, scores))}。平均分是多少？",
                steps,
                _num(mean),
            )
        return (
            f"A choir received scores of {', '.join(map(str, scores))} from {len(scores)} judges. What is the average score?",
            steps,
            _num(mean),
        )
    if kind == 5:
        x, y = rng.choice((15, 20, 25, 30, 40, 45)), rng.choice((30, 45, 60, 90))
        total = 5 * x + 2 * y
        h, m = divmod(total, 60)
        if zh:
            return (
                f"小林工作日每天练琴{x}分钟，周末每天练{y}分钟。他一周一共练多长时间？",
                [
                    f"工作日：5×{x}={5 * x}分钟",
                    f"周末：2×{y}={2 * y}分钟",
                    f"合计：{total}分钟={h}小时{m}分钟",
                ],
                f"{h}小时{m}分钟",
            )
        return (
            f"Mia practises piano for {x} minutes every weekday and {y} minutes on each weekend day. How long does she practise per week?",
            [
                f"Weekdays: 5 x {x} = {5 * x} min",
                f"Weekend: 2 x {y} = {2 * y} min",
                f"Total: {total} min = {h} h {m} min",
            ],
            f"{h} hours {m} minutes",
        )
    if kind == 6:
        sold, got, left = rng.randint(10, 60), rng.randint(5, 40), rng.randint(20, 90)
        start = left + sold - got
        if zh:
            return (
                f"乐队有一些海报。演出时卖出{sold}张，之后又收到{got}张新海报，现在有{left}张。原来有多少张？",
                [f"设原来有x张：x-{sold}+{got}={left}", f"x={left}+{sold}-{got}={start}"],
                f"{start}张",
            )
        return (
            f"A band had some posters. They sold {sold} at a show, then received {got} new ones, and now they have {left}. How many did they start with?",
            [
                f"Let x be the starting number: x - {sold} + {got} = {left}",
                f"x = {left} + {sold} - {got} = {start}",
            ],
            str(start),
        )
    if kind == 7:
        r1, r2 = rng.choice(((2, 3), (3, 2), (3, 4), (5, 3), (1, 2), (4, 5)))
        n = (r1 + r2) * rng.randint(4, 12)
        altos = n * r2 // (r1 + r2)
        if zh:
            return (
                f"合唱团女高音与女低音人数之比为{r1}:{r2}，共{n}人。女低音有多少人？",
                [f"一份：{n}÷({r1}+{r2})={n // (r1 + r2)}人", f"女低音：{n // (r1 + r2)}×{r2}={altos}人"],
                f"{altos}人",
            )
        return (
            f"In a choir the ratio of sopranos to altos is {r1}:{r2}. There are {n} singers. How many altos are there?",
            [
                f"One part: {n} / ({r1} + {r2}) = {n // (r1 + r2)}",
                f"Altos: {n // (r1 + r2)} x {r2} = {altos}",
            ],
            str(altos),
        )
    if kind == 8:
        length, width = rng.randint(6, 20), rng.randint(4, 12)
        if zh:
            return (
                f"一个长方形舞台长{length}米、宽{width}米。面积和周长各是多少？",
                [
                    f"面积：{length}×{width}={length * width}平方米",
                    f"周长：2×({length}+{width})={2 * (length + width)}米",
                ],
                f"面积{length * width}平方米，周长{2 * (length + width)}米",
            )
        return (
            f"A rectangular stage is {length} m long and {width} m wide. What are its area and perimeter?",
            [
                f"Area: {length} x {width} = {length * width} m^2",
                f"Perimeter: 2 x ({length} + {width}) = {2 * (length + width)} m",
            ],
            f"{length * width} m^2 and {2 * (length + width)} m",
        )
    if kind == 9:
        a = rng.randint(20, 200) * 100
        b = a + rng.randint(-60, 150) * a // 100
        pct = (b - a) / a * 100
        if zh:
            return (
                f"一首歌上个月播放{a}次，这个月播放{b}次。变化了百分之多少？",
                [f"变化量：{b}-{a}={b - a}", f"百分比：{b - a}÷{a}×100%={pct:.1f}%"],
                f"{pct:+.1f}%",
            )
        return (
            f"A song was streamed {a} times last month and {b} times this month. What is the percentage change?",
            [f"Change: {b} - {a} = {b - a}", f"Percent: {b - a} / {a} x 100% = {pct:.1f}%"],
            f"{pct:+.1f}%",
        )
    if kind == 10:
        v = rng.choice((40, 50, 60, 75, 80, 90, 100))
        d = v * rng.randint(2, 12) // 4
        minutes = d * 60 // v
        h, m = divmod(minutes, 60)
        if zh:
            return (
                f"巡演大巴以每小时{v}公里的速度行驶{d}公里。需要多长时间？",
                [f"时间：{d}÷{v}={_num(d / v)}小时", f"{_num(d / v)}小时={h}小时{m}分钟"],
                f"{h}小时{m}分钟",
            )
        return (
            f"A tour bus travels {d} km at {v} km/h. How long does the trip take?",
            [f"Time: {d} / {v} = {_num(d / v)} hours", f"{_num(d / v)} hours = {h} h {m} min"],
            f"{h} hours {m} minutes",
        )
    n, k = rng.randint(50, 400), rng.choice((6, 8, 10, 12, 15))
    q, r = divmod(n, k)
    if zh:
        return (
            f"礼堂有{n}把椅子，每排摆{k}把。能摆满几排？还剩几把？",
            [f"{n}÷{k}={q}……{r}"],
            f"摆满{q}排，剩{r}把",
        )
    return (
        f"A hall has {n} chairs set out in rows of {k}. How many full rows are there, and how many chairs are left over?",
        [f"{n} / {k} = {q} remainder {r}"],
        f"{q} full rows, {r} left over",
    )


def gen_math(rng: random.Random) -> Iterable[dict[str, Any]]:
    """Endless math word problems with step-by-step solutions (documents and chats, en/zh)."""
    while True:
        lang = "en" if rng.random() < 0.4 else "zh"
        problem, steps, answer = _math_problem(rng, lang)
        if lang == "zh":
            solution = "解：\n" + "\n".join(steps) + f"\n答：{answer}"
            doc = f"题目：{problem}\n\n{solution}"
        else:
            solution = "Solution:\n" + "\n".join(steps) + f"\nAnswer: {answer}"
            doc = f"Problem: {problem}\n\n{solution}"
        if rng.random() < 0.5:
            yield {"text": doc, "lang": lang}
        else:
            yield {
                "messages": [
                    {"role": "user", "content": problem},
                    {"role": "assistant", "content": solution},
                ],
                "lang": lang,
            }


# --------------------------------------------------------------------------------------------
# General text: small Python snippets with explanations (examples computed by running them)
# --------------------------------------------------------------------------------------------

# (function names, English task, Chinese task, code with {fn}, English note, Chinese note, example calls)
CODE_TEMPLATES: tuple[tuple[tuple[str, ...], str, str, str, str, str, tuple[str, ...]], ...] = (
    (
        ("beat_ms", "bpm_to_ms", "ms_per_beat"),
        "converts a tempo in BPM to the length of one beat in milliseconds",
        "把每分钟拍数（BPM）换算成一拍的毫秒数",
        'def {fn}(bpm: float) -> float:\n    """Length of one beat in milliseconds."""\n    if bpm <= 0:\n        raise ValueError("bpm must be positive")\n    return 60_000 / bpm\n',
        "One minute has 60,000 milliseconds, so dividing by the number of beats per minute gives the length of one beat.",
        "一分钟有60000毫秒，除以每分钟的拍数就得到一拍的长度。",
        ("{fn}(120)", "{fn}(90)", "{fn}(128)", "{fn}(72)"),
    ),
    (
        ("word_counts", "count_words", "tally_words"),
        "counts how often each word appears in a text",
        "统计一段文字中每个单词出现的次数",
        'def {fn}(text: str) -> dict[str, int]:\n    counts: dict[str, int] = {{}}\n    for word in text.lower().split():\n        word = word.strip(".,!?;:\\"\'")\n        if word:\n            counts[word] = counts.get(word, 0) + 1\n    return counts\n',
        "The text is lowercased and split on whitespace; punctuation at the edges of each word is stripped before counting.",
        "先把文本转成小写并按空白切分，再去掉词两端的标点，然后计数。",
        ('{fn}("la la la, sing it again")', '{fn}("One more time, one more song")', '{fn}("Hey! hey, HEY")'),
    ),
    (
        ("is_palindrome", "reads_same_backwards"),
        "checks whether a phrase reads the same forwards and backwards",
        "判断一个短语正着读和倒着读是否相同",
        "def {fn}(s: str) -> bool:\n    cleaned = [c.lower() for c in s if c.isalnum()]\n    return cleaned == cleaned[::-1]\n",
        "Only letters and digits are kept and compared in lowercase, so spaces and punctuation do not matter.",
        "只保留字母和数字并统一成小写再比较，所以空格和标点不影响结果。",
        (
            '{fn}("Never odd or even")',
            '{fn}("Was it a car or a cat I saw?")',
            '{fn}("melody")',
            '{fn}("level")',
        ),
    ),
    (
        ("fibonacci", "fib_list", "first_fibs"),
        "returns the first n Fibonacci numbers",
        "返回前n个斐波那契数",
        "def {fn}(n: int) -> list[int]:\n    seq = [0, 1]\n    while len(seq) < n:\n        seq.append(seq[-1] + seq[-2])\n    return seq[:n]\n",
        "Each new number is the sum of the previous two; slicing at the end also handles n = 0 and n = 1.",
        "每个新数等于前两个数之和；最后的切片也能正确处理n为0或1的情况。",
        ("{fn}(8)", "{fn}(12)", "{fn}(1)", "{fn}(15)"),
    ),
    (
        ("format_duration", "to_mmss", "seconds_to_clock"),
        "formats a number of seconds as m:ss",
        "把秒数格式化成“分:秒”",
        'def {fn}(seconds: int) -> str:\n    minutes, secs = divmod(seconds, 60)\n    return f"{{minutes}}:{{secs:02d}}"\n',
        "divmod gives the whole minutes and the remaining seconds in one step; :02d pads the seconds to two digits.",
        "divmod一次得到整分钟数和剩余秒数，:02d把秒数补足两位。",
        ("{fn}(215)", "{fn}(59)", "{fn}(3600)", "{fn}(187)"),
    ),
    (
        ("total_seconds", "playlist_length", "sum_durations"),
        "adds up song durations written as m:ss",
        "把若干“分:秒”格式的歌曲时长加起来",
        'def {fn}(durations: list[str]) -> int:\n    total = 0\n    for d in durations:\n        minutes, seconds = d.split(":")\n        total += int(minutes) * 60 + int(seconds)\n    return total\n',
        "Each duration is split at the colon and converted to seconds before adding.",
        "每个时长在冒号处拆开，换算成秒后再相加。",
        (
            '{fn}(["3:25", "4:10", "2:58"])',
            '{fn}(["5:01", "3:59"])',
            '{fn}(["0:45", "1:15", "2:30", "3:00"])',
        ),
    ),
    (
        ("transpose", "shift_note", "transpose_note"),
        "transposes a note name by a number of semitones",
        "把一个音名移调若干个半音",
        'NOTES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]\n\n\ndef {fn}(note: str, semitones: int) -> str:\n    index = NOTES.index(note)\n    return NOTES[(index + semitones) % 12]\n',
        "The twelve note names repeat every octave, so the new index is taken modulo 12; negative shifts work too.",
        "十二个音名每个八度循环一次，所以新位置对12取模；负数表示向下移调。",
        ('{fn}("C", 7)', '{fn}("A", 3)', '{fn}("E", -5)', '{fn}("G#", 5)'),
    ),
    (
        ("chunk", "batched", "split_into_groups"),
        "splits a list into groups of a given size",
        "把列表按固定大小分组",
        "def {fn}(items: list, size: int) -> list[list]:\n    return [items[i : i + size] for i in range(0, len(items), size)]\n",
        "The range steps by size, and the last group may be shorter when the length is not a multiple of size.",
        "range按size步进，列表长度不是size的倍数时，最后一组会短一些。",
        ("{fn}([1, 2, 3, 4, 5, 6, 7], 3)", '{fn}(["a", "b", "c", "d"], 2)', "{fn}(list(range(10)), 4)"),
    ),
    (
        ("unique_in_order", "dedupe", "first_occurrences"),
        "removes duplicates from a list while keeping the original order",
        "去掉列表中的重复元素，同时保持原有顺序",
        "def {fn}(items: list) -> list:\n    seen = set()\n    result = []\n    for item in items:\n        if item not in seen:\n            seen.add(item)\n            result.append(item)\n    return result\n",
        "A set remembers what has been seen, and the result list keeps the first occurrence of each item.",
        "用集合记录见过的元素，结果列表只保留每个元素第一次出现的位置。",
        ('{fn}(["pop", "rock", "pop", "jazz", "rock"])', "{fn}([3, 1, 3, 2, 1])", '{fn}(list("banana"))'),
    ),
    (
        ("moving_average", "rolling_mean", "smooth"),
        "computes the moving average of a list with a given window",
        "计算列表的滑动平均值",
        "def {fn}(values: list[float], window: int) -> list[float]:\n    return [sum(values[i : i + window]) / window for i in range(len(values) - window + 1)]\n",
        "Every window of consecutive values is averaged, so the result has len(values) - window + 1 items.",
        "对每个连续窗口求平均，结果的长度是len(values) - window + 1。",
        ("{fn}([1, 2, 3, 4, 5], 2)", "{fn}([10, 20, 30, 40], 3)", "{fn}([4, 8, 6, 2, 10, 12], 2)"),
    ),
    (
        ("gcd", "greatest_common_divisor"),
        "finds the greatest common divisor of two integers",
        "求两个整数的最大公约数",
        "def {fn}(a: int, b: int) -> int:\n    while b:\n        a, b = b, a % b\n    return abs(a)\n",
        "This is Euclid's algorithm: replace the pair by (b, a mod b) until the remainder is zero.",
        "这是欧几里得算法：不断用(b, a mod b)替换原来的两个数，直到余数为零。",
        ("{fn}(48, 36)", "{fn}(270, 192)", "{fn}(17, 5)", "{fn}(120, 84)"),
    ),
    (
        ("celsius_to_fahrenheit", "c_to_f"),
        "converts a temperature from Celsius to Fahrenheit",
        "把摄氏温度换算成华氏温度",
        "def {fn}(celsius: float) -> float:\n    return celsius * 9 / 5 + 32\n",
        "Multiply by 9/5 and add 32; for example, water boils at 100 C, which is 212 F.",
        "乘以9/5再加32即可，例如100摄氏度等于212华氏度。",
        ("{fn}(25)", "{fn}(-10)", "{fn}(37)", "{fn}(0)"),
    ),
    (
        ("reverse_words", "flip_words"),
        "reverses the order of the words in a sentence",
        "把句子中单词的顺序倒过来",
        'def {fn}(sentence: str) -> str:\n    return " ".join(reversed(sentence.split()))\n',
        "split() breaks the sentence into words, reversed() flips their order and join() puts them back together.",
        "split()把句子拆成单词，reversed()反转顺序，再用join()拼回去。",
        ('{fn}("the night is young")', '{fn}("sing it one more time")', '{fn}("hello world")'),
    ),
    (
        ("note_frequency", "freq_from_a4"),
        "returns the frequency of a note a given number of semitones away from A4 = 440 Hz",
        "计算距离A4（440赫兹）若干半音的音的频率",
        "def {fn}(semitones_from_a4: int) -> float:\n    return round(440 * 2 ** (semitones_from_a4 / 12), 2)\n",
        "In equal temperament every semitone multiplies the frequency by the twelfth root of two.",
        "在十二平均律中，每升高一个半音，频率乘以二的十二次方根。",
        ("{fn}(3)", "{fn}(-9)", "{fn}(12)", "{fn}(-12)", "{fn}(7)"),
    ),
    (
        ("most_common_words", "top_words"),
        "returns the n most common words of a text",
        "返回一段文字中出现最多的n个单词",
        "from collections import Counter\n\n\ndef {fn}(text: str, n: int = 3) -> list[tuple[str, int]]:\n    return Counter(text.lower().split()).most_common(n)\n",
        "collections.Counter counts the words, and most_common(n) returns the n largest counts in order.",
        "collections.Counter负责计数，most_common(n)按次数从多到少返回前n个。",
        ('{fn}("oh oh oh baby baby tonight")', '{fn}("la la la da da la", 2)', '{fn}("a b c a b a", 1)'),
    ),
    (
        ("clamp", "limit"),
        "limits a value to a range",
        "把一个数限制在给定范围内",
        "def {fn}(value: float, low: float, high: float) -> float:\n    return max(low, min(value, high))\n",
        "min() caps the value at high and max() raises it to at least low.",
        "min()把数值限制在上限以内，max()保证它不低于下限。",
        ("{fn}(120, 0, 100)", "{fn}(-5, 0, 10)", "{fn}(0.5, 0.0, 1.0)"),
    ),
    (
        ("median", "middle_value"),
        "returns the median of a list of numbers",
        "求一组数的中位数",
        "def {fn}(values: list[float]) -> float:\n    ordered = sorted(values)\n    mid = len(ordered) // 2\n    if len(ordered) % 2:\n        return ordered[mid]\n    return (ordered[mid - 1] + ordered[mid]) / 2\n",
        "After sorting, the median is the middle value, or the mean of the two middle values for an even count.",
        "排序后取中间的数；数量为偶数时取中间两个数的平均值。",
        ("{fn}([3, 1, 4, 1, 5])", "{fn}([10, 2, 38, 23, 38, 23])", "{fn}([7, 9])"),
    ),
)


def _run_example(code: str, call: str) -> str:
    """Run a generated snippet and one call, returning ``repr`` of the result (examples are never guessed)."""
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # noqa: S102 - project-written snippet
    return repr(eval(call, namespace))  # noqa: S307 - project-written call


def gen_code(rng: random.Random) -> Iterable[dict[str, Any]]:
    """Endless Python snippets with explanations and executed examples (documents and chats)."""
    while True:
        names, task_en, task_zh, code_t, note_en, note_zh, calls = rng.choice(CODE_TEMPLATES)
        fn = rng.choice(names)
        code = code_t.format(fn=fn)
        picked = rng.sample(calls, rng.randint(1, min(3, len(calls))))
        examples = [(c.format(fn=fn), _run_example(code, c.format(fn=fn))) for c in picked]
        shell = "\n".join(f">>> {c}\n{r}" for c, r in examples)
        lang = "en" if rng.random() < 0.5 else "zh"
        if lang == "en":
            ask = rng.choice(
                (
                    f"Write a Python function that {task_en}.",
                    f"How do I write a function in Python that {task_en}?",
                    f"Can you show me Python code that {task_en}?",
                )
            )
            answer = f"Here is a small function `{fn}`:\n\n```python\n{code}```\n\n{note_en}\n\nExample:\n\n```python\n{shell}\n```"
            title = f"## {fn}: a function that {task_en}"
        else:
            ask = rng.choice((f"用Python写一个函数，{task_zh}。", f"Python里怎么写一个{task_zh}的函数？"))
            answer = f"可以这样写一个函数`{fn}`：\n\n```python\n{code}```\n\n{note_zh}\n\n示例：\n\n```python\n{shell}\n```"
            title = f"## {fn}：{task_zh}"
        if rng.random() < 0.5:
            yield {
                "messages": [{"role": "user", "content": ask}, {"role": "assistant", "content": answer}],
                "lang": lang,
            }
        else:
            yield {"text": f"{title}\n\n{answer}", "lang": lang}


# --------------------------------------------------------------------------------------------
# General text: music knowledge Q&A (computed scales, chords, intervals, keys; written answers)
# --------------------------------------------------------------------------------------------

_LETTERS = "CDEFGAB"
_NATURAL_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
MAJOR_KEYS = ("C", "G", "D", "A", "E", "B", "F#", "C#", "F", "Bb", "Eb", "Ab", "Db", "Gb")
MINOR_KEYS = ("A", "E", "B", "F#", "C#", "G#", "D#", "D", "G", "C", "F", "Bb", "Eb")
_ROOTS = ("C", "C#", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_KEYSIG_SHARPS = {"C": 0, "G": 1, "D": 2, "A": 3, "E": 4, "B": 5, "F#": 6, "C#": 7}
_KEYSIG_FLATS = {"F": 1, "Bb": 2, "Eb": 3, "Ab": 4, "Db": 5, "Gb": 6}
_INTERVALS: tuple[tuple[int, int, str, str], ...] = (
    (2, 1, "minor second", "小二度"),
    (2, 2, "major second", "大二度"),
    (3, 3, "minor third", "小三度"),
    (3, 4, "major third", "大三度"),
    (4, 5, "perfect fourth", "纯四度"),
    (4, 6, "augmented fourth", "增四度"),
    (5, 6, "diminished fifth", "减五度"),
    (5, 7, "perfect fifth", "纯五度"),
    (6, 8, "minor sixth", "小六度"),
    (6, 9, "major sixth", "大六度"),
    (7, 10, "minor seventh", "小七度"),
    (7, 11, "major seventh", "大七度"),
    (8, 12, "perfect octave", "纯八度"),
)
_TRIADS: tuple[tuple[str, str, int, int], ...] = (
    ("major", "大三和弦", 4, 7),
    ("minor", "小三和弦", 3, 7),
    ("diminished", "减三和弦", 3, 6),
    ("augmented", "增三和弦", 4, 8),
)


def pitch_class(name: str) -> int:
    """Pitch class (0-11) of a note name like ``C``, ``F#`` or ``Bb``."""
    return (_NATURAL_PC[name[0]] + name.count("#") - name.count("b")) % 12


def spell(letter: str, pc: int) -> str | None:
    """The name with ``letter`` for pitch class ``pc`` (single sharp/flat only, else None)."""
    diff = (pc - _NATURAL_PC[letter]) % 12
    diff = diff - 12 if diff > 6 else diff
    return {0: letter, 1: letter + "#", -1: letter + "b"}.get(diff)


def note_above(root: str, steps: int, semitones: int) -> str | None:
    """The note ``steps`` letter names and ``semitones`` half steps above ``root``."""
    letter = _LETTERS[(_LETTERS.index(root[0]) + steps) % 7]
    return spell(letter, (pitch_class(root) + semitones) % 12)


def scale(tonic: str, minor: bool = False) -> list[str]:
    """The seven notes of the major (or natural minor) scale on ``tonic``, correctly spelled."""
    pattern = (2, 1, 2, 2, 1, 2, 2) if minor else (2, 2, 1, 2, 2, 2, 1)
    out, semis = [tonic], 0
    for i, step in enumerate(pattern[:-1], start=1):
        semis += step
        note = note_above(tonic, i, semis)
        if note is None:
            raise ValueError(f"{tonic} needs double accidentals")
        out.append(note)
    return out


_MK_STATIC: tuple[tuple[str, str, str, str], ...] = (
    (
        "What is a cadence?",
        "A cadence is a chord progression that ends a phrase, like punctuation in a sentence. The perfect (authentic) cadence V-I sounds final, the plagal cadence IV-I sounds softer, a half cadence ends on V and sounds open, and a deceptive cadence moves from V to an unexpected chord such as vi.",
        "什么是终止式？",
        "终止式是结束一个乐句的和弦进行，就像句子里的标点。正格终止V-I听起来最完满，变格终止IV-I较柔和，半终止停在V级上，听起来没有结束，阻碍终止则从V进行到意想不到的和弦，例如vi级。",
    ),
    (
        "What does syncopation mean?",
        "Syncopation puts accents where the listener does not expect them, usually on weak beats or between beats. It gives rhythm a push and is central to jazz, funk, reggae and much pop music.",
        "什么是切分音？",
        "切分音是把重音放在听众不期待的位置，通常是弱拍或拍与拍之间。它让节奏更有推动力，是爵士、放克、雷鬼和许多流行音乐的重要特征。",
    ),
    (
        "What is the difference between legato and staccato?",
        "Legato means smooth and connected, with no gaps between notes. Staccato means short and detached; the notes are separated by small silences. In notation legato is shown with a slur and staccato with a dot above or below the note.",
        "连奏和断奏有什么区别？",
        "连奏（legato）要求音与音之间平滑连接、没有间断；断奏（staccato）要求音短促而分开，音与音之间有小小的停顿。乐谱上连奏用圆滑线表示，断奏用音符上方或下方的小圆点表示。",
    ),
    (
        "What do forte and piano mean in music?",
        "They are dynamic markings from Italian. Forte (f) means loud and piano (p) means soft. Related markings include fortissimo (ff, very loud), pianissimo (pp, very soft), mezzo-forte (mf) and mezzo-piano (mp).",
        "乐谱上的forte和piano是什么意思？",
        "它们是来自意大利语的力度记号。forte（f）表示强，piano（p）表示弱。相关记号还有fortissimo（ff，很强）、pianissimo（pp，很弱）、mezzo-forte（mf，中强）和mezzo-piano（mp，中弱）。",
    ),
    (
        "What is the circle of fifths?",
        "The circle of fifths arranges the twelve keys so that each is a perfect fifth above the previous one: C, G, D, A, E, B, F#, and so on. Moving clockwise adds one sharp to the key signature, moving counter-clockwise adds one flat, and neighbouring keys share most of their notes.",
        "什么是五度圈？",
        "五度圈把十二个调按纯五度关系排成一圈：C、G、D、A、E、B、F#……顺时针每走一步，调号增加一个升号；逆时针每走一步，增加一个降号。相邻的调有大部分相同的音。",
    ),
    (
        "What is a pentatonic scale?",
        "A pentatonic scale has five notes per octave. The major pentatonic uses degrees 1, 2, 3, 5 and 6 of the major scale, for example C, D, E, G and A. Because it has no semitones, almost any combination of its notes sounds consonant, which is why it is common in folk music around the world.",
        "什么是五声音阶？",
        "五声音阶每个八度有五个音。大调五声音阶由大调音阶的第1、2、3、5、6级组成，例如C、D、E、G、A，对应中国传统的宫、商、角、徵、羽。因为没有半音，它的音怎么组合都比较和谐，所以在世界各地的民间音乐中都很常见。",
    ),
    (
        "What is an arpeggio?",
        "An arpeggio is a chord whose notes are played one after another instead of all at once, for example C, E, G, C for a C major chord. Arpeggios are used in accompaniment patterns and as technical exercises.",
        "什么是琶音？",
        "琶音是把和弦的音一个接一个地奏出，而不是同时奏出，例如C大三和弦的琶音是C、E、G、C。琶音常用于伴奏织体，也是常见的技术练习。",
    ),
    (
        "What is a time signature?",
        "A time signature, written at the start of a piece, tells you how many beats are in each bar and which note value gets one beat. In 4/4 there are four quarter-note beats per bar; in 3/4 there are three, which gives the feel of a waltz; 6/8 has six eighth notes grouped in two beats.",
        "什么是拍号？",
        "拍号写在乐曲开头，说明每小节有几拍、以什么音符为一拍。4/4拍每小节有四个四分音符拍；3/4拍每小节三拍，有圆舞曲的感觉；6/8拍每小节六个八分音符，通常分成两大拍。",
    ),
    (
        "What is timbre?",
        "Timbre, or tone colour, is what makes two sounds with the same pitch and loudness sound different, such as a violin and a flute playing the same note. It depends on the overtones an instrument produces and on how the sound starts and fades.",
        "什么是音色？",
        "音色是指音高和音量相同时，让两个声音听起来不同的特质，例如小提琴和长笛奏同一个音。它取决于乐器产生的泛音以及声音的起音和衰减方式。",
    ),
    (
        "What is the difference between a verse and a chorus?",
        "In a popular song the verses usually have different lyrics each time and move the story forward, while the chorus repeats the same words and melody and carries the main message or hook. Many songs add a pre-chorus that builds tension before the chorus and a bridge that offers contrast near the end.",
        "主歌和副歌有什么区别？",
        "在流行歌曲中，主歌每次歌词不同，用来推进故事；副歌重复相同的歌词和旋律，承载歌曲的核心信息或记忆点。很多歌曲还有预副歌，在副歌前积累情绪，以及在后段提供对比的桥段。",
    ),
    (
        "What is a rhyme scheme?",
        "A rhyme scheme describes which line endings rhyme, using letters: in AABB the first two lines rhyme with each other and the next two with each other; in ABAB lines one and three rhyme, as do two and four. Songwriters also use near rhymes, where the vowels match but the consonants differ.",
        "什么是押韵格式？",
        "押韵格式用字母表示哪些句尾押韵：AABB表示前两句互相押韵，后两句互相押韵；ABAB表示第一、三句押韵，第二、四句押韵。中文歌词常常一韵到底，也会在副歌换韵来制造变化。",
    ),
    (
        "What is prosody in songwriting?",
        "Prosody is how well the words fit the music: stressed syllables should fall on strong beats, and the melody's shape should match the meaning and emotion of the lyric. Good prosody makes a line feel natural to sing; poor prosody makes words sound awkward or misplaced.",
        "写歌时的“咬字与旋律配合”指什么？",
        "指歌词与音乐的契合程度：重读的字应落在强拍上，旋律的起伏要与歌词的意思和情绪相符。在中文歌曲中，还要注意字的声调与旋律走向，否则容易唱成“倒字”，让听众听错意思。",
    ),
    (
        "What is a hook in a song?",
        "A hook is a short, memorable musical or lyrical idea that catches the listener's ear, often the title line of the chorus or a distinctive instrumental riff. A strong hook is usually simple, repeated and easy to sing back.",
        "歌曲中的“钩子”是什么？",
        "“钩子”（hook）是歌曲中简短而容易记住的音乐或歌词片段，常常是副歌中的标题句，或一段有特色的器乐旋律。好的钩子通常简单、反复出现，听一两遍就能跟着唱。",
    ),
    (
        "What is a crescendo?",
        "A crescendo is a gradual increase in loudness, marked cresc. or with an opening hairpin sign. Its opposite, a gradual decrease, is called a decrescendo or diminuendo.",
        "什么是渐强？",
        "渐强（crescendo）是指音量逐渐增大，乐谱上写作cresc.或用开口的“发夹”记号表示。相反，逐渐减弱叫作渐弱（decrescendo或diminuendo）。",
    ),
    (
        "What is a chord progression?",
        "A chord progression is a series of chords played in order. Progressions are often written with Roman numerals relative to the key, so I-V-vi-IV in C major is C, G, A minor, F. The same progression can support many different melodies.",
        "什么是和弦进行？",
        "和弦进行是按顺序演奏的一系列和弦，常用相对于调的罗马数字表示。例如在C大调中，I-V-vi-IV就是C、G、Am、F。同一个和弦进行可以配上许多不同的旋律。",
    ),
    (
        "What does tempo mean and how is it marked?",
        "Tempo is the speed of the beat. It can be given as a metronome mark in beats per minute, such as 120 BPM, or with Italian terms: largo is very slow, adagio slow, andante at a walking pace, moderato moderate, allegro fast and presto very fast.",
        "速度是什么？乐谱上怎么标？",
        "速度指节拍的快慢，可以用节拍器标记，即每分钟多少拍，例如120 BPM；也可以用意大利语术语：largo（广板，很慢）、adagio（柔板，慢）、andante（行板，步行速度）、moderato（中板）、allegro（快板）和presto（急板，很快）。",
    ),
    (
        "What is a key in music?",
        "A key is the set of notes and chords a piece is built around, centred on a home note called the tonic. A song in G major, for example, uses mainly the notes of the G major scale and tends to return to the G major chord at the end.",
        "音乐中的“调”是什么？",
        "调是一首乐曲所围绕的一组音和和弦，中心是被称为主音的“家”。例如一首G大调的歌主要使用G大调音阶中的音，结尾往往回到G大三和弦。",
    ),
    (
        "How do I count syllables when writing lyrics?",
        "Say the line aloud and clap once for each syllable. Lines that share a melody should have about the same number of syllables and the stresses in the same places, although singers can stretch or squeeze a syllable over several notes when needed.",
        "写中文歌词时要注意字数吗？",
        "要注意。中文一个字通常对应一个音，所以同一段旋律的歌词最好字数相近，重音位置也要一致。必要时可以一字多音，用拖腔来填满旋律，但不宜过多。",
    ),
)


def _mk_item(rng: random.Random, lang: str) -> tuple[str, str]:
    """One music-knowledge (question, answer) pair in ``lang`` (computed or written)."""
    zh = lang == "zh"
    kind = rng.randrange(8)
    if kind == 0:
        key = rng.choice(MAJOR_KEYS)
        notes = scale(key)
        if zh:
            return (
                f"{key}大调音阶有哪些音？",
                f"{key}大调音阶依次是：{'、'.join(notes)}。它按照“全全半全全全半”的音程关系排列。",
            )
        return (
            f"What are the notes of the {key} major scale?",
            f"The {key} major scale is {', '.join(notes)}. It follows the pattern whole, whole, half, whole, whole, whole, half.",
        )
    if kind == 1:
        key = rng.choice(MINOR_KEYS)
        notes = scale(key, minor=True)
        rel = notes[2]
        if zh:
            return (
                f"{key}小调（自然小调）音阶有哪些音？",
                f"{key}自然小调音阶依次是：{'、'.join(notes)}。它的关系大调是{rel}大调，两者调号相同。",
            )
        return (
            f"What are the notes of the {key} natural minor scale?",
            f"The {key} natural minor scale is {', '.join(notes)}. Its relative major is {rel} major, which has the same key signature.",
        )
    if kind == 2:
        while True:
            root = rng.choice(_ROOTS)
            q_en, q_zh, third, fifth = rng.choice(_TRIADS)
            t, f = note_above(root, 2, third), note_above(root, 4, fifth)
            if t and f:
                break
        if zh:
            return (
                f"以{root}为根音的{q_zh}由哪几个音组成？",
                f"{root}{q_zh}由{root}、{t}、{f}组成：根音到三音{third}个半音，根音到五音{fifth}个半音。",
            )
        return (
            f"Which notes make up a {root} {q_en} triad?",
            f"A {root} {q_en} triad is {root}, {t} and {f}: the third is {third} semitones and the fifth {fifth} semitones above the root.",
        )
    if kind == 3:
        while True:
            root = rng.choice(_ROOTS)
            num, semis, name_en, name_zh = rng.choice(_INTERVALS)
            top = note_above(root, num - 1, semis)
            if top:
                break
        if zh:
            return f"从{root}向上到{top}是什么音程？", f"从{root}向上到{top}是{name_zh}，相差{semis}个半音。"
        return (
            f"What interval is it from {root} up to {top}?",
            f"From {root} up to {top} is a {name_en}, {semis} semitones.",
        )
    if kind == 4:
        key = rng.choice(MAJOR_KEYS[:-1])
        if key in _KEYSIG_SHARPS:
            n, acc = _KEYSIG_SHARPS[key], list("FCGDAEB")[: _KEYSIG_SHARPS[key]]
            acc = [a + "#" for a in acc]
            kind_en, kind_zh = "sharp", "升号"
        else:
            n, acc = _KEYSIG_FLATS[key], [a + "b" for a in "BEADGCF"[: _KEYSIG_FLATS[key]]]
            kind_en, kind_zh = "flat", "降号"
        if n == 0:
            return (
                ("C大调的调号有几个升降号？", "C大调没有升号也没有降号，只用白键上的音。")
                if zh
                else (
                    "How many sharps or flats does C major have?",
                    "C major has no sharps or flats; it uses only the white keys of the piano.",
                )
            )
        if zh:
            return f"{key}大调的调号有几个{kind_zh}？", f"{key}大调有{n}个{kind_zh}：{'、'.join(acc)}。"
        return (
            f"How many {kind_en}s are in the key signature of {key} major?",
            f"{key} major has {n} {kind_en}{'s' if n > 1 else ''}: {', '.join(acc)}.",
        )
    if kind == 5:
        name = rng.choice(_SHARP_NAMES)
        octave = rng.randint(2, 6)
        midi = (octave + 1) * 12 + pitch_class(name)
        freq = 440 * 2 ** ((midi - 69) / 12)
        d = midi - 69
        if zh:
            rel = "与A4相同" if d == 0 else (f"比A4高{d}个半音" if d > 0 else f"比A4低{-d}个半音")
            return (
                f"以A4=440赫兹为标准，{name}{octave}的频率是多少？",
                f"{name}{octave}{rel}，频率为440×2^({d}/12)≈{freq:.2f}赫兹。",
            )
        rel = (
            "is A4 itself"
            if d == 0
            else (f"is {d} semitones above A4" if d > 0 else f"is {-d} semitones below A4")
        )
        return (
            f"With A4 = 440 Hz, what is the frequency of {name}{octave}?",
            f"{name}{octave} {rel}, so its frequency is 440 x 2^({d}/12) = {freq:.2f} Hz.",
        )
    if kind == 6:
        top, bottom = rng.choice(((2, 4), (3, 4), (4, 4), (5, 4), (6, 8), (9, 8), (12, 8), (3, 8), (2, 2)))
        unit = rng.choice((8, 16)) if bottom <= 8 else 16
        count = top * unit // bottom
        names_en = {8: "eighth notes", 16: "sixteenth notes"}
        names_zh = {8: "八分音符", 16: "十六分音符"}
        if zh:
            return (
                f"一个{top}/{bottom}拍的小节能放几个{names_zh[unit]}？",
                f"{top}/{bottom}拍每小节有{top}个{bottom}分音符，等于{count}个{names_zh[unit]}。",
            )
        return (
            f"How many {names_en[unit]} fit in one bar of {top}/{bottom}?",
            f"A bar of {top}/{bottom} holds {top} notes of value 1/{bottom}, which equals {count} {names_en[unit]}.",
        )
    q_en, a_en, q_zh, a_zh = rng.choice(_MK_STATIC)
    return (q_zh, a_zh) if zh else (q_en, a_en)


def gen_music_knowledge(rng: random.Random) -> Iterable[dict[str, Any]]:
    """Endless music-theory and songwriting Q&A (en/zh) as chats or short documents."""
    while True:
        lang = "en" if rng.random() < 0.4 else "zh"
        items = [_mk_item(rng, lang) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.6:
            msgs: list[dict[str, str]] = []
            for q, a in items:
                msgs += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
            yield {"messages": msgs, "lang": lang}
        else:
            qa = "\n\n".join((f"问：{q}\n答：{a}" if lang == "zh" else f"Q: {q}\nA: {a}") for q, a in items)
            yield {"text": qa, "lang": lang}


# --------------------------------------------------------------------------------------------
# general.jsonl
# --------------------------------------------------------------------------------------------

GENERAL_SOURCES: dict[str, tuple[Callable[[random.Random], Iterable[dict[str, Any]]], float]] = {
    "wiki": (gen_wiki, 0.30),
    "chat": (gen_chat, 0.18),
    "math": (gen_math, 0.16),
    "code": (gen_code, 0.16),
    "music_knowledge": (gen_music_knowledge, 0.20),
}


def _record_text(rec: dict[str, Any]) -> str:
    if "text" in rec:
        return str(rec["text"])
    return "\n".join(m["content"] for m in rec["messages"])


def build_general(
    seed: int, lyric_tokens: int, ratio: float = 5.2, min_bytes: int = 1_200_000
) -> tuple[list[bytes], dict[str, Any]]:
    """``general.jsonl`` lines and ground truth.

    Generates documents (``text``) and chats (``messages``) from the five sources, balanced by
    bytes with the weights of :data:`GENERAL_SOURCES`, until the estimated tokens reach
    ``ratio * lyric_tokens`` and the file holds at least ``min_bytes``; then adds two invalid
    lines (broken JSON, a record with neither text nor messages).
    """
    rng = random.Random(f"general:{seed}")
    gens = {
        name: iter(g(random.Random(f"general:{name}:{seed}"))) for name, (g, _) in GENERAL_SOURCES.items()
    }
    weights = {name: w for name, (_, w) in GENERAL_SOURCES.items()}
    size: Counter[str] = Counter()
    stats: dict[str, Counter[str]] = {name: Counter() for name in gens}
    lines: list[bytes] = []
    seen: set[str] = set()
    total_tokens = total_bytes = 0
    counters: Counter[str] = Counter()
    target = ratio * lyric_tokens
    skipped = 0
    while total_tokens < target or total_bytes < min_bytes:
        src = min(weights, key=lambda k: size[k] / weights[k])
        rec = next(gens[src])
        text = _record_text(rec)
        if text in seen:
            skipped += 1
            if skipped > 100_000:
                raise RuntimeError("general generators keep repeating themselves")
            size[src] += 1  # nudge the round robin
            continue
        seen.add(text)
        counters[src] += 1
        obj: dict[str, Any] = {"id": f"g-{src}-{counters[src]:05d}", "source": src}
        if "text" in rec:
            obj["text"] = rec["text"]
            stats[src]["documents"] += 1
        else:
            obj["messages"] = rec["messages"]
            stats[src]["chats"] += 1
        obj["lang"] = rec["lang"]
        line = dumps_line(obj)
        tokens = estimate_tokens(text)
        lines.append(line)
        size[src] += len(line) + 1
        total_bytes += len(line) + 1
        total_tokens += tokens
        stats[src]["records"] += 1
        stats[src]["bytes"] += len(line) + 1
        stats[src]["tokens_estimate"] += tokens
        stats[src][f"lang_{rec['lang']}"] += 1
    broken = dumps_line(
        {"id": "g-bad-00001", "source": "wiki", "text": "This document was cut off in the middle of"}
    )[:-12]
    empty = dumps_line({"id": "g-bad-00002", "source": "chat"})
    invalid: dict[str, list[int]] = {}
    for data in (broken, empty):
        lines.insert(rng.randint(1, len(lines) - 1), data)
    for n, line in enumerate(lines, start=1):
        if line is broken:
            invalid["broken_json"] = [n]
        elif line is empty:
            invalid["no_text_or_messages"] = [n]
    expected = {
        "file": "general.jsonl",
        "physical_lines": len(lines),
        "input_records": len(lines),
        "valid_records": len(lines) - 2,
        "invalid": invalid,
        "by_source": {k: dict(sorted(v.items())) for k, v in stats.items()},
        "tokens_estimate": total_tokens,
        "lyric_tokens_estimate": lyric_tokens,
        "general_to_lyrics_token_ratio": round(total_tokens / max(1, lyric_tokens), 3),
        "token_estimate_rule": "1 token per CJK/kana/hangul character + 1 per 4 other non-space characters",
    }
    return lines, expected


# --------------------------------------------------------------------------------------------
# make_sample
# --------------------------------------------------------------------------------------------


def _readme(
    expected: dict[str, Any], files: dict[str, tuple[int, int]], pd_records: list[dict[str, Any]]
) -> str:
    songs, pl, gen = expected["songs"], expected["playlists"], expected["general"]
    c = songs["counts"]
    lc = songs["language_counts"]
    repos = Counter(r["source"].split(":")[0] for r in pd_records)
    albums = Counter((r["language"], r["album"], r.get("license", "")) for r in pd_records)
    out = [
        "# SongSage sample data",
        "",
        "Small, deterministic data for tests, the smoke pipeline and the benchmark baseline. Generated by",
        f"`PYTHONPATH=platform python -m songsage.data.synthetic sample --out data/sample --seed {expected['seed']}`",
        "(`platform/songsage/data/synthetic.py`); do not edit by hand, regenerate instead. The same seed gives",
        "byte-identical files. Larger synthetic song files for benchmarks come from",
        "`python -m songsage.data.synthetic songs --n 200000 --out /tmp/songs.jsonl` (not committed).",
        "",
        "| file | lines | bytes | holds |",
        "| --- | ---: | ---: | --- |",
        f"| `songs.jsonl` | {files['songs.jsonl'][0]} | {files['songs.jsonl'][1]:,} | lyric records with deliberate defects |",
        f"| `playlists.jsonl` | {files['playlists.jsonl'][0]} | {files['playlists.jsonl'][1]:,} | playlists referencing the songs |",
        f"| `general.jsonl` | {files['general.jsonl'][0]} | {files['general.jsonl'][1]:,} | general text for mixing |",
        f"| `expected.json` | - | {files['expected.json'][1]:,} | ground truth for every deliberate defect |",
        "",
        "## Licence",
        "",
        "Everything except the public-domain songs listed below was written for this project (phrase banks,",
        "templates and generated combinations: lyrics, names, playlists, articles, conversations, problems, code)",
        "and is dedicated to the public domain under **CC0 1.0**. The project-written lyrics are original",
        "combinations of short phrases written for this project; no lyrics were copied from existing songs.",
        "",
        f"{len(pd_records)} songs (`public_domain` in expected.json) are copied unchanged, with their `song_id`, `name`,",
        "`artist`, `album`, `lyrics`, `tags`, `source` and `license` fields, from the shared corpus",
        "`/work/shared/corpora/public-domain-lyrics/songs.jsonl` (see its README for provenance and commits).",
        f"{c['public_domain_derived']} further records (`public_domain_derived`) are a duplicate copy and an edited copy of",
        "two of them, made to test deduplication; their `source` field says so.",
        "",
        "| language | collection | licence field | songs |",
        "| --- | --- | --- | ---: |",
    ]
    out += [f"| {lang} | {album} | {lic} | {n} |" for (lang, album, lic), n in sorted(albums.items())]
    out += [
        "",
        "Source repositories: " + "; ".join(f"`{r}` ({n})" for r, n in sorted(repos.items())) + ".",
        "",
    ]
    out += [
        "The 全宋词/诗经/花间集/南唐/纳兰 texts are pre-modern Chinese poetry (public domain) as digitised by the",
        "MIT-licensed chinese-poetry project; the English hymns and nursery rhymes are 19th/early-20th-century",
        "books from Project Gutenberg (public domain); the Japanese songs are by 野口雨情, 北原白秋 and 竹久夢二",
        "(all died before 1946; public domain) via Aozora Bunko.",
        "",
        "## songs.jsonl",
        "",
        '`{"song_id": str, "name": str, "artist": str, "album": str|null, "lyrics": str, "tags": [str],',
        '"language": str}`; `language` is only a hint: absent in some records and deliberately wrong in others.',
        "Extra fields (`source`, `license`) appear on the public-domain songs.",
        "",
        f"* {songs['physical_lines']} physical lines: {songs['input_records']} records + {len(songs['blank_lines'])} blank lines",
        f"  (blank or whitespace-only lines are not records); {songs['valid_records']} valid records,",
        f"  {songs['invalid_records']} invalid lines.",
        f"* Language truth (songs with lyric text): en {lc.get('en', 0)}, zh {lc.get('zh', 0)}, ja {lc.get('ja', 0)},",
        f"  ko {lc.get('ko', 0)}; {len(songs['language_truth_excluded'])} valid songs have no language",
        "  (empty, instrumental placeholder, mostly non-letter) and are listed in `language_truth_excluded`.",
        f"* After quality filters and deduplication the expected counts are {songs['expected_after_quality_dedup']};",
        f"  balancing en:zh:ko:ja = 2:2:1:1 then keeps {songs['expected_balanced_2_2_1_1']}.",
        "",
        "Deliberate defects (song ids per label in expected.json; counts here):",
        "",
        "| label | records | what |",
        "| --- | ---: | --- |",
    ]
    what = {
        "lrc": "LRC timestamps at line starts (`[00:12.34]`, `[01:02.345]`)",
        "lrc_metadata": "LRC tag lines `[ti:]` `[ar:]` `[al:]` `[by:]` `[offset:]`",
        "lrc_multi_stamp": "repeated lines merged as `[00:12.34][01:15.00]line`",
        "credits": "credit lines: 作词：/作曲：/编曲：/作词 : /制作人：, Lyrics by/Composed by/Written by/Producer:, 작사 : /작곡 : , 作詞：/作曲：",
        "html": "HTML remnants `<br>`, `<p>`, `&amp;`, `&#39;`",
        "control_chars": "BEL/ESC control characters, zero-width space, BOM",
        "fullwidth": "full-width ASCII (and U+3000 spaces) that NFKC folds",
        "instrumental": "instrumental placeholders (纯音乐，请欣赏, 此歌曲为没有填词的纯音乐，请您欣赏, Instrumental, (instrumental), インストゥルメンタル)",
        "empty": "empty, whitespace-only or null lyrics",
        "too_short": "one or two short lines",
        "spam": "one line repeated 30+ times",
        "non_letter": "mostly digits, symbols, emoji",
        "mojibake": "whole lyric UTF-8 mis-decoded as cp1252 (`mojibake_cp1252`) or latin-1 (`mojibake_latin-1`)",
        "mixed_language": "Korean with English lines, Japanese with an English chorus, Chinese with English words",
        "kanji_heavy_ja": "Japanese that is mostly kanji with little kana",
        "traditional_zh": "traditional-character Chinese",
        "exact_dup": f"members of {c['exact_dup_groups']} exact-duplicate groups (identical, or identical after removing LRC stamps / credits / CRLF)",
        "near_dup": f"members of {c['near_dup_groups']} near-duplicate groups (one word/line changed, added or removed; char-5-gram Jaccard >= {songs['near_dup_min_jaccard']})",
        "language_hint_missing": "no `language` field",
        "language_hint_wrong": "`language` field contradicts the lyric",
    }
    out += [f"| `{lab}` | {c[lab]} | {desc} |" for lab, desc in what.items()]
    out += ["", "Invalid lines (1-based line numbers in `invalid`; details in `invalid_details`):", ""]
    inv_what = {
        "broken_json": "truncated object, object ending after a comma, Python dict repr",
        "invalid_utf8": "raw bytes FF FE, a lone continuation byte, a truncated 3-byte sequence inside the lyric",
        "missing_song_id": "no `song_id` (removed or spelled `id` / `songId`)",
        "empty_song_id": "`song_id` empty or only spaces",
        "wrong_type": "`tags` a string, `lyrics` a number, `name` null, `artist` a list",
        "not_object": "a JSON array, a JSON string, `null`",
        "duplicate_song_id": "a later record reusing an earlier `song_id` with different content (the first one is valid)",
    }
    out += [f"* `{k}` ({len(songs['invalid'][k])}): {v}" for k, v in inv_what.items()]
    out += [
        "",
        "Near-duplicate groups are checked when the file is generated: every pair inside a group has character-5-gram",
        f"Jaccard >= {songs['near_dup_min_jaccard']} after cleaning, and no two songs outside a common group reach 0.5",
        f"(highest: {songs['near_dup_max_other_jaccard']}).",
        "",
        "## playlists.jsonl",
        "",
        '`{"playlist_id", "title", "tags": [str], "description": str|null, "song_ids": [str]}`: '
        f"{pl['valid_records']} playlists (15 per language, themes such as 伤感, 深夜, Workout, Chill, 90s, J-Pop, K-Pop),",
        "5-25 valid song ids each (public-domain themed lists use the public-domain songs). Invalid lines: "
        + ", ".join(f"`{k}` (line {v[0]})" for k, v in pl["invalid"].items())
        + ".",
        "",
        "## general.jsonl",
        "",
        'General text for mixing, two shapes: documents `{"id", "source", "text", "lang"}` and chats',
        '`{"id", "source", "messages": [{"role", "content"}], "lang"}`. Sources (named after the paper\'s Table 10',
        "categories): `wiki` (articles on instruments, genres, recording technology, notation; en/zh), `chat` (daily",
        "conversations; en/zh), `math` (word problems with computed worked answers), `code` (Python snippets whose",
        "examples were produced by running them), `music_knowledge` (computed scales, chords, intervals, key",
        "signatures, frequencies, plus written theory and songwriting answers).",
        "",
        "| source | records | documents | chats | bytes | est. tokens |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for src, st in gen["by_source"].items():
        out.append(
            f"| {src} | {st.get('records', 0)} | {st.get('documents', 0)} | {st.get('chats', 0)} | "
            f"{st.get('bytes', 0):,} | {st.get('tokens_estimate', 0):,} |"
        )
    out += [
        "",
        f"Estimated tokens: general {gen['tokens_estimate']:,} vs. lyrics {gen['lyric_tokens_estimate']:,} "
        f"(ratio {gen['general_to_lyrics_token_ratio']}; rule: {gen['token_estimate_rule']}).",
        "Invalid lines: " + ", ".join(f"`{k}` (line {v[0]})" for k, v in gen["invalid"].items()) + ".",
        "",
        "## expected.json",
        "",
        "`songs`: `input_records`, `valid_records`, `blank_lines`, `invalid` (kind -> line numbers), `invalid_details`,",
        "one id list per label above, `exact_dup_groups` (identical after cleaning), `exact_dup_raw_groups`",
        "(byte-identical lyrics), `near_dup_groups`, `language_truth` ({song_id: en|zh|ja|ko}),",
        "`language_truth_excluded`, `language_hint_wrong_values`, `quality_drop` ({song_id: expected quality reason;",
        "`too_short` also covers `too_few_lines`}),",
        "`expected_after_quality_dedup`, `expected_balanced_2_2_1_1`, `counts`. `playlists` and `general`: record",
        "counts, invalid line numbers, per-source statistics.",
        "",
    ]
    return "\n".join(out)


def make_sample(out_dir: Path, seed: int = 0, pd_corpus: Path | None = None) -> dict[str, Any]:
    """Write the shipped sample (songs, playlists, general text, expected.json, README.md) to ``out_dir``.

    Inputs: output folder, seed, and the shared public-domain corpus (default: ``$SONGSAGE_PD_CORPUS``
    or :data:`DEFAULT_PD_CORPUS`; when it is missing the quota is filled with synthetic songs, so
    the output differs from the committed sample). Output: a summary dict (files with lines and
    bytes, language counts, defect counts, token ratio).
    """
    out_dir = Path(out_dir)
    pd_path = Path(pd_corpus or os.environ.get(PD_CORPUS_ENV) or DEFAULT_PD_CORPUS)
    pd_records = load_public_domain(pd_path, seed) if pd_path.exists() else []
    song_lines, song_exp, factory = build_sample_songs(seed, pd_records)
    pd_albums = {s.song_id: s.album or "" for s in factory.songs if "public_domain" in s.labels}
    pl_lines, pl_exp = build_playlists(seed, song_exp["language_truth"], pd_albums)
    gen_lines, gen_exp = build_general(seed, song_exp["lyric_tokens_estimate"])
    files = {
        "songs.jsonl": write_lines(out_dir / "songs.jsonl", song_lines),
        "playlists.jsonl": write_lines(out_dir / "playlists.jsonl", pl_lines),
        "general.jsonl": write_lines(out_dir / "general.jsonl", gen_lines),
    }
    expected = {
        "version": 1,
        "seed": seed,
        "generator": "songsage.data.synthetic.make_sample",
        "public_domain_corpus": str(pd_path) if pd_records else None,
        "songs": song_exp,
        "playlists": pl_exp,
        "general": gen_exp,
    }
    exp_text = json.dumps(expected, ensure_ascii=False, indent=1) + "\n"
    (out_dir / "expected.json").write_text(exp_text, encoding="utf-8")
    files["expected.json"] = (exp_text.count("\n"), len(exp_text.encode("utf-8")))
    readme = _readme(expected, files, pd_records)
    (out_dir / "README.md").write_text(readme, encoding="utf-8")
    files["README.md"] = (readme.count("\n"), len(readme.encode("utf-8")))
    return {
        "out_dir": str(out_dir),
        "files": {k: {"lines": v[0], "bytes": v[1]} for k, v in files.items()},
        "total_bytes": sum(v[1] for v in files.values()),
        "songs": {
            "input_records": song_exp["input_records"],
            "valid": song_exp["valid_records"],
            "language_counts": song_exp["language_counts"],
            "counts": song_exp["counts"],
        },
        "playlists": {"valid": pl_exp["valid_records"], "invalid": pl_exp["invalid"]},
        "general": {
            "records": gen_exp["valid_records"],
            "tokens_estimate": gen_exp["tokens_estimate"],
            "ratio": gen_exp["general_to_lyrics_token_ratio"],
        },
        "public_domain_songs": len(pd_records),
    }


# --------------------------------------------------------------------------------------------
# Benchmark-scale songs
# --------------------------------------------------------------------------------------------

# Defect kinds of make_synthetic_songs and their relative weights (within the defect share).
BENCH_DEFECTS: dict[str, int] = {
    "lrc": 12,
    "credits": 12,
    "html": 5,
    "control_chars": 3,
    "fullwidth": 3,
    "instrumental": 4,
    "empty": 4,
    "too_short": 4,
    "spam": 3,
    "non_letter": 3,
    "exact_dup": 10,
    "exact_dup_lrc": 5,
    "near_dup": 10,
    "mojibake": 4,
    "mixed_language": 6,
    "broken_json": 2,
    "invalid_utf8": 2,
    "missing_song_id": 1,
    "empty_song_id": 1,
    "wrong_type": 2,
    "not_object": 1,
    "duplicate_song_id": 2,
}
BENCH_LANG_WEIGHTS: dict[str, int] = {"en": 3, "zh": 3, "ko": 1, "ja": 1}


def make_synthetic_songs(n: int, out_path: Path, seed: int = 0, defect_rate: float = 0.05) -> int:
    """Write ``n`` synthetic song lines (JSONL, one record per line) to ``out_path``.

    Languages are skewed en:zh:ko:ja = 3:3:1:1, lyrics have 8-40 lines, and a ``defect_rate`` share of
    the lines carry one defect drawn from :data:`BENCH_DEFECTS` (LRC, credits, HTML, instrumental,
    empty, spam, exact/near duplicates of recent songs, mojibake, invalid JSON/UTF-8/schema ...).
    ``language`` hints are missing for 10% and wrong for ``defect_rate / 2`` of the valid songs.
    Output: the number of lines written (= ``n``).
    """
    rng = random.Random(f"bench:{seed}")
    pools = {lang: build_pool(lang, seed) for lang in LANGS}
    lang_bag = [lang for lang, w in BENCH_LANG_WEIGHTS.items() for _ in range(w)]
    kinds = list(BENCH_DEFECTS)
    cum: list[int] = []
    acc = 0
    for k in kinds:
        acc += BENCH_DEFECTS[k]
        cum.append(acc)
    recent: list[dict[str, Any]] = []
    hint_missing, hint_wrong = 0.10, defect_rate / 2
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    buf: list[bytes] = []
    written = 0
    with open(out_path, "wb") as fh:
        for i in range(n):
            sid = f"b{seed:x}{i:09d}"
            lang = rng.choice(lang_bag)
            kind = "plain"
            if rng.random() < defect_rate:
                kind = rng.choices(kinds, cum_weights=cum)[0]
                if kind in ("exact_dup", "exact_dup_lrc", "near_dup", "duplicate_song_id") and not recent:
                    kind = "plain"
            pool = pools[lang]
            rec: dict[str, Any] = {
                "song_id": sid,
                "name": rng.choice(TITLES[lang]),
                "artist": make_artist(rng, lang),
                "album": rng.choice(ALBUMS[lang]) if rng.random() < 0.85 else None,
                "lyrics": "",
                "tags": rng.sample(TAGS[lang], rng.randint(0, 3)),
            }
            line: bytes | None = None
            if kind in ("exact_dup", "exact_dup_lrc", "near_dup"):
                src = rng.choice(recent)
                lang = src["_lang"]
                rec["lyrics"] = src["lyrics"]
                if kind == "exact_dup_lrc":
                    rec["lyrics"] = (
                        add_lrc(rng, src["lyrics"])
                        if rng.random() < 0.5
                        else add_credits(rng, src["lyrics"], lang)
                    )
                elif kind == "near_dup":
                    rec["lyrics"] = "\n".join(
                        edit_lines(
                            rng,
                            src["lyrics"].split("\n"),
                            lang,
                            rng.choice(("swap", "line_change", "line_add")),
                            pools[lang],
                        )
                    )
            elif kind == "instrumental":
                lang, rec["lyrics"] = rng.choice(INSTRUMENTAL_TEXTS)
            elif kind == "empty":
                rec["lyrics"] = rng.choice(("", "   ", "\n\n", None))
            elif kind == "too_short":
                rec["lyrics"] = rng.choice(SHORT_TEXTS[lang])
            elif kind == "non_letter":
                rec["lyrics"] = rng.choice(NON_LETTER_TEXTS)
            elif kind == "spam":
                rec["lyrics"] = "\n".join([pool.line(rng)] * rng.randint(30, 45))
            else:
                lines = compose_lines(rng, pool, rng.randint(8, 40))
                if kind == "mixed_language":
                    mix = {"ko": KO_MIX_LINES, "zh": ZH_MIX_LINES}.get(lang)
                    for j in rng.sample(range(len(lines)), max(2, len(lines) // 5)):
                        if lines[j]:
                            lines[j] = (
                                rng.choice(mix) if mix else pools["en" if lang != "en" else "zh"].line(rng)
                            )
                text = "\n".join(lines)
                if kind == "lrc":
                    text = add_lrc(
                        rng,
                        text,
                        multi=rng.random() < 0.3,
                        meta={"ti": rec["name"], "ar": rec["artist"]} if rng.random() < 0.4 else None,
                    )
                elif kind == "credits":
                    text = add_credits(rng, text, lang)
                elif kind == "html":
                    text = add_html(rng, text, rng.choice(("br", "p", "entities")))
                elif kind == "control_chars":
                    text = add_control_chars(rng, text)
                elif kind == "fullwidth":
                    text = add_fullwidth(rng, text)
                elif kind == "mojibake":
                    text = mojibake(text, rng.choice(("cp1252", "latin-1")))
                rec["lyrics"] = text
            if kind in ("plain", "lrc", "credits", "mixed_language") and rec["lyrics"]:
                recent.append({"lyrics": rec["lyrics"], "_lang": lang, "song_id": sid})
                if len(recent) > 512:
                    recent.pop(rng.randrange(512))
            r = rng.random()
            if r >= hint_missing:
                rec["language"] = _WRONG_HINT[lang] if r < hint_missing + hint_wrong else lang
            if kind == "broken_json":
                text = dumps_line(rec).decode("utf-8")
                line = text[: rng.randint(10, max(11, len(text) - 2))].encode("utf-8")
            elif kind == "invalid_utf8":
                data = dumps_line(rec)
                at = data.index(b'"lyrics": "') + len(b'"lyrics": "')
                line = data[:at] + rng.choice((b"\xff\xfe", b"\x80", b"\xe4\xbd")) + data[at:]
            elif kind == "missing_song_id":
                del rec["song_id"]
            elif kind == "empty_song_id":
                rec["song_id"] = rng.choice(("", "  "))
            elif kind == "wrong_type":
                fld, value = rng.choice(
                    (("tags", "pop, love"), ("lyrics", 12345), ("name", None), ("artist", ["A", "B"]))
                )
                rec[fld] = value
            elif kind == "not_object":
                line = dumps_line(rng.choice(([sid, rec["name"]], "not an object", None)))
            elif kind == "duplicate_song_id":
                rec["song_id"] = rng.choice(recent)["song_id"]
            buf.append(line if line is not None else dumps_line(rec))
            if len(buf) >= 4096:
                fh.write(b"\n".join(buf) + b"\n")
                written += len(buf)
                buf.clear()
        if buf:
            fh.write(b"\n".join(buf) + b"\n")
            written += len(buf)
    return written


# --------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """``sample --out DIR [--seed S]`` or ``songs --n N --out FILE [--seed S] [--defect-rate R]``."""
    parser = argparse.ArgumentParser(
        prog="python -m songsage.data.synthetic", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_sample = sub.add_parser(
        "sample", help="write the shipped sample (songs, playlists, general, expected.json)"
    )
    p_sample.add_argument("--out", type=Path, default=Path("data/sample"))
    p_sample.add_argument("--seed", type=int, default=0)
    p_sample.add_argument("--pd-corpus", type=Path, default=None, help="shared public-domain songs.jsonl")
    p_songs = sub.add_parser("songs", help="write N synthetic songs (benchmark scale)")
    p_songs.add_argument("--n", type=int, required=True)
    p_songs.add_argument("--out", type=Path, required=True)
    p_songs.add_argument("--seed", type=int, default=0)
    p_songs.add_argument("--defect-rate", type=float, default=0.05)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    if args.cmd == "sample":
        summary = make_sample(args.out, seed=args.seed, pd_corpus=args.pd_corpus)
    else:
        lines = make_synthetic_songs(args.n, args.out, seed=args.seed, defect_rate=args.defect_rate)
        summary = {"out": str(args.out), "lines": lines, "bytes": args.out.stat().st_size}
    summary["seconds"] = round(time.perf_counter() - start, 2)
    json.dump(summary, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
