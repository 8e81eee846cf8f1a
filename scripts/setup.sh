# Sourced by scripts/test and scripts/demo: venv, packages, PostgreSQL and Redis, from nothing.
set -euo pipefail

find_python() {
  for candidate in python3.12 /root/.pyenv/versions/3.12*/bin/python3.12 /usr/bin/python3.12; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
      command -v "$candidate"; return
    fi
  done
  echo "Python 3.12 is required (Saleor's version); install it and retry." >&2
  exit 1
}

if [ ! -x .venv/bin/python ]; then
  "$(find_python)" -m venv .venv
fi
if [ ! -f .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
  .venv/bin/pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/pip install -q -e '.[test]' 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/python -c 'import saleor_crm_plugin, django, graphene, celery, psycopg'
  touch .venv/.installed
fi

# Headless Chromium for the storefront widget tests (Debian's package; Playwright drives it).
if ! command -v chromium >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null 2>&1 || echo "could not install chromium: widget tests will skip" >&2
fi

# PostgreSQL and Redis on 127.0.0.1, started when they are not running.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
fi

# The dashboard App's pages, built when missing or stale. Under CI a missing Node or a failed build fails
# the run; on a developer's machine the sandbox still runs (the last build, or pages answering 503).
if [ -f frontend/package.json ]; then
  if [ -n "${CI:-}" ]; then
    scripts/build-frontend --if-stale
  elif ! command -v node >/dev/null 2>&1; then
    [ -f saleor_crm_plugin/dashboard/build/index.html ] ||
      echo "Node.js is missing: the dashboard pages are not built (install Node.js 20.19+, run scripts/build-frontend)." >&2
  else
    scripts/build-frontend --if-stale || echo "The dashboard pages did not build (above): the last build, if any, is served." >&2
  fi
fi
# The federation composer (federation/, Node), which the composition tests run: same rule as above.
if [ -n "${CI:-}" ]; then
  scripts/npm-ci-if-changed federation
elif command -v npm >/dev/null 2>&1; then
  scripts/npm-ci-if-changed federation || echo "federation/ packages did not install (above): composition tests will fail." >&2
fi

export PGUSER="${PGUSER:-postgres}"
export CRM_DB_NAME="${CRM_DB_NAME:-saleor_crm}"
export DATABASE_URL="${DATABASE_URL:-postgres://${PGUSER}@127.0.0.1:5432/${CRM_DB_NAME}}"
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-saleor_crm_plugin.sandbox.settings}"
if ! psql "$DATABASE_URL" -qc 'select 1' >/dev/null 2>&1; then
  createdb -h 127.0.0.1 -U "$PGUSER" "$CRM_DB_NAME"
fi
