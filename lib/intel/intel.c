/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rf_intel (ringfence/intel.h): the lists in use, their reloads, the DNS and hash caches.
 *
 * Reloading never stops the event stream: a thread of its own loads the files into a new set
 * (a list of 500k entries takes about a second) and leaves it in `pending`; the event thread
 * takes it at its next event, so lookups never race with a swap, and frees the old set. The
 * thread wakes on rf_intel_request_reload (a byte on a pipe: safe in a signal handler) and
 * every watch_files_ms to compare the files' modification times. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ipset.h"
#include "core/macro.h"
#include "core/thread.h"
#include "core/strv.h"
#include "intel-internal.h"
#include "ringfence/log.h"

struct rf_intel {
	char **files;
	struct timespec *mtimes; /* of the set in use (or being loaded) */
	struct rf_ioc_set *set;	 /* in use: the event thread's */
	_Atomic(struct rf_ioc_set *) pending;
	struct rf_dns_cache dns;
	struct rf_hash_cache hashes;
	bool has_domains, has_hashes;
	unsigned watch_ms;
	int wake[2];
	int reload_fd; /* the caller's, or -1 */
	pthread_t thread;
	bool thread_started;
	atomic_bool quit;
	_Atomic uint64_t reloads, reload_failures;
	uint64_t dns_answers;
	/* The address feed (ringfence/addr-feed.h): a new set is a new generation; the addresses
	 * answers named for listed domains since the feed last looked. */
	uint64_t generation;
	struct rf_ip *fresh;
	size_t n_fresh, cap_fresh;
};

