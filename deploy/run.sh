#!/usr/bin/env bash
# Start one part of the multi-replica deployment (README「多机部署」). Each command runs in the foreground (for systemd
# or a terminal) except the postgres-* ones, which wrap pg_ctl. Shared settings come from the environment
# (ASSISTANT_CHROMA_URL, ASSISTANT_FEEDBACK_DB, ASSISTANT_INDEX_DIR, … see `python -m assistant --help`).
#
#   deploy/run.sh postgres-init DATA PORT      a private PostgreSQL cluster in DATA on 127.0.0.1:PORT, with a role and
#                                              a database both named assistant (trust on loopback: one machine only)
#   deploy/run.sh postgres-start DATA          start it (returns when it accepts connections)
#   deploy/run.sh postgres-stop DATA           stop it (fast shutdown)
#   deploy/run.sh chroma DATA PORT             the shared Chroma server (chroma run; on CHROMA_HOST, 127.0.0.1)
#   deploy/run.sh prepare                      build the index (vectors on ASSISTANT_CHROMA_URL) and train the refusal
#                                              model once, before the replicas start, so they never build at once
#   deploy/run.sh replica PORT                 one app process (python app.py) on PORT (ASSISTANT_HOST, 127.0.0.1)
#   deploy/run.sh nginx STATE LISTEN PORT...   nginx on LISTEN (host:port) in front of the replicas on PORT... (or
#                                              HOST:PORT for replicas on other machines); its rendered
#                                              configuration, pid and logs in the folder STATE
#   deploy/run.sh nginx-site LISTEN LOGS PORT...   print the site configuration alone (for /etc/nginx/conf.d/)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
python="${ASSISTANT_PYTHON:-$root/.venv/bin/python}"
replica_host="${ASSISTANT_REPLICA_HOST:-127.0.0.1}"   # where nginx finds the replicas

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { print }' "$0" >&2; exit 2; }

pg_bin() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$bin" ] || { echo "没有找到 PostgreSQL（/usr/lib/postgresql/*/bin）：请先运行 bash scripts/servers.sh。" >&2; exit 1; }
  echo "$bin"
}

# initdb and pg_ctl refuse to run as root: as root they run as the package's postgres user.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

render_site() {  # LISTEN LOGS PORT...
  local listen="$1" logs="$2" servers="" replica
  shift 2
  for replica in "$@"; do
    [[ "$replica" == *:* ]] || replica="$replica_host:$replica"
    servers+="    server $replica max_fails=0;"$'\n'
  done
  awk -v listen="$listen" -v logs="$logs" -v servers="$servers" '
    /@@SERVERS@@/ { printf "%s", servers; next }
    { gsub(/@@LISTEN@@/, listen); gsub(/@@LOGS@@/, logs); print }' "$here/nginx-site.conf.template"
}

command="${1:-}"
[ -n "$command" ] || usage
shift
case "$command" in
  postgres-init)
    [ $# -eq 2 ] || usage
    data="$1" port="$2" bin="$(pg_bin)"
    mkdir -p "$data"
    [ "$(id -u)" -ne 0 ] || chown postgres: "$data"
    chmod 700 "$data"
    as_owner "$bin/initdb" -D "$data" -A trust -U postgres -E UTF8 --locale C.UTF-8 >/dev/null
    # listen on loopback only; the socket beside the data (the packaged /var/run/postgresql may be missing)
    printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\n" "$port" "$data" \
      >>"$data/postgresql.conf"
    as_owner "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start >/dev/null
    as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
      -c "CREATE ROLE assistant LOGIN" -c "CREATE DATABASE assistant OWNER assistant"
    ;;
  postgres-start)
    [ $# -eq 1 ] || usage
    as_owner "$(pg_bin)/pg_ctl" -D "$1" -l "$1/server.log" -w -t 60 start >/dev/null
    ;;
  postgres-stop)
    [ $# -eq 1 ] || usage
    as_owner "$(pg_bin)/pg_ctl" -D "$1" -m fast -w -t 60 stop >/dev/null
    ;;
  chroma)
    [ $# -eq 2 ] || usage
    exec "$(dirname "$python")/chroma" run --path "$1" --host "${CHROMA_HOST:-127.0.0.1}" --port "$2"
    ;;
  prepare)
    cd "$root"
    exec "$python" -c 'from assistant.pipeline import Assistant; from assistant.settings import Settings
Assistant(Settings.from_env(), show_progress=False); print("索引与拒答模型已就绪。")'
    ;;
  replica)
    [ $# -eq 1 ] || usage
    cd "$root"
    ASSISTANT_PORT="$1" exec "$python" app.py
    ;;
  nginx)
    [ $# -ge 3 ] || usage
    state="$1" listen="$2"
    shift 2
    mkdir -p "$state"
    state="$(cd "$state" && pwd)"
    render_site "$listen" "$state" "$@" >"$state/assistant.conf"
    sed "s|@@STATE@@|$state|g" "$here/nginx.conf.template" >"$state/nginx.conf"
    nginx="$(command -v nginx || echo /usr/sbin/nginx)"
    "$nginx" -t -q -c "$state/nginx.conf" -p "$state"
    exec "$nginx" -c "$state/nginx.conf" -p "$state" -g 'daemon off;'
    ;;
  nginx-site)
    [ $# -ge 3 ] || usage
    render_site "$@"
    ;;
  *)
    usage
    ;;
esac
