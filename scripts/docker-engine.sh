#!/usr/bin/env bash
# The project's private Docker engine for end-to-end tests, the demo and the benchmarks.
#
#   scripts/docker-engine.sh start   install (Debian's docker.io, busybox-static) if needed, start dockerd on a private
#                                    socket, data root and bridge, import local/busybox:latest; writes $ENGINE_DIR/env
#   scripts/docker-engine.sh stop    remove our containers, stop dockerd (and the registry) by PID, unmount, clean up
#   scripts/docker-engine.sh status  exit 0 when our engine answers /_ping
#   scripts/docker-engine.sh restart-daemon
#                                    SIGTERM dockerd and start it again on the same data; containers keep running
#                                    (--live-restore), as in an engine upgrade while tasks run
#
# Several engines can run side by side: give each its own ENGINE_DIR, ENGINE_BRIDGE, ENGINE_BRIDGE_CIDR and
# ENGINE_REGISTRY_PORT.
# ENGINE_REGISTRY=1 also serves Debian's docker-registry on 127.0.0.1:5000 and pushes 127.0.0.1:5000/test/busybox:1
# so that real pulls can be tested.
# ENGINE_TLS_CERTS=DIR (made by scripts/make-test-certs.sh) also serves the engine with --tlsverify on
# 127.0.0.1:$ENGINE_TLS_PORT (default 2376) and adds DOCKER_TEST_TLS_HOST to $ENGINE_DIR/env. Nothing here touches the host's own Docker: no docker0, no iptables rules
# (--iptables=false with our own bridge; -p still works through docker-proxy), only loopback and Unix sockets.
# When no engine can start it says why on stderr and in $ENGINE_DIR/fail-reason, and exits 1: tests fail, not skip.
set -euo pipefail

E=${ENGINE_DIR:-/tmp/sidecar-executor-engine}
SOCK=$E/docker.sock
BRIDGE=${ENGINE_BRIDGE:-sxbr0}
BRIDGE_CIDR=${ENGINE_BRIDGE_CIDR:-172.31.251.1/24}
REGISTRY_PORT=${ENGINE_REGISTRY_PORT:-5000}

log() { printf 'docker-engine: %s\n' "$*" >&2; }
fail() {
  mkdir -p "$E"
  printf '%s\n' "$*" > "$E/fail-reason"
  log "cannot start the engine: $*"
  exit 1
}
ping_engine() { curl -sf --max-time 2 --unix-socket "$SOCK" http://localhost/_ping >/dev/null 2>&1; }
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  # The package's maintainer scripts must not start a system-wide dockerd.
  [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }
  apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null || true
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$@" >/dev/null
}

install() {
  local need=()
  command -v dockerd >/dev/null || need+=(docker.io)
  [ -x /bin/busybox ] || need+=(busybox-static)
  command -v curl >/dev/null || need+=(curl)
  command -v ip >/dev/null || need+=(iproute2)
  if [ "${ENGINE_REGISTRY:-0}" = 1 ] && ! command -v docker-registry >/dev/null; then need+=(docker-registry); fi
  if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]} from Debian"
    apt_install "${need[@]}" || fail "apt-get install ${need[*]} failed"
  fi
  command -v dockerd >/dev/null || fail "dockerd not installed"
}

