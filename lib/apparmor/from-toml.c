/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A bane-style configuration into a profile: the container default that moby, containerd and
 * CRI-O apply today (a data table below), then the configuration's network, capability and file
 * rules. Nothing is read from the host: the text depends only on the input and the options. */
#include <stdlib.h>
#include <string.h>

#include "aa-internal.h"
#include "core/macro.h"
#include "core/strv.h"

/* The container default's denials, in the current moby/containerd form: writes only to
 * /proc/<pid>/... and /proc/sys/kernel/shm*, nothing that reconfigures the host through /sys
 * except under /sys/fs/cgroup, no firmware, powercap (RAPL energy counters leak what other
 * tenants compute) or LSM interfaces, no mount. Each entry: path, permissions, comment. */
static const struct {
	const char *path;
	uint32_t perms;
	const char *comment;
} container_denials[] = {
	{ "/proc/*", RF_AA_PERM_W, "files directly in /proc" },
	{ "/proc/{[^1-9],[^1-9][^0-9],[^1-9s][^0-9y][^0-9s],[^1-9][^0-9][^0-9][^0-9/]*}/**",
	  RF_AA_PERM_W, "below /proc, except /proc/<pid> and /proc/sys" },
	{ "/proc/sys/[^k]**", RF_AA_PERM_W, "/proc/sys except kernel/" },
	{ "/proc/sys/kernel/{?,??,[^s][^h][^m]**}", RF_AA_PERM_W, "/proc/sys/kernel except shm*" },
	{ "/proc/sysrq-trigger",
	  RF_AA_PERM_R | RF_AA_PERM_W | RF_AA_PERM_K | RF_AA_PERM_L | RF_AA_PERM_X, NULL },
	{ "/proc/kcore", RF_AA_PERM_R | RF_AA_PERM_W | RF_AA_PERM_K | RF_AA_PERM_L | RF_AA_PERM_X,
	  NULL },
	{ "/sys/[^f]*/**", RF_AA_PERM_W | RF_AA_PERM_K | RF_AA_PERM_L | RF_AA_PERM_X, NULL },
	{ "/sys/f[^s]*/**", RF_AA_PERM_W | RF_AA_PERM_K | RF_AA_PERM_L | RF_AA_PERM_X, NULL },
	{ "/sys/fs/[^c]*/**", RF_AA_PERM_W | RF_AA_PERM_K | RF_AA_PERM_L | RF_AA_PERM_X, NULL },
	{ "/sys/fs/c[^g]*/**", RF_AA_PERM_W | RF_AA_PERM_K | RF_AA_PERM_L | RF_AA_PERM_X, NULL },
	{ "/sys/fs/cg[^r]*/**", RF_AA_PERM_W | RF_AA_PERM_K | RF_AA_PERM_L | RF_AA_PERM_X,
	  "all of /sys except /sys/fs/cgroup" },
	{ "/sys/firmware/**",
	  RF_AA_PERM_R | RF_AA_PERM_W | RF_AA_PERM_K | RF_AA_PERM_L | RF_AA_PERM_X, NULL },
	{ "/sys/devices/virtual/powercap/**",
	  RF_AA_PERM_R | RF_AA_PERM_W | RF_AA_PERM_K | RF_AA_PERM_L | RF_AA_PERM_X, NULL },
	{ "/sys/kernel/security/**",
	  RF_AA_PERM_R | RF_AA_PERM_W | RF_AA_PERM_K | RF_AA_PERM_L | RF_AA_PERM_X, NULL },
};

/* Who may signal the container: the host (unconfined), the OCI runtimes (`stop`, `kill`), and
 * its own processes (the profile's own name is added as a peer by the callers). */
static const char *const signal_peers[] = { "unconfined", "runc", "crun" };

int aa_add_signals_from_runtime(struct rf_aa_profile *p)
{
	int r = 0;

	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(signal_peers); i++)
		r = aa_add_text(p, RF_AA_RULE_SIGNAL, false, false, NULL,
				"signal (receive) peer=%s", signal_peers[i]);
	return r;
}

int aa_add_container_denials(struct rf_aa_profile *p)
{
	int r = aa_add_note(p, "container default: no writes to /proc and /sys beyond what a "
			       "container needs, no mount");

	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(container_denials); i++)
		r = aa_add_file(p, true, false, container_denials[i].path,
				container_denials[i].perms,
				(container_denials[i].perms & RF_AA_PERM_X) ? "x" : NULL,
				container_denials[i].comment);
	if (r >= 0)
		r = aa_add_text(p, RF_AA_RULE_MOUNT, true, false, NULL, "mount");
	return r;
}

static int add_paths(struct rf_aa_profile *p, char *const *globs, const char *what, bool deny,
		     bool audit, uint32_t perms, const char *xmode)
{
	int r;

	if (!globs)
		return 0;
	if ((r = aa_add_note(p, "%s", what)) < 0)
		return r;
	STRV_FOREACH(g, globs) {
		_cleanup_free_ char *tok = NULL;

		if ((r = aa_glob_token(*g, &tok)) < 0 ||
		    (r = aa_add_file(p, deny, audit, tok, perms, xmode, NULL)) < 0)
			return r;
	}
	return 0;
}

