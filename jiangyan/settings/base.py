"""Settings shared by every environment. Values come from the environment (django-environ).

With nothing set the portal runs on the embedded default: SQLite at ``var/db.sqlite3``, a Celery
file-system broker under ``var/broker`` and a file cache under ``var/cache``. ``DATABASE_URL`` switches
to PostgreSQL, ``REDIS_URL`` to Redis as broker (and as cache, unless ``CACHE_URL`` names the cache's own
Redis, which is what a deployment should do: docs/performance.md).
"""

from pathlib import Path

import environ

from jiangyan.release import release

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "pgtrigger",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "jiangyan",
    "accounts",
    "notifications",
    "campaigns",
    "projects",
    "surveys",
    "wishes",
    "supervision",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jiangyan.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Declared pages get their canonical query here, and anonymous visitors of public pages are answered from
    # the cache, before any per-request work (sessions, language, CSRF, authentication).
    "jiangyan.core.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Outside CSRF, authentication and axes, so their refusals are recorded too (with the user, once known).
    "jiangyan.core.refusals.RefusalAuditMiddleware",
    "jiangyan.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, whose check parses the body: a body over REQUEST_BODY_MAX_BYTES is a 413 and a page's
    # declared limit is taken before anything is parsed or decoded (jiangyan.core.throttling).
    "jiangyan.core.throttling.LimitsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # Who has passed the second step (django-otp), then the sign-in rules: sessions that end, the second
    # step and the password change staff owe before anything else (accounts.middleware; docs/security.md).
    "accounts.middleware.OTPMiddleware",
    "accounts.middleware.SignInPolicyMiddleware",
    # A view that fails because the database (or the cache or broker) is down: the maintenance page, a 503.
    "jiangyan.core.outage.DependencyDownMiddleware",
]

# --- Browser security headers -------------------------------------------------------------------------
# Everything from our own origin (DESIGN §3: no CDN); no inline script or style ('unsafe-inline' never), so
# injected markup cannot run. data: images for the API docs' icons. (jiangyan.core.middleware)
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    # Styles only from our static files: htmx's own indicator styles are switched off (templates/base.html,
    # htmx-config), so no inline style needs allowing.
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# The CSRF token reaches pages and htmx from the template (<meta name="csrf-token">, hx-headers) and the
# browsable API from its own template: no script reads the cookie, so it is HttpOnly.
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True

ROOT_URLCONF = "jiangyan.urls"
WSGI_APPLICATION = "jiangyan.wsgi.application"

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
                "jiangyan.context_processors.portal",
                "notifications.context_processors.unread",
            ],
            "builtins": ["jiangyan.templatetags.portal"],
        },
    },
]
# Django's, with <select> written in Python (a filter form's hundred options cost more than its queries).
FORM_RENDERER = "jiangyan.core.formrenderer.PortalFormRenderer"
# Shared fragments (a project's row, a wish's, a bulletin's body: ``jiangyan.core.fragments``) are keyed by
# the data they show, so they are never stale; this only bounds how long an unused one stays (0: off).
FRAGMENT_CACHE_ALIAS = "default"
FRAGMENT_CACHE_SECONDS = env.int("FRAGMENT_CACHE_SECONDS", default=24 * 3600)

