/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SHA-256 of executed files for hash indicators, computed once per file identity (device,
 * inode, size, modification time): a server that forks the same binary a thousand times a
 * second hashes it once. The file is read through /proc/PID/exe, which is the file the kernel
 * executed even when its name was replaced or removed since; the path as a fallback. Nettle
 * does the hashing (GnuTLS's own primitives, already a dependency). */
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/macro.h"
#include "intel-internal.h"

#define HASH_CACHE_MAX 16384

struct hashed {
	char hex[65];
};

void rf_hash_cache_init(struct rf_hash_cache *c, uint64_t max_bytes)
{
	*c = (struct rf_hash_cache){ .by_key = RF_HMAP_INIT_U64,
				     .max_bytes = max_bytes ?: (512ull << 20) };
}

void rf_hash_cache_done(struct rf_hash_cache *c)
{
	rf_hmap_done(&c->by_key, free);
}

static uint64_t identity(const struct stat *st)
{
	uint64_t h = rf_hash_u64((uint64_t)st->st_dev);

	h = rf_hash_u64(h ^ (uint64_t)st->st_ino);
	h = rf_hash_u64(h ^ (uint64_t)st->st_size);
	h = rf_hash_u64(h ^ (uint64_t)st->st_mtim.tv_sec);
	return rf_hash_u64(h ^ (uint64_t)st->st_mtim.tv_nsec) | 1;
}

static int sha256_fd(int fd, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	struct sha256_ctx ctx;
	uint8_t buf[1 << 16], d[SHA256_DIGEST_SIZE];
	ssize_t n;

	sha256_init(&ctx);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		sha256_update(&ctx, (size_t)n, buf);
	}
	sha256_digest(&ctx, sizeof(d), d);
	for (size_t i = 0; i < sizeof(d); i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[64] = '\0';
	return 0;
}

const char *rf_hash_cache_exe(struct rf_hash_cache *c, pid_t tgid, const struct rf_exe_ref *ref)
{
	char link[64];
	struct stat st;
	struct hashed *h;
	uint64_t key;
	bool by_path = false;
	int fd;

	(void)snprintf(link, sizeof(link), "/proc/%d/exe", (int)tgid);
	fd = open(link, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 && ref && ref->path && ref->path[0] == '/') {
		fd = open(ref->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		by_path = true;
	}
	if (fd < 0)
		return NULL;
	/* A file found by its path must be the one that ran. */
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > c->max_bytes ||
	    (by_path && ref->has_id && (st.st_ino != ref->ino || st.st_dev != ref->dev))) {
		c->skipped++;
		close(fd);
		return NULL;
	}
	key = identity(&st);
	h = rf_hmap_get_u64(&c->by_key, key);
	if (h) {
		c->hits++;
		close(fd);
		return h->hex;
	}
	if (sha256_fd(fd, c->last) < 0) {
		c->skipped++;
		close(fd);
		return NULL;
	}
	close(fd);
	c->hashed++;
	if (c->by_key.n >= HASH_CACHE_MAX)
		rf_hmap_done(&c->by_key, free); /* rare: start over rather than grow */
	c->by_key.keys = RF_HMAP_U64;
	if ((h = malloc(sizeof(*h)))) {
		memcpy(h->hex, c->last, sizeof(h->hex));
		if (rf_hmap_put_u64(&c->by_key, key, h, NULL) < 0)
			free(h);
	}
	return c->last;
}
