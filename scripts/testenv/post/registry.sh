# The official image's configuration: no auth (REGISTRY_AUTH_* variables add it), storage in /var/lib/registry.
ln -sf /usr/bin/docker-registry /bin/registry
mkdir -p /var/lib/registry
cat >/etc/docker/registry/config.yml <<'YML'
version: 0.1
log:
  fields:
    service: registry
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: /var/lib/registry
http:
  addr: :5000
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
YML
