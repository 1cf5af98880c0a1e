"""Every value comes from the environment, with a default that works on a laptop."""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (0/1), not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from None


def envfloat(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from None


# Off unless asked for: a server started without configuration must not show tracebacks, the
# development mailbox or the demo's shortcuts. `make run` and the test suite set DEBUG=1.
DEBUG = envbool("DEBUG", False)
_INSECURE_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
SECRET_KEY = os.environ.get("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set SECRET_KEY (a long random string) in the environment; only with DEBUG=1 set explicitly "
            "does the app start with a development key."
        )
    SECRET_KEY = _INSECURE_KEY
# The address runserver listens on (Makefile, Procfile.dev): the development mailbox answers
# anonymous requests only when this is a loopback address.
DEV_SERVER_HOST = os.environ.get("HOST", "127.0.0.1")

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h]
if not ALLOWED_HOSTS:
    from urllib.parse import urlsplit

    ALLOWED_HOSTS = [urlsplit(SITE_URL).hostname or "localhost"]
    if DEBUG:
        ALLOWED_HOSTS += ["localhost", "127.0.0.1", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "anymail",
    "careerrelay.common",
    "careerrelay.accounts",
    "careerrelay.organisations",
    "careerrelay.relay",
    "careerrelay.candidates",
    "careerrelay.credits",
    "careerrelay.outbox",
    "careerrelay.talent",
    "careerrelay.rejections",
    "careerrelay.sends",
    "careerrelay.surveys",
    "careerrelay.followups",
    "careerrelay.webhooks",
    "careerrelay.integrations",
    "careerrelay.api",
    "careerrelay.audit",
    "careerrelay.privacy",
    "careerrelay.agencies",
    "careerrelay.search",
    "careerrelay.matching",
    "careerrelay.analytics",
    "careerrelay.notifications",
    "careerrelay.portals",
    "careerrelay.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "careerrelay.accounts.middleware.OperatorConsoleRequiresMFA",
    "careerrelay.common.middleware.NoStoreForSignedInPages",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "careerrelay.urls"
WSGI_APPLICATION = "careerrelay.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "careerrelay.common.context_processors.site",
                "careerrelay.notifications.context_processors.unread",
            ],
        },
    }
]

# --- Data -------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or ""
if not DATABASE_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker share one file: WAL lets readers run beside a writer, and
    # IMMEDIATE transactions take the write lock up front instead of failing half-way.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: the agency search's statements (correlated lookups over thousands of
    # postings) are estimated above jit_above_cost and spent 10-15 ms compiling each, more than
    # they then run; none of this application's queries runs long enough to win it back.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# A PostgreSQL read replica (streaming replication of the primary) for candidate search and the
# dashboards' figures: only the code inside common.replica.replica_reads() reads from it, every
# write and every other read goes to the primary; `migrate` and `check` leave it alone.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL") or ""
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=envint("CONN_MAX_AGE", 60))
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"].setdefault("OPTIONS", {})["options"] = "-c jit=off"  # as the primary's
    # Test runs read the primary's test database through this alias instead of creating another.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["careerrelay.common.replica.ReplicaRouter"]
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_CACHE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Passed to redis-py's connection pool: a Redis that hangs makes a request wait at most
            # about a second (a landing page then falls back to the database and the process's
            # buffer, relay/lookup.py) instead of hanging it.
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    # RQ workers must run django-tasks' jobs with its Job class, or every task fails.
    RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if REDIS_URL:
    INSTALLED_APPS.append("django_rq")

# --- Accounts (employer and agency staff; candidates sign in separately) --------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "employer:dashboard"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SIGNUP_FORM_CLASS = "careerrelay.organisations.forms.EmployerSignupForm"
ACCOUNT_ADAPTER = "careerrelay.accounts.adapter.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[キャリアリレー] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"

