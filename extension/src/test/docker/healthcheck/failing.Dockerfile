# A service whose image's check never passes and says why: Docker would call it unhealthy two seconds after the
# start (two retries, one a second).
FROM busybox:1.35
HEALTHCHECK --interval=1s --retries=2 CMD echo still warming up; exit 3
CMD ["httpd", "-f", "-p", "8080"]