# --- Database -------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL, immediate transactions and a busy timeout: web, worker and beat share one file without
    # "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT: compiling the schedule's correlated subqueries costs seconds and saves nothing on queries of
    # this size (the monthly dispatch's roll-up by town: 2.5 s with JIT, 0.05 s without).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.UsernameOrPhoneBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Staff: 10 characters of three kinds, not the username or phone, none of the last 5 (docs/security.md).
    {"NAME": "accounts.passwords.StaffPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's PBKDF2 first (new hashes); "pbkdf2_sm3" (PBKDF2 on SM3, for a 商用密码 assessment) becomes the
# hasher of new passwords when PASSWORD_HASHER_SM3 is set. Existing hashes keep verifying either way.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "accounts.hashers.PBKDF2SM3PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
if env.bool("PASSWORD_HASHER_SM3", default=False):
    PASSWORD_HASHERS.insert(0, PASSWORD_HASHERS.pop(1))
# Staff (unit_staff, community_staff, supervisor, admin, and anyone with admin access): a password at least
# this old must be changed before anything else; so must one set by the office (initial or reset).
STAFF_PASSWORD_MAX_AGE_DAYS = env.int("STAFF_PASSWORD_MAX_AGE_DAYS", default=90)
STAFF_PASSWORD_MIN_LENGTH = 10
STAFF_PASSWORD_HISTORY = 5
# Sessions end when idle this long (staff / everybody else) and this long after the sign-in, whatever
# happens in between. STAFF_SINGLE_SESSION: a staff account's new sign-in ends its other session.
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)
STAFF_SESSION_MAX_SECONDS = env.int("STAFF_SESSION_MAX_SECONDS", default=12 * 3600)
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=7 * 24 * 3600)
SESSION_MAX_SECONDS = env.int("SESSION_MAX_SECONDS", default=14 * 24 * 3600)
STAFF_SINGLE_SESSION = env.bool("STAFF_SINGLE_SESSION", default=True)
SESSION_COOKIE_AGE = SESSION_MAX_SECONDS
# Two-factor sign-in (django-otp): the issuer an authenticator app shows beside the account.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Jiangyan")  # ASCII: every app reads it
OTP_STATIC_RECOVERY_CODES = 10
# Sessions read from the cache (Redis in production), written through to the database: a signed-in page
# costs no session query.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Reverse proxies in front of the portal that append the client's address to X-Forwarded-For (nginx with
# ``proxy_add_x_forwarded_for``). 0: the portal faces its clients and REMOTE_ADDR is the client. Every
# per-client limit (jiangyan.core.throttling.client_address) and the sign-in lockout use this one rule; a
# larger number than the real chain lets clients choose their own address. See docs/trust.md.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)

