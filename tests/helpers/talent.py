from careerrelay.audit.actor import Actor

# Tests that set up data act as the system, as a management command would.
SYSTEM = Actor.system()

HEADER = [
    "氏名",
    "フリガナ",
    "メールアドレス",
    "応募職種",
    "選考段階",
    "不採用理由",
    "不採用日",
    "応募経路",
    "評価メモ",
    "再連絡可",
]


# Line 1 is the header; the comments give each record's line number in the file.
GOOD_AND_BAD = [
    [
        "髙橋　花子",
        "ﾀｶﾊｼ ﾊﾅｺ",
        "ＨＡＮＡＫＯ＠ｅｘａｍｐｌｅ．ｊｐ",
        "法人営業",
        "一次面接",
        "経験不足",
        "2026/11/01",
        "doda",
        "丁寧",
        "可",
    ],  # 2
    [
        "山﨑 太郎",
        "やまざき たろう",
        "taro@example.jp",
        "エンジニア",
        "最終面接",
        "",
        "2026-11-02",
        "自社サイト",
        "",
        "不可",
    ],  # 3
    ["", "", "noname@example.jp", "営業", "書類選考", "", "", "", "", ""],  # 4: no name
    ["佐藤 一郎", "", "not-an-email", "営業", "書類選考", "", "", "", "", ""],  # 5: bad email
    ["鈴木 次郎", "", "taro@example.jp", "営業", "書類選考", "", "", "", "", ""],  # 6: same as line 3
    ["田中 三郎", "", "saburo@example.jp", "営業", "書類選考", "", "2026/02/30", "", "", ""],  # 7: no such date
]


def csv_bytes(rows, encoding="utf-8", delimiter=",", header=HEADER) -> bytes:
    lines = [delimiter.join(cells) for cells in [header, *rows]]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)
