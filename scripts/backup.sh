#!/usr/bin/env bash
# A PostgreSQL backup of DATABASE_URL: `pg_dump --format=custom` into BACKUP_DIR, dumps older than
# BACKUP_KEEP_DAYS removed. Prints the file written. Used by `make backup` and deploy/recovery-network-backup.service.
set -euo pipefail
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database to back up}"
dir="${BACKUP_DIR:-backups}"
keep="${BACKUP_KEEP_DAYS:-14}"
# libpq does not know SQLAlchemy's driver suffix.
url="${DATABASE_URL/postgresql+psycopg:/postgresql:}"
url="${url/postgres:/postgresql:}"
mkdir -p "$dir"
file="$dir/recovery-network-$(date -u +%Y%m%dT%H%M%SZ).dump"
# Written under a temporary name: a dump cut short never looks like a good one.
pg_dump --format=custom --no-owner --no-privileges --file="$file.partial" "$url"
pg_restore --list "$file.partial" >/dev/null   # readable, or fail now rather than on the day it is needed
mv "$file.partial" "$file"
find "$dir" -name 'recovery-network-*.dump' -mtime +"$keep" -delete
echo "$file"
