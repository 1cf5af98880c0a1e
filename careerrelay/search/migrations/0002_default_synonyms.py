from django.db import migrations

# One row per meaning; staff extend the list in the operator console (検索 › 同義語).
DEFAULT_SYNONYMS = [
    "PM, プロジェクトマネージャー, プロマネ, project manager",
    "PMO, プロジェクトマネジメントオフィス",
    "PdM, プロダクトマネージャー, product manager",
    "SE, システムエンジニア, system engineer",
    "PG, プログラマー, programmer",
    "エンジニア, engineer, 技術者",
    "営業, セールス, sales",
    "法人営業, BtoB営業, B2B営業",
    "経理, 会計, accounting",
    "財務, ファイナンス, finance",
    "人事, HR, human resources",
    "総務, general affairs",
    "事務, 一般事務, オフィスワーク",
    "マーケティング, marketing, マーケ",
    "デザイナー, designer",
    "UI, ユーザーインターフェース",
    "UX, ユーザー体験",
    "JS, JavaScript",
    "TS, TypeScript",
    "Python, パイソン",
    "Java, ジャバ",
    "Go, Golang",
    "AWS, Amazon Web Services",
    "GCP, Google Cloud",
    "k8s, Kubernetes",
    "インフラ, インフラストラクチャ, infrastructure",
    "フロントエンド, front end, frontend",
    "バックエンド, back end, backend, サーバーサイド",
    "機械学習, ML, machine learning",
    "人工知能, AI",
    "データサイエンティスト, data scientist",
    "カスタマーサポート, カスタマーサクセス, CS, customer support",
    "コールセンター, コンタクトセンター",
    "看護師, ナース, nurse",
    "介護, ケアワーカー, 介護福祉士",
    "施工管理, 現場監督",
    "CAD, キャド",
    "簿記, bookkeeping",
    "英語, English, ビジネス英語",
    "TOEIC, トーイック",
    "管理職, マネージャー, manager",
    "リーダー, leader, チームリーダー",
]


def add_defaults(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    Synonym.objects.bulk_create(Synonym(terms=terms, note="初期設定") for terms in DEFAULT_SYNONYMS)


def remove_defaults(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    Synonym.objects.filter(note="初期設定", terms__in=DEFAULT_SYNONYMS).delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, remove_defaults)]
