#!/usr/bin/env bash
# mesos-agent.sh: the real Mesos 1.11.0 master and agent the real-agent tests run against (Tests/ExecutorTests/RealMesos).
#
#   scripts/mesos-agent.sh start   start them with ../shared/mesos/mesos.sh (the bundle beside the repository) on
#                                  127.0.0.1:5050 and :5051, executor authentication on; writes $MESOS_TEST_DIR/env
#   scripts/mesos-agent.sh stop    stop them, by the PIDs mesos.sh recorded
#
# MESOS_TEST_DIR (default /tmp/sidecar-executor-mesos) holds the extracted bundle, the work dirs, logs and the env
# file. Without the bundle, `start` says so and exits 1: scripts/test.sh requires the real agent.
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${MESOS_TEST_DIR:-/tmp/sidecar-executor-mesos}
shared=$(cd .. && pwd)/shared/mesos
mesos_sh=$shared/mesos.sh

case "${1:-}" in
  start)
    if [ ! -x "$mesos_sh" ] && [ ! -f "$mesos_sh" ]; then
      echo "mesos-agent: no Mesos bundle at $shared (mesos.sh missing): the real-agent tests cannot run" >&2
      exit 1
    fi
    mkdir -p "$dir/auth"
    # Executor authentication: the agent signs a JWT for each executor with this key.
    [ -s "$dir/auth/jwt-key" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/auth/jwt-key"
    printf '{"credentials":[{"principal":"ops","secret":"%s"}]}\n' "$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
      > "$dir/auth/creds.json"
    chmod 600 "$dir/auth/jwt-key" "$dir/auth/creds.json"
    MESOS_AGENT_RESOURCES=${MESOS_AGENT_RESOURCES:-'cpus:16;mem:16384;ports:[31000-32000]'} \
      MESOS_AGENT_FLAGS="--authenticate_http_executors --jwt_secret_key=$dir/auth/jwt-key --http_credentials=$dir/auth/creds.json ${MESOS_AGENT_EXTRA_FLAGS:-}" \
      bash "$mesos_sh" start "$dir"
    ;;
  stop)
    if [ -f "$mesos_sh" ] && [ -d "$dir/run" ]; then bash "$mesos_sh" stop "$dir"; fi
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 64
    ;;
esac
