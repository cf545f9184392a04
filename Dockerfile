# The dashboard's image: web, worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY dashboard dashboard
COPY willo_integration willo_integration
COPY templates templates
COPY static static
COPY manage.py ./
RUN pip install . \
    && useradd --create-home --uid 1000 dashboard
# Hashed static files, served by whitenoise; the secrets here (and the permission to run
# without a broker) exist only for this step.
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=collectstatic-only WILLO_ALLOW_EAGER_TASKS=true \
    WILLO_ENCRYPTION_KEYS=Y29sbGVjdHN0YXRpYy1vbmx5LWNvbGxlY3RzdGF0aWM= \
    DJANGO_ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput
USER dashboard
EXPOSE 8000
CMD ["gunicorn", "dashboard.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
