#!/usr/bin/env bash
# Restore a dump made by backup.sh into RESTORE_URL (an existing, empty or disposable database: every table in
# the dump is dropped and recreated there). Usage: scripts/restore.sh FILE. Used by `make restore`.
set -euo pipefail
file="${1:?usage: restore.sh BACKUP_FILE}"
: "${RESTORE_URL:?set RESTORE_URL to the database to restore into (never the live one by accident)}"
url="${RESTORE_URL/postgresql+psycopg:/postgresql:}"
url="${url/postgres:/postgresql:}"
# One transaction: a restore that fails half-way leaves the target as it was.
pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
  --dbname="$url" "$file"
echo "restored $file"
