#!/bin/sh
# t1020-watch-noise.sh — the issue's low-noise requirement, for real: nginx serving requests,
# redis-server answering redis-cli, a Python service (HTTP server and client, sqlite, json,
# a subprocess) and a package build (make of a small C project, its program run, make clean)
# under `ringfence watch --format json` with the default rules give no finding at all. With the
# ptrace backend, and with eBPF where it loads. Only 127.0.0.1 is ever contacted. Detached from
# make and meson (rf_detached): their descendants are exempt from some rules, which would make
# this quieter than a real workload is.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
require_prog python3
mk_tmpdir
chmod 755 "$tmpdir" # nginx's workers (www-data) serve from below it
rf=$RF_BIN
cd "$tmpdir" || framework_failure "cd"
py=$(command -v /usr/bin/python3 || command -v python3) # the interpreter, not a pyenv shim

free_port() {
	"$py" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_port() { # PORT: up to 10 s
	"$py" -c 'import socket,sys,time
for _ in range(200):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close(); sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)' "$1"
}

quiet() { # NAME BACKEND FILE: no finding in FILE
	if [ -s "$3" ]; then
		fail "$2: $1 under watch gives no finding"
		"$py" -c 'import json,sys
for l in open(sys.argv[1]):
    f = json.loads(l); print(f["rule"], "-", f["message"])' "$3" | head -n 20 | diag
	else
		pass "$2: $1 under watch gives no finding"
	fi
}

watch_bg() { # BACKEND OUT CMD...: watch a server in the background ($wpid)
	b=$1
	out=$2
	shift 2
	rf_detached "$out.status" "$rf" -q watch --no-stdout --output "$out" --backend "$b" -- "$@" \
		>"$out.out" 2>"$out.err" </dev/null &
	wpid=$!
}

nginx_case() { # BACKEND
	if ! command -v nginx >/dev/null; then
		skip "$1: nginx" "nginx not installed"
		return
	fi
	port=$(free_port)
	mkdir -p "ng-$1/html"
	chmod 755 "ng-$1" "ng-$1/html"
	echo hello >"ng-$1/html/index.html"
	chmod 644 "ng-$1/html/index.html"
	cat >"ng-$1/nginx.conf" <<EOF
daemon off;
worker_processes 2;
pid $tmpdir/ng-$1/nginx.pid;
error_log $tmpdir/ng-$1/error.log;
events { worker_connections 64; }
http {
	include /etc/nginx/mime.types;
	access_log $tmpdir/ng-$1/access.log;
	client_body_temp_path $tmpdir/ng-$1/body;
	proxy_temp_path $tmpdir/ng-$1/proxy;
	fastcgi_temp_path $tmpdir/ng-$1/fastcgi;
	uwsgi_temp_path $tmpdir/ng-$1/uwsgi;
	scgi_temp_path $tmpdir/ng-$1/scgi;
	server { listen 127.0.0.1:$port; root $tmpdir/ng-$1/html; }
}
EOF
	watch_bg "$1" "nginx-$1.jsonl" nginx -e "$tmpdir/ng-$1/error.log" -c "$tmpdir/ng-$1/nginx.conf"
	if ! wait_port "$port"; then
		fail "$1: nginx starts under watch"
		diag <"nginx-$1.jsonl.err"
		kill "$wpid" 2>/dev/null
		return
	fi
	"$py" -c 'import sys,urllib.request
for i in range(50):
    assert urllib.request.urlopen("http://127.0.0.1:%s/" % sys.argv[1], timeout=5).read() == b"hello\n"
for i in range(10):
    try: urllib.request.urlopen("http://127.0.0.1:%s/missing" % sys.argv[1], timeout=5)
    except Exception: pass' "$port" 2>"nginx-$1.client"
	st=$?
	check_eq "$st" 0 "$1: nginx serves 60 requests under watch"
	[ "$st" -eq 0 ] || tail -n 3 "nginx-$1.client" | diag
	kill -QUIT "$(cat "ng-$1/nginx.pid")"
	wait "$wpid"
	quiet nginx "$1" "nginx-$1.jsonl"
}

