# The same service with the health check's exec form, which runs without a shell.
FROM busybox:1.35
HEALTHCHECK CMD ["grep", "-q", "ready", "/www/state"]
CMD ["sh", "-c", "mkdir -p /www; echo starting > /www/state; (sleep 3; echo ready > /www/state.new; mv /www/state.new /www/state) & exec httpd -f -p 8080 -h /www"]
