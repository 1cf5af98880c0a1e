"""What differs between an employer's and an agency's workspace. The pages they share (team,
invitations, API keys, notifications) read it from `request.workspace`."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from careerrelay.notifications.models import AGENCY_KINDS, EMPLOYER_KINDS
from careerrelay.organisations.models import Membership, Organisation


class UrlNames:
    """`{% url request.workspace.urls.team %}`: a page's name in the workspace's namespace."""

    def __init__(self, namespace: str):
        self.namespace = namespace

    def __getitem__(self, name: str) -> str:
        return f"{self.namespace}:{name}"


@dataclass(frozen=True)
class Workspace:
    kind: str
    namespace: str
    home_url: str
    home_label: str
    # The page of each refusal is the portal's own (employer/…, agency/…); what it answers with:
    # an employer's outsider may be on their way to joining (a friendly 200), while an agency
    # page is about candidates and refuses outright.
    refusal_status: int
    # Employers can set up while an operator reviews them (no mail leaves until then); an
    # agency sees no candidate before approval.
    open_while_pending: bool
    member_role_name: str
    member_role_help: str
    api_keys_intro: str
    notification_kinds: tuple

    @property
    def base_template(self) -> str:
        return f"{self.namespace}/base.html"

    @property
    def urls(self) -> UrlNames:
        return UrlNames(self.namespace)

    def template(self, name: str) -> str:
        return f"{self.namespace}/{name}"

    def role_label(self, role: str) -> str:
        return Membership.Role(role).label if role == Membership.Role.ADMIN else self.member_role_name

    def role_choices(self) -> list[tuple[str, str]]:
        # The least privilege first: it is the default.
        return [(role, self.role_label(role)) for role in (Membership.Role.RECRUITER, Membership.Role.ADMIN)]


EMPLOYER = Workspace(
    kind=Organisation.Kind.EMPLOYER,
    namespace="employer",
    home_url="employer:dashboard",
    home_label=_("ダッシュボードへ戻る"),
    refusal_status=200,
    open_while_pending=True,
    member_role_name=Membership.Role.RECRUITER.label,
    member_role_help=_("管理者はチームとAPIキーを管理できます。採用担当者はダッシュボードとキャンペーンを使えます。"),
    api_keys_intro=_("APIキーを使うと、自社の採用管理システム(ATS)からリレーリンクや実績を取得できます。"),
    notification_kinds=tuple(EMPLOYER_KINDS),
)

AGENCY = Workspace(
    kind=Organisation.Kind.AGENCY,
    namespace="agency",
    home_url="agency:home",
    home_label=_("ホームへ戻る"),
    refusal_status=403,
    open_while_pending=False,
    # Membership.Role keeps the employer's names; an agency calls its members advisors.
    member_role_name=_("キャリアアドバイザー"),
    member_role_help=_(
        "管理者はチームとAPIキーを管理できます。キャリアアドバイザーは検索・求職者の閲覧・求人票を使えます。"
    ),
    api_keys_intro=_(
        "APIキーを使うと、貴社のCRMなどから求職者を検索し、プロフィールを取得できます(取得のたびに提供記録が残ります)。"
    ),
    notification_kinds=tuple(AGENCY_KINDS),
)

WORKSPACES = {workspace.kind: workspace for workspace in (EMPLOYER, AGENCY)}
