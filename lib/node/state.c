/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ownership mark of the node directory: a hidden JSON file listing every profile ringfence
 * wrote with its sha256, so that a file someone else wrote (or changed since) is never replaced
 * or pruned. Also the sha256 helpers and the directory names every node command shares. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libfyaml.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>

#include "core/doc.h"
#include "core/fileio.h"
#include "core/json-writer.h"
#include "core/macro.h"
#include "core/strv.h"
#include "node-internal.h"

#define STATE_SCHEMA "ringfence.node-state/v1"

void node_sha256_hex(const void *buf, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];

	sha256_init(&ctx);
	sha256_update(&ctx, len, buf);
	sha256_digest(&ctx, sizeof(digest), digest);
	for (size_t i = 0; i < sizeof(digest); i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[64] = '\0';
}

int node_read_regular(int dfd, const char *name, char **ret, size_t *ret_len,
		      struct rf_error *reterr)
{
	_cleanup_close_ int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len = 0;

	if (fd < 0 && errno == ENOENT)
		return -ENOENT;
	if (fd < 0 && errno == ELOOP)
		return rf_error_set(reterr, -EMEDIUMTYPE, "'%s' is a symlink", name);
	if (fd < 0 || fstat(fd, &st) < 0)
		return rf_error_set(reterr, -errno, "cannot open '%s': %s", name, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return rf_error_set(reterr, -EMEDIUMTYPE, "'%s' is not a regular file", name);
	if ((size_t)st.st_size > NODE_MAX_FILE_BYTES)
		return rf_error_set(reterr, -EFBIG, "'%s' is larger than %u bytes", name,
				    NODE_MAX_FILE_BYTES);
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rf_error_set(reterr, -errno, "cannot read '%s': %s", name,
					    strerror(errno));
		if (n == 0)
			break; /* shrank while read: what was read is what is hashed */
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

int node_sha256_at(int dfd, const char *name, char out[65], struct rf_error *reterr)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = node_read_regular(dfd, name, &text, &len, reterr);

	if (r < 0)
		return r;
	node_sha256_hex(text, len, out);
	return 0;
}

int node_publish(int dfd, const char *name, const void *buf, size_t len, enum node_publish how,
		 char **ret_old, struct rf_error *reterr)
{
	static unsigned counter;
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -EBADF;
	unsigned flags = how == NODE_NOREPLACE	? RENAME_NOREPLACE
			 : how == NODE_EXCHANGE ? RENAME_EXCHANGE
						: 0;
	int r = 0;

	if (asprintf(&tmp, ".%s.rf-tmp-%d-%u", name, (int)getpid(), counter++) < 0)
		return -ENOMEM;
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return rf_error_set(reterr, -errno, "cannot create a file next to '%s': %s", name,
				    strerror(errno));
	/* 0644 whatever the umask: the kubelet and the runtime read these files. */
	if ((len && write(fd, buf, len) != (ssize_t)len) || fchmod(fd, 0644) < 0 || fsync(fd) < 0)
		r = rf_error_set(reterr, -errno ?: -EIO, "writing '%s' failed: %s", name,
				 strerror(errno ?: EIO));
	if (r >= 0 && renameat2(dfd, tmp, dfd, name, flags) < 0)
		r = errno == EEXIST ? rf_error_set(reterr, -EEXIST,
						   "'%s' appeared while ringfence was installing; "
						   "it was not overwritten",
						   name)
				    : rf_error_set(reterr, -errno, "cannot rename to '%s': %s",
						   name, strerror(errno));
	if (r < 0) {
		(void)unlinkat(dfd, tmp, 0);
		return r;
	}
	if (fsync(dfd) < 0)
		return rf_error_set(reterr, -errno, "cannot sync the directory of '%s': %s", name,
				    strerror(errno));
	if (ret_old)
		*ret_old = how == NODE_EXCHANGE ? TAKE_PTR(tmp) : NULL;
	return 0;
}

int node_open_prefix(const char *dir, struct rf_error *reterr)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		return -ENOENT;
	if (fd < 0)
		return rf_error_set(reterr, -errno, "cannot open '%s': %s%s", dir, strerror(errno),
				    errno == ENOTDIR || errno == ELOOP
					    ? " (it must be a directory, not a symlink)"
					    : "");
	return fd;
}