# django-axes, on the sign-in page, the admin's and the API token endpoint alike: an account locks after
# AXES_FAILURE_LIMIT failures from anywhere, an address after AXES_ADDRESS_FAILURE_LIMIT failures on any
# accounts (an office behind one NAT address shares it), each for AXES_COOLOFF_TIME hours
# (accounts.lockout.PortalAxesHandler weighs the two counts).
AXES_CLIENT_IP_CALLABLE = "jiangyan.core.throttling.client_ip"
AXES_USERNAME_CALLABLE = "jiangyan.core.throttling.axes_username"  # cut to what axes can store
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "accounts.lockout.PortalAxesHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# --- Internationalisation -------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    # Uploads reach the disk only when their transaction commits (jiangyan.helpers.storage).
    "default": {"BACKEND": "jiangyan.helpers.storage.CommitFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded photos are served by Django when no web server in front does it (small intranet deployments).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=False)
IMAGE_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
# Pixels an uploaded image may declare (a phone photo has 12–20 million); checked before decoding.
IMAGE_UPLOAD_MAX_PIXELS = env.int("IMAGE_UPLOAD_MAX_PIXELS", default=40_000_000)
# JPEG is decoded at a reduced scale; PNG, WEBP and GIF in full (about 4 bytes a pixel): their lower cap.
IMAGE_FULL_DECODE_MAX_PIXELS = env.int("IMAGE_FULL_DECODE_MAX_PIXELS", default=24_000_000)
# Decodes at once across the site (slots in the cache; jiangyan.helpers.uploads.DecodeSlot), how long a
# request waits for one before a "busy, try again" form error, and when a dead worker's slot frees itself.
IMAGE_DECODE_CONCURRENCY = env.int("IMAGE_DECODE_CONCURRENCY", default=2)
IMAGE_DECODE_WAIT_SECONDS = env.float("IMAGE_DECODE_WAIT_SECONDS", default=10.0)
IMAGE_DECODE_SLOT_SECONDS = 30
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Dates any form or API field accepts: (years before, years after) today
# (jiangyan.helpers.validators.date_window).
PORTAL_DATE_RANGE = (
    env.int("PORTAL_DATE_YEARS_BEFORE", default=30),
    env.int("PORTAL_DATE_YEARS_AFTER", default=10),
)
# The largest request body accepted (six photos at IMAGE_UPLOAD_MAX_BYTES and the form); beyond it a 413
# before anything is read. Django's own caps count form fields only, not files.
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=32 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Cache and Celery ----------------------------------------------------------------------------------
# The cache (pages, sessions, rate limits) is best a Redis of its own with a memory bound and LRU eviction
# (CACHE_URL; docker-compose: the ``cache`` service, ``--maxmemory 256mb --maxmemory-policy allkeys-lru``),
# apart from the broker's Redis, whose queue must never be evicted. An unreachable cache is skipped, not an
# error (IGNORE_EXCEPTIONS): pages are computed, sessions read from the database. See docs/performance.md.
REDIS_URL = env("REDIS_URL", default="")
TASK_VISIBILITY_TIMEOUT = env.int("TASK_VISIBILITY_TIMEOUT", default=240)
CACHE_URL = env("CACHE_URL", default="") or REDIS_URL
REDIS_CACHE_OPTIONS = {
    "IGNORE_EXCEPTIONS": True,
    "LOG_IGNORED_EXCEPTIONS": True,
    "SOCKET_CONNECT_TIMEOUT": 0.5,
    "SOCKET_TIMEOUT": 0.5,
    "COMPRESSOR": "django_redis.compressors.zlib.ZlibCompressor",
}
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 2000},  # its memory bound: beyond it a third is culled
        }
    }
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A task a dead worker had taken comes back to the queue TASK_VISIBILITY_TIMEOUT seconds after it was
    # delivered (every worker looks for such tasks every 10 s): within 5 minutes. No task may run longer
    # (CELERY_TASK_TIME_LIMIT below), or it would be handed to a second worker while it still runs.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": TASK_VISIBILITY_TIMEOUT,
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 1,
        # A request to the broker from a page (jiangyan.outbox.dispatch) gives up quickly when it is away.
        "socket_connect_timeout": 2,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    for folder in ("queue", "processed", "control"):
        (VAR_DIR / "broker" / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker" / "queue"),
        "data_folder_out": str(VAR_DIR / "broker" / "queue"),
        "data_folder_processed": str(VAR_DIR / "broker" / "processed"),
        # The broadcasts (/healthz's ping) keep their exchanges here, not in ./control.
        "control_folder": str(VAR_DIR / "broker" / "control"),
        "store_processed": False,
    }
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Redelivery (docs/trust.md, "Operations"): a task is acknowledged only once done and handed back when its
# worker dies, a worker holds one task per process, and none runs past the visibility timeout: long work is
# cut into runs of at most TASK_BATCH_SECONDS that continue each other (jiangyan.tasks.in_batches).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = int(TASK_VISIBILITY_TIMEOUT * 0.6)
CELERY_TASK_TIME_LIMIT = int(TASK_VISIBILITY_TIMEOUT * 0.75)
TASK_BATCH_SECONDS = TASK_VISIBILITY_TIMEOUT // 4
# Beat wakes at least every 30 s and stamps its heartbeat (jiangyan.celery.Scheduler); /healthz calls beat
# down when the stamp is older than HEALTH_BEAT_STALE_SECONDS, and the worker down when no worker answers a
# ping within HEALTH_WORKER_TIMEOUT seconds.
CELERY_BEAT_SCHEDULER = "jiangyan.celery:Scheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 30
HEALTH_BEAT_STALE_SECONDS = env.int("HEALTH_BEAT_STALE_SECONDS", default=180)
HEALTH_WORKER_TIMEOUT = env.float("HEALTH_WORKER_TIMEOUT", default=2.0)
# The outbox (jiangyan.outbox, docs/resilience.md): follow-up work written with the change is asked of a
# worker on commit, and beat hands what the broker missed to a worker every OUTBOX_DRAIN_SECONDS, in pieces
# of OUTBOX_BATCH; a failed delivery is tried again after 30 s, 60 s … at most OUTBOX_RETRY_MAX_SECONDS.
OUTBOX_DRAIN_SECONDS = env.int("OUTBOX_DRAIN_SECONDS", default=30)
OUTBOX_BATCH = 100
# How long a delivery holds its message before another may take it (a worker that died, a mark lost).
OUTBOX_HOLD_SECONDS = env.int("OUTBOX_HOLD_SECONDS", default=60)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=3600)
# Nightly backup (beat, 02:30): dated files under BACKUP_DIR, those older than BACKUP_KEEP_DAYS deleted.
BACKUP_DIR = Path(env("BACKUP_DIR", default=str(VAR_DIR / "backups")))
BACKUP_KEEP_DAYS = env.int("BACKUP_KEEP_DAYS", default=14)

