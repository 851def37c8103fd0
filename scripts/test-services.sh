#!/usr/bin/env bash
# Make a real PostgreSQL and a real Redis reachable for the test suite.
#
#   eval "$(bash scripts/test-services.sh start)"  # prints export DATABASE_URL=... / REDIS_URL=...
#   bash scripts/test-services.sh stop             # stops only throwaway servers started here
#
# `start` uses the services on the standard ports (127.0.0.1:5432 as user postgres without a
# password, 127.0.0.1:6379) when they answer. Otherwise it starts throwaway servers on free
# ports with their state under ${TMPDIR:-/tmp}/elevdialog-test-services, installing Debian's
# postgresql / redis-server packages first if needed (root only). A throwaway server left
# running by an earlier `start` is reused. ELEVDIALOG_THROWAWAY_SERVICES=1 skips the standard
# ports. Services on the standard ports are never stopped or touched.
#
# stdout carries only the export lines (the Makefile evals it); everything else goes to stderr.
# Exports are printed only once both services answer, so a failure prints none.
set -euo pipefail
# Functions run inside $(...) to return values; make errors there abort too.
shopt -s inherit_errexit

# Keep the real stdout on fd 3 for the export lines; send everything else to stderr.
# (Helpers return values on stdout via $(...), so diagnostics name >&2 explicitly.)
exec 3>&1 1>&2

STATE_DIR="${TMPDIR:-/tmp}/elevdialog-test-services"
# Outside STATE_DIR because `stop` removes that.
LOCK_FILE="${TMPDIR:-/tmp}/elevdialog-test-services.lock"
PG_STATE="$STATE_DIR/pg"
PG_DATA="$PG_STATE/data"
PG_SOCK="$PG_STATE/sock"
PG_LOG="$PG_STATE/postgres.log"
PG_PORT_FILE="$PG_STATE/port"
REDIS_STATE="$STATE_DIR/redis"
REDIS_PID="$REDIS_STATE/redis.pid"
REDIS_LOG="$REDIS_STATE/redis.log"
REDIS_PORT_FILE="$REDIS_STATE/port"

PG_PREFERRED_PORT=54329
REDIS_PREFERRED_PORT=63799
DB_NAME=elevdialog

# Never wait on a password prompt or a hung connection.
export PGCONNECT_TIMEOUT=5

log() { printf 'test-services: %s\n' "$*" >&2; }
die() {
    printf 'test-services: ERROR: %s\n' "$*" >&2
    exit 1
}

is_root() { [ "$(id -u)" -eq 0 ]; }

