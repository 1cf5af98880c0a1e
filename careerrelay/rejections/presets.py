# ruff: noqa: E501 -- the letters keep one paragraph per line, as they are sent
"""The built-in rejection templates, written for CareerRelay.

These are letters in their own language (the Japanese presets are Japanese business email, the
English one is an English letter), not interface text, so they do not go through gettext.
Changing a text here updates the shared preset rows at the next `migrate` (sync_presets). The
survey paragraph ({{survey_link}}) is left out wherever a message carries no survey (an ATS copy). Like every
template, a preset has one body; the HTML part is made from it when a message is rendered.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    key: str
    name: str
    language: str
    subject: str
    body: str


MIDCAREER_FORMAL = Preset(
    key="ja_midcareer_formal",
    name="中途採用・丁寧",
    language="ja",
    subject="選考結果のご連絡（{{company_name}}）",
    body="""\
{{applicant_name}} 様

{{company_name}} 採用担当でございます。

このたびは、{{job_title}}にご応募いただき、誠にありがとうございました。
ご多忙のなか選考にお時間を割いていただきましたこと、心より御礼申し上げます。

社内で慎重に検討を重ねました結果、誠に残念ながら、今回はご期待に沿いかねる結果となりました。
これまで積み重ねてこられたご経験とご準備には深く敬意を抱いております。今回の判断は、募集ポジションの要件との兼ね合いによるものであることを、何卒ご理解いただけますと幸いです。

あわせて、選考にご参加くださった方へのご案内として、「キャリアリレー」をご紹介いたします。
キャリアリレーは、ご本人がご登録・ご同意された場合に限り、提携する人材紹介会社から、{{applicant_name}} 様のご経験を活かせる他社の求人をご紹介するサービスです。

・ご利用は無料です。
・ご登録は任意です。ご登録の有無が、当社への今後のご応募に影響することは一切ございません。
・ご本人の同意なく、情報が企業や人材紹介会社に提供されることはございません。ご登録の有無や内容が当社に伝わることもございません。

ご関心がございましたら、以下のページから詳細をご覧ください。
{{relay_link}}

選考についてのご感想をお聞かせください（1分・匿名）。
{{survey_link}}

末筆ながら、{{applicant_name}} 様の今後ますますのご活躍を心よりお祈り申し上げます。

{{signature}}
""",
)

WARM = Preset(
    key="ja_warm",
    name="温かみのある",
    language="ja",
    subject="選考結果のお知らせと、ご応募への感謝をこめて（{{company_name}}）",
    body="""\
{{applicant_name}} 様

こんにちは。{{company_name}} 採用担当です。
このたびは{{job_title}}にご応募いただき、本当にありがとうございました。
選考のためにかけてくださった時間と、その準備に込められた思いは、私たちにもしっかりと伝わっていました。

社内で何度も話し合いを重ねましたが、今回はご一緒することが叶いませんでした。
この結果は、{{applicant_name}} 様の力や価値を否定するものではありません。今回のポジションで求める役割との巡り合わせによるものです。

最後に、ひとつだけご案内させてください。
私たちは「キャリアリレー」という取り組みに参加しています。今回ご縁がなかった方に、次のチャンスを届けるためのサービスです。
ご登録いただくと、提携する人材紹介会社のキャリアアドバイザーが、{{applicant_name}} 様に合いそうな企業をご紹介します。

・登録もご利用も無料です。
・登録するかどうかは自由です。登録しなくても、何も変わりません。
・あなたの情報が、あなたの同意なしに企業や紹介会社へ渡されることはありません。登録したかどうかが私たちに伝わることもありません。

よろしければ、こちらからご覧ください。
{{relay_link}}

選考についてのご感想をお聞かせください（1分・匿名）。
{{survey_link}}

{{applicant_name}} 様の新しい一歩を、心から応援しています。

{{signature}}
""",
)

NEW_GRADUATE = Preset(
    key="ja_new_graduate",
    name="新卒",
    language="ja",
    subject="選考結果のご連絡（{{company_name}} 新卒採用）",
    body="""\
{{applicant_name}} 様

{{company_name}} 新卒採用担当です。
このたびは当社の選考にご参加いただき、誠にありがとうございました。
学業や研究でお忙しいなか、エントリーから選考まで丁寧にご準備くださったことに、心より感謝申し上げます。