# Second factor (allauth.mfa): offered to every user on the account security page, required for
# staff before the operator console opens (careerrelay.accounts.middleware).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "キャリアリレー"
MFA_PASSKEY_LOGIN_ENABLED = False
# Browsers offer WebAuthn only on https, except on the laptop's http://127.0.0.1 with DEBUG on.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# --- Rate limits ------------------------------------------------------------
# Many Japanese phones share one carrier IP, so per-IP limits stay generous and the tight
# limits are per email address.
RATE_LIMITS_ENABLED = envbool("RATE_LIMITS_ENABLED", True)
RATELIMIT_ENABLE = RATE_LIMITS_ENABLED
RATELIMIT_VIEW = "careerrelay.common.views.rate_limited"
RATELIMIT_IP_META_KEY = os.environ.get("RATELIMIT_IP_META_KEY") or None
RATE_LIMIT_REGISTRATION_PER_IP = os.environ.get("RATE_LIMIT_REGISTRATION_PER_IP", "120/h")
RATE_LIMIT_REGISTRATION_PER_EMAIL = os.environ.get("RATE_LIMIT_REGISTRATION_PER_EMAIL", "5/h")
RATE_LIMIT_RESEND_PER_IP = os.environ.get("RATE_LIMIT_RESEND_PER_IP", "60/h")
RATE_LIMIT_RESEND_PER_EMAIL = os.environ.get("RATE_LIMIT_RESEND_PER_EMAIL", "3/h")
RATE_LIMIT_SURVEY_PER_IP = os.environ.get("RATE_LIMIT_SURVEY_PER_IP", "120/h")
RATE_LIMIT_SURVEY_PER_LINK = os.environ.get("RATE_LIMIT_SURVEY_PER_LINK", "10/h")
# Failed signature checks on /hooks/ats/ per client address and integration (valid ones never count).
RATE_LIMIT_ATS_BAD_SIGNATURE = os.environ.get("RATE_LIMIT_ATS_BAD_SIGNATURE", "20/10m")
ACCOUNT_RATE_LIMITS = (
    {
        "login": "60/m/ip",
        "login_failed": "10/m/ip,5/5m/key",
        "signup": "30/h/ip",
        "reset_password": "60/m/ip,3/h/key",
        "confirm_email": "1/3m/key",
    }
    if RATE_LIMITS_ENABLED
    else False
)
SILENCED_SYSTEM_CHECKS = [] if REDIS_URL else ["django_ratelimit.E003", "django_ratelimit.W001"]

# --- Product rules (defaults are settings, not constants) ----------------------
REFERRALS_PER_CREDIT = envint("REFERRALS_PER_CREDIT", 10)
FREE_REFERRAL_DEADLINE_DAYS = envint("FREE_REFERRAL_DEADLINE_DAYS", 30)
FREE_REFERRAL_CLAIM_DAYS = envint("FREE_REFERRAL_CLAIM_DAYS", 7)  # an agency's claim lapses unless it proposes
# Declined free-referral proposals: operators are told when a company declines this many within the
# window (at most once a week per company); /operator/ lists every company's declines in the window.
FREE_REFERRAL_DECLINE_WINDOW_DAYS = envint("FREE_REFERRAL_DECLINE_WINDOW_DAYS", 90)
FREE_REFERRAL_DECLINE_ALERT = envint("FREE_REFERRAL_DECLINE_ALERT", 3)
# What employers see of people (docs/trust-and-safety.md §3): per-link and per-send figures below
# this are shown as 「5未満」 (API: null with below_threshold), and a company has at most this many
# active relay links, so that one link per applicant cannot name who registered.
EMPLOYER_FIGURE_THRESHOLD = envint("EMPLOYER_FIGURE_THRESHOLD", 5)
MAX_ACTIVE_CAMPAIGNS = envint("MAX_ACTIVE_CAMPAIGNS", 20)
VERIFICATION_TOKEN_HOURS = envint("VERIFICATION_TOKEN_HOURS", 24)
# Candidate sign-in (email link) and session. Résumés are kept under MEDIA_ROOT/resumes, which no URL serves.
CANDIDATE_SIGNIN_TOKEN_MINUTES = envint("CANDIDATE_SIGNIN_TOKEN_MINUTES", 15)
CANDIDATE_SESSION_IDLE_MINUTES = envint("CANDIDATE_SESSION_IDLE_MINUTES", 30)
CANDIDATE_SESSION_MAX_HOURS = envint("CANDIDATE_SESSION_MAX_HOURS", 12)
RATE_LIMIT_SIGNIN_PER_IP = os.environ.get("RATE_LIMIT_SIGNIN_PER_IP", "60/h")
RATE_LIMIT_SIGNIN_PER_EMAIL = os.environ.get("RATE_LIMIT_SIGNIN_PER_EMAIL", "5/h")
RESUME_MAX_BYTES = envint("RESUME_MAX_BYTES", 5 * 1024 * 1024)
PRIVACY_NOTICE_VERSION = "2026-11-01"
# The re-contact notice has its own version: rewording it asks again about that consent only.
EMPLOYER_RECONTACT_NOTICE_VERSION = "2026-12-03"
# Candidate retention: unused this long, a reminder; RETENTION_GRACE_DAYS later, deletion.
CANDIDATE_RETENTION_MONTHS = envint("CANDIDATE_RETENTION_MONTHS", 24)
RETENTION_GRACE_DAYS = envint("RETENTION_GRACE_DAYS", 30)
RETENTION_INTERVAL_SECONDS = envint("RETENTION_INTERVAL_SECONDS", 3600)  # how often the worker runs the job