# Cached pages (jiangyan.core.pagecache; which pages: the views declared with ``cached_page`` and the API's
# ``cache_topics``): how long an unused entry stays (a change makes the entries that show it stale at once,
# whatever this says; 0: no page cache); how long one worker may recompute a stale entry while the others
# answer with the previous copy; how long a request waits for an entry another worker is computing.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)
# Cached pages and fragments of another release are never served (``jiangyan.release``): RELEASE names a
# build, otherwise the source tree's files do.
RELEASE = release(BASE_DIR)
PAGE_CACHE_LOCK_SECONDS = env.int("PAGE_CACHE_LOCK_SECONDS", default=5)
PAGE_CACHE_WAIT_SECONDS = env.float("PAGE_CACHE_WAIT_SECONDS", default=2.0)

# --- E-mail --------------------------------------------------------------------------------------------
# Notifications are e-mailed (as well as shown in the portal) only when EMAIL_URL is set.
NOTIFY_BY_EMAIL = bool(env("EMAIL_URL", default=""))
# The portal's address as its readers reach it: the links in e-mails. Production: check --deploy warns
# unless it is https on one of DJANGO_ALLOWED_HOSTS. Locally: the port `make run` serves on.
SITE_URL = env("SITE_URL", default=f"http://127.0.0.1:{env('PORT', default='8000')}")
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="办实事平台 <noreply@jiangyan.local>")

