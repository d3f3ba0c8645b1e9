/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Finding outputs: file rotation that never truncates, syslog datagrams, and the webhook's
 * delivery, retries, give-up and bounded queue against a small HTTP server on 127.0.0.1. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/macro.h"
#include "unit.h"
#include "ringfence/alert.h"

static char dir[] = "/tmp/rf-alert-XXXXXX";

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(alert, .init = setup, .fini = teardown);

static size_t count_lines(const char *path, bool *all_whole)
{
	FILE *f = fopen(path, "r");
	char line[256];
	size_t n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		n++;
		*all_whole &= line[0] == '{' && strstr(line, "}\n") != NULL;
	}
	fclose(f);
	return n;
}

Test(alert, file_rotates_and_never_truncates)
{
	struct rf_alert_out *o = NULL;
	char path[128], p1[160], p2[160], p3[160];
	bool whole = true;
	size_t total;
	FILE *f;

	snprintf(path, sizeof(path), "%s/findings.jsonl", dir);
	f = fopen(path, "w");
	fputs("{\"old\":1}\n", f); /* an unread finding from before: kept */
	fclose(f);
	cr_assert_eq(rf_alert_file_new(path, RF_ALERT_JSON, 200, 2, &o, NULL), 0);
	for (int i = 0; i < 30; i++) {
		char json[64];

		snprintf(json, sizeof(json), "{\"finding\":%d,\"pad\":\"xxxxxxxxxxxxxxxx\"}", i);
		rf_alert_emit(o, json, "text", RF_SEV_WARNING);
	}
	rf_alert_free(o);
	snprintf(p1, sizeof(p1), "%s.1", path);
	snprintf(p2, sizeof(p2), "%s.2", path);
	snprintf(p3, sizeof(p3), "%s.3", path);
	total = count_lines(path, &whole) + count_lines(p1, &whole) + count_lines(p2, &whole);
	cr_assert(whole, "every line is a whole record");
	cr_assert(access(p2, F_OK) == 0 && access(p3, F_OK) != 0, "keep 2 rotated files");
	cr_assert_geq(total, 10);
	{
		struct stat st;
		cr_assert_eq(stat(path, &st), 0);
		cr_assert_leq(st.st_size, 200, "rotated before passing max_bytes");
	}
}

Test(alert, file_refuses_what_is_not_a_regular_file)
{
	struct rf_alert_out *o = NULL;
	struct rf_error e = { 0 };
	char link[128];

	cr_assert_lt(rf_alert_file_new("/dev/null", RF_ALERT_JSON, 0, 0, &o, &e), 0);
	expect_contains(e.message, "not a regular file");
	rf_error_clear(&e);
	snprintf(link, sizeof(link), "%s/link", dir);
	cr_assert_eq(symlink("/etc/passwd", link), 0);
	cr_assert_lt(rf_alert_file_new(link, RF_ALERT_JSON, 0, 0, &o, &e), 0);
	rf_error_clear(&e);
}

Test(alert, syslog_sends_rfc3164_datagrams)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct rf_alert_out *o = NULL;
	struct rf_alert_stats st;
	char buf[512];
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	ssize_t n;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s/log", dir);
	cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(rf_alert_syslog_new(a.sun_path, RF_ALERT_TEXT, &o, NULL), 0);
	rf_alert_emit(o, "{}", "Execution:Runtime/ReverseShell in pod x", RF_SEV_CRITICAL);
	n = recv(s, buf, sizeof(buf) - 1, 0);
	cr_assert_gt(n, 0);
	buf[n] = '\0';
	cr_assert(!strncmp(buf, "<34>", 4), "auth.crit is <34>: %s", buf);
	expect_contains(buf, " ringfence[");
	expect_contains(buf, "]: Execution:Runtime/ReverseShell in pod x");
	rf_alert_stats(o, &st);
	expect_u(st.delivered, 1);
	rf_alert_free(o);
	close(s);
}

/* A one-connection-at-a-time HTTP server answering codes from a script. */
struct server {
	int fd, port;
	const int *codes; /* answer i: codes[i]; past the end: the last */
	size_t n_codes, requests;
	bool hang; /* never answer */
	char bodies[8][128];
	pthread_t thread;
};

