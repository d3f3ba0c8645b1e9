/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ringfence node status`: what a node has (profiles, kubelet seccomp default, AppArmor) and,
 * with --check-manifests, the Localhost profiles manifests reference that it cannot give.
 * lib/node does the work and writes the report. */
#include <errno.h>
#include <stdio.h>

#include "cli.h"
#include "core/escape.h"
#include "ringfence/k8s.h"
#include "ringfence/node.h"

/* The documents that could not be read were not checked: one line each on stderr. */
static void print_read_errors(const struct rf_audit *a)
{
	for (size_t i = 0; i < rf_audit_n_errors(a); i++) {
		fputs("ringfence: ", stderr);
		rf_fputs_escaped(rf_audit_error(a, i), stderr);
		fputc('\n', stderr);
	}
}

int node_status(const struct rf_node_opts *node, const char *kubelet_config, bool check,
		char **files, size_t n)
{
	struct rf_node_status s = {};
	struct rf_node_refs refs = {};
	struct rf_error e = {};
	int r, code = 0;

	if (n && !check)
		return usage_error("node", "status takes no arguments (did you mean "
					   "--check-manifests FILE...?)");
	if (check && !n)
		return usage_error("node",
				   "--check-manifests needs FILE... (or a directory, or '-')");
	r = rf_node_status(node, kubelet_config, &s, &e);
	if (r < 0) {
		print_error(&e, r);
		rf_error_clear(&e);
		return EXIT_FOUND;
	}
	if (check) {
		r = rf_node_check_manifests(&s, files, n, &refs, &e);
		if (r < 0) {
			print_error(&e, r);
			rf_error_clear(&e);
			rf_node_status_done(&s);
			return EXIT_FOUND;
		}
		print_read_errors(refs.audit);
		if (rf_audit_n_errors(refs.audit))
			code = EXIT_FOUND; /* a manifest that could not be read was not checked */
	}
	(void)rf_node_status_write(&s, check ? &refs : NULL,
				   global.json ? RF_NODE_JSON : RF_NODE_TEXT, global.pretty,
				   stdout);
	if (refs.n_missing) {
		fprintf(stderr, "ringfence: %zu referenced profile%s not usable on this node\n",
			refs.n_missing, refs.n_missing == 1 ? " is" : "s are");
		code = EXIT_FOUND;
	}
	rf_node_refs_done(&refs);
	rf_node_status_done(&s);
	return finish_stdout(code);
}