int node_list_visible(const char *dir, char ***ret)
{
	_cleanup_strv_free_ char **names = NULL;
	DIR *d = opendir(dir);
	struct dirent *de;
	int r = 0;

	if (!d)
		return -errno;
	while ((de = readdir(d)) && r >= 0)
		if (de->d_name[0] != '.')
			r = strv_extend(&names, de->d_name);
	closedir(d);
	if (r < 0)
		return r;
	strv_sort(names);
	*ret = TAKE_PTR(names);
	return 0;
}

bool node_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 200 || s[0] == '.')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

int node_dirs(const struct rf_node_opts *o, char **ret_seccomp_dir, char **ret_prefix_dir,
	      struct rf_error *reterr)
{
	const char *root = o->root ?: RF_NODE_DEFAULT_ROOT,
		   *prefix = o->prefix ?: RF_NODE_DEFAULT_PREFIX;
	_cleanup_free_ char *sd = NULL, *pd = NULL;

	if (!*root)
		return rf_error_set(reterr, -EINVAL, "the kubelet root must not be empty");
	if (!node_name_valid(prefix))
		return rf_error_set(
			reterr, -EINVAL,
			"prefix '%s' must be one path component of letters, digits, '_', '.' "
			"and '-', not starting with '.'",
			prefix);
	size_t len = strlen(root);

	/* "root/" or "root//" name the same directory; paths shown must not say "root//seccomp". */
	while (len > 1 && root[len - 1] == '/')
		len--;
	if (asprintf(&sd, "%.*s/seccomp", root[0] == '/' && len == 1 ? 0 : (int)len, root) < 0 ||
	    asprintf(&pd, "%s/%s", sd, prefix) < 0)
		return -ENOMEM;
	if (ret_seccomp_dir)
		*ret_seccomp_dir = TAKE_PTR(sd);
	if (ret_prefix_dir)
		*ret_prefix_dir = TAKE_PTR(pd);
	return 0;
}

static void owned_done(struct node_owned *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i].file);
		strv_free(o->v[i].sha256);
	}
	free(o->v);
	*o = (struct node_owned){};
}

void node_state_done(struct node_state *s)
{
	owned_done(&s->files);
	owned_done(&s->apparmor);
}

struct node_state_entry *node_owned_find(const struct node_owned *o, const char *name)
{
	for (size_t i = 0; i < o->n; i++)
		if (streq(o->v[i].file, name))
			return &o->v[i];
	return NULL;
}

bool node_owned_has(const struct node_owned *o, const char *name, const char *sha256)
{
	const struct node_state_entry *e = node_owned_find(o, name);

	return e && strv_contains(e->sha256, sha256);
}

