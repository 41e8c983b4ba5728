#!/usr/bin/env bash
# Prints the transcript the README's "A day with cora-migrate" is cut from, so that its output
# is what the binary prints and can be refreshed when the output changes: a copy of this
# repository's migrations/ and checks/ in FOLDER (default /tmp/app, the path the README shows),
# the embedded cluster, a new migration, lint, migrate, status, verify, a function edited by
# hand, diff, the way back, checklist. Needs a built binary and PostgreSQL 15.
# Usage: readme-transcript.sh [BUILD_DIR] [FOLDER]; deletes and re-creates FOLDER.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
folder=${2:-/tmp/app}
export PATH="$build/cli:$PATH"
unset CI CORA_DATABASE_URL DATABASE_URL

[[ -d "$folder/.cora" ]] && (cd "$folder" && cora-migrate local stop >/dev/null 2>&1)
rm -rf "$folder" && mkdir -p "$folder" && cd "$folder" || exit 1
cp -r "$root/migrations" "$root/checks" "$root/cora-migrate.toml" .
run() {
  echo "\$ cora-migrate $*"
  cora-migrate "$@" 2>&1
  echo "[exit $?]"
  echo
}

run migrate
run new add-teams
file=migrations/009-add-teams.sql
sed -i '1s/.*/-- 009-add-teams: teams inside an org, and a per-org limit on how many./' "$file"
cat >>"$file" <<'SQL'

CREATE TABLE IF NOT EXISTS public.teams (
    id     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id uuid NOT NULL REFERENCES public.orgs (id) ON DELETE CASCADE,
    name   text NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_teams_org_id ON public.teams (org_id);
ALTER TABLE public.teams ENABLE ROW LEVEL SECURITY;

ALTER TABLE public.orgs ADD COLUMN IF NOT EXISTS team_limit integer NOT NULL;
CREATE INDEX IF NOT EXISTS idx_orgs_team_limit ON public.orgs (team_limit);
SQL
run lint
# The fixes the README describes: a DEFAULT, and a silence with its reason.
sed -i 's/team_limit integer NOT NULL;/team_limit integer NOT NULL DEFAULT 5;/' "$file"
sed -i 's/^CREATE INDEX IF NOT EXISTS idx_orgs_team_limit/-- cora-migrate: ignore=create_index_concurrently reason="orgs holds a few hundred rows"\n&/' "$file"
run lint
run status
run migrate
run verify

# Someone replaces log_auth_event() by hand with a body naming a table that does not exist.
psql=(psql -X -q "host=$folder/.cora/local/run user=postgres dbname=postgres")
"${psql[@]}" -At -c "SELECT pg_get_functiondef('public.log_auth_event'::regproc)" |
  sed 's/public.user_auth_log (/public.auth_event_log (/' | "${psql[@]}"
run diff
run verify
run migrate --reapply 7 --force
run -q status --drift --exit-code
run -q checklist
cora-migrate local stop >/dev/null
