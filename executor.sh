#!/bin/bash
# executor.sh: the command operators register as the Mesos executor of their tasks.
#
# 1. Sources the optional site environment file (EXECUTOR_* settings shared by every task on the host) with bash,
#    as the original wrapper did: the file may use bash syntax, and a variable it reads unset expands to nothing
#    instead of failing the launch. A command in it that fails still stops the launch (the original ran with -e).
# 2. Places the executor binary in the task's sandbox: a hard link when the sandbox is on the same filesystem
#    (hundreds of executors then share one copy of the binary in memory), a copy otherwise.
#    Upgrade by writing the new binary beside the old one and renaming it over the old path (install(1) and
#    `mv` do): running tasks keep their version, new tasks get the new one. `cp new /opt/mesos/sidecar-executor`
#    fails with "Text file busy" while any task runs, because it writes into the very file they execute.
# 3. Replaces itself with the binary (exec), so no shell stays resident beside each task.
#
# Cleaning up the task's container on every exit path is the executor's own job, not this script's: after the
# exec there is no shell left to run a trap.
set -eu

echo "--> sidecar-executor wrapper starting up..."

custom_env=${SIDECAR_EXECUTOR_CUSTOM_ENV_PATH:-/opt/mesos/executor-environment.sh}
if [ -f "$custom_env" ]; then
  echo "--> sourcing the site environment $custom_env"
  set +u
  # shellcheck disable=SC1090
  source "$custom_env"
  set -u
else
  echo "--> no site environment at $custom_env"
fi

binary=${SIDECAR_EXECUTOR_PATH:-/opt/mesos/sidecar-executor}
if [ ! -x "$binary" ]; then
  echo "--> error: the executor binary $binary does not exist or is not executable (set SIDECAR_EXECUTOR_PATH)" >&2
  exit 1
fi

sandbox=${MESOS_SANDBOX:-${MESOS_DIRECTORY:-.}}
target="$sandbox/$(basename "$binary")"
if ln -f "$binary" "$target" 2>/dev/null; then
  echo "--> linked $binary into the sandbox"
else
  # Another filesystem (or a mount that refuses links): a private copy keeps the task on this version.
  cp -f "$binary" "$target.tmp.$$"
  chmod +x "$target.tmp.$$"
  mv -f "$target.tmp.$$" "$target"
  echo "--> copied $binary into the sandbox"
fi

exec "$target" "$@"
