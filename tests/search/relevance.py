"""The relevance test set for candidate search: hand-written profiles, and queries with
the profiles that must appear near the top (graded 2 = exactly what was asked, 1 = also right) and
those that must not appear in the first page. Used by tests/search/test_relevance.py and by
bench/search_bench.py (nDCG@10 against the bm25s reference on the same texts).

Profiles are in load_candidates' JSON Lines shape; `label` names them here only.
"""

import math


def _profile(label, *, prefecture="13", categories=("engineer_software",), years=5, skills=(), summary="", history=()):
    return {
        "label": label,
        "family_name": "検索",
        "given_name": label,
        "email": f"{label}@relevance.example",
        "prefecture": prefecture,
        "job_categories": list(categories),
        "years_experience": years,
        "skills": list(skills),
        "summary": summary,
        "work_history": [
            {"company": company, "role": role, "years": y, "description": description}
            for company, role, y, description in history
        ],
    }


PROFILES = [
    _profile(
        "java_backend",
        years=7,
        skills=["Java", "Spring Boot", "MySQL"],
        summary="Javaでの開発経験が7年あります。要件定義から設計、テストまで担当してきました。",
        history=[
            ("株式会社北斗システム", "システムエンジニア", 7, "金融機関向け基幹システムのJava開発、詳細設計とレビュー")
        ],
    ),
    _profile(
        "frontend_js",
        prefecture="27",
        years=4,
        skills=["JavaScript", "React", "TypeScript"],
        summary="ReactとTypeScriptでWebアプリのフロントエンドを作っています。",
        history=[("株式会社なにわウェブ", "フロントエンドエンジニア", 4, "ECサイトの画面実装とパフォーマンス改善")],
    ),
    _profile(
        "pm_it",
        years=12,
        skills=["PMP", "アジャイル", "WBS作成"],
        summary="20名規模のシステム開発をプロジェクトマネージャーとして推進してきました。",
        history=[
            (
                "株式会社東都ソリューションズ",
                "プロジェクトマネージャー",
                8,
                "官公庁向けシステム更改の進捗・品質・予算管理",
            )
        ],
    ),
    _profile(
        "promane_halfwidth",
        years=9,
        skills=["Excel", "進捗管理"],
        summary="ﾌﾟﾛﾏﾈとして大規模なERP導入案件を担当。",
        history=[("ＡＢＣコンサルティング株式会社", "ﾌﾟﾛﾏﾈ", 5, "ＥＲＰ導入案件の全体管理")],
    ),
    _profile(
        "infra_halfwidth",
        years=6,
        skills=["AWS", "Linux", "Terraform"],
        summary="ｲﾝﾌﾗ領域が得意です。",
        history=[("株式会社クラウドワークス横浜", "ｲﾝﾌﾗｴﾝｼﾞﾆｱ", 6, "ｻｰﾊﾞ構築・運用、監視の自動化")],
    ),
    _profile(
        "sales_corporate",
        prefecture="14",
        categories=("sales",),
        years=5,
        skills=["提案営業", "新規開拓"],
        summary="IT商材のセールスを5年経験しました。",
        history=[("株式会社湘南商事", "法人営業", 5, "中小企業向けに業務ソフトの提案、年間予算120%達成")],
    ),
    _profile(
        "sales_manager",
        prefecture="14",
        categories=("sales",),
        years=15,
        skills=["チームマネジメント", "予算管理"],
        summary="営業チームのマネージャーとして10名を統括しています。",
        history=[("株式会社関東物産", "営業マネージャー", 10, "卸売の営業部門を統括、メンバー育成")],
    ),
    _profile(
        "accountant",
        prefecture="11",
        categories=("finance", "admin"),
        years=8,
        skills=["日商簿記2級", "勘定奉行"],
        summary="月次・年次決算を一人で回せます。",
        history=[("株式会社さいたま精機", "経理", 8, "月次・年次決算、会計ソフトの運用、税理士とのやりとり")],
    ),
    _profile(
        "nurse",
        prefecture="23",
        categories=("medical",),
        years=10,
        skills=["正看護師", "夜勤対応"],
        summary="急性期病棟で看護師として勤務しています。",
        history=[("名古屋中央病院", "看護師", 10, "急性期病棟での看護業務、新人指導")],
    ),
    _profile(
        "designer",
        categories=("design",),
        years=3,
        skills=["Figma", "Photoshop", "Illustrator"],
        summary="UI/UXデザインが専門です。",
        history=[("株式会社アートボックス", "Webデザイナー", 3, "コーポレートサイトとLPのデザイン")],
    ),
    _profile(
        "python_ml",
        years=4,
        skills=["Python", "機械学習", "PyTorch"],
        summary="需要予測モデルを作っています。",
        history=[("株式会社データラボ", "データサイエンティスト", 4, "Pythonでの機械学習モデル開発と分析基盤の構築")],
    ),
    _profile(
        "customer_support",
        prefecture="40",
        categories=("service",),
        years=2,
        skills=["電話対応", "Zendesk"],
        summary="お客様の声を聞くのが好きです。",
        history=[("株式会社博多コール", "カスタマーサポート", 2, "コールセンターでの電話・メール対応")],
    ),
    _profile(
        "english_trading",
        categories=("sales",),
        years=6,
        skills=["TOEIC 900", "貿易実務"],
        summary="ビジネス英語で海外の顧客と価格交渉をしてきました。",
        history=[("丸の内トレーディング株式会社", "海外営業", 6, "アジア・北米向け輸出の営業と通関手続き")],
    ),
]

