/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The API server's webhook backend: libmicrohttpd accepts POSTed EventLists over HTTPS (with
 * optional client-certificate authentication, as the API server's webhook kubeconfig does), parses
 * each in its connection thread and puts it in a bounded queue: 200 once queued, 503 when the
 * queue is full (the API server retries), 400 for what is not an EventList. The caller's thread
 * takes batches off the queue and delivers their events, so an accepted batch is never lost:
 * at stop the daemon stops accepting first, then the queue is emptied. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/macro.h"
#include "k8saudit-internal.h"
#include "ringfence/log.h"

struct k8s_listener {
	struct MHD_Daemon *mhd;
	char *cert, *key, *ca;
	size_t max_body;
	pthread_mutex_t lock;
	cJSON **queue;
	size_t head, n, cap;
	int wake[2]; /* a byte per queued batch wakes the serving thread */
	uint64_t batches, rejected;
};

struct upload {
	char *buf;
	size_t len;
	bool too_big;
};

static enum MHD_Result answer(struct MHD_Connection *c, unsigned code, const char *text)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	(void)MHD_add_response_header(r, "Content-Type", "text/plain");
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

/* A request refused (4xx): counted with the full-queue 503s in rf_k8s_audit_result.rejected. */
static enum MHD_Result refuse(struct k8s_listener *l, struct MHD_Connection *c, unsigned code,
			      const char *text)
{
	pthread_mutex_lock(&l->lock);
	l->rejected++;
	pthread_mutex_unlock(&l->lock);
	return answer(c, code, text);
}

/* With a client CA, only a certificate that chains to it gets in. */
static bool client_ok(struct k8s_listener *l, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;
	unsigned status = 0;

	if (!l->ca)
		return true;
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (!ci || !ci->tls_session)
		return false;
	if (gnutls_certificate_verify_peers2(ci->tls_session, &status) != GNUTLS_E_SUCCESS)
		return false;
	return status == 0 && gnutls_certificate_type_get(ci->tls_session) == GNUTLS_CRT_X509 &&
	       gnutls_certificate_get_peers(ci->tls_session, &(unsigned){ 0 }) != NULL;
}

static int enqueue(struct k8s_listener *l, cJSON *batch)
{
	int r = 0;

	pthread_mutex_lock(&l->lock);
	if (l->n == l->cap) {
		r = -ENOBUFS;
		l->rejected++;
	} else {
		l->queue[(l->head + l->n) % l->cap] = batch;
		l->n++;
		l->batches++;
		(void)!write(l->wake[1], "b", 1);
	}
	pthread_mutex_unlock(&l->lock);
	return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *size, void **state)
{
	struct k8s_listener *l = cls;
	struct upload *u = *state;
	const cJSON *items;
	cJSON *doc;

	if (!u) {
		if (!streq(method, "POST"))
			return refuse(l, c, MHD_HTTP_METHOD_NOT_ALLOWED, "POST an EventList\n");
		if (!client_ok(l, c))
			return refuse(l, c, MHD_HTTP_FORBIDDEN, "client certificate required\n");
		*state = u = calloc(1, sizeof(*u));
		return u ? MHD_YES : MHD_NO;
	}
	if (*size) {
		if (!u->too_big && u->len + *size <= l->max_body) {
			char *nb = realloc(u->buf, u->len + *size + 1);

			if (nb) {
				memcpy(nb + u->len, data, *size);
				u->buf = nb;
				u->len += *size;
			} else {
				u->too_big = true;
			}
		} else {
			u->too_big = true;
		}
		*size = 0;
		return MHD_YES;
	}
	if (u->too_big)
		return refuse(l, c, MHD_HTTP_CONTENT_TOO_LARGE, "request too large\n");
	doc = u->buf ? cJSON_ParseWithLength(u->buf, u->len) : NULL;
	items = cJSON_GetObjectItemCaseSensitive(doc, "items");
	if (!doc || !cJSON_IsArray(items)) {
		cJSON_Delete(doc);
		return refuse(l, c, MHD_HTTP_BAD_REQUEST, "not an audit EventList\n");
	}
	if (enqueue(l, doc) < 0) {
		cJSON_Delete(doc);
		return answer(c, MHD_HTTP_SERVICE_UNAVAILABLE, "busy, retry\n");
	}
	return answer(c, MHD_HTTP_OK, "");
}