redis_case() { # BACKEND
	if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
		skip "$1: redis" "redis-server or redis-cli not installed"
		return
	fi
	port=$(free_port)
	mkdir -p "rd-$1"
	watch_bg "$1" "redis-$1.jsonl" redis-server --port "$port" --bind 127.0.0.1 \
		--dir "$tmpdir/rd-$1" --save "" --appendonly no --daemonize no --logfile ""
	if ! wait_port "$port"; then
		fail "$1: redis starts under watch"
		diag <"redis-$1.jsonl.err"
		kill "$wpid" 2>/dev/null
		return
	fi
	ok=0
	for i in 1 2 3 4 5 6 7 8 9 10; do
		redis-cli -p "$port" set "k$i" "v$i" >/dev/null || ok=1
		[ "$(redis-cli -p "$port" get "k$i")" = "v$i" ] || ok=1
	done
	redis-cli -p "$port" lpush l a b c >/dev/null || ok=1
	check_eq "$ok" 0 "$1: redis answers set/get/lpush under watch"
	redis-cli -p "$port" shutdown nosave >/dev/null 2>&1
	wait "$wpid"
	quiet redis "$1" "redis-$1.jsonl"
}

python_case() { # BACKEND
	cat >svc.py <<'EOF'
import http.server, json, os, sqlite3, subprocess, tempfile, threading, urllib.request

class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"path": self.path}).encode()
        self.send_response(200); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a):
        pass

srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
threading.Thread(target=srv.serve_forever, daemon=True).start()
port = srv.server_address[1]
with tempfile.TemporaryDirectory() as d:
    db = sqlite3.connect(os.path.join(d, "app.db"))
    db.execute("create table t(k text, v text)")
    for i in range(30):
        r = json.loads(urllib.request.urlopen("http://127.0.0.1:%d/item/%d" % (port, i)).read())
        db.execute("insert into t values(?, ?)", (r["path"], str(i)))
    db.commit()
    assert db.execute("select count(*) from t").fetchone()[0] == 30
    with open(os.path.join(d, "out.json"), "w") as f:
        json.dump({"ok": True}, f)
subprocess.run(["true"], check=True)
srv.shutdown()
EOF
	rf_detached det.status "$rf" -q watch --no-stdout --output "python-$1.jsonl" --backend "$1" -- \
		"$py" svc.py 2>"python-$1.err" </dev/null
	check_eq "$?" 0 "$1: the Python service runs under watch"
	quiet "a Python service" "$1" "python-$1.jsonl"
}

build_case() { # BACKEND
	if ! command -v make >/dev/null || ! command -v cc >/dev/null; then
		skip "$1: package build" "make or cc not installed"
		return
	fi
	mkdir -p "proj-$1"
	printf '#include "util.h"\n#include <stdio.h>\nint main(void){printf("%%d\\n", twice(21));return 0;}\n' >"proj-$1/main.c"
	printf 'int twice(int x);\n' >"proj-$1/util.h"
	printf '#include "util.h"\nint twice(int x){return 2*x;}\n' >"proj-$1/util.c"
	printf 'app: main.o util.o\n\t$(CC) -o $@ main.o util.o\nclean:\n\trm -f app *.o\ncheck: app\n\t./app | grep -qx 42\n' >"proj-$1/Makefile"
	rf_detached det.status "$rf" -q watch --no-stdout --output "build-$1.jsonl" --backend "$1" -- \
		sh -c "make -s -C proj-$1 check && make -s -C proj-$1 clean" 2>"build-$1.err" </dev/null
	check_eq "$?" 0 "$1: make builds, tests and cleans a C project under watch"
	quiet "a package build (make)" "$1" "build-$1.jsonl"
}

for b in ptrace ebpf; do
	if [ "$b" = ebpf ]; then
		if [ "$(id -u)" -ne 0 ]; then
			skip "ebpf noise" "needs root"
			continue
		elif ! "$rf" -q watch --backend ebpf -- true >/dev/null 2>probe.err; then
			skip "ebpf noise" "the eBPF watch program cannot run here: $(cat probe.err)"
			continue
		fi
	fi
	nginx_case "$b"
	redis_case "$b"
	python_case "$b"
	build_case "$b"
done
done_testing
