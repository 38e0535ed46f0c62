# Sourced by the measurement scripts (from the repository root): the PostgreSQL they measure against.
#   use_postgres DIR PORT   keeps CCFS_TEST_POSTGRES (an Npgsql connection string) if set, otherwise starts a private
#                           cluster in DIR on PORT with scripts/postgres-start.sh and sets it
#   stop_private_postgres   stops that private cluster, if one was started (scripts/lib/scratch.sh calls it at exit)
#   pg_sql SQL              runs SQL there, printing rows unaligned without headers
private_pg_dir=""

use_postgres() {
  if [ -z "${CCFS_TEST_POSTGRES:-}" ]; then
    # Set first: a start that fails half-way (after pg_ctl start) must still be stopped.
    private_pg_dir=$1
    CCFS_TEST_POSTGRES=$(scripts/postgres-start.sh "$1" "$2")
  fi
}

stop_private_postgres() {
  if [ -n "$private_pg_dir" ]; then
    scripts/postgres-stop.sh "$private_pg_dir" >/dev/null
  fi
}

# One field of the connection string (Host, Port, Username, Password, Database), matched without regard to case.
pg_field() { tr ';' '\n' <<<"$CCFS_TEST_POSTGRES" | sed -n "s/^$1=//Ip" | head -1; }

pg_sql() {
  PGPASSWORD=$(pg_field Password) psql -qtA -v ON_ERROR_STOP=1 -h "$(pg_field Host)" -p "$(pg_field Port)" \
    -U "$(pg_field Username)" -d "$(pg_field Database)" -c "$1"
}