慎重に選考を進めました結果、誠に残念ながら、今回は採用を見送らせていただくこととなりました。
ご期待に沿えず申し訳ございません。今回の結果は、{{applicant_name}} 様のこれまでの努力やこれからの可能性を否定するものではございません。

就職活動はこれからも続くことと存じます。少しでもお役に立てればと思い、「キャリアリレー」をご案内いたします。
キャリアリレーは、ご登録いただいた方に、提携する人材紹介会社のキャリアアドバイザーが、ご希望に合う企業をご紹介するサービスです。

・ご利用は無料です。
・ご登録は任意です。登録の有無が、当社への今後のご応募に影響することはありません。
・ご本人の同意なく、企業や人材紹介会社に情報が提供されることはありません。ご登録の有無が当社に伝わることもありません。

詳しくは、以下のページをご覧ください。
{{relay_link}}

選考についてのご感想をお聞かせください（1分・匿名）。
{{survey_link}}

{{applicant_name}} 様が納得のいく進路に出会えますよう、採用担当一同、心より応援しております。

{{signature}}
""",
)

ENGLISH = Preset(
    key="en_standard",
    name="English (standard)",
    language="en",
    subject="Your application to {{company_name}}",
    body="""\
Dear {{applicant_name}},

Thank you for applying for {{job_title}} at {{company_name}}, and for the time and care you put into our selection process.

After careful consideration, we have decided not to move forward with your application on this occasion. It was not an easy decision: it reflects the particular needs of this role, not the value of your experience or effort.

We would like to offer you a next step. {{company_name}} takes part in CareerRelay, a service that helps people we could not hire find their next opportunity. If you choose to register, CareerRelay's partner recruiting agencies can introduce you to other companies looking for someone with your background.

- It is free of charge.
- It is entirely optional: registering or not has no effect on any future application to us.
- Your information is never passed on to a company or agency without your consent, and we are not told whether you registered.

You can find out more here:
{{relay_link}}

How did you find our selection process? Tell us in one minute (anonymous):
{{survey_link}}

We wish you every success in the next step of your career.

{{signature}}
""",
)

# --- Re-challenge letters (careerrelay/followups): sent 6 and 12 months after a rejection to people
# who agreed to be contacted again. They point at the company's current openings first; the relay
# link is a short postscript, and the opt-out is written into the letter itself.

FOLLOWUP_6_MONTHS = Preset(
    key="ja_followup_6_months",
    name="再チャレンジ案内（6ヶ月後）",
    language="ja",
    subject="その後いかがお過ごしですか（{{company_name}}より、再チャレンジのご案内）",
    body="""\
{{applicant_name}} 様

ご無沙汰しております。{{company_name}} 採用担当です。
半年ほど前、{{job_title}}の選考にご参加いただきました。その節は貴重なお時間を割いていただき、本当にありがとうございました。

当時はご一緒することが叶いませんでしたが、選考でお聞かせいただいたご経験やお考えは、今も私たちの心に残っています。
あれから半年が経ち、当社の事業もチームも少しずつ変わってきました。新しく始まったポジションや、当時とは求める経験が変わった募集もあります。

もし今も当社に関心をお持ちでしたら、現在の募集をのぞいてみていただけないでしょうか。
{{openings_link}}

・前回の選考結果が、今回のご応募で不利になることはありません。
・前回と同じ職種へのご応募も、別の職種へのご応募も歓迎します。
・ご応募の際は、この半年で新しく得た経験やスキルをぜひお聞かせください。

今は転職を考えていない場合も、もちろん大丈夫です。このメールへのご返信は必要ありません。
このメールは、選考の際に今後のご連絡に同意いただいた方にお送りしています。

当社以外の選択肢も広く知りたい方には、無料で使える「キャリアリレー」もご案内しています。
{{relay_link}}

今後このようなご案内が不要な場合は、こちらからワンクリックで配信を停止できます。
{{unsubscribe_link}}

{{applicant_name}} 様のご活躍を、これからも応援しております。