# --- API -----------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Request bodies are JSON; an action that takes files also takes multipart (``upload_actions`` of
    # jiangyan.core.viewsets). JSON nested deeper than API_JSON_MAX_DEPTH is a 400 (jiangyan.helpers.parsers).
    "DEFAULT_PARSER_CLASSES": ["jiangyan.helpers.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "jiangyan.core.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "jiangyan.core.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "jiangyan.core.exceptions.api_exception_handler",
    # Per client address (anonymous) or per account (signed in; staff who enter for residents at the
    # staff rate): jiangyan.core.throttling. Pages and API share the counters.
    "DEFAULT_THROTTLE_RATES": {
        "anon_submit": env("ANON_SUBMIT_RATE", default="30/hour"),
        "user_submit": env("USER_SUBMIT_RATE", default="30/hour"),
        "staff_submit": env("STAFF_SUBMIT_RATE", default="600/hour"),
        "register": env("REGISTER_RATE", default="10/hour"),
        "token": "20/minute",
        "wish_track": env("WISH_TRACK_RATE", default="20/hour"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
API_JSON_MAX_DEPTH = 32
SPECTACULAR_SETTINGS = {
    # ASCII: a generated client is named after the title (jiangyan-practical-things-api-client).
    "TITLE": "Jiangyan Practical Things API",
    "DESCRIPTION": (
        "姜堰区“我为群众办实事”平台：实事项目库、微心愿、需求调研与督查通报的接口。"
        "认证：会话或 `Authorization: Token …`（令牌由 /api/v1/auth/token/ 取得）；"
        "公开的操作不登录也可调用。"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Every operation documents the error envelope for 400/401/403/404/429; the document's security and
    # names suit client generators (jiangyan.core.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "jiangyan.core.schema.add_error_responses",
        "jiangyan.core.schema.shape_for_generators",
    ],
    # Several registries have a ``status`` and a ``channel``: name each enum after its registry.
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "jiangyan.core.roles.Role",
        "ProjectStatusEnum": "projects.choices.ProjectStatus",
        "WishStatusEnum": "wishes.choices.WishStatus",
        "WishChannelEnum": "wishes.choices.WishChannel",
        "OfferStatusEnum": "wishes.choices.OfferStatus",
        "CategoryEnum": "wishes.choices.WishCategory",  # a wish's category and a help team's categories
        "TeamKindEnum": "wishes.choices.TeamKind",
        "DutyStatusEnum": "surveys.choices.DutyStatus",
        "SurveyChannelEnum": "surveys.choices.Channel",
        "ReportKindEnum": "supervision.choices.ReportKind",
        "ReportStatusEnum": "supervision.choices.ReportStatus",
        "OrderStatusEnum": "supervision.choices.OrderStatus",
        "InspectionKindEnum": "supervision.choices.InspectionKind",
        # The ``actions`` of each entity with states (``jiangyan.core.moves``).
        "WishActionEnum": "wishes.choices.WISH_ACTION_CHOICES",
        "OfferActionEnum": "wishes.choices.OFFER_ACTION_CHOICES",
        "ReportActionEnum": "supervision.choices.REPORT_ACTION_CHOICES",
        "OrderActionEnum": "supervision.choices.ORDER_ACTION_CHOICES",
        "DutyItemActionEnum": "surveys.choices.DUTY_ACTION_CHOICES",
        "ProjectActionEnum": "projects.choices.PROJECT_ACTION_CHOICES",
        "SurveyActionEnum": "surveys.choices.SURVEY_ACTION_CHOICES",
        "EvaluationActionEnum": "projects.choices.EVALUATION_ACTION_CHOICES",
    },
}

# --- Campaign rules (thresholds named in DESIGN.md) ---------------------------------------------------
PROJECT_BEHIND_POINTS = env.int("PROJECT_BEHIND_POINTS", default=10)
PROJECT_MILESTONE_LATE_DAYS = env.int("PROJECT_MILESTONE_LATE_DAYS", default=7)
WISH_MAX_OPEN_CLAIMS = env.int("WISH_MAX_OPEN_CLAIMS", default=3)
WISH_UNCLAIMED_FLAG_DAYS = env.int("WISH_UNCLAIMED_FLAG_DAYS", default=3)
# An urgent supplies wish routed to a help team (帮帮团, ``wishes.HelpTeam``): its members alone may claim it
# for this many hours after it opens, and it is flagged 超时未认领 after them (instead of the days above).
WISH_TEAM_CLAIM_HOURS = env.int("WISH_TEAM_CLAIM_HOURS", default=4)
WISH_DEFAULT_PROMISE_DAYS = env.int("WISH_DEFAULT_PROMISE_DAYS", default=7)
# Supervision (docs/reports.md): beat generates reports missed while it was down on its next run, back to
# the campaign's start at most (empty: back to the latest stored report; none stored: the last period).
SUPERVISION_CAMPAIGN_START = env("SUPERVISION_CAMPAIGN_START", default="")  # YYYY-MM-DD
SUPERVISION_CATCH_UP_MAX = env.int("SUPERVISION_CATCH_UP_MAX", default=60)  # periods per kind and run
SUPERVISION_AGENDA_BEHIND_POINTS = env.int("SUPERVISION_AGENDA_BEHIND_POINTS", default=15)
# The lead-unit ranking: weights of its parts (each 0–100) and the points an overdue order costs.
SUPERVISION_RANKING_WEIGHTS = {"progress": 0.4, "timeliness": 0.3, "evaluation": 0.3}
SUPERVISION_OVERDUE_ORDER_PENALTY = env.int("SUPERVISION_OVERDUE_ORDER_PENALTY", default=5)
SUPERVISION_ORDER_DEFAULT_DAYS = env.int("SUPERVISION_ORDER_DEFAULT_DAYS", default=7)
DEMO_PASSWORD = env("DEMO_PASSWORD", default="jiangyan-demo")
# Only the local and test settings allow the demo seeder (production needs --force).
DEMO_SEED_ALLOWED = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Personal information at rest (jiangyan.helpers.crypto, docs/privacy.md). PII_KEYS: "id:base64key,…" (32-byte
# keys; the first encrypts, all decrypt); PII_INDEX_KEY: the 32-byte key of the blind index; PII_CIPHER:
# aes-gcm (default) or sm4-gcm. Local and test settings have fixed development keys; production has none.
PII_KEYS = env("PII_KEYS", default="")
PII_INDEX_KEY = env("PII_INDEX_KEY", default="")
PII_CIPHER = env("PII_CIPHER", default="aes-gcm")
# The audit record (jiangyan.core.audit, docs/audit.md): kept this many days (never fewer than 180: level 3
# requires six months), its hash chain keyed with AUDIT_CHAIN_KEY (default: the secret key).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=180)
AUDIT_CHAIN_KEY = env("AUDIT_CHAIN_KEY", default="")
# PIPL retention (docs/privacy.md): a wish's contact details are erased (kept masked) this many days after it
# closes, is withdrawn or rejected; a survey's phones this many days after it closes (beat, nightly).
WISH_CONTACT_RETENTION_DAYS = env.int("WISH_CONTACT_RETENTION_DAYS", default=180)
SURVEY_PHONE_RETENTION_DAYS = env.int("SURVEY_PHONE_RETENTION_DAYS", default=90)