# True if something accepts TCP connections on 127.0.0.1:$1 (bash's /dev/tcp, no extra tools).
port_in_use() { timeout 2 bash -c "exec 9<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# First port from $1 upwards that nothing listens on.
free_port() {
    local port
    for ((port = $1; port < $1 + 100; port++)); do
        if ! port_in_use "$port"; then
            echo "$port"
            return 0
        fi
    done
    die "no free TCP port in $1-$(($1 + 99))"
}

# apt-get install, only possible as root.
apt_install() {
    is_root || die "$1 is not installed and only root can install it (apt-get install $1)"
    log "installing Debian package $1"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends "$1" >&2
}

# ---------------------------------------------------------------- PostgreSQL

# The bin directory of the newest PostgreSQL server installed by Debian (empty if none).
find_pg_bin() {
    local f initdb=
    for f in /usr/lib/postgresql/*/bin/initdb; do
        [ -x "$f" ] && initdb=$(printf '%s\n%s\n' "$initdb" "$f" | sort -V | tail -n 1)
    done
    if [ -n "$initdb" ]; then dirname "$initdb"; fi
}

# initdb and the server refuse to run as root, so as root run them as the postgres system
# user (from / so it never trips over an unreadable cwd such as /root).
as_pg_user() {
    if is_root; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# True if a server on 127.0.0.1:$2 accepts user postgres without a password; $1 = psql binary.
pg_answers() {
    local psql=$1 port=$2 pg_isready
    pg_isready="$(dirname "$psql")/pg_isready"
    [ -x "$pg_isready" ] || pg_isready=$(command -v pg_isready || true)
    [ -n "$pg_isready" ] || return 1
    "$pg_isready" -q -t 5 -h 127.0.0.1 -p "$port" >/dev/null 2>&1 || return 1
    [ "$("$psql" -X -w -At -h 127.0.0.1 -p "$port" -U postgres -d postgres -c 'select 1' 2>/dev/null)" = 1 ]
}

# Start (or reuse) the throwaway PostgreSQL and print its port.
start_throwaway_pg() {
    local bin port locale
    bin=$(find_pg_bin)
    if [ -z "$bin" ]; then
        apt_install postgresql
        bin=$(find_pg_bin)
        [ -n "$bin" ] || die "postgresql installed but no initdb under /usr/lib/postgresql/*/bin"
    fi

    # The state dir is world-readable so the postgres user can reach its own subdirectory.
    mkdir -p "$STATE_DIR" "$PG_STATE"
    chmod 755 "$STATE_DIR"
    if is_root; then
        getent passwd postgres >/dev/null || die "system user 'postgres' is missing (reinstall postgresql)"
        chown postgres: "$PG_STATE"
        runuser -u postgres -- test -w "$PG_STATE" ||
            die "user postgres cannot write $PG_STATE (is a parent of TMPDIR closed to other users?)"
    fi

    # Reuse a server from an earlier run if it is still up and answering.
    if [ -f "$PG_DATA/postmaster.pid" ] && [ -f "$PG_PORT_FILE" ] &&
        as_pg_user "$bin/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1; then
        port=$(cat "$PG_PORT_FILE")
        if pg_answers "$bin/psql" "$port"; then
            log "reusing throwaway PostgreSQL on 127.0.0.1:$port ($PG_DATA)"
            echo "$port"
            return 0
        fi
        die "throwaway PostgreSQL in $PG_DATA is running but not answering on port $port; run '$0 stop' (log: $PG_LOG)"
    fi

    # Fresh cluster unless a complete one is left from an earlier run (then just start it).
    if [ ! -f "$PG_DATA/PG_VERSION" ]; then
        rm -rf "$PG_DATA"
        # Same locale as Debian's default cluster; C.UTF-8 keeps upper()/lower() Unicode-aware.
        locale=C
        locale -a 2>/dev/null | grep -qix 'c\.utf-\?8' && locale=C.UTF-8
        log "initialising throwaway PostgreSQL cluster in $PG_DATA"
        as_pg_user "$bin/initdb" -D "$PG_DATA" -U postgres --auth=trust \
            --encoding=UTF8 --locale="$locale" >"$PG_STATE/initdb.log" 2>&1 ||
            { cat "$PG_STATE/initdb.log" >&2; die "initdb failed"; }
    fi

    as_pg_user mkdir -p "$PG_SOCK"
    port=$(free_port "$PG_PREFERRED_PORT")
    log "starting throwaway PostgreSQL on 127.0.0.1:$port"
    # 3>&- 4>&-: the server must not inherit the export pipe (the caller's $(...) would never
    # finish) or the lock (later runs would wait for ever).
    if ! as_pg_user "$bin/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
        -o "-p $port -k $PG_SOCK -c listen_addresses=127.0.0.1" </dev/null >/dev/null 3>&- 4>&-; then
        tail -n 20 "$PG_LOG" >&2 || true
        die "could not start PostgreSQL (log: $PG_LOG)"
    fi
    echo "$port" >"$PG_PORT_FILE"
    pg_answers "$bin/psql" "$port" ||
        die "throwaway PostgreSQL started but does not answer on 127.0.0.1:$port (log: $PG_LOG)"
    echo "$port"
}

# Print the DATABASE_URL to use.
ensure_postgres() {
    local psql port
    if [ "${ELEVDIALOG_THROWAWAY_SERVICES:-}" != 1 ]; then
        psql=$(command -v psql || true)
        if [ -n "$psql" ] && pg_answers "$psql" 5432; then
            log "using PostgreSQL on 127.0.0.1:5432"
            echo "postgres://postgres@127.0.0.1:5432/$DB_NAME"
            return 0
        fi
        log "no passwordless PostgreSQL (user postgres) on 127.0.0.1:5432; using a throwaway server"
    fi
    port=$(start_throwaway_pg)
    echo "postgres://postgres@127.0.0.1:$port/$DB_NAME"
}

stop_postgres() {
    local bin
    [ -f "$PG_DATA/postmaster.pid" ] || return 0
    bin=$(find_pg_bin)
    [ -n "$bin" ] || die "cannot stop PostgreSQL in $PG_DATA: pg_ctl not found"
    log "stopping throwaway PostgreSQL ($PG_DATA)"
    # pg_ctl stop fails if the server is already gone; only a still-running one is an error.
    if ! as_pg_user "$bin/pg_ctl" stop -D "$PG_DATA" -m fast -w -t 60 >/dev/null 2>&1 &&
        as_pg_user "$bin/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1; then
        die "could not stop PostgreSQL in $PG_DATA; state dir kept"
    fi
}

# ---------------------------------------------------------------- Redis

redis_answers() { [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]; }

# Pid of the throwaway redis-server if it is still alive (pid files can go stale).
redis_running_pid() {
    local pid
    [ -f "$REDIS_PID" ] || return 1
    pid=$(cat "$REDIS_PID")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q redis "/proc/$pid/comm" 2>/dev/null || return 1
    echo "$pid"
}

# Start (or reuse) the throwaway Redis and print its port.
start_throwaway_redis() {
    local port
    if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
        apt_install redis-server
    fi
    mkdir -p "$REDIS_STATE"

    # Reuse a server from an earlier run if it is still up and answering.
    if redis_running_pid >/dev/null && [ -f "$REDIS_PORT_FILE" ]; then
        port=$(cat "$REDIS_PORT_FILE")
        if redis_answers "$port"; then
            log "reusing throwaway Redis on 127.0.0.1:$port"
            echo "$port"
            return 0
        fi
        die "throwaway Redis is running but not answering on port $port; run '$0 stop' (log: $REDIS_LOG)"
    fi
    rm -f "$REDIS_PID" "$REDIS_PORT_FILE"

    port=$(free_port "$REDIS_PREFERRED_PORT")
    log "starting throwaway Redis on 127.0.0.1:$port"
    # 3>&- 4>&-: see the pg_ctl start above.
    redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
        --dir "$REDIS_STATE" --pidfile "$REDIS_PID" --logfile "$REDIS_LOG" </dev/null >&2 3>&- 4>&- ||
        die "could not start redis-server (log: $REDIS_LOG)"
    echo "$port" >"$REDIS_PORT_FILE"
    # --daemonize returns before the server listens (or fails to bind): wait for PONG.
    for _ in $(seq 50); do
        if redis_answers "$port"; then
            echo "$port"
            return 0
        fi
        sleep 0.2
    done
    tail -n 20 "$REDIS_LOG" >&2 || true
    die "throwaway Redis does not answer on 127.0.0.1:$port (log: $REDIS_LOG)"
}

# Print the REDIS_URL to use.
ensure_redis() {
    local port
    if [ "${ELEVDIALOG_THROWAWAY_SERVICES:-}" != 1 ]; then
        if command -v redis-cli >/dev/null && redis_answers 6379; then
            log "using Redis on 127.0.0.1:6379"
            echo "redis://127.0.0.1:6379/0"
            return 0
        fi
        log "no Redis on 127.0.0.1:6379; using a throwaway server"
    fi
    port=$(start_throwaway_redis)
    echo "redis://127.0.0.1:$port/0"
}

stop_redis() {
    local pid port
    pid=$(redis_running_pid) || return 0
    port=$(cat "$REDIS_PORT_FILE" 2>/dev/null || true)
    log "stopping throwaway Redis (pid $pid)"
    if [ -n "$port" ]; then redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true; fi
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.2
    done
    # Did not go away via the protocol: signal the exact pid we started, nothing else.
    kill "$pid" 2>/dev/null || true
    sleep 1
    if kill -0 "$pid" 2>/dev/null; then die "could not stop Redis (pid $pid); state dir kept"; fi
}

# ---------------------------------------------------------------- main

# One start/stop at a time (e.g. two `make test` runs), so they never set up or remove the
# same state dir concurrently. The lock is released when this script exits.
if command -v flock >/dev/null; then
    exec 4>>"$LOCK_FILE" || die "cannot open lock file $LOCK_FILE"
    flock -w 300 4 || die "timed out waiting for another test-services.sh run ($LOCK_FILE)"
fi

case "${1:-}" in
start)
    database_url=$(ensure_postgres)
    redis_url=$(ensure_redis)
    printf 'export DATABASE_URL=%s\nexport REDIS_URL=%s\n' "$database_url" "$redis_url" >&3
    ;;
stop)
    if [ ! -d "$STATE_DIR" ]; then
        log "no throwaway services to stop ($STATE_DIR absent)"
        exit 0
    fi
    stop_postgres
    stop_redis
    rm -rf "$STATE_DIR"
    log "throwaway services stopped"
    ;;
*)
    die "usage: $0 start|stop"
    ;;
esac