{{signature}}
""",
)

FOLLOWUP_12_MONTHS = Preset(
    key="ja_followup_12_months",
    name="再チャレンジ案内（1年後）",
    language="ja",
    subject="あれから1年、{{company_name}}から改めてのご案内です",
    body="""\
{{applicant_name}} 様

こんにちは。{{company_name}} 採用担当です。
ちょうど1年ほど前、{{job_title}}の選考にご参加いただきました。改めて、その節はありがとうございました。

この1年で、{{applicant_name}} 様にもさまざまな経験や出会いがあったことと思います。私たちにも、新しい仲間と新しい仕事が増えました。
1年前はご縁がありませんでしたが、今の{{applicant_name}} 様と今の当社となら、また違った形でご一緒できるかもしれない。そう考えてご連絡しました。

現在募集しているポジションは、こちらからご覧いただけます。
{{openings_link}}

・再度のご応募を心から歓迎します。前回の結果が不利になることはありません。
・「この仕事なら」と思える募集があれば、どうぞ気軽にご応募ください。
・この1年で積まれたご経験を、選考でぜひお聞かせください。

ご返信の必要はありません。
このメールは、選考の際に今後のご連絡に同意いただいた方にお送りしています。

当社以外の求人も知りたい方には、無料で使える「キャリアリレー」もご紹介しています。
{{relay_link}}

今後このようなご案内が不要な場合は、こちらからワンクリックで配信を停止できます。
{{unsubscribe_link}}

{{applicant_name}} 様の新しい一年が、実り多いものになりますように。

{{signature}}
""",
)

FOLLOWUP_6_MONTHS_EN = Preset(
    key="en_followup_6_months",
    name="Re-application invitation (6 months, English)",
    language="en",
    subject="How have you been? An invitation from {{company_name}}",
    body="""\
Dear {{applicant_name}},

About six months ago you took part in our selection process for {{job_title}} at {{company_name}}. Thank you again for the time and thought you gave us.

We could not make it work then, but what you told us about your experience has stayed with us. Six months on, our team and our work have changed: there are new positions, and some roles now look for different experience than before.

If you are still interested in {{company_name}}, we would be glad if you took a look at what we are hiring for now:
{{openings_link}}

- Your earlier application does not count against you in any way.
- You are welcome to apply for the same role or for a different one.
- If you apply, do tell us what you have learned or done since.

If you are not looking for a change right now, that is perfectly fine; there is no need to reply. We are writing because you agreed to hear from us again when you applied.

If you would like to see opportunities beyond {{company_name}} as well, CareerRelay can help, free of charge:
{{relay_link}}

If you would rather not receive messages like this, you can stop them with one click:
{{unsubscribe_link}}

With our best wishes,

{{signature}}
""",
)

FOLLOWUP_12_MONTHS_EN = Preset(
    key="en_followup_12_months",
    name="Re-application invitation (1 year, English)",
    language="en",
    subject="A year on: an invitation from {{company_name}}",
    body="""\
Dear {{applicant_name}},

A year ago you applied for {{job_title}} at {{company_name}}. Thank you once more for that.

A lot can happen in a year, for you and for us: we have new colleagues and new work. It did not work out last time, but you today and {{company_name}} today might be a different match, and we wanted to let you know.

You can see the positions we are hiring for now here:
{{openings_link}}

- We would be glad to hear from you again; your earlier application does not count against you.
- If one of the roles speaks to you, please apply, whichever it is.
- Tell us about the experience you have gained this year.

There is no need to reply. We are writing because you agreed to hear from us again when you applied.

If you would like to see opportunities beyond {{company_name}} as well, CareerRelay can help, free of charge:
{{relay_link}}

If you would rather not receive messages like this, you can stop them with one click:
{{unsubscribe_link}}

Wishing you a good year ahead,

{{signature}}
""",
)

REJECTION_PRESETS: list[Preset] = [MIDCAREER_FORMAL, WARM, NEW_GRADUATE, ENGLISH]
FOLLOWUP_PRESETS: list[Preset] = [FOLLOWUP_6_MONTHS, FOLLOWUP_12_MONTHS, FOLLOWUP_6_MONTHS_EN, FOLLOWUP_12_MONTHS_EN]
PRESETS: list[Preset] = [*REJECTION_PRESETS, *FOLLOWUP_PRESETS]
