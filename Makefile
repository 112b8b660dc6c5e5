# Two commands a newcomer needs: `make run` and `make test`. Each does its own set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := recovery_network

.PHONY: run test test-postgres bench bench-pages bench-rota bench-load bench-readme backup restore install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# Serve the demo network at http://127.0.0.1:5000 (SQLite in instance/ unless DATABASE_URL is set).
# Debug mode: local http, the development secret allowed; production uses gunicorn (see README).
run: export FLASK_DEBUG := 1
run: $(STAMP)
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# The whole suite on the embedded database (and on PostgreSQL when TEST_DATABASE_URL is set).
test: $(STAMP)
	@if command -v npm >/dev/null 2>&1 && [ ! -d tests/js/node_modules ]; then npm ci --silent --prefix tests/js || true; fi
	$(BIN)/pytest

# Speed figures for the README (not timed tests): search and feeds at 1k/10k/100k, then one gunicorn worker.
bench: $(STAMP)
	$(BIN)/python -m benchmarks.search
	$(BIN)/python -m benchmarks.worker

# Every public page against a bare route under gunicorn (2 workers, wrk): README "Speed".
bench-pages: $(STAMP)
	$(BIN)/python -m benchmarks.pages
	$(BIN)/python -m benchmarks.pages --render --sizes 1000 100000

# The rota page at 10,000 meetings, in-process and over HTTP (gunicorn -w 2, wrk, logged in): README "Speed".
bench-rota: $(STAMP)
	$(BIN)/python -m benchmarks.rota

# Every figure in README "Speed" and "Running more than one node", each table printed ready to paste.
# The mixed load runs only when LOAD_DATABASE_URL names a PostgreSQL database it may wipe.
bench-readme: $(STAMP)
	$(BIN)/python -m benchmarks.search
	$(BIN)/python -m benchmarks.worker
	$(BIN)/python -m benchmarks.pages
	$(BIN)/python -m benchmarks.pages --render --sizes 1000 100000
	$(BIN)/python -m benchmarks.rota
	$(if $(LOAD_DATABASE_URL),$(BIN)/python -m benchmarks.mixed --database-url "$(LOAD_DATABASE_URL)",@echo "mixed load skipped: set LOAD_DATABASE_URL")

# The mixed load (locust) on PostgreSQL with two app nodes: README "Running more than one node".
# LOAD_DATABASE_URL is wiped and rebuilt with the 10,000-meeting network.
bench-load: $(STAMP)
	$(BIN)/python -m benchmarks.mixed --database-url "$(LOAD_DATABASE_URL)"

# A PostgreSQL backup of DATABASE_URL into backups/ (or BACKUP_DIR); prints the file's name.
backup:
	scripts/backup.sh

# Restore BACKUP=file into RESTORE_URL (its tables are replaced): try it on a scratch database first.
restore:
	scripts/restore.sh "$(BACKUP)"

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