static void *serve(void *arg)
{
	struct server *s = arg;

	for (;;) {
		int c = accept(s->fd, NULL, NULL);
		char req[4096], resp[128];
		ssize_t n, got = 0;
		const char *body;
		int code;

		if (c < 0)
			return NULL;
		while ((n = read(c, req + got, sizeof(req) - 1 - (size_t)got)) > 0) {
			got += n;
			req[got] = '\0';
			body = strstr(req, "\r\n\r\n");
			if (body && strchr(body + 4, '}'))
				break;
		}
		if (s->hang) {
			sleep(2);
			close(c);
			continue;
		}
		body = strstr(req, "\r\n\r\n");
		if (body && s->requests < 8)
			snprintf(s->bodies[s->requests], sizeof(s->bodies[0]), "%s", body + 4);
		code = s->codes[s->requests < s->n_codes ? s->requests : s->n_codes - 1];
		s->requests++;
		snprintf(resp, sizeof(resp),
			 "HTTP/1.1 %d X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", code);
		(void)!write(c, resp, strlen(resp));
		close(c);
	}
}

static void start(struct server *s)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);

	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	cr_assert_eq(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(listen(s->fd, 16), 0);
	getsockname(s->fd, (struct sockaddr *)&a, &len);
	s->port = ntohs(a.sin_port);
	pthread_create(&s->thread, NULL, serve, s);
}

static void stop(struct server *s)
{
	shutdown(s->fd, SHUT_RDWR);
	close(s->fd);
	pthread_join(s->thread, NULL);
}

static struct rf_alert_out *hook(struct server *s, unsigned queue, unsigned attempts,
				 unsigned drain_ms)
{
	char url[64];
	struct rf_alert_out *o = NULL;
	struct rf_webhook_opts w = { .url = url,
				     .queue = queue,
				     .max_attempts = attempts,
				     .backoff_ms = 10,
				     .timeout_ms = 500,
				     .drain_ms = drain_ms };

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/findings", s->port);
	cr_assert_eq(rf_alert_webhook_new(&w, &o, NULL), 0);
	return o;
}

Test(alert, webhook_delivers_and_retries_server_errors)
{
	static const int codes[] = { 500, 503, 200, 204 };
	struct server s = { .codes = codes, .n_codes = 4 };
	struct rf_alert_out *o;

	start(&s);
	o = hook(&s, 16, 6, 3000);
	rf_alert_emit(o, "{\"finding\":1}", "t", RF_SEV_WARNING);
	rf_alert_emit(o, "{\"finding\":2}", "t", RF_SEV_WARNING);
	rf_alert_free(o); /* drains */
	stop(&s);
	expect_u(s.requests, 4);
	expect_str(s.bodies[2], "{\"finding\":1}");
	expect_str(s.bodies[3], "{\"finding\":2}");
}

Test(alert, webhook_gives_up_on_client_errors_and_counts_it)
{
	static const int codes[] = { 400 };
	struct server s = { .codes = codes, .n_codes = 1 };
	struct rf_alert_out *o;
	struct rf_alert_stats st;

	start(&s);
	o = hook(&s, 16, 6, 3000);
	rf_alert_emit(o, "{\"finding\":1}", "t", RF_SEV_WARNING);
	for (int i = 0; i < 200; i++) {
		rf_alert_stats(o, &st);
		if (st.failed)
			break;
		usleep(10000);
	}
	expect_u(st.failed, 1);
	expect_u(st.retries, 0);
	expect_u(s.requests, 1); /* a 400 is not retried */
	rf_alert_free(o);
	stop(&s);
}

Test(alert, a_stuck_receiver_never_blocks_the_caller)
{
	static const int codes[] = { 200 };
	struct server s = { .codes = codes, .n_codes = 1, .hang = true };
	struct rf_alert_out *o;
	struct rf_alert_stats st;
	struct timespec t0, t1;

	start(&s);
	o = hook(&s, 4, 2, 100);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 100; i++)
		rf_alert_emit(o, "{\"finding\":0}", "t", RF_SEV_WARNING);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* Not a timing target: the calls must not wait for the receiver's 2 s answers. */
	cr_assert_lt(t1.tv_sec - t0.tv_sec, 2);
	rf_alert_stats(o, &st);
	cr_assert_geq(st.dropped, 90, "the queue of 4 held the rest: %llu dropped",
		      (unsigned long long)st.dropped);
	rf_alert_free(o);
	stop(&s);
}
