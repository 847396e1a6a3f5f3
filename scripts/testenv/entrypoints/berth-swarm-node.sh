#!/bin/sh
# Entrypoint of the berth-swarm-node image (built by ../swarm-nodes): Debian's dockerd as the container's main
# process (under tini, which reaps the containerd shims), with the arguments of `docker run`.
set -e
# The node runs with every capability its engine can give instead of --privileged (see ../swarm-nodes), so Docker
# mounts /sys and the cgroup hierarchies read-only; the nested engine writes to both.
mount -o remount,rw /sys
for m in $(awk '$3 == "cgroup" || $3 == "cgroup2" {print $2}' /proc/self/mounts); do
  mount -o remount,bind,rw "$m"
done
# cgroup v2 (not this machine, but a usual one): a cgroup that holds processes cannot hand controllers to child
# cgroups, so the node's own processes move to a leaf of their own before dockerd makes its containers' cgroups.
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
  mkdir -p /sys/fs/cgroup/node
  while read -r pid; do echo "$pid" >/sys/fs/cgroup/node/cgroup.procs 2>/dev/null || :; done </sys/fs/cgroup/cgroup.procs
  for c in $(cat /sys/fs/cgroup/cgroup.controllers); do echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null || :; done
fi
# Left over when the container stopped without a clean shutdown; dockerd refuses to start while they are there.
rm -f /var/run/docker.pid /run/docker/containerd/containerd.pid
exec dockerd "$@"