# Daemons must not keep the caller's descriptors open: a caller waiting for EOF on a pipe, or Foundation's Process
# (it notices a child's exit when every holder of a descriptor it passed has closed it), would wait for the daemon.
detach() { # command...: runs it in its own session with only stdin, stdout and stderr
  (
    for fd in "/proc/$BASHPID/fd/"*; do
      fd=${fd##*/}
      [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null
    done
    exec setsid "$@"
  ) &
}

docker_cli() { DOCKER_HOST="unix://$SOCK" /usr/bin/docker "$@"; }

start_daemon() { # $1 = profile: bridge | restricted
  local profile=$1
  rm -rf "$E/data" "$E/exec"
  if [ "$profile" = bridge ]; then
    ip link show "$BRIDGE" >/dev/null 2>&1 || {
      ip link add "$BRIDGE" type bridge && ip addr add "$BRIDGE_CIDR" dev "$BRIDGE" && ip link set "$BRIDGE" up
    } || return 1
  fi
  launch_daemon "$profile" || return 1
  printf 'DOCKER_HOST=unix://%s\nDOCKER_TEST_PROFILE=%s\nENGINE_DIR=%s\n' "$SOCK" "$profile" "$E" > "$E/env"
  if [ -n "${ENGINE_TLS_CERTS:-}" ]; then
    printf 'DOCKER_TEST_TLS_HOST=tcp://127.0.0.1:%s\nDOCKER_TEST_TLS_CERTS=%s\n' "${ENGINE_TLS_PORT:-2376}" \
      "$ENGINE_TLS_CERTS" >> "$E/env"
  fi
}

# Runs dockerd on the existing data root. --live-restore keeps containers running while dockerd itself is down, so
# `restart-daemon` can show the executor re-attaching to a running container.
launch_daemon() { # $1 = profile: bridge | restricted
  local profile=$1 flags
  if [ "$profile" = bridge ]; then
    flags=(--storage-driver=overlay2 --iptables=false --ip6tables=false --ip-masq=false --bridge="$BRIDGE")
  else
    flags=(--storage-driver=vfs --iptables=false --ip6tables=false --bridge=none)
  fi
  # dockerd writes its own pidfile; its own session keeps it out of the caller's process group.
  if [ -n "${ENGINE_TLS_CERTS:-}" ]; then
    local c=$ENGINE_TLS_CERTS
    flags+=(-H "tcp://127.0.0.1:${ENGINE_TLS_PORT:-2376}" --tlsverify --tlscacert "$c/ca.pem" --tlscert "$c/server.pem"
      --tlskey "$c/server-key.pem")
  fi
  detach dockerd --data-root "$E/data" --exec-root "$E/exec" --pidfile "$E/dockerd.pid" -H "unix://$SOCK" \
    --live-restore "${flags[@]}" >> "$E/dockerd.log" 2>&1 < /dev/null
  for _ in $(seq 150); do ping_engine && break; sleep 0.1; done
  ping_engine || { stop_daemon; return 1; }
}

# Stops dockerd by its PID (SIGTERM, as an upgrade or a crash-restart would) and starts it again on the same data:
# containers keep running meanwhile (--live-restore) and the engine re-adopts them.
restart_daemon() {
  local pid profile
  profile=$(sed -n 's/^DOCKER_TEST_PROFILE=//p' "$E/env" 2>/dev/null)
  [ -n "$profile" ] || fail "no running engine in $E to restart"
  if pid=$(cat "$E/dockerd.pid" 2>/dev/null) && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && fail "dockerd ($pid) did not stop within 30 s"
  fi
  rm -f "$E/dockerd.pid"
  launch_daemon "$profile" || fail "dockerd did not come back: $(tail -n 3 "$E/dockerd.log" 2>/dev/null | tr '\n' ' ')"
  log "restarted dockerd ($(cat "$E/dockerd.pid")) on $SOCK"
}

stop_daemon() {
  local pid
  if pid=$(cat "$E/dockerd.pid" 2>/dev/null) && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  # Stray shims and proxies of THIS engine only, found by their exec root, never by name.
  for p in $(pgrep -f "$E/exec" 2>/dev/null || true); do kill -KILL "$p" 2>/dev/null || true; done
  awk -v d="$E/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -f "$E/dockerd.pid"
}

import_busybox() {
  local r=$E/rootfs
  rm -rf "$r"; mkdir -p "$r/bin" "$r/etc" "$r/tmp" "$r/proc" "$r/sys" "$r/dev" "$r/www"
  cp /bin/busybox "$r/bin/"
  for a in $("$r/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"; done
  echo 'root:x:0:0:root:/:/bin/sh' > "$r/etc/passwd"; echo 'root:x:0:' > "$r/etc/group"
  echo 'nobody:x:65534:65534:nobody:/:/bin/false' >> "$r/etc/passwd"
  echo '<h1>hello from a sidecar-executor task</h1>' > "$r/www/index.html"
  tar -C "$r" -c . | docker_cli import -c 'CMD ["/bin/sh"]' -c 'ENV PATH=/bin' - local/busybox:latest >/dev/null
  rm -rf "$r"
}

start_registry() {
  command -v docker-registry >/dev/null || fail "docker-registry not installed"
  mkdir -p "$E/registry"
  cat > "$E/registry.yml" <<YML
version: 0.1
storage:
  filesystem:
    rootdirectory: $E/registry
http:
  addr: 127.0.0.1:$REGISTRY_PORT
YML
  detach docker-registry serve "$E/registry.yml" > "$E/registry.log" 2>&1 < /dev/null
  echo $! > "$E/registry.pid"
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$REGISTRY_PORT/v2/" >/dev/null && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$REGISTRY_PORT/v2/" >/dev/null || fail "docker-registry did not answer"
  docker_cli tag local/busybox:latest "127.0.0.1:$REGISTRY_PORT/test/busybox:1"
  docker_cli push "127.0.0.1:$REGISTRY_PORT/test/busybox:1" >/dev/null || fail "push to the local registry failed"
  docker_cli rmi "127.0.0.1:$REGISTRY_PORT/test/busybox:1" >/dev/null
  echo "DOCKER_TEST_REGISTRY=127.0.0.1:$REGISTRY_PORT" >> "$E/env"
}

# An engine already running in $E is reused only when it serves what this start asks for: one started by hand
# without the registry or the TLS listener would fail those tests later, far from the cause.
serves_what_is_asked() {
  [ -f "$E/env" ] || return 1
  if [ "${ENGINE_REGISTRY:-0}" = 1 ]; then grep -q '^DOCKER_TEST_REGISTRY=' "$E/env" || return 1; fi
  if [ -n "${ENGINE_TLS_CERTS:-}" ]; then grep -q '^DOCKER_TEST_TLS_HOST=' "$E/env" || return 1; fi
}

start() {
  if ping_engine && serves_what_is_asked; then log "already running ($SOCK)"; return 0; fi
  if ping_engine; then log "the running engine lacks the registry or the TLS listener asked for: starting it anew"; fi
  if pid=$(cat "$E/registry.pid" 2>/dev/null); then kill -TERM "$pid" 2>/dev/null || true; rm -f "$E/registry.pid"; fi
  stop_daemon
  install
  mkdir -p "$E"; rm -f "$E/fail-reason" "$E/env"
  if ! start_daemon bridge; then
    log "bridge profile failed ($(tail -n 2 "$E/dockerd.log" 2>/dev/null | tr '\n' ' ')); trying the restricted profile"
    ip link del "$BRIDGE" 2>/dev/null || true
    start_daemon restricted || fail "dockerd did not answer /_ping: $(tail -n 3 "$E/dockerd.log" 2>/dev/null | tr '\n' ' ')"
  fi
  import_busybox || fail "docker import failed"
  local out
  out=$(docker_cli run --rm --network none local/busybox:latest echo ok 2>&1) || true
  [ "$out" = ok ] || fail "engine cannot run containers: $out"
  if [ "${ENGINE_REGISTRY:-0}" = 1 ]; then start_registry; fi
  log "running: $(grep -h PROFILE "$E/env") on $SOCK"
}

stop() {
  if ping_engine; then
    local ids
    # One id per line; word splitting into arguments is what we want here.
    mapfile -t ids < <(docker_cli ps -aq 2>/dev/null || true)
    [ ${#ids[@]} -eq 0 ] || docker_cli rm -f "${ids[@]}" >/dev/null 2>&1 || true
  fi
  if pid=$(cat "$E/registry.pid" 2>/dev/null); then kill -TERM "$pid" 2>/dev/null || true; rm -f "$E/registry.pid"; fi
  stop_daemon
  ip link del "$BRIDGE" 2>/dev/null || true
  rm -rf "$E"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) ping_engine ;;
  restart-daemon) restart_daemon ;;
  *) echo "usage: $0 start|stop|status|restart-daemon" >&2; exit 2 ;;
esac