static int add_network(struct rf_aa_profile *p, const struct rf_aa_config *c)
{
	int r = aa_add_note(p, "network: %s",
			    c->protocols ? "only these protocols, IPv4 and IPv6"
					 : "all families and types");

	if (r < 0)
		return r;
	if (!c->protocols)
		r = aa_add_text(p, RF_AA_RULE_NETWORK, false, false, NULL, "network");
	STRV_FOREACH(proto, c->protocols) {
		/* AppArmor 3.0 has no ICMPv6 protocol word: an inet6 raw socket is what ping6 uses.
		 */
		bool icmp = streq(*proto, "icmp");

		if (r >= 0)
			r = aa_add_text(p, RF_AA_RULE_NETWORK, false, false, NULL,
					"network inet %s", *proto);
		if (r >= 0)
			r = aa_add_text(p, RF_AA_RULE_NETWORK, false, false,
					icmp ? "ICMPv6: AppArmor names no protocol, raw is the type"
					     : NULL,
					"network inet6 %s", icmp ? "raw" : *proto);
	}
	if (r >= 0 && !c->raw)
		r = aa_add_text(p, RF_AA_RULE_NETWORK, true, false, NULL, "network raw");
	if (r >= 0 && !c->packet)
		r = aa_add_text(p, RF_AA_RULE_NETWORK, true, false, NULL, "network packet");
	return r;
}

static int add_capabilities(struct rf_aa_profile *p, const struct rf_aa_config *c)
{
	int r;

	if (c->cap_deny) {
		/* With a deny list every other capability is allowed: the allow list adds nothing.
		 */
		r = aa_add_note(p, "capabilities: all but Capabilities.Deny");
		if (r >= 0)
			r = aa_add_text(p, RF_AA_RULE_CAPABILITY, false, false, NULL, "capability");
		STRV_FOREACH(cap, c->cap_deny)
			if (r >= 0)
				r = aa_add_text(p, RF_AA_RULE_CAPABILITY, true, false, NULL,
						"capability %s", *cap);
		return r;
	}
	r = aa_add_note(p, "capabilities: %s",
			c->cap_allow ? "only Capabilities.Allow"
				     : "none (neither Capabilities.Allow nor Capabilities.Deny)");
	STRV_FOREACH(cap, c->cap_allow)
		if (r >= 0)
			r = aa_add_text(p, RF_AA_RULE_CAPABILITY, false, false, NULL,
					"capability %s", *cap);
	return r;
}

int rf_aa_from_config(const struct rf_aa_config *c, const struct rf_aa_opts *o,
		      struct rf_aa_profile **ret, struct rf_error *reterr)
{
	_cleanup_(rf_aa_profile_freep) struct rf_aa_profile *p = NULL;
	const char *name = o && o->name ? o->name : c->name;
	int r;

	if (!name)
		return rf_error_set(reterr, -EINVAL, "%s: no Name, and no --name given", c->source);
	if (!rf_aa_name_valid(name))
		return rf_error_set(reterr, -EINVAL,
				    "profile name '%s' must be letters, digits, "
				    "'_', '.' and '-', starting with a letter or digit",
				    name);
	p = rf_aa_profile_new(name);
	if (!p || !(p->abi = strdup("abi/3.0")))
		return -ENOMEM;
	if ((r = strv_extend(&p->header, "Generated by ringfence apparmor from-toml; edit the "
					 "TOML and regenerate.")) < 0 ||
	    (r = strv_extend(&p->flags, "attach_disconnected")) < 0 ||
	    (r = strv_extend(&p->flags, "mediate_deleted")) < 0)
		return r;
	if ((r = add_network(p, c)) < 0 || (r = add_capabilities(p, c)) < 0)
		return r;
	if ((r = aa_add_note(p, "files: everything, except what the rules below take away")) < 0 ||
	    (r = aa_add_file(p, false, false, NULL, 0, NULL, NULL)) < 0 ||
	    (r = aa_add_text(p, RF_AA_RULE_MOUNT, false, false, NULL, "umount")) < 0)
		return r;
	if ((r = add_paths(p, c->read_only, "Filesystem.ReadOnlyPaths", true, false,
			   RF_AA_PERM_W | RF_AA_PERM_L, NULL)) < 0 ||
	    (r = add_paths(p, c->log_on_write, "Filesystem.LogOnWritePaths", false, true,
			   RF_AA_PERM_W, NULL)) < 0 ||
	    (r = add_paths(p, c->writable, "Filesystem.WritablePaths", false, false, RF_AA_PERM_W,
			   NULL)) < 0 ||
	    (r = add_paths(p, c->allow_exec, "Filesystem.AllowExec", false, false, RF_AA_PERM_X,
			   "ix")) < 0 ||
	    (r = add_paths(p, c->deny_exec, "Filesystem.DenyExec", true, false,
			   RF_AA_PERM_M | RF_AA_PERM_R | RF_AA_PERM_W | RF_AA_PERM_K |
				   RF_AA_PERM_L | RF_AA_PERM_X,
			   "x")) < 0)
		return r;
	if ((r = aa_add_note(p, "signals: from the host and the runtime, and among this "
				"profile's processes")) < 0 ||
	    (r = aa_add_signals_from_runtime(p)) < 0 ||
	    (r = aa_add_text(p, RF_AA_RULE_SIGNAL, false, false, NULL,
			     "signal (send,receive) peer=%s", name)) < 0 ||
	    (r = aa_add_container_denials(p)) < 0 ||
	    (r = aa_add_note(p, "ptrace: only among this profile's processes (ps, /proc/<pid>)")) <
		    0 ||
	    (r = aa_add_text(p, RF_AA_RULE_PTRACE, false, false, NULL,
			     "ptrace (trace,read,tracedby,readby) peer=%s", name)) < 0)
		return r;
	if (o && (r = rf_aa_profile_set_mode(p, o->mode)) < 0)
		return r;
	*ret = TAKE_PTR(p);
	return 0;
}
