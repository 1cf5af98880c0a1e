"""Realistic synthetic Japanese candidate profiles for bench/search_bench.py (load_candidates' JSON
Lines shape). Names, companies and places from Faker's ja_JP locale; roles, skills and sentences
from a small recruiting vocabulary, with the spelling variants people really type (half-width
katakana, full-width Latin letters, サーバ/サーバー, hiragana particles) mixed in."""

import json
import random

from faker import Faker

# category -> (roles, skills, duties)
VOCABULARY = {
    "engineer_software": (
        [
            "システムエンジニア",
            "プログラマー",
            "サーバーサイドエンジニア",
            "フロントエンドエンジニア",
            "インフラエンジニア",
            "SRE",
            "テックリード",
            "データエンジニア",
            "QAエンジニア",
            "モバイルアプリエンジニア",
        ],
        [
            "Java",
            "Python",
            "Go",
            "Ruby",
            "PHP",
            "JavaScript",
            "TypeScript",
            "React",
            "Vue.js",
            "AWS",
            "GCP",
            "Azure",
            "Docker",
            "Kubernetes",
            "Linux",
            "MySQL",
            "PostgreSQL",
            "Spring Boot",
            "Django",
            "Ruby on Rails",
            "C#",
            ".NET",
            "Swift",
            "Kotlin",
            "Terraform",
            "Git",
            "C++",
            "Rust",
            "Scala",
            "COBOL",
        ],
        [
            "{skill}での開発",
            "{skill}を使ったWebアプリケーション開発",
            "サーバ構築と運用保守",
            "基幹システムの要件定義・設計",
            "APIの設計と実装",
            "CI/CDパイプラインの整備",
            "クラウド移行プロジェクト",
            "性能改善とモニタリング",
            "コードレビューと若手の育成",
            "スマートフォンアプリの開発",
        ],
    ),
    "engineer_other": (
        ["機械設計エンジニア", "電気設計エンジニア", "施工管理", "生産技術", "品質保証", "設備保全"],
        ["CAD", "AutoCAD", "SolidWorks", "CATIA", "PLC", "電気工事士", "施工管理技士", "QC検定", "FMEA"],
        ["自動車部品の設計", "工場設備の保全", "建築現場の施工管理", "品質管理と不具合対策", "試作品の評価試験"],
    ),
    "sales": (
        ["法人営業", "個人営業", "ルート営業", "インサイドセールス", "営業マネージャー", "海外営業", "代理店営業"],
        ["提案営業", "新規開拓", "既存顧客フォロー", "Salesforce", "英語", "TOEIC 800", "普通自動車免許", "交渉力"],
        [
            "中小企業向けに{skill}を活かした提案",
            "新規顧客の開拓とクロージング",
            "既存顧客への深耕営業",
            "年間売上目標の達成",
            "展示会での商談",
        ],
    ),
    "marketing": (
        ["Webマーケター", "広報", "商品企画", "マーケティングマネージャー", "デジタルマーケティング担当"],
        ["Google Analytics", "SEO", "広告運用", "SNS運用", "MA", "Excel", "企画立案", "市場調査"],
        ["Web広告の運用と効果測定", "新商品の企画と市場調査", "SNSアカウントの運用", "プレスリリースの作成"],
    ),
    "admin": (
        ["一般事務", "営業事務", "人事", "総務", "経理事務", "秘書", "労務"],
        ["Excel", "Word", "PowerPoint", "日商簿記3級", "給与計算", "社会保険手続き", "採用"],
        ["受発注業務とデータ入力", "採用面接の調整と入社手続き", "給与計算と社会保険の手続き", "来客対応と備品管理"],
    ),
    "engineer_design": (
        ["Webデザイナー", "UIデザイナー", "グラフィックデザイナー", "動画編集者", "ディレクター"],
        ["Figma", "Photoshop", "Illustrator", "After Effects", "HTML", "CSS", "UI/UX"],
        ["コーポレートサイトのデザイン", "アプリのUI設計", "販促物の制作", "動画の企画と編集"],
    ),
    "consulting": (
        ["ITコンサルタント", "戦略コンサルタント", "業務コンサルタント", "プロジェクトマネージャー", "PMO"],
        ["PMP", "ロジカルシンキング", "業務改善", "SAP", "ERP導入", "プロジェクト管理", "中小企業診断士"],
        ["業務改善プロジェクトの推進", "ERP導入の全体管理", "経営課題の分析と提言", "PMOとして進捗・課題を管理"],
    ),
    "finance": (
        ["経理", "財務", "会計士", "税理士補助", "内部監査"],
        ["日商簿記2級", "日商簿記1級", "勘定奉行", "freee", "連結決算", "税務申告", "IFRS"],
        ["月次・年次決算", "連結決算と開示資料の作成", "予算策定と資金繰り管理", "税務申告の補助"],
    ),
    "medical": (
        ["看護師", "介護福祉士", "理学療法士", "医療事務", "薬剤師", "ケアマネジャー"],
        ["正看護師", "介護福祉士", "普通自動車免許", "医療事務技能", "夜勤対応", "BLS"],
        ["急性期病棟での看護", "特別養護老人ホームでの介護", "訪問リハビリ", "レセプト業務"],
    ),
    "service": (
        ["販売スタッフ", "店長", "カスタマーサポート", "ホールスタッフ", "コールセンター"],
        ["接客", "売上管理", "シフト管理", "電話対応", "クレーム対応", "英語"],
        ["アパレル店舗での接客と売上管理", "コールセンターでの問い合わせ対応", "店舗スタッフの育成"],
    ),
    "manufacturing": (
        ["製造オペレーター", "ライン長", "検査員", "フォークリフトオペレーター"],
        ["フォークリフト", "品質管理", "5S", "溶接", "玉掛け"],
        ["自動車部品の組立", "製造ラインの管理", "出荷前検査", "倉庫での入出荷"],
    ),
}
CATEGORY_CODES = {"engineer_design": "design"}
SUMMARIES = [
    "{role}として{years}年の経験があります。{duty}を中心に担当してきました。",
    "{skill}が得意です。これまで{duty}に取り組んできました。",
    "{duty}の経験を活かし、次は{role}としてさらに成長したいと考えています。",
    "前職では{duty}を担当。{skill}と{skill2}を使った業務が中心でした。",
    "チームで成果を出すことを大切にしています。{role}としての経験は{years}年です。",
]
HALF_WIDTH = str.maketrans({"エ": "ｴ", "ン": "ﾝ", "ジ": "ｼﾞ", "ニ": "ﾆ", "ア": "ｱ", "サ": "ｻ", "ー": "ｰ", "バ": "ﾊﾞ"})