# --- Mail trust: CareerRelay must not become an open mail relay (docs/trust-and-safety.md) ---
# Self-service employers send nothing until an operator approves them. An approved employer may
# mail MAIL_DAILY_LIMIT_START recipients a day (Japan time); the limit doubles for every
# MAIL_DAILY_LIMIT_STEP_DAYS days since approval that also brought MAIL_DAILY_LIMIT_STEP_SENT more
# delivered messages, up to MAIL_DAILY_LIMIT_CAP, and falls back to the start while the bounce rate
# of the last MAIL_TRUST_WINDOW_DAYS is above MAIL_MAX_BOUNCE_PERMILLE (per mille, 50 = 5%).
MAIL_DAILY_LIMIT_START = envint("MAIL_DAILY_LIMIT_START", 200)
MAIL_DAILY_LIMIT_CAP = envint("MAIL_DAILY_LIMIT_CAP", 10_000)
MAIL_DAILY_LIMIT_STEP_DAYS = envint("MAIL_DAILY_LIMIT_STEP_DAYS", 7)
MAIL_DAILY_LIMIT_STEP_SENT = envint("MAIL_DAILY_LIMIT_STEP_SENT", 500)
MAIL_TRUST_WINDOW_DAYS = envint("MAIL_TRUST_WINDOW_DAYS", 30)
MAIL_MAX_BOUNCE_PERMILLE = envint("MAIL_MAX_BOUNCE_PERMILLE", 50)
MAIL_MAX_RECIPIENTS_PER_SEND = envint("MAIL_MAX_RECIPIENTS_PER_SEND", 1000)
# Complaints ("this is spam") per company: over MAIL_MAX_COMPLAINT_PER_10000 (30 = 0.3%, the
# Gmail/Yahoo bulk-sender limit) of the mail it sent in the last MAIL_COMPLAINT_WINDOW_DAYS, once
# at least MAIL_COMPLAINT_MIN_SENT were sent, its sends are paused until an operator lifts it.
MAIL_COMPLAINT_WINDOW_DAYS = envint("MAIL_COMPLAINT_WINDOW_DAYS", 30)
MAIL_COMPLAINT_MIN_SENT = envint("MAIL_COMPLAINT_MIN_SENT", 1000)
MAIL_MAX_COMPLAINT_PER_10000 = envint("MAIL_MAX_COMPLAINT_PER_10000", 30)

# --- ATS webhooks (careerrelay/integrations) ------------------------------------
# Lever's webhooks name an opportunity, not a person: the worker reads it from this API with the
# employer's key (Lever's sandbox: https://api.sandbox.lever.co/v1).
LEVER_API_URL = os.environ.get("LEVER_API_URL", "https://api.lever.co/v1").rstrip("/")
# A delivery larger than this is refused (413) before it is read.
INTEGRATIONS_MAX_BODY_BYTES = envint("INTEGRATIONS_MAX_BODY_BYTES", 1024 * 1024)
# A failed delivery keeps its body (with contact data) this many days for a replay; then it is
# redacted like a processed one.
INTEGRATIONS_FAILED_BODY_DAYS = envint("INTEGRATIONS_FAILED_BODY_DAYS", 14)

