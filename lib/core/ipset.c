/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The prefix set of ipset.h. Prefixes nest or are disjoint, so sorting them by start (wider
 * first) and sweeping with a stack of the open ones yields disjoint ranges, each owned by the
 * innermost prefix over it. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipset.h"
#include "macro.h"

typedef unsigned __int128 u128;

struct rf_ipset_range {
	u128 first, last;
	void *value;
};

static u128 to_u128(const struct rf_ip *ip)
{
	u128 v = 0;

	for (int i = 0; i < 16; i++)
		v = (v << 8) | ip->b[i];
	return v;
}

static u128 host_mask(unsigned len)
{
	return len >= 128 ? 0 : (~(u128)0) >> len;
}

void rf_ip_from_v4(uint32_t host_order, struct rf_ip *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->b[10] = ret->b[11] = 0xff;
	ret->b[12] = (uint8_t)(host_order >> 24);
	ret->b[13] = (uint8_t)(host_order >> 16);
	ret->b[14] = (uint8_t)(host_order >> 8);
	ret->b[15] = (uint8_t)host_order;
}

int rf_ip_from_family(int family, const uint8_t *addr, struct rf_ip *ret)
{
	if (family == AF_INET) {
		memset(ret, 0, sizeof(*ret));
		ret->b[10] = ret->b[11] = 0xff;
		memcpy(ret->b + 12, addr, 4);
	} else if (family == AF_INET6) {
		memcpy(ret->b, addr, 16);
	} else {
		return -EAFNOSUPPORT;
	}
	return 0;
}

bool rf_ip_is_v4(const struct rf_ip *ip)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	return memcmp(ip->b, mapped, sizeof(mapped)) == 0;
}

int rf_ip_parse(const char *s, struct rf_ip *ret)
{
	struct in_addr a4;

	if (inet_pton(AF_INET, s, &a4) == 1) {
		rf_ip_from_v4(ntohl(a4.s_addr), ret);
		return 0;
	}
	if (inet_pton(AF_INET6, s, ret->b) == 1)
		return 0;
	return -EINVAL;
}

