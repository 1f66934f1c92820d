#!/bin/sh
# Container entrypoint, run by tini (PID 1). For `redkeep run ...`: start redis-server in the
# background, wait (bounded) until it answers PING, then exec redkeep, so that tini's SIGTERM
# goes to redkeep alone and Redis is still there to be demoted while the VIP is released.
# redis-server is not restarted if it dies: redkeep reports FAULT (the container turns
# unhealthy) until the container is restarted, because an empty Redis coming back by itself is
# what the recipe's data-loss cases are made of.
# When redkeep exits, the container ends with it (redis-server too). When it gives up (an actor
# failing past its restart budget: VIP released, priority 0 sent, exit 1), docker/compose.yml's
# `restart: on-failure` starts the container anew: this script runs again, redis-server and
# redkeep start fresh, and the node rejoins as a BACKUP. `docker stop` (exit 0) and `docker kill`
# (a manual stop for Docker) leave it stopped.
# Any other command (redis-cli, sh, `sleep infinity` for the lab client) runs as given.
set -eu

# redkeep carries NET_ADMIN and NET_RAW as file capabilities; the kernel refuses to exec it
# ("Operation not permitted") when the container's bounding set lacks one of them. Say why.
case "${1:-}" in
  redkeep | /usr/local/bin/redkeep)
    bnd="$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status)"
    if [ $((0x$bnd & 0x3000)) -ne $((0x3000)) ]; then
      echo "redkeep needs the capabilities NET_ADMIN and NET_RAW:" \
        "docker run --cap-add NET_ADMIN --cap-add NET_RAW ... (compose: cap_add)" >&2
      exit 1
    fi
    ;;
esac

if [ "$#" -ge 2 ] && [ "$1" = redkeep ] && [ "$2" = run ]; then
  # `redkeep run --config FILE`: FILE may be bind-mounted world-readable from the host; redkeep
  # reads a private 0600 copy so a config holding auth_pass draws no "readable by others"
  # warning.
  if [ "$#" -eq 4 ] && [ "$3" = --config ] && [ -r "$4" ]; then
    (umask 077 && cp "$4" /run/redkeep/redkeep.conf)
    set -- redkeep run --config /run/redkeep/redkeep.conf
  fi
  redis-server /etc/redkeep/redis.conf &
  i=0
  until redis-cli ping >/dev/null 2>&1; do
    i=$((i + 1))
    if [ "$i" -ge 100 ]; then
      echo "entrypoint: redis-server does not answer PING after 10 s; starting redkeep anyway" >&2
      break
    fi
    sleep 0.1
  done
fi
exec "$@"
