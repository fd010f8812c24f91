#!/bin/sh
# Run as root before anything else starts: the directories the stack writes to, with their
# owners (a volume mounted at run time, as on Fly.io, arrives owned by root), and nginx.conf
# with the ports from the environment (nginx cannot read variables in `listen`).
set -eu
: "${PGDATA:?} ${PGHOST:?} ${NGINX_DIR:?} ${HTTP_PORT:?} ${APP_PORT:?}"
case "$NGINX_DIR" in /*) ;; *) echo "NGINX_DIR must be an absolute path" >&2 && exit 2 ;; esac
# postgres refuses a data directory that others can read.
install -d -o postgres -g postgres -m 0700 "$PGDATA"
# The socket directory: postgres writes its socket there, the app (www-data) connects to it.
install -d -o postgres -g postgres -m 0755 "$PGHOST"
# nginx's prefix: its pid file, the rendered config, temp files (made by the root master).
install -d -m 0755 "$NGINX_DIR" "$NGINX_DIR/tmp"
sed -e "s/@HTTP_PORT@/$HTTP_PORT/g" -e "s/@APP_PORT@/$APP_PORT/g" \
  nginx.conf.template >"$NGINX_DIR/nginx.conf"
echo "state ready: $PGDATA, $PGHOST, $NGINX_DIR/nginx.conf"