int rf_ip_parse_prefix(const char *s, struct rf_ip *ret_addr, unsigned *ret_len)
{
	const char *slash = strchr(s, '/');
	char addr[INET6_ADDRSTRLEN];
	unsigned long len;
	char *end = NULL;
	struct rf_ip ip;
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	bool v4;

	if (n == 0 || n >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (rf_ip_parse(addr, &ip) < 0)
		return -EINVAL;
	v4 = strchr(addr, ':') == NULL;
	if (!slash) {
		len = 128;
	} else {
		if (slash[1] < '0' || slash[1] > '9')
			return -EINVAL;
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (errno || *end || len > (v4 ? 32u : 128u) || (slash[1] == '0' && slash[2]))
			return -EINVAL;
		if (v4)
			len += 96;
	}
	if (to_u128(&ip) & host_mask((unsigned)len))
		return -EINVAL; /* host bits set: "10.0.0.1/8" */
	*ret_addr = ip;
	*ret_len = (unsigned)len;
	return 0;
}

const char *rf_ip_format(const struct rf_ip *ip, char *buf, size_t size)
{
	if (rf_ip_is_v4(ip))
		return inet_ntop(AF_INET, ip->b + 12, buf, (socklen_t)size);
	return inet_ntop(AF_INET6, ip->b, buf, (socklen_t)size);
}

int rf_ipset_add(struct rf_ipset *s, const struct rf_ip *addr, unsigned len, void *value)
{
	if (s->built)
		return -EBUSY;
	if (len > 128 || !value || (to_u128(addr) & host_mask(len)))
		return -EINVAL;
	if (s->n_pending == s->cap_pending) {
		size_t ncap = s->cap_pending ? s->cap_pending * 2 : 64;
		struct rf_ipset_prefix *n = reallocarray(s->pending, ncap, sizeof(*n));

		if (!n)
			return -ENOMEM;
		s->pending = n;
		s->cap_pending = ncap;
	}
	s->pending[s->n_pending] = (struct rf_ipset_prefix){
		.addr = *addr, .len = len, .value = value, .seq = s->n_prefixes
	};
	s->n_pending++;
	s->n_prefixes++;
	return 0;
}

/* By start; at one start the wider prefix first (it encloses the narrower one), and of two
 * identical prefixes the earlier first, so the later one ends up innermost and wins. */
static int cmp_prefix(const void *a, const void *b)
{
	const struct rf_ipset_prefix *x = a, *y = b;
	int c = memcmp(x->addr.b, y->addr.b, 16);

	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

struct sweep {
	struct rf_ipset_range *out;
	size_t n;
};

static void emit(struct sweep *w, u128 first, u128 last, void *value)
{
	if (first > last)
		return;
	/* Adjacent pieces of one value join: lookups and memory both shrink. */
	if (w->n && w->out[w->n - 1].value == value && w->out[w->n - 1].last + 1 == first) {
		w->out[w->n - 1].last = last;
		return;
	}
	w->out[w->n++] = (struct rf_ipset_range){ first, last, value };
}

int rf_ipset_build(struct rf_ipset *s)
{
	struct sweep w = { 0 };
	/* Open prefixes nest, so the stack is at most 129 deep (one per length). */
	struct {
		u128 last;
		void *value;
	} stack[130];
	size_t depth = 0;
	u128 cursor = 0;
	bool cursor_wrapped = false;

	if (s->built)
		return 0;
	qsort_safe(s->pending, s->n_pending, sizeof(*s->pending), cmp_prefix);
	w.out = calloc(2 * s->n_pending + 1, sizeof(*w.out));
	if (!w.out)
		return -ENOMEM;
	for (size_t i = 0; i < s->n_pending; i++) {
		const struct rf_ipset_prefix *p = &s->pending[i];
		u128 first = to_u128(&p->addr), last = first | host_mask(p->len);

		/* Close every open prefix that ends before this one starts. */
		while (depth && stack[depth - 1].last < first) {
			depth--;
			if (!cursor_wrapped)
				emit(&w, cursor, stack[depth].last, stack[depth].value);
			cursor = stack[depth].last + 1;
			cursor_wrapped = stack[depth].last == ~(u128)0;
		}
		if (depth && !cursor_wrapped && first > cursor)
			emit(&w, cursor, first - 1, stack[depth - 1].value);
		/* An identical prefix (sorted right after its twin, still on top) replaces it. */
		if (i > 0 && s->pending[i - 1].len == p->len &&
		    !memcmp(s->pending[i - 1].addr.b, p->addr.b, 16))
			depth--;
		if (depth == sizeof(stack) / sizeof(stack[0])) {
			free(w.out); /* cannot happen while prefixes nest; never write past */
			return -EOVERFLOW;
		}
		stack[depth].last = last;
		stack[depth].value = p->value;
		depth++;
		cursor = first;
		cursor_wrapped = false;
	}
	while (depth) {
		depth--;
		if (!cursor_wrapped)
			emit(&w, cursor, stack[depth].last, stack[depth].value);
		cursor = stack[depth].last + 1;
		cursor_wrapped = stack[depth].last == ~(u128)0;
	}
	free(s->pending);
	s->pending = NULL;
	s->n_pending = s->cap_pending = 0;
	s->ranges = w.out;
	s->n_ranges = w.n;
	s->built = true;
	return 0;
}

void *rf_ipset_lookup(const struct rf_ipset *s, const struct rf_ip *ip)
{
	u128 v = to_u128(ip);
	size_t lo = 0, hi = s->n_ranges;

	/* The last range starting at or before v. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->ranges[mid].first <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || s->ranges[lo - 1].last < v)
		return NULL;
	return s->ranges[lo - 1].value;
}

/* A range [first, last] as the fewest prefixes covering exactly it: at each step the largest
 * aligned block that starts at first and does not pass last. */
static int range_prefixes(u128 first, u128 last,
			  int (*fn)(const struct rf_ip *addr, unsigned len, void *ud), void *ud)
{
	for (;;) {
		unsigned len = 128;
		struct rf_ip ip;
		int r;

		while (len > 0) {
			u128 block = host_mask(len - 1);

			if ((first & block) || first + block > last || first + block < first)
				break;
			len--;
		}
		for (int i = 15; i >= 0; i--)
			ip.b[15 - i] = (uint8_t)(first >> (8 * i));
		r = fn(&ip, len, ud);
		if (r < 0)
			return r;
		if ((first | host_mask(len)) >= last)
			return 0;
		first = (first | host_mask(len)) + 1;
	}
}

int rf_ipset_each_prefix(const struct rf_ipset *s,
			 int (*fn)(const struct rf_ip *addr, unsigned len, void *ud), void *ud)
{
	if (!s->built)
		return -EINVAL;
	for (size_t i = 0; i < s->n_ranges; i++) {
		int r = s->ranges[i].value
				? range_prefixes(s->ranges[i].first, s->ranges[i].last, fn, ud)
				: 0;

		if (r < 0)
			return r;
	}
	return 0;
}

void rf_ipset_done(struct rf_ipset *s)
{
	free(s->pending);
	free(s->ranges);
	*s = (struct rf_ipset){ 0 };
}
