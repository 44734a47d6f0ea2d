#!/usr/bin/env bash
# Run a command inside a private mount namespace when we are root, so that no mount made
# by a test or a benchmark can outlive it or leak onto the machine, whatever happens.
# OVL_PRIVATE_MNT_NS records the namespace made here; tests mount only when their own
# namespace is that one. Unprivileged runs go ahead as they are: privileged tests then
# skip, or fail when OVL_REQUIRE_PRIVILEGED=1 (as CI sets).
set -euo pipefail
if [ "$(id -u)" = 0 ] && [ "${OVL_PRIVATE_MNT_NS:-}" != "$(readlink /proc/self/ns/mnt)" ]; then
  exec unshare --mount --propagation private -- bash -c 'export OVL_PRIVATE_MNT_NS="$(readlink /proc/self/ns/mnt)"; exec "$@"' bash "$@"
fi
exec "$@"