static void on_done(void *cls, struct MHD_Connection *c, void **state,
		    enum MHD_RequestTerminationCode toe)
{
	struct upload *u = *state;

	if (u) {
		free(u->buf);
		free(u);
	}
	*state = NULL;
}

static int parse_addr(const char *s, struct sockaddr_storage *ret, struct rf_error *reterr)
{
	_cleanup_free_ char *host = strdup(s);
	char *colon = host ? strrchr(host, ':') : NULL, *end = NULL, *h;
	long port;

	if (!host)
		return -ENOMEM;
	if (!colon)
		goto bad;
	*colon = '\0';
	port = strtol(colon + 1, &end, 10);
	if (!*(colon + 1) || *end || port < 0 || port > 65535)
		goto bad;
	h = host;
	if (h[0] == '[' && h[strlen(h) - 1] == ']') {
		h[strlen(h) - 1] = '\0';
		h++;
	}
	memset(ret, 0, sizeof(*ret));
	if (!*h || streq(h, "0.0.0.0")) {
		struct sockaddr_in *in = (struct sockaddr_in *)ret;
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		return 0;
	}
	if (inet_pton(AF_INET, h, &((struct sockaddr_in *)ret)->sin_addr) == 1) {
		((struct sockaddr_in *)ret)->sin_family = AF_INET;
		((struct sockaddr_in *)ret)->sin_port = htons((uint16_t)port);
		return 0;
	}
	if (inet_pton(AF_INET6, h, &((struct sockaddr_in6 *)ret)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)ret)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)ret)->sin6_port = htons((uint16_t)port);
		return 0;
	}
bad:
	return rf_error_set(reterr, -EINVAL, "--listen '%s': expected ADDR:PORT (an IP address)",
			    s);
}

static int read_pem(const char *path, const char *what, char **ret, struct rf_error *reterr)
{
	int r = path ? rf_read_file(path, 1 << 20, ret, NULL, reterr) : 0;

	return r < 0 ? rf_error_prefix(reterr, r, "%s", what) : 0;
}

int k8s_listen_start(struct k8s_run *run)
{
	const struct rf_k8s_audit_opts *o = run->o;
	struct k8s_listener *l = calloc(1, sizeof(*l));
	struct sockaddr_storage addr;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
	int r;

	if (!l)
		return -ENOMEM;
	run->listener = l;
	pthread_mutex_init(&l->lock, NULL);
	l->wake[0] = l->wake[1] = -1;
	l->cap = o->queue ?: 64;
	l->max_body = o->max_body ?: 64u << 20;
	l->queue = calloc(l->cap, sizeof(*l->queue));
	if (!l->queue || pipe2(l->wake, O_CLOEXEC | O_NONBLOCK) < 0)
		return -ENOMEM;
	if ((r = parse_addr(o->listen, &addr, run->err)) < 0)
		return r;
	if (!o->insecure_http && (!o->tls_cert || !o->tls_key))
		return rf_error_set(run->err, -EINVAL,
				    "--listen needs --tls-cert and --tls-key (or --insecure-http "
				    "for plain HTTP)");
	if (!o->insecure_http &&
	    ((r = read_pem(o->tls_cert, "--tls-cert", &l->cert, run->err)) < 0 ||
	     (r = read_pem(o->tls_key, "--tls-key", &l->key, run->err)) < 0 ||
	     (r = read_pem(o->client_ca, "--client-ca", &l->ca, run->err)) < 0))
		return r;
	if (!o->insecure_http)
		flags |= MHD_USE_TLS;
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	{
		struct MHD_OptionItem tls[4] = { { MHD_OPTION_END, 0, NULL } };
		size_t n = 0;

		if (!o->insecure_http) {
			tls[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, l->cert };
			tls[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, l->key };
			if (l->ca)
				tls[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_TRUST, 0,
								    l->ca };
		}
		l->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, l, MHD_OPTION_SOCK_ADDR,
					  (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED,
					  on_done, l, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
					  MHD_OPTION_CONNECTION_LIMIT, 64u, MHD_OPTION_ARRAY, tls,
					  MHD_OPTION_END);
	}
	if (!l->mhd)
		return rf_error_set(run->err, -EADDRNOTAVAIL,
				    "cannot listen on %s (address in use, or a bad certificate or "
				    "key)",
				    o->listen);
	{
		const union MHD_DaemonInfo *di =
			MHD_get_daemon_info(l->mhd, MHD_DAEMON_INFO_BIND_PORT);
		unsigned port = di ? di->port : 0;

		rf_log(RF_LOG_NOTICE, "webhook backend: listening on %s (%s, port %u%s)", o->listen,
		       o->insecure_http ? "plain HTTP" : "HTTPS", port,
		       l->ca ? ", client certificates required" : "");
		if (o->port_fd > 0) {
			char buf[16];
			int n = snprintf(buf, sizeof(buf), "%u\n", port);

			(void)!write(o->port_fd, buf, (size_t)n);
			close(o->port_fd);
		}
	}
	return 0;
}