# (query, filters, {label: grade} that must be in the first `top` hits, labels that must not be in the first 10, top)
QUERIES = [
    ("Java開発", {}, {"java_backend": 2}, ["frontend_js"], 1),
    ("javaでの開発", {}, {"java_backend": 2}, ["frontend_js"], 1),
    ("エンジニア", {}, {"infra_halfwidth": 2, "java_backend": 1, "frontend_js": 2}, ["nurse", "accountant"], 5),
    ("ｴﾝｼﾞﾆｱ", {}, {"infra_halfwidth": 2, "frontend_js": 2}, ["nurse"], 5),
    ("えんじにあ", {}, {"infra_halfwidth": 2, "frontend_js": 2}, ["nurse"], 5),
    ("エンジニア", {"prefecture": "13"}, {"infra_halfwidth": 2, "java_backend": 1}, ["frontend_js"], 3),
    ("PM", {}, {"pm_it": 2, "promane_halfwidth": 2}, ["sales_manager", "java_backend"], 2),
    ("プロジェクトマネージャ", {}, {"pm_it": 2, "promane_halfwidth": 2}, ["sales_manager"], 2),
    ("プロマネ", {}, {"pm_it": 2, "promane_halfwidth": 2}, ["sales_manager"], 2),
    ("SE", {}, {"java_backend": 2}, ["sales_corporate"], 1),
    ("営業", {}, {"sales_corporate": 2, "sales_manager": 2, "english_trading": 1}, ["accountant", "nurse"], 3),
    ("セールス", {}, {"sales_corporate": 2, "sales_manager": 1}, ["accountant"], 3),
    ("法人営業", {}, {"sales_corporate": 2}, ["nurse"], 1),
    ("会計", {}, {"accountant": 2}, ["sales_corporate"], 1),
    ("経理", {}, {"accountant": 2}, ["nurse"], 1),
    ("JS", {}, {"frontend_js": 2}, ["java_backend"], 1),
    ("typescript react", {}, {"frontend_js": 2}, ["java_backend"], 1),
    ("サーバー構築", {}, {"infra_halfwidth": 2}, ["nurse"], 1),
    ("python 機械学習", {}, {"python_ml": 2}, ["java_backend"], 1),
    ("English", {}, {"english_trading": 2}, ["nurse"], 1),
    ("ナース", {}, {"nurse": 2}, ["accountant"], 1),
    ("Webデザイナー", {}, {"designer": 2}, ["frontend_js"], 1),
    ("コールセンター", {}, {"customer_support": 2}, ["sales_corporate"], 1),
    ("ＡＷＳ", {}, {"infra_halfwidth": 2}, ["accountant"], 1),
    ("マネージャー", {"job_category": "sales"}, {"sales_manager": 2}, ["pm_it"], 1),
]


def dcg(grades: list[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def ndcg_at_10(ranked_labels: list[str], judged: dict[str, int]) -> float:
    ideal = dcg(sorted(judged.values(), reverse=True)[:10])
    if ideal == 0:
        return 1.0
    return dcg([judged.get(label, 0) for label in ranked_labels[:10]]) / ideal


def mean_ndcg(run) -> float:
    """`run(query, filters)` returns ranked labels; the mean nDCG@10 over the query set."""
    scores = [ndcg_at_10(run(q, filters), judged) for q, filters, judged, _not, _top in QUERIES]
    return sum(scores) / len(scores)