static int load_all(char *const *files, struct rf_ioc_set **ret, struct rf_error *reterr)
{
	struct rf_ioc_set *s = NULL;
	int r = rf_ioc_set_new(&s);

	STRV_FOREACH(f, files)
		if (r >= 0)
			r = rf_ioc_load(s, *f, reterr);
	if (r >= 0)
		r = rf_ioc_build(s);
	if (r < 0) {
		rf_ioc_set_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

static bool files_changed(struct rf_intel *in)
{
	bool changed = false;

	for (size_t i = 0; in->files[i]; i++) {
		struct stat st;

		if (stat(in->files[i], &st) < 0)
			continue; /* a feed being replaced: look again next time */
		if (st.st_mtim.tv_sec != in->mtimes[i].tv_sec ||
		    st.st_mtim.tv_nsec != in->mtimes[i].tv_nsec) {
			in->mtimes[i] = st.st_mtim;
			changed = true;
		}
	}
	return changed;
}

static void *reloader(void *arg)
{
	struct rf_intel *in = arg;

	while (!atomic_load(&in->quit)) {
		struct pollfd p[2] = { { .fd = in->wake[0], .events = POLLIN },
				       { .fd = in->reload_fd, .events = POLLIN } };
		bool asked = false;
		char buf[64];

		if (poll(p, 2, in->watch_ms == -1u ? -1 : (int)in->watch_ms) > 0) {
			for (int i = 0; i < 2; i++)
				while (p[i].revents && p[i].fd >= 0 &&
				       read(p[i].fd, buf, sizeof(buf)) > 0)
					asked = true;
		}
		if (atomic_load(&in->quit))
			break;
		if (files_changed(in) || asked) {
			struct rf_ioc_set *s = NULL, *old;
			struct rf_error e = { 0 };

			if (load_all(in->files, &s, &e) < 0) {
				atomic_fetch_add(&in->reload_failures, 1);
				rf_log(RF_LOG_WARNING,
				       "threat lists not reloaded, the previous ones "
				       "stay in use: %s",
				       e.message ?: "load failed");
				rf_error_clear(&e);
				continue;
			}
			old = atomic_exchange(&in->pending, s);
			rf_ioc_set_free(old); /* loaded, never taken: superseded */
			atomic_fetch_add(&in->reloads, 1);
		}
	}
	return NULL;
}

int rf_intel_new(const struct rf_intel_opts *o, struct rf_intel **ret, struct rf_error *reterr)
{
	struct rf_intel *in = calloc(1, sizeof(*in));
	struct rf_ioc_counts n;
	size_t count;
	int r;

	if (!in)
		return -ENOMEM;
	in->wake[0] = in->wake[1] = -1;
	in->reload_fd = o->reload_fd > 0 ? o->reload_fd : -1;
	in->files = strv_copy(o->ioc_files);
	count = strv_length(in->files);
	in->mtimes = calloc(count + 1, sizeof(*in->mtimes));
	if (!in->files || !in->mtimes) {
		rf_intel_free(in);
		return -ENOMEM;
	}
	(void)files_changed(in); /* the times of what is loaded now */
	r = load_all(in->files, &in->set, reterr);
	if (r >= 0)
		r = rf_dns_cache_init(&in->dns, o->dns_max);
	if (r < 0) {
		rf_intel_free(in);
		return r;
	}
	rf_hash_cache_init(&in->hashes, o->hash_max_bytes);
	rf_ioc_counts(in->set, &n);
	in->has_domains = n.domains + n.zones > 0;
	in->has_hashes = n.hashes > 0;
	in->watch_ms = o->watch_files_ms ?: 2000;
	if (pipe2(in->wake, O_CLOEXEC | O_NONBLOCK) < 0 ||
	    (r = rf_thread_create(&in->thread, reloader, in)) < 0) {
		r = r < 0 ? r : -errno;
		rf_intel_free(in);
		return rf_error_set(reterr, r, "threat lists: cannot start the reloader: %s",
				    strerror(-r));
	}
	in->thread_started = true;
	*ret = in;
	return 0;
}

void rf_intel_free(struct rf_intel *in)
{
	if (!in)
		return;
	if (in->thread_started) {
		atomic_store(&in->quit, true);
		(void)!write(in->wake[1], "q", 1);
		pthread_join(in->thread, NULL);
	}
	if (in->wake[0] >= 0)
		close(in->wake[0]);
	if (in->wake[1] >= 0)
		close(in->wake[1]);
	rf_ioc_set_free(atomic_exchange(&in->pending, NULL));
	if (in->set)
		rf_ioc_set_free(in->set);
	rf_dns_cache_done(&in->dns);
	free(in->fresh);
	rf_hash_cache_done(&in->hashes);
	strv_free(in->files);
	free(in->mtimes);
	free(in);
}

void rf_intel_request_reload(struct rf_intel *in)
{
	int saved = errno;

	if (in && in->wake[1] >= 0)
		(void)!write(in->wake[1], "r", 1);
	errno = saved;
}

bool rf_intel_has_domains(const struct rf_intel *in)
{
	return in && in->has_domains;
}

bool rf_intel_has_hashes(const struct rf_intel *in)
{
	return in && in->has_hashes;
}

/* Between two events: the only place the set in use changes. */
static void take_pending(struct rf_intel *in)
{
	struct rf_ioc_set *s;
	struct rf_ioc_counts n;

	if (!atomic_load_explicit(&in->pending, memory_order_relaxed))
		return;
	s = atomic_exchange(&in->pending, NULL);
	if (!s)
		return;
	rf_ioc_set_free(in->set);
	in->set = s;
	in->generation++;
	rf_ioc_counts(s, &n);
	in->has_domains = n.domains + n.zones > 0;
	in->has_hashes = n.hashes > 0;
	rf_log(RF_LOG_NOTICE,
	       "threat lists reloaded: %zu addresses, %zu domains, %zu zones, "
	       "%zu hashes",
	       n.ips, n.domains, n.zones, n.hashes);
}

/* The listed domain an answer named: the name asked, or one of its aliases. */
static const struct rf_ioc *listed_name(const struct rf_intel *in, const char *qname,
					const char (*cnames)[RF_DNS_NAME_MAX], size_t n_cnames)
{
	const struct rf_ioc *m = in->has_domains ? rf_ioc_match_domain(in->set, qname) : NULL;

	for (size_t i = 0; in->has_domains && !m && i < n_cnames; i++)
		m = rf_ioc_match_domain(in->set, cnames[i]);
	return m;
}

/* An answer for a listed domain: its addresses go to the feed's next take_new. Bounded: with
 * no one taking them (the ptrace backend) or too many at once, a new generation makes the feed
 * walk everything (the DNS cache included) instead. */
#define FRESH_MAX 4096

static int remember_fresh(struct rf_intel *in, const struct rf_dns_answer *a)
{
	if (!listed_name(in, a->qname, a->cnames, a->n_cnames))
		return 0;
	if (in->n_fresh + a->n_addrs > FRESH_MAX) {
		in->n_fresh = 0;
		in->generation++;
		return 0;
	}
	for (size_t i = 0; i < a->n_addrs; i++) {
		if (in->n_fresh == in->cap_fresh) {
			size_t cap = in->cap_fresh ? 2 * in->cap_fresh : 16;
			struct rf_ip *v = reallocarray(in->fresh, cap, sizeof(*v));

			if (!v)
				return -ENOMEM;
			in->fresh = v;
			in->cap_fresh = cap;
		}
		if (rf_ip_from_family(a->addrs[i].family, a->addrs[i].addr,
				      &in->fresh[in->n_fresh]) >= 0)
			in->n_fresh++;
	}
	return 0;
}

static int on_event(const struct rf_event *ev, void *self)
{
	struct rf_intel *in = self;
	struct rf_dns_answer a;
	int r;

	take_pending(in);
	if (ev->kind != RF_EV_NET || ev->net.op != RF_NET_DNS_ANSWER || !ev->net.data)
		return 0;
	in->dns_answers++;
	if (rf_dns_parse(ev->net.data, ev->net.data_len, &a) < 0)
		return 0;
	r = rf_dns_cache_learn(&in->dns, &a, &ev->net.remote, ev->time_ns);
	if (r >= 0)
		r = remember_fresh(in, &a);
	return r == -ENOMEM ? -ENOMEM : 0;
}

static uint64_t feed_generation(void *self)
{
	return ((struct rf_intel *)self)->generation;
}

struct feed_walk {
	struct rf_intel *in;
	rf_addr_fn fn;
	void *ud;
};

static int feed_learned(const char *addr, const struct rf_dns_learned *l, void *ud)
{
	struct feed_walk *w = ud;
	struct rf_ip ip;

	if (!listed_name(w->in, l->qname, l->cnames, l->n_cnames) || rf_ip_parse(addr, &ip) < 0)
		return 0;
	return w->fn(ip.b, 128, w->ud);
}

static int feed_each(void *self, rf_addr_fn fn, void *ud)
{
	struct rf_intel *in = self;
	struct feed_walk w = { in, fn, ud };
	int r = rf_ioc_each_prefix(in->set, fn, ud);

	in->n_fresh = 0; /* the walk includes them */
	return r < 0 ? r : rf_dns_cache_each(&in->dns, feed_learned, &w);
}

static int feed_take_new(void *self, rf_addr_fn fn, void *ud)
{
	struct rf_intel *in = self;
	int r = 0;

	for (size_t i = 0; i < in->n_fresh && r >= 0; i++)
		r = fn(in->fresh[i].b, 128, ud);
	in->n_fresh = 0;
	return r;
}

void rf_intel_addr_feed(struct rf_intel *in, struct rf_addr_feed *ret)
{
	*ret = (struct rf_addr_feed){ .generation = feed_generation,
				      .each = feed_each,
				      .take_new = feed_take_new,
				      .self = in };
}

void rf_intel_sink(struct rf_intel *in, struct rf_sink *ret)
{
	*ret = (struct rf_sink){ .name = "threat intel", .on_event = on_event, .self = in };
}

const struct rf_ioc *rf_intel_match_addr(struct rf_intel *in, const struct rf_sockaddr *sa)
{
	struct rf_ip ip;

	return rf_ip_from_family(sa->family, sa->addr, &ip) < 0 ? NULL
								: rf_ioc_match_ip(in->set, ip.b);
}

const struct rf_dns_learned *rf_intel_dns_name(struct rf_intel *in, const struct rf_sockaddr *sa)
{
	return rf_dns_cache_lookup(&in->dns, sa);
}

const struct rf_ioc *rf_intel_match_domain(struct rf_intel *in, const struct rf_sockaddr *sa,
					   const struct rf_dns_learned **ret_how)
{
	const struct rf_dns_learned *l;
	const struct rf_ioc *m;

	if (!in->has_domains || !(l = rf_dns_cache_lookup(&in->dns, sa)))
		return NULL;
	m = listed_name(in, l->qname, l->cnames, l->n_cnames);
	if (m && ret_how)
		*ret_how = l;
	return m;
}

const char *rf_intel_exe_sha256(struct rf_intel *in, pid_t tgid, const struct rf_exe_ref *ref)
{
	return rf_hash_cache_exe(&in->hashes, tgid, ref);
}

const struct rf_ioc *rf_intel_match_sha256(struct rf_intel *in, const char *hex)
{
	return hex ? rf_ioc_match_sha256(in->set, hex) : NULL;
}

void rf_intel_stats(const struct rf_intel *in, struct rf_intel_stats *ret)
{
	*ret = (struct rf_intel_stats){ .reloads = atomic_load(&in->reloads),
					.reload_failures = atomic_load(&in->reload_failures),
					.dns_answers = in->dns_answers,
					.dns_learned = in->dns.learned,
					.dns_forgotten = in->dns.forgotten,
					.hashed = in->hashes.hashed,
					.hash_cache_hits = in->hashes.hits,
					.hash_skipped = in->hashes.skipped };
	rf_ioc_counts(in->set, &ret->counts);
}