# --- Outbox and bulk sends (careerrelay/outbox, careerrelay/sends) -------------
# A send to at most this many recipients is prepared inside the request; a larger one is prepared
# by the worker, MAILINGS_PREPARE_CHUNK recipients per transaction.
MAILINGS_PREPARE_IN_REQUEST = envint("MAILINGS_PREPARE_IN_REQUEST", 300)
MAILINGS_PREPARE_CHUNK = envint("MAILINGS_PREPARE_CHUNK", 500)
# The worker delivers MAILINGS_BATCH_SIZE messages per batch over one SMTP connection, claiming
# MAILINGS_CLAIM_CHUNK rows at a time, and a task stops taking batches after MAILINGS_TASK_SECONDS
# so one large send does not hold the queue. A batch a worker took and did not finish is taken
# again after MAILINGS_BATCH_LEASE_SECONDS.
MAILINGS_BATCH_SIZE = envint("MAILINGS_BATCH_SIZE", 100)
MAILINGS_CLAIM_CHUNK = envint("MAILINGS_CLAIM_CHUNK", 10)
MAILINGS_TASK_SECONDS = envint("MAILINGS_TASK_SECONDS", 20)
MAILINGS_BATCH_LEASE_SECONDS = envint("MAILINGS_BATCH_LEASE_SECONDS", 300)
# A message left in `sending` this long (its worker died) goes back to the queue; far above
# EMAIL_TIMEOUT, so a live worker waiting on a slow server is never overtaken.
MAILINGS_STALE_SENDING_SECONDS = envint("MAILINGS_STALE_SENDING_SECONDS", 600)
# A failed message is tried again after this many seconds, doubling with every attempt.
MAILINGS_RETRY_BASE_SECONDS = envint("MAILINGS_RETRY_BASE_SECONDS", 30)
# How often the worker runs its periodic jobs (outbox sweep, deadlines, retention when due).
MAILINGS_PERIODIC_SECONDS = envfloat("MAILINGS_PERIODIC_SECONDS", 5)
# On PostgreSQL, a batch's claims and "sent" marks commit without waiting for the WAL flush
# (outbox.services._relax_durability says what that risks); 0 makes every one wait.
MAILINGS_ASYNC_COMMIT = envbool("MAILINGS_ASYNC_COMMIT", True)
# The List-Unsubscribe mailto address; empty means unsubscribe@ the domain of DEFAULT_FROM_EMAIL.
UNSUBSCRIBE_MAILTO = os.environ.get("UNSUBSCRIBE_MAILTO", "")

# --- Outbound webhooks (careerrelay/webhooks, docs/webhooks.md) -------------
# Plain http:// endpoints and endpoints on private, loopback or link-local networks: off in
# production (a server-side request must not reach inside our network), on for development.
WEBHOOKS_ALLOW_HTTP = envbool("WEBHOOKS_ALLOW_HTTP", DEBUG)
WEBHOOKS_ALLOW_PRIVATE_TARGETS = envbool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", DEBUG)
# Seconds to wait on an organisation's server (connecting, and each read).
WEBHOOKS_TIMEOUT_SECONDS = envfloat("WEBHOOKS_TIMEOUT_SECONDS", 5)
# An endpoint that failed at least this many times in a row over at least this many days is
# turned off and its organisation's admins are told.
WEBHOOKS_DISABLE_AFTER_FAILURES = envint("WEBHOOKS_DISABLE_AFTER_FAILURES", 15)
WEBHOOKS_DISABLE_AFTER_DAYS = envint("WEBHOOKS_DISABLE_AFTER_DAYS", 3)

# --- Email ------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "キャリアリレー <no-reply@careerrelay.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = envint("EMAIL_PORT", 587 if envbool("EMAIL_USE_TLS", False) else 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)
# `smtp` (the default) or a provider's HTTP API through django-anymail; whatever sends the mail,
# each provider's tracking webhook (bounces, complaints, deferrals) is at
# /hooks/mail/<provider>/tracking/ once its authentication is set (docs/operations.md).
EMAIL_PROVIDERS = {
    "amazon_ses": "anymail.backends.amazon_ses.EmailBackend",
    "sendgrid": "anymail.backends.sendgrid.EmailBackend",
    "mailgun": "anymail.backends.mailgun.EmailBackend",
    "postmark": "anymail.backends.postmark.EmailBackend",
    "brevo": "anymail.backends.brevo.EmailBackend",
    "resend": "anymail.backends.resend.EmailBackend",
}
EMAIL_PROVIDER = os.environ.get("EMAIL_PROVIDER", "smtp").strip().lower() or "smtp"
if EMAIL_PROVIDER in EMAIL_PROVIDERS:
    EMAIL_BACKEND = EMAIL_PROVIDERS[EMAIL_PROVIDER]
elif EMAIL_PROVIDER != "smtp":
    raise ImproperlyConfigured(f"EMAIL_PROVIDER must be smtp or one of {', '.join(EMAIL_PROVIDERS)}")