static cJSON *dequeue(struct k8s_listener *l)
{
	cJSON *b = NULL;
	char c;

	pthread_mutex_lock(&l->lock);
	if (l->n) {
		b = l->queue[l->head];
		l->head = (l->head + 1) % l->cap;
		l->n--;
		(void)!read(l->wake[0], &c, 1);
	}
	pthread_mutex_unlock(&l->lock);
	return b;
}

static int deliver_batch(struct k8s_run *run, cJSON *batch)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(batch, "items"), *e;
	char origin[64];
	unsigned i = 0;
	int r = 0;

	cJSON_ArrayForEach(e, items)
	{
		(void)snprintf(origin, sizeof(origin), "webhook batch item %u", i++);
		r = k8s_audit_deliver(run, e, origin);
		if (r < 0)
			break;
	}
	cJSON_Delete(batch);
	return r;
}

int k8s_listen_drain(struct k8s_run *run)
{
	cJSON *b;
	int r = 0;

	while (r >= 0 && (b = dequeue(run->listener)))
		r = deliver_batch(run, b);
	return r;
}

int k8s_listen_serve(struct k8s_run *run)
{
	struct k8s_listener *l = run->listener;
	int r = 0;

	while (r >= 0) {
		struct pollfd p[2] = { { .fd = l->wake[0], .events = POLLIN },
				       { .fd = run->o->stop_fd, .events = POLLIN } };

		r = k8s_listen_drain(run);
		if (r < 0)
			break;
		if (poll(p, run->o->stop_fd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
			return rf_error_set(run->err, -errno, "poll: %s", strerror(errno));
		if (p[1].revents & POLLIN)
			break;
	}
	return r;
}

void k8s_listen_stop(struct k8s_run *run, bool deliver)
{
	struct k8s_listener *l = run->listener;
	cJSON *b;

	if (!l)
		return;
	if (l->mhd)
		MHD_stop_daemon(l->mhd); /* no new batch from here on */
	while ((b = dequeue(l))) {
		if (deliver && deliver_batch(run, b) < 0)
			deliver = false;
		else if (!deliver)
			cJSON_Delete(b);
	}
	run->res.batches = l->batches;
	run->res.rejected = l->rejected;
	if (l->wake[0] >= 0)
		close(l->wake[0]);
	if (l->wake[1] >= 0)
		close(l->wake[1]);
	free(l->queue);
	free(l->cert);
	free(l->key);
	free(l->ca);
	pthread_mutex_destroy(&l->lock);
	free(l);
	run->listener = NULL;
}
