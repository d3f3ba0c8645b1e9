/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The webhook output: a bounded queue filled by rf_alert_emit (never blocking: a full queue
 * drops the record and counts it) and one worker thread that POSTs each record with libcurl,
 * retrying 5xx answers, 429, timeouts and connection errors with exponential backoff. At close
 * the worker gets drain_ms to empty the queue; what is left is counted as failed. */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert-internal.h"
#include "core/clock.h"
#include "core/macro.h"
#include "core/thread.h"

struct webhook {
	struct rf_webhook_opts o;
	char *url, *ca_file;
	struct curl_slist *headers;
	char **queue; /* ring of JSON documents */
	size_t head, n, cap;
	bool closing;
	uint64_t drain_deadline_ns;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t worker;
	struct rf_alert_out *out; /* for counters */
};

static size_t discard(void *ptr, size_t size, size_t nmemb, void *userdata)
{
	return size * nmemb;
}

/* One attempt: 1 delivered, 0 retry, -1 give up (a 4xx other than 408/429). */
static int post(struct webhook *w, CURL *curl, const char *doc, char *why, size_t whylen)
{
	long code = 0;
	CURLcode c;

	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, doc);
	c = curl_easy_perform(curl);
	if (c != CURLE_OK) {
		(void)snprintf(why, whylen, "%s", curl_easy_strerror(c));
		return 0;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 200 && code < 300)
		return 1;
	(void)snprintf(why, whylen, "HTTP %ld", code);
	return code >= 500 || code == 408 || code == 429 ? 0 : -1;
}

/* Sleeps up to ms, waking early when closing is past its deadline. */
static void backoff(struct webhook *w, unsigned ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->lock);
	while (!(w->closing && rf_now_ns() >= w->drain_deadline_ns) &&
	       pthread_cond_timedwait(&w->wake, &w->lock, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&w->lock);
}

static void *worker(void *arg)
{
	struct webhook *w = arg;
	CURL *curl = curl_easy_init();

	if (curl) {
		curl_easy_setopt(curl, CURLOPT_URL, w->url);
		curl_easy_setopt(curl, CURLOPT_HTTPHEADER, w->headers);
		curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)w->o.timeout_ms);
		curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
		if (w->ca_file)
			curl_easy_setopt(curl, CURLOPT_CAINFO, w->ca_file);
	}
	for (;;) {
		_cleanup_free_ char *doc = NULL;
		unsigned delay = w->o.backoff_ms;
		char why[256] = "cannot start libcurl";
		int done = curl ? 0 : -1;

		pthread_mutex_lock(&w->lock);
		while (!w->n && !w->closing)
			pthread_cond_wait(&w->wake, &w->lock);
		if (!w->n || (w->closing && rf_now_ns() >= w->drain_deadline_ns)) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		doc = w->queue[w->head];
		w->queue[w->head] = NULL;
		w->head = (w->head + 1) % w->cap;
		w->n--;
		pthread_mutex_unlock(&w->lock);
		for (unsigned attempt = 1; !done; attempt++) {
			done = post(w, curl, doc, why, sizeof(why));
			if (done || attempt >= w->o.max_attempts)
				break;
			rf_alert_count(w->out, &w->out->stats.retries);
			backoff(w, delay);
			delay = delay >= 15000 ? 30000 : delay * 2;
			if (w->closing && rf_now_ns() >= w->drain_deadline_ns)
				break;
		}
		if (done > 0) {
			rf_alert_count(w->out, &w->out->stats.delivered);
		} else {
			rf_alert_count(w->out, &w->out->stats.failed);
			rf_alert_failed(w->out, why);
		}
	}
	if (curl)
		curl_easy_cleanup(curl);
	return NULL;
}

static void webhook_emit(struct rf_alert_out *o, const char *json, const char *text,
			 enum rf_alert_severity sev)
{
	struct webhook *w = o->impl;
	char *doc = strdup(json);

	pthread_mutex_lock(&w->lock);
	if (!doc || w->n == w->cap) {
		pthread_mutex_unlock(&w->lock);
		free(doc);
		rf_alert_count(o, &o->stats.dropped);
		rf_alert_failed(o, "queue full, record dropped (the receiver is too slow)");
		return;
	}
	w->queue[(w->head + w->n) % w->cap] = doc;
	w->n++;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

static void webhook_close(struct rf_alert_out *o)
{
	struct webhook *w = o->impl;

	pthread_mutex_lock(&w->lock);
	w->closing = true;
	w->drain_deadline_ns = rf_now_ns() + (uint64_t)w->o.drain_ms * 1000000ULL;
	pthread_cond_broadcast(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->worker, NULL);
	/* What the deadline left behind was never delivered. */
	for (size_t i = 0; i < w->n; i++) {
		free(w->queue[(w->head + i) % w->cap]);
		o->stats.failed++;
	}
	free(w->queue);
	curl_slist_free_all(w->headers);
	free(w->url);
	free(w->ca_file);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

static const struct rf_alert_ops webhook_ops = { .emit = webhook_emit, .close = webhook_close };

int rf_alert_webhook_new_impl(const struct rf_webhook_opts *opts, struct rf_alert_out **ret,
			      struct rf_error *reterr)
{
	struct webhook *w;
	_cleanup_free_ char *name = NULL;
	struct rf_alert_out *out = NULL;
	int r;

	if (!opts || !opts->url ||
	    (strncmp(opts->url, "http://", 7) != 0 && strncmp(opts->url, "https://", 8) != 0))
		return rf_error_set(reterr, -EINVAL, "--webhook '%s': an http:// or https:// URL",
				    opts && opts->url ? opts->url : "");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return rf_error_set(reterr, -EIO, "cannot initialise libcurl");
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->o = *opts;
	w->o.timeout_ms = opts->timeout_ms ?: 5000;
	w->o.max_attempts = opts->max_attempts ?: 6;
	w->o.backoff_ms = opts->backoff_ms ?: 200;
	w->o.drain_ms = opts->drain_ms ?: 5000;
	w->cap = opts->queue ?: 10000;
	w->url = strdup(opts->url);
	w->ca_file = opts->ca_file ? strdup(opts->ca_file) : NULL;
	w->queue = calloc(w->cap, sizeof(*w->queue));
	w->headers = curl_slist_append(NULL, "Content-Type: application/json");
	for (const char *const *h = opts->headers; h && *h; h++)
		w->headers = curl_slist_append(w->headers, *h);
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	r = !w->url || !w->queue || !w->headers || (opts->ca_file && !w->ca_file) ||
			    asprintf(&name, "webhook:%s", opts->url) < 0
		    ? -ENOMEM
		    : rf_alert_alloc(&webhook_ops, name, RF_ALERT_JSON, w, &out);
	if (r >= 0) {
		w->out = out;
		r = rf_thread_create(&w->worker, worker, w);
		if (r < 0) {
			free(out->name);
			free(out);
		}
	}
	if (r < 0) {
		free(w->queue);
		curl_slist_free_all(w->headers);
		free(w->url);
		free(w->ca_file);
		free(w);
		return rf_error_set(reterr, r, "webhook: %s", strerror(-r));
	}
	*ret = out;
	return 0;
}