def _variant(text: str, rng: random.Random) -> str:
    """Some people type half-width katakana, full-width Latin letters or drop a long vowel."""
    roll = rng.random()
    if roll < 0.05:
        return text.translate(HALF_WIDTH)
    if roll < 0.08:
        return text.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    if roll < 0.12:
        return text.replace("サーバー", "サーバ").replace("マネージャー", "マネージャ")
    return text


def generate(count: int, *, seed: int = 5, start: int = 0):
    """Yield `count` profiles (dicts); the same seed and start give the same profiles."""
    fake = Faker("ja_JP")
    fake.seed_instance(seed + start)
    rng = random.Random(seed * 1_000_003 + start)
    categories = list(VOCABULARY)
    prefectures = [f"{n:02d}" for n in range(1, 48)]
    weights = [30 if p == "13" else 10 if p in ("14", "27", "23", "11", "12", "40") else 2 for p in prefectures]
    for i in range(start, start + count):
        category = rng.choice(categories)
        roles, skills, duties = VOCABULARY[category]
        years = rng.randint(0, 30)
        own_skills = rng.sample(skills, k=min(len(skills), rng.randint(2, 7)))
        history = []
        remaining = max(years, 1)
        for _ in range(rng.randint(1, 3)):
            span = max(1, min(remaining, rng.randint(1, 8)))
            remaining = max(remaining - span, 1)
            duty = rng.choice(duties).format(skill=rng.choice(own_skills))
            history.append(
                {
                    "company": fake.company(),
                    "role": _variant(rng.choice(roles), rng),
                    "years": span,
                    "description": _variant(
                        f"{duty}。{rng.choice(duties).format(skill=rng.choice(skills))}など。", rng
                    ),
                }
            )
        role = rng.choice(roles)
        summary = rng.choice(SUMMARIES).format(
            role=role,
            years=years,
            duty=rng.choice(duties).format(skill=own_skills[0]),
            skill=own_skills[0],
            skill2=own_skills[-1],
        )
        low = rng.choice([None, 300, 350, 400, 450, 500, 600, 700, 800])
        profile = {
            "family_name": fake.last_name(),
            "given_name": fake.first_name(),
            "email": f"bench{i}@example.jp",
            "prefecture": rng.choices(prefectures, weights)[0],
            "job_categories": [CATEGORY_CODES.get(category, category)],
            "years_experience": years,
            "skills": [_variant(s, rng) for s in own_skills],
            "summary": _variant(summary, rng),
            "work_history": history,
            "remote_preference": rng.choice(["", "office", "hybrid", "remote", "any"]),
            "desired_salary_min": low,
            "desired_salary_max": None if low is None or rng.random() < 0.3 else low + rng.choice([100, 200, 300]),
        }
        if rng.random() < 0.3:
            profile["desired_prefectures"] = [rng.choices(prefectures, weights)[0]]
        yield profile


def write_jsonl(path, count: int, *, seed: int = 5, start: int = 0) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for profile in generate(count, seed=seed, start=start):
            handle.write(json.dumps(profile, ensure_ascii=False) + "\n")
