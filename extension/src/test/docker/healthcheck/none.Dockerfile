# An image whose health check is switched off.
FROM busybox:1.35
HEALTHCHECK NONE
CMD ["httpd", "-f", "-p", "8080"]
