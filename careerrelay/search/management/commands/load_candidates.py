"""Load synthetic candidate profiles (JSON Lines) for demos and benchmarks, and index them.

Each line: {"family_name", "given_name", "email", "prefecture", "job_categories": [...],
"years_experience", "skills": [...] or "a, b", "summary", "work_history": [{"company", "role",
"years", "description"}]} and optionally desired_prefectures, remote_preference,
desired_salary_min/max (万円), family_name_kana, given_name_kana.

They become verified candidates holding an agency-sharing consent under the current notice (real
Consent records), so they are exactly what agencies may find. Made for fake data: it refuses to
run with DEBUG off unless --force is given.
"""

import json
import time
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from careerrelay.candidates.choices import JobCategory, Prefecture, RemotePreference
from careerrelay.candidates.models import Candidate, CandidateSkill, Consent, WorkHistory
from careerrelay.candidates.notices import NOTICES
from careerrelay.common.japanese import normalize_email, normalize_kana, normalize_text, parse_skills, skill_key
from careerrelay.privacy.models import RetentionState
from careerrelay.search.index import analyze_index, index_candidates

BATCH = 1000


class Command(BaseCommand):
    help = "Load synthetic candidate profiles from a JSON Lines file as verified, agency-visible candidates."

    def add_arguments(self, parser):
        parser.add_argument("path", help="a .jsonl file, one profile per line")
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")
        parser.add_argument("--batch", type=int, default=BATCH)

    def handle(self, *args, path, force, batch, **options):
        if not settings.DEBUG and not force:
            raise CommandError("load_candidates creates fake candidates; it runs only with DEBUG on, or with --force.")
        started = time.monotonic()
        loaded = skipped = 0
        rows = []
        try:
            with open(path, encoding="utf-8") as handle:
                for number, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    try:
                        rows.append(_profile(json.loads(line)))
                    except (ValueError, KeyError, TypeError) as error:
                        raise CommandError(f"line {number}: {error}") from error
                    if len(rows) >= batch:
                        done, dropped = _load(rows)
                        loaded, skipped, rows = loaded + done, skipped + dropped, []
                        self.stdout.write(f"{loaded} loaded…", ending="\r")
                        self.stdout.flush()
        except OSError as error:
            raise CommandError(str(error)) from error
        if rows:
            done, dropped = _load(rows)
            loaded, skipped = loaded + done, skipped + dropped
        analyze_index()
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded and indexed {loaded} candidates in {elapsed:.1f} s"
                + (f" ({skipped} skipped: email already registered)" if skipped else "")
            )
        )


def _choice(value, choices, field):
    if value not in choices:
        raise ValueError(f"{field}: unknown value {value!r}")
    return value


def _profile(data: dict) -> dict:
    categories = data.get("job_categories") or []
    if isinstance(categories, str):
        categories = [categories]
    categories = [_choice(c, JobCategory.values, "job_categories") for c in categories] or [JobCategory.OTHER]
    skills = data.get("skills") or []
    skills = parse_skills(", ".join(skills) if isinstance(skills, list) else str(skills))
    email = normalize_text(data["email"])
    remote = data.get("remote_preference") or ""
    if remote:
        _choice(remote, RemotePreference.values, "remote_preference")
    history = []
    for entry in data.get("work_history") or []:
        history.append(
            {
                "company": normalize_text(entry.get("company", ""))[:100] or "-",
                "role": normalize_text(entry.get("role", ""))[:100],
                "years": max(int(entry.get("years") or 1), 1),
                "description": (entry.get("description") or "").strip()[:1000],
            }
        )
    return {
        "family_name": normalize_text(data["family_name"])[:50],
        "given_name": normalize_text(data["given_name"])[:50],
        "family_name_kana": normalize_kana(data.get("family_name_kana", ""))[:50],
        "given_name_kana": normalize_kana(data.get("given_name_kana", ""))[:50],
        "email": email,
        "email_normalized": normalize_email(email),
        "prefecture": _choice(data["prefecture"], Prefecture.values, "prefecture"),
        "job_category": categories[0],
        "desired_job_categories": categories,
        "desired_prefectures": [
            _choice(p, Prefecture.values, "desired_prefectures") for p in data.get("desired_prefectures") or []
        ],
        "remote_preference": remote,
        "desired_salary_min": data.get("desired_salary_min"),
        "desired_salary_max": data.get("desired_salary_max"),
        "years_experience": min(max(int(data.get("years_experience") or 0), 0), 60),
        "skills": skills,
        "summary": (data.get("summary") or "").strip()[:1000],
        "work_history": history,
    }


def _started_on(years_back: int) -> date:
    today = timezone.localdate()
    return date(today.year - years_back, today.month, 1)


@transaction.atomic
def _load(rows: list[dict]) -> tuple[int, int]:
    emails = {r["email_normalized"] for r in rows}
    taken = set(Candidate.objects.filter(email_normalized__in=emails).values_list("email_normalized", flat=True))
    seen, fresh = set(), []
    for row in rows:
        if row["email_normalized"] in taken or row["email_normalized"] in seen:
            continue
        seen.add(row["email_normalized"])
        fresh.append(row)
    now = timezone.now()
    candidates = Candidate.objects.bulk_create(
        [
            Candidate(
                **{k: v for k, v in row.items() if k not in ("skills", "work_history")},
                skills=", ".join(row["skills"]),
                status=Candidate.Status.VERIFIED,
                verified_at=now,
                referral_status=Candidate.Referral.NO_SOURCE,
                profile_updated_at=now,
            )
            for row in fresh
        ]
    )
    notice = NOTICES[Consent.Purpose.AGENCY_SHARING]
    skills, history, consents, retention = [], [], [], []
    for candidate, row in zip(candidates, fresh, strict=True):
        skills.extend(
            CandidateSkill(candidate=candidate, name=name[:50], key=skill_key(name)[:50], position=position)
            for position, name in enumerate(row["skills"])
        )
        back = 0
        for entry in row["work_history"]:  # newest first
            ended = None if back == 0 else _started_on(back)
            back += entry["years"]
            history.append(
                WorkHistory(
                    candidate=candidate,
                    company=entry["company"],
                    role=entry["role"],
                    started_on=_started_on(back),
                    ended_on=ended,
                    description=entry["description"],
                )
            )
        consents.append(
            Consent(
                candidate=candidate,
                purpose=Consent.Purpose.AGENCY_SHARING,
                action=Consent.Action.GRANT,
                recipients=str(notice.recipients),
                notice_version=notice.version,
                notice_hash=notice.digest,
                user_agent="load_candidates",
            )
        )
        retention.append(RetentionState(candidate=candidate, last_active_at=now))
    CandidateSkill.objects.bulk_create(skills, batch_size=2000)
    WorkHistory.objects.bulk_create(history, batch_size=2000)
    Consent.objects.bulk_create(consents, batch_size=2000)
    RetentionState.objects.bulk_create(retention, batch_size=2000)
    index_candidates([c.pk for c in candidates], batch=len(candidates) or 1)
    return len(candidates), len(rows) - len(fresh)
