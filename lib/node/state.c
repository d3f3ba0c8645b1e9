/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ownership mark of the node directory: a hidden JSON file listing every profile ringfence
 * wrote with its sha256, so that a file someone else wrote (or changed since) is never replaced
 * or pruned. Also the sha256 helpers and the directory names every node command shares. */
#include <errno.h>
#include <libfyaml.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>

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

int node_sha256_file(const char *path, char out[65], struct rf_error *reterr)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = rf_read_file_optional(path, NODE_MAX_FILE_BYTES, &text, &len, reterr);

	if (r < 0)
		return r;
	node_sha256_hex(text, len, out);
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
	const char *root = o->root ?: RF_NODE_DEFAULT_ROOT, *prefix = o->prefix ?: RF_NODE_DEFAULT_PREFIX;
	_cleanup_free_ char *sd = NULL, *pd = NULL;

	if (!*root)
		return rf_error_set(reterr, -EINVAL, "the kubelet root must not be empty");
	if (!node_name_valid(prefix))
		return rf_error_set(reterr, -EINVAL,
				    "prefix '%s' must be one path component of letters, digits, '_', '.' "
				    "and '-', not starting with '.'",
				    prefix);
	if (asprintf(&sd, "%s/seccomp", root) < 0 || asprintf(&pd, "%s/%s", sd, prefix) < 0)
		return -ENOMEM;
	if (ret_seccomp_dir)
		*ret_seccomp_dir = TAKE_PTR(sd);
	if (ret_prefix_dir)
		*ret_prefix_dir = TAKE_PTR(pd);
	return 0;
}

void node_state_done(struct node_state *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].file);
		strv_free(s->v[i].sha256);
	}
	free(s->v);
	*s = (struct node_state){};
}

struct node_state_entry *node_state_find(const struct node_state *s, const char *file)
{
	for (size_t i = 0; i < s->n; i++)
		if (streq(s->v[i].file, file))
			return &s->v[i];
	return NULL;
}

bool node_state_owns(const struct node_state *s, const char *file, const char *sha256)
{
	const struct node_state_entry *e = node_state_find(s, file);

	return e && strv_contains(e->sha256, sha256);
}

int node_state_set(struct node_state *s, const char *file, const char *sha256, bool replace)
{
	struct node_state_entry *e = node_state_find(s, file);

	if (!e) {
		struct node_state_entry *nv = realloc(s->v, (s->n + 1) * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		s->v = nv;
		e = &s->v[s->n];
		*e = (struct node_state_entry){ .file = strdup(file) };
		if (!e->file)
			return -ENOMEM;
		s->n++;
	}
	if (replace) {
		strv_free(e->sha256);
		e->sha256 = NULL;
	}
	return strv_extend_unique(&e->sha256, sha256);
}

void node_state_remove(struct node_state *s, const char *file)
{
	struct node_state_entry *e = node_state_find(s, file);

	if (!e)
		return;
	free(e->file);
	strv_free(e->sha256);
	*e = s->v[--s->n];
}

static bool sha_valid(const char *s)
{
	return strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

static int state_path(const char *dir, char **ret)
{
	return asprintf(ret, "%s/%s", dir, RF_NODE_STATE_FILE) < 0 ? -ENOMEM : 0;
}

int node_state_read(const char *dir, struct node_state *ret, struct rf_error *reterr)
{
	struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET | FYPCF_JSON_FORCE };
	_cleanup_free_ char *path = NULL, *text = NULL;
	struct node_state s = {};
	struct fy_document *doc = NULL;
	struct fy_node *root, *files, *schema;
	struct fy_node_pair *pair;
	void *it = NULL;
	size_t len;
	int r;

	*ret = (struct node_state){};
	if (state_path(dir, &path) < 0)
		return -ENOMEM;
	r = rf_read_file_optional(path, NODE_MAX_FILE_BYTES, &text, &len, reterr);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	doc = fy_document_build_from_string(&cfg, text, len);
	root = doc ? fy_document_root(doc) : NULL;
	schema = root && fy_node_is_mapping(root) ? fy_node_mapping_lookup_by_string(root, "schema", 6)
						  : NULL;
	files = root && fy_node_is_mapping(root) ? fy_node_mapping_lookup_by_string(root, "files", 5)
						 : NULL;
	if (!schema || !fy_node_is_scalar(schema) || strcmp(fy_node_get_scalar0(schema) ?: "", STATE_SCHEMA) ||
	    !files || !fy_node_is_mapping(files)) {
		r = -EBADMSG;
		goto corrupt;
	}
	while ((pair = fy_node_mapping_iterate(files, &it))) {
		struct fy_node *k = fy_node_pair_key(pair), *v = fy_node_pair_value(pair), *item;
		const char *file = k && fy_node_is_scalar(k) ? fy_node_get_scalar0(k) : NULL;
		void *it2 = NULL;

		if (!file || !node_name_valid(file) || !v || !fy_node_is_sequence(v)) {
			r = -EBADMSG;
			goto corrupt;
		}
		while ((item = fy_node_sequence_iterate(v, &it2))) {
			const char *sha = fy_node_is_scalar(item) ? fy_node_get_scalar0(item) : NULL;

			if (!sha || !sha_valid(sha)) {
				r = -EBADMSG;
				goto corrupt;
			}
			if ((r = node_state_set(&s, file, sha, false)) < 0)
				goto fail;
		}
	}
	fy_document_destroy(doc);
	*ret = s;
	return 0;
corrupt:
	rf_error_set(reterr, r,
		     "'%s' is not a ringfence node state file (%s); refusing to guess which files "
		     "ringfence owns: restore or remove it",
		     path, STATE_SCHEMA);
fail:
	fy_document_destroy(doc);
	node_state_done(&s);
	return r;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct node_state_entry *)a)->file,
		      ((const struct node_state_entry *)b)->file);
}

static int write_state(FILE *f, void *userdata)
{
	const struct node_state *s = userdata;
	struct rf_json j;

	rf_json_init(&j, f, true);
	rf_json_start_object(&j);
	rf_json_string_field(&j, "schema", STATE_SCHEMA);
	rf_json_name(&j, "files");
	rf_json_start_object(&j);
	for (size_t i = 0; i < s->n; i++) {
		rf_json_name(&j, s->v[i].file);
		rf_json_start_array(&j);
		STRV_FOREACH(sha, s->v[i].sha256)
			rf_json_string(&j, *sha);
		rf_json_end_array(&j);
	}
	rf_json_end_object(&j);
	rf_json_end_object(&j);
	rf_json_finish(&j);
	return 0;
}

int node_state_write(const char *dir, const struct node_state *s, struct rf_error *reterr)
{
	_cleanup_free_ char *path = NULL;

	if (state_path(dir, &path) < 0)
		return -ENOMEM;
	/* Sorted, so the file diffs cleanly and equal states are equal bytes. */
	qsort(s->v, s->n, sizeof(*s->v), cmp_entry);
	for (size_t i = 0; i < s->n; i++)
		strv_sort(s->v[i].sha256);
	return rf_write_file_atomic(path, write_state, (void *)s, reterr);
}
