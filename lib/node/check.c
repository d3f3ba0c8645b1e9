/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Localhost profiles workloads reference, checked against what a node has: the check of
 * `node status --check-manifests` and of `audit --check-node`. */
#include <errno.h>
#include <stdlib.h>

#include "core/macro.h"
#include "ringfence/k8s.h"
#include "ringfence/node.h"

void rf_node_refs_done(struct rf_node_refs *r)
{
	for (size_t i = 0; r->problems && i < r->n; i++)
		free(r->problems[i]);
	free(r->problems);
	rf_profile_refs_free(r->refs, r->n);
	rf_audit_free(r->audit);
	*r = (struct rf_node_refs){};
}

int rf_node_check_refs(const struct rf_node_status *s, struct rf_audit *a, struct rf_node_refs *ret)
{
	struct rf_node_refs r = {};
	int e;

	if ((e = rf_audit_profile_refs(a, &r.refs, &r.n)) < 0)
		return e;
	r.problems = calloc(r.n + 1, sizeof(*r.problems));
	if (!r.problems) {
		rf_node_refs_done(&r);
		return -ENOMEM;
	}
	for (size_t i = 0; i < r.n; i++) {
		errno = 0;
		r.problems[i] = rf_node_ref_problem(s, &r.refs[i]);
		if (!r.problems[i] && errno == ENOMEM) {
			rf_node_refs_done(&r);
			return -ENOMEM;
		}
		r.n_missing += r.problems[i] != NULL;
	}
	*ret = r;
	return 0;
}

int rf_node_check_manifests(const struct rf_node_status *s, char *const *paths, size_t n,
			    struct rf_node_refs *ret, struct rf_error *reterr)
{
	_cleanup_(rf_audit_freep) struct rf_audit *a = NULL;
	int r;

	if ((r = rf_audit_new(&a)) < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if ((r = rf_audit_add_path(a, paths[i], reterr)) < 0)
			return r;
	if ((r = rf_node_check_refs(s, a, ret)) < 0)
		return r;
	ret->audit = TAKE_PTR(a);
	return 0;
}