elif EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    # The development mailbox: every message lands as a file in var/mail/ and in the outbox
    # page at /dev/mailbox/ (DEBUG only).
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
# The providers' credentials, under anymail's own names. MAIL_WEBHOOK_SECRET ("user:password")
# is the HTTP basic auth every provider's tracking webhook URL must carry; a provider that signs its
# webhooks is also checked by its signature (Mailgun, Resend, SendGrid).
ANYMAIL = {
    key: value
    for key, value in {
        "WEBHOOK_SECRET": os.environ.get("MAIL_WEBHOOK_SECRET", ""),
        "AMAZON_SES_CLIENT_PARAMS": {"region_name": os.environ.get("AMAZON_SES_REGION", "")},
        "AMAZON_SES_CONFIGURATION_SET_NAME": os.environ.get("AMAZON_SES_CONFIGURATION_SET_NAME", ""),
        "SENDGRID_API_KEY": os.environ.get("SENDGRID_API_KEY", ""),
        "SENDGRID_TRACKING_WEBHOOK_VERIFICATION_KEY": os.environ.get("SENDGRID_WEBHOOK_VERIFICATION_KEY", ""),
        "MAILGUN_API_KEY": os.environ.get("MAILGUN_API_KEY", ""),
        "MAILGUN_SENDER_DOMAIN": os.environ.get("MAILGUN_SENDER_DOMAIN", ""),
        "MAILGUN_API_URL": os.environ.get("MAILGUN_API_URL", ""),
        "MAILGUN_WEBHOOK_SIGNING_KEY": os.environ.get("MAILGUN_WEBHOOK_SIGNING_KEY", ""),
        "POSTMARK_SERVER_TOKEN": os.environ.get("POSTMARK_SERVER_TOKEN", ""),
        "BREVO_API_KEY": os.environ.get("BREVO_API_KEY", ""),
        "RESEND_API_KEY": os.environ.get("RESEND_API_KEY", ""),
        "RESEND_SIGNING_SECRET": os.environ.get("RESEND_SIGNING_SECRET", ""),
    }.items()
    # Unset means anymail's own default (or its error naming the missing setting), not "".
    if value and value != {"region_name": ""}
}
# The mailbox behind the List-Unsubscribe mailto (UNSUBSCRIBE_MAILTO), read by the worker every
# UNSUBSCRIBE_IMAP_INTERVAL_SECONDS: imaps://user:password@host:993/INBOX (imap:// for plain).
UNSUBSCRIBE_IMAP_URL = os.environ.get("UNSUBSCRIBE_IMAP_URL", "")
UNSUBSCRIBE_IMAP_INTERVAL_SECONDS = envint("UNSUBSCRIBE_IMAP_INTERVAL_SECONDS", 300)

# --- i18n -------------------------------------------------------------------
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("日本語")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Tokyo"
USE_TZ = True

# --- Static files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# --- Security ---------------------------------------------------------------
# Content-Security-Policy (django-csp): scripts only from our own origin or inline with the
# request's nonce ({{ request.csp_nonce }}), no inline event handlers, no plugins, no framing.
# Style attributes stay allowed (style-src-attr): the HTML emails are inline-styled by
# css-inline and their previews sit in srcdoc iframes, which inherit this policy; an attribute
# cannot run script. <style> elements need the nonce like scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        # The TOTP QR code is an inline data: image.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        # X-Frame-Options DENY says the same to older browsers; the send preview opts into
        # same-origin framing with xframe_options_sameorigin and csp_update.
        "frame-ancestors": ["'none'"],
    }
}
# The language cookie says nothing secret, but is sent only over HTTPS in production and never
# to scripts or on cross-site subrequests.
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Keyed hashes that recognise a returning email or phone across deletions; kept apart from
# SECRET_KEY so rotating that key does not make every past referral look new.
PSEUDONYM_KEY = os.environ.get("PSEUDONYM_KEY") or SECRET_KEY
# --- Referral fraud: credits cost agencies real fees, so they must not be farmed -----
# Holds for an operator's review, counted per company across all its relay links
# (candidates.services.hold_reasons): more verified registrations than this from one IP
# within 24 hours,
FRAUD_REVIEW_THRESHOLD = envint("FRAUD_REVIEW_THRESHOLD", 30)
# at least this many verified registrations within FRAUD_SHARED_DOMAIN_DAYS from one email
# domain that is not a public mailbox provider (common.mailboxes.PUBLIC_MAILBOX_DOMAINS),
FRAUD_SHARED_DOMAIN_THRESHOLD = envint("FRAUD_SHARED_DOMAIN_THRESHOLD", 3)
FRAUD_SHARED_DOMAIN_DAYS = envint("FRAUD_SHARED_DOMAIN_DAYS", 30)
# and any registration from an address the company's staff signed in from within this many days
# (accounts.StaffSignIn, deleted after the same time).
STAFF_SIGNIN_IP_DAYS = envint("STAFF_SIGNIN_IP_DAYS", 90)

# --- Talent pool: re-approach suggestions (talent.reapproach) --------------------------------
# An applicant rejected for 経験・スキル不足 is suggested again for a new job only after this many
# days since the rejection.
TALENT_REAPPROACH_SKILLS_GAP_DAYS = envint("TALENT_REAPPROACH_SKILLS_GAP_DAYS", 365)