int node_owned_set(struct node_owned *o, const char *name, const char *sha256, bool replace)
{
	struct node_state_entry *e = node_owned_find(o, name);

	if (!e) {
		struct node_state_entry *nv = realloc(o->v, (o->n + 1) * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		o->v = nv;
		e = &o->v[o->n];
		*e = (struct node_state_entry){ .file = strdup(name) };
		if (!e->file)
			return -ENOMEM;
		o->n++;
	}
	if (replace) {
		strv_free(e->sha256);
		e->sha256 = NULL;
	}
	return strv_extend_unique(&e->sha256, sha256);
}

void node_owned_remove(struct node_owned *o, const char *name)
{
	struct node_state_entry *e = node_owned_find(o, name);

	if (!e)
		return;
	free(e->file);
	strv_free(e->sha256);
	*e = o->v[--o->n];
}

static bool sha_valid(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

/* An AppArmor profile name as the kernel lists it: printable, no spaces (it may be a path). */
static bool apparmor_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 4096)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

/* One {name: [sha256...]} table; -EBADMSG for anything else. */
struct table {
	bool files;
	struct node_owned *o;
};

static int read_sha(struct rf_doc *d, size_t i, struct fy_node *item, void *userdata)
{
	const char *sha;
	int r = rf_doc_str(d, item, "a sha256", &sha, NULL);

	if (r < 0)
		return r;
	return sha_valid(sha) ? 0 : rf_doc_fail(d, item, "'%s' is not a sha256", sha);
}

static int read_entry(struct rf_doc *d, const char *name, struct fy_node *key,
		      struct fy_node *value, void *userdata)
{
	struct table *t = userdata;
	struct fy_node *item;
	void *it = NULL;
	int r;

	if (!(t->files ? node_name_valid(name) : apparmor_name_valid(name)))
		return rf_doc_fail(d, key, "'%s' is not a profile name", name);
	r = rf_doc_each_item(d, value, name, 1024, read_sha, NULL);
	while (r >= 0 && (item = fy_node_sequence_iterate(value, &it)))
		r = node_owned_set(t->o, name, fy_node_get_scalar0(item), false);
	return r;
}

int node_state_read(int dfd, const char *dir, struct node_state *ret, struct rf_error *reterr)
{
	_cleanup_free_ char *text = NULL, *path = NULL;
	struct rf_error why = { 0 };
	struct node_state s = {};
	struct rf_doc d = { 0 };
	struct fy_node *root, *apparmor;
	const char *schema = NULL;
	size_t len;
	int r;

	*ret = (struct node_state){};
	if (dfd < 0)
		return 0; /* no directory yet (dry run): nothing is owned */
	r = node_read_regular(dfd, RF_NODE_STATE_FILE, &text, &len, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0 && r != -EMEDIUMTYPE)
		return rf_error_set(reterr, r, "cannot read '%s/%s': %s", dir, RF_NODE_STATE_FILE,
				    strerror(-r));
	if (asprintf(&path, "%s/%s", dir, RF_NODE_STATE_FILE) < 0)
		return -ENOMEM;
	if (r < 0)
		r = rf_error_set(&why, -EBADMSG, "%s: not a regular file", path);
	else
		r = rf_doc_load(text, len, path, RF_DOC_JSON, 0, &d, &why);
	if (r >= 0) {
		root = rf_doc_root(&d);
		r = rf_doc_str(&d, rf_doc_need(&d, root, "state", "schema"), "schema", &schema,
			       NULL);
		if (r >= 0 && !streq(schema, STATE_SCHEMA))
			r = rf_doc_fail(&d, rf_doc_get(&d, root, "schema"), "schema '%s'", schema);
		if (r >= 0)
			r = rf_doc_each_key(&d, rf_doc_need(&d, root, "state", "files"), "files",
					    read_entry, &(struct table){ true, &s.files });
		if (r >= 0 && (apparmor = rf_doc_get(&d, root, "apparmor")))
			r = rf_doc_each_key(&d, apparmor, "apparmor", read_entry,
					    &(struct table){ false, &s.apparmor });
	}
	rf_doc_done(&d);
	if (r < 0) {
		node_state_done(&s);
		if (r == -ENOMEM) {
			rf_error_clear(&why);
			return r;
		}
		char where[32] = "";

		if (why.line)
			(void)snprintf(where, sizeof(where), "line %u: ", why.line);
		r = rf_error_set(reterr, -EBADMSG,
				 "'%s' is not a ringfence node state file (%s): %s%s; refusing to "
				 "guess which files ringfence owns: restore or remove it",
				 path, STATE_SCHEMA, where, why.detail ?: why.message ?: "unreadable");
		rf_error_clear(&why);
		return r;
	}
	*ret = s;
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct node_state_entry *)a)->file,
		      ((const struct node_state_entry *)b)->file);
}

static void write_table(struct rf_json *j, const char *key, const struct node_owned *o)
{
	/* Sorted, so the file diffs cleanly and equal states are equal bytes. */
	if (o->n > 1)
		qsort_safe(o->v, o->n, sizeof(*o->v), cmp_entry);
	rf_json_name(j, key);
	rf_json_start_object(j);
	for (size_t i = 0; i < o->n; i++) {
		strv_sort(o->v[i].sha256);
		rf_json_name(j, o->v[i].file);
		rf_json_start_array(j);
		STRV_FOREACH(sha, o->v[i].sha256)
			rf_json_string(j, *sha);
		rf_json_end_array(j);
	}
	rf_json_end_object(j);
}

int node_state_write(int dfd, const struct node_state *s, struct rf_error *reterr)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct rf_json j;

	if (!f)
		return -ENOMEM;
	rf_json_init(&j, f, true);
	rf_json_start_object(&j);
	rf_json_string_field(&j, "schema", STATE_SCHEMA);
	write_table(&j, "files", &s->files);
	if (s->apparmor.n)
		write_table(&j, "apparmor", &s->apparmor);
	rf_json_end_object(&j);
	rf_json_finish(&j);
	if (fclose(f) != 0)
		return -ENOMEM;
	return node_publish(dfd, RF_NODE_STATE_FILE, buf, len, NODE_REPLACE, NULL, reterr);
}
