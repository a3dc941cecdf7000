# Production image: gunicorn serves the web app (whitenoise serves static files); the same
# image runs the Celery worker and beat. See docker-compose.yml and README.md.

FROM node:20-bookworm-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.13-slim-bookworm
# GnuPG encrypts the National Impact Study package to its recipients' keys.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gnupg \
    && rm -rf /var/lib/apt/lists/*
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

COPY pyproject.toml README.md ./
RUN pip install .

COPY . .
COPY --from=frontend /build/node_modules ./node_modules
# Settings refuse to load without a secret and a database; these exist only for the build.
RUN python changing_lives/devtools/build_frontend.py \
    && SECRET_KEY=image-build-only REFERENCE_HMAC_KEY=image-build-only DATABASE_URL=sqlite:////tmp/build.sqlite3 \
       python manage.py collectstatic --no-input \
    && rm -rf node_modules /tmp/build.sqlite3

RUN useradd --system --uid 10001 --home-dir /app changing-lives \
    && mkdir -p /data/media && chown changing-lives /data/media
USER changing-lives
ENV MEDIA_ROOT=/data/media
EXPOSE 8000
# No gunicorn access log: its request lines carry query strings (a search for a name or a
# NINO); the product logs each request itself, with ids only (changing_lives/observability).
CMD ["gunicorn", "changing_lives.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
