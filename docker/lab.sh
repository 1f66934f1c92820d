#!/usr/bin/env bash
# The compose lab in one command, on any machine with Docker, with or without a registry.
#
#   docker/lab.sh up        build the image and start three nodes and a client: node1 first,
#                           until it is master, then the rest (prints each node's `redkeep status`)
#   docker/lab.sh down      stop and remove everything the lab made
#   docker/lab.sh ARGS...   any other compose command: `docker/lab.sh exec node1 redkeep
#                           status`, `docker/lab.sh logs -f`, `docker/lab.sh kill node1`
#
# The base image (debian:bookworm-slim) is used when Docker has it, pulled when a registry
# answers, and made locally otherwise (docker/make-base-image.sh: mmdebstrap from this
# machine's Debian mirror, needs root). Works with `docker compose` (v2) and `docker-compose`
# (v1). COMPOSE_FILE and COMPOSE_PROJECT_NAME are honoured, as compose itself does (the
# docker lab test adds its test-hooks file and a project name of its own that way).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
base=debian:bookworm-slim
image=redkeep:lab

if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
else
  echo "docker/lab.sh: neither \`docker compose\` nor docker-compose is installed" >&2
  exit 1
fi
files=()
[[ -n "${COMPOSE_FILE:-}" ]] || files=(-f "$root/docker/compose.yml")
dc() { "${compose[@]}" "${files[@]}" "$@"; }

ensure_base_image() {
  docker image inspect "$base" >/dev/null 2>&1 && return 0
  echo "docker/lab.sh: $base is not here; trying a registry (60 s at most)"
  if timeout 60 docker pull "$base" >/dev/null 2>&1; then
    return 0
  fi
  echo "docker/lab.sh: no registry answered; making $base locally"
  if [[ $EUID -ne 0 ]] || ! command -v mmdebstrap >/dev/null 2>&1; then
    echo "docker/lab.sh: that needs root and mmdebstrap (apt-get install mmdebstrap)" >&2
    exit 1
  fi
  "$root/docker/make-base-image.sh" "$base"
}

# Another checkout's lab under the same project name would be taken over by this one's `up`
# (compose recreates its containers): refuse, naming where it runs.
ensure_own_project() {
  local project="${COMPOSE_PROJECT_NAME:-$(sed -n 's/^COMPOSE_PROJECT_NAME=//p' "$root/docker/.env")}"
  local dir
  for dir in $(docker ps -a --filter "label=com.docker.compose.project=$project" \
                 --format '{{.Label "com.docker.compose.project.working_dir"}}' | sort -u); do
    if [[ "$dir" != "$root/docker" ]]; then
      echo "docker/lab.sh: a lab of the compose project $project runs from $dir; stop it there" \
           "(docker/lab.sh down) or set COMPOSE_PROJECT_NAME to another name" >&2
      exit 1
    fi
  done
}

# The first of the nodes named whose `redkeep status` says MASTER, within 60 s.
wait_for_master() {
  local deadline=$((SECONDS + 60)) node
  while ((SECONDS < deadline)); do
    for node in "$@"; do
      if dc exec -T "$node" redkeep status >/dev/null 2>&1; then
        echo "docker/lab.sh: $node is master"
        return 0
      fi
    done
    sleep 1
  done
  echo "docker/lab.sh: no master within 60 s; see \`docker/lab.sh logs\`" >&2
  return 1
}

case "${1:-}" in
  up)
    ensure_own_project
    ensure_base_image
    "$root/docker/build-image.sh" "$image"
    # node1 first: started together, whichever node's Master_Down_Interval runs out first wins
    # and nopreempt keeps it, so the master would change from one `up` to the next.
    dc up -d --no-build node1
    wait_for_master node1
    dc up -d --no-build
    for node in node1 node2 node3; do
      echo "--- $node"
      dc exec -T "$node" redkeep status || true
    done
    ;;
  down)
    dc down -v --remove-orphans
    ;;
  "")
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    ;;
  exec)
    # Without a terminal (a script, a pipe) compose's exec cannot allocate one: -T.
    if [[ -t 0 ]]; then dc "$@"; else shift; dc exec -T "$@"; fi
    ;;
  *)
    dc "$@"
    ;;
esac
