/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An observation into a least-privilege profile: what the recording did is allowed (files
 * globbed by the rules of ringfence-apparmor(1), GLOBBING) everything else is not. An observation
 * whose source did not decode files and sockets (eBPF today) is refused: a profile built from it
 * would deny everything the workload does, silently. --partial writes what is known and allows
 * the unknown sections whole, saying so in the profile and in a warning. */
#include <ctype.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "aa-internal.h"
#include "core/hashmap.h"
#include "core/macro.h"
#include "core/netnames.h"
#include "core/strv.h"
#include "ringfence/log.h"

/* Address families apparmor_parser 3.0 can name (its af_mask): a newer kernel's family
 * (decnet's slot is unused, mctp is too new) cannot be written as a rule. */
static const char *const parser_families[] = {
	"unix",	   "inet",	"ax25",	   "ipx",    "appletalk", "netrom",   "bridge",
	"atmpvc",  "x25",	"inet6",   "rose",   "netbeui",	  "security", "key",
	"netlink", "packet",	"ash",	   "econet", "atmsvc",	  "rds",      "sna",
	"irda",	   "pppox",	"wanpipe", "llc",    "ib",	  "mpls",     "can",
	"tipc",	   "bluetooth", "iucv",	   "rxrpc",  "isdn",	  "phonet",   "ieee802154",
	"caif",	   "alg",	"nfc",	   "vsock",  "kcm",	  "qipcrtr",  "smc",
	"xdp",	   NULL,
};
static const char *const parser_types[] = { "stream", "dgram",	"seqpacket", "rdm",
					    "raw",    "packet", NULL };

struct frule {
	char *token;
	uint32_t perms;
};

static int cmp_frule(const void *a, const void *b)
{
	return strcmp(((const struct frule *)a)->token, ((const struct frule *)b)->token);
}

struct files {
	struct rf_hmap map; /* token -> struct frule * */
	size_t skipped;
};

static void frule_free(void *v)
{
	struct frule *f = v;

	free(f->token);
	free(f);
}

static int add_one(struct files *fs, const char *path, bool dir, uint32_t perms)
{
	_cleanup_free_ char *copy = NULL, *tok = NULL;
	struct frule *f;
	size_t n;
	int r;

	/* Pipes, sockets and anonymous inodes have no path; memfds live on no mount a rule can
	 * name. A file deleted while open keeps its name (mediate_deleted). */
	if (!path || path[0] != '/' || !strncmp(path, "/memfd:", 7)) {
		fs->skipped++;
		return 0;
	}
	if (!(copy = strdup(path)))
		return -ENOMEM;
	n = strlen(copy);
	if (n > 10 && streq(copy + n - 10, " (deleted)"))
		copy[n - 10] = '\0';
	if ((r = rf_aa_glob_path(copy, dir, &tok)) < 0)
		return r;
	if ((f = rf_hmap_get_str(&fs->map, tok))) {
		f->perms |= perms;
		return 0;
	}
	if (!(f = calloc(1, sizeof(*f))))
		return -ENOMEM;
	f->token = TAKE_PTR(tok);
	f->perms = perms;
	if ((r = rf_hmap_put_str(&fs->map, f->token, f, NULL)) < 0)
		frule_free(f);
	return r < 0 ? r : 0;
}

static int add_files(struct rf_aa_profile *p, const struct rf_observation *obs)
{
	struct files fs = { .map = RF_HMAP_INIT_STR };
	_cleanup_free_ struct frule *sorted = NULL;
	size_t n = 0, it = 0;
	struct frule *f;
	int r = 0;

	/* The executed files: also read and mapped (the kernel maps them; a script is read). */
	STRV_FOREACH(e, obs->execs)
		if ((r = add_one(&fs, *e, false, RF_AA_PERM_M | RF_AA_PERM_R | RF_AA_PERM_X)) < 0)
			goto out;
	for (size_t i = 0; i < obs->n_files; i++) {
		const struct rf_obs_file *of = &obs->files[i];
		uint32_t perms = rf_aa_perms_from_access(of->access);

		if (perms & RF_AA_PERM_X)
			perms |= RF_AA_PERM_M | RF_AA_PERM_R;
		if ((r = add_one(&fs, of->path, of->access & RF_ACC_DIR, perms)) < 0)
			goto out;
	}
	if (!(sorted = calloc(fs.map.n ?: 1, sizeof(*sorted)))) {
		r = -ENOMEM;
		goto out;
	}
	while ((f = rf_hmap_next(&fs.map, &it)))
		sorted[n++] = *f;
	qsort_safe(sorted, n, sizeof(*sorted), cmp_frule);
	r = aa_add_note(p, "files: %zu rules for %zu paths the recording touched%s", n,
			obs->n_files, fs.skipped ? " (pipes, sockets and memfds need none)" : "");
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = aa_add_file(p, false, false, sorted[i].token, sorted[i].perms,
				(sorted[i].perms & RF_AA_PERM_X) ? "ix" : NULL, NULL);
out:
	rf_hmap_done(&fs.map, frule_free);
	return r;
}

static bool in_list(const char *const *v, const char *s)
{
	for (; s && *v; v++)
		if (streq(*v, s))
			return true;
	return false;
}

static int add_network(struct rf_aa_profile *p, const struct rf_observation *obs)
{
	_cleanup_strv_free_ char **rules = NULL, **odd = NULL;
	int r = 0;

	for (size_t i = 0; r >= 0 && i < obs->n_net; i++) {
		const char *fam = rf_af_name(obs->net[i].family);
		const char *type = obs->net[i].type ? rf_socktype_name(obs->net[i].type) : NULL;
		_cleanup_free_ char *rule = NULL;

		if (!in_list(parser_families, fam)) {
			if (asprintf(&rule, "%d", obs->net[i].family) < 0)
				return -ENOMEM;
			r = strv_extend_unique(&odd, rule);
			continue;
		}
		if (asprintf(&rule, "network %s%s%s", fam, in_list(parser_types, type) ? " " : "",
			     in_list(parser_types, type) ? type : "") < 0)
			return -ENOMEM;
		r = strv_extend_unique(&rules, rule);
	}
	if (r < 0)
		return r;
	strv_sort(rules);
	r = aa_add_note(p, "network: the socket families and types the recording created%s",
			rules ? "" : " (none)");
	STRV_FOREACH(s, rules)
		if (r >= 0)
			r = aa_add_text(p, RF_AA_RULE_NETWORK, false, false, NULL, "%s", *s);
	STRV_FOREACH(s, odd)
		if (r >= 0)
			r = aa_add_note(
				p, "address family %s has no AppArmor 3.0 name: not allowed", *s);
	return r;
}

static int add_capabilities(struct rf_aa_profile *p, const struct rf_observation *obs)
{
	bool known = (obs->backend && streq(obs->backend, "ebpf")) || obs->caps_used ||
		     obs->caps_refused;
	int r;

	if (!known) {
		/* ptrace and strace see no capability checks: the securityContext suggestion
		 * (--caps) is where capabilities are cut down for such a recording. */
		r = aa_add_note(p,
				"capabilities: not seen by a %s recording, all allowed here; drop "
				"them in the securityContext (--caps)",
				obs->backend ?: "this");
		return r < 0 ? r
			     : aa_add_text(p, RF_AA_RULE_CAPABILITY, false, false, NULL,
					   "capability");
	}
	r = aa_add_note(p, "capabilities: those the kernel checked and granted%s",
			obs->caps_used ? "" : " (none)");
	for (int cap = 0; r >= 0 && cap < 64; cap++) {
		const char *name = aa_cap_name(cap);

		if ((obs->caps_used >> cap) & 1)
			r = name ? aa_add_text(p, RF_AA_RULE_CAPABILITY, false, false, NULL,
					       "capability %s", name)
				 : aa_add_note(p, "capability %d has no AppArmor 3.0 name", cap);
	}
	return r;
}

static int add_signals_ptrace(struct rf_aa_profile *p, const struct rf_observation *obs,
			      const char *name)
{
	_cleanup_free_ char *sent = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&sent, &len);
	bool first = true;
	int r;

	if (!f)
		return -ENOMEM;
	for (int sig = 1; sig <= 64; sig++)
		if (obs->decoded && ((obs->signals >> (sig - 1)) & 1)) {
			fprintf(f, "%sSIG%s", first ? "" : ", ", sigabbrev_np(sig) ?: "?");
			first = false;
		}
	if (fclose(f) != 0)
		return -ENOMEM;
	/* A process signalling itself (raise, abort) is mediated too, and the observation does
	 * not count those: signals among the profile's own processes stay whole. */
	r = aa_add_note(p,
			"signals: from the host and the runtime, and among this profile's "
			"processes%s%s%s",
			*sent ? " (the recording sent " : "", sent, *sent ? ")" : "");
	if (r >= 0)
		r = aa_add_signals_from_runtime(p);
	if (r >= 0)
		r = aa_add_text(p, RF_AA_RULE_SIGNAL, false, false, NULL,
				"signal (send,receive) peer=%s", name);
	if (r >= 0)
		r = aa_add_note(p, "ptrace: reading its own processes (ps, /proc/<pid>)%s",
				obs->ptrace_ops ? "; tracing them, as the recording did" : "");
	if (r >= 0)
		r = aa_add_text(p, RF_AA_RULE_PTRACE, false, false, NULL, "ptrace (%s) peer=%s",
				obs->ptrace_ops ? "trace,read,tracedby,readby" : "read,readby",
				name);
	return r;
}

int rf_aa_default_name(const struct rf_observation *obs, char **ret)
{
	const char *exe = obs->execs ? obs->execs[0] : obs->command ? obs->command[0] : NULL;
	const char *base = exe ? strrchr(exe, '/') : NULL;
	char *name = NULL;

	base = base ? base + 1 : exe;
	if (asprintf(&name, "ringfence-%.60s", base && *base ? base : "workload") < 0)
		return -ENOMEM;
	for (char *c = name; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("_.-", *c))
			*c = '_';
	*ret = name;
	return 0;
}

static int header(struct rf_aa_profile *p, const struct rf_observation *obs, bool partial)
{
	_cleanup_free_ char *cmd = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&cmd, &len);
	int r;

	if (!f)
		return -ENOMEM;
	STRV_FOREACH(a, obs->command)
		fprintf(f, "%s%.200s", a == obs->command ? "" : " ", *a);
	if (fclose(f) != 0)
		return -ENOMEM;
	r = strv_extend(&p->header, "Generated by ringfence from a recording: what it did is "
				    "allowed, the rest is not.");
	if (r >= 0 && *cmd) {
		_cleanup_free_ char *line = NULL;

		if (asprintf(&line, "Recorded (%s, %u observation%s): %.400s",
			     obs->backend ?: "unknown backend", obs->observations,
			     obs->observations == 1 ? "" : "s", cmd) < 0)
			return -ENOMEM;
		r = strv_extend(&p->header, line);
	}
	if (r >= 0 && partial)
		r = strv_extend(&p->header, "PARTIAL: the recording saw no files or sockets; both "
					    "are allowed whole below.");
	return r;
}

int rf_aa_from_observation(const struct rf_observation *obs, const struct rf_aa_opts *o,
			   struct rf_aa_profile **ret, struct rf_error *reterr)
{
	_cleanup_(rf_aa_profile_freep) struct rf_aa_profile *p = NULL;
	_cleanup_free_ char *derived = NULL;
	bool partial = o && o->partial;
	const char *name = o ? o->name : NULL;
	int r;

	if (!obs->decoded && !partial)
		return rf_error_set(
			reterr, -EOPNOTSUPP,
			"the observation has no file or socket events (a %s recording "
			"sees syscalls and capability checks only): a profile from it "
			"would deny everything the workload does. Record with --backend "
			"ptrace, or pass --partial to allow all files and networking",
			obs->backend ?: "non-decoding");
	if (obs->files_overflow && !partial)
		return rf_error_set(reterr, -E2BIG,
				    "the recording touched more than %d paths and kept only the "
				    "first ones: the profile would miss the others (--partial "
				    "writes it anyway)",
				    RF_OBS_MAX_FILES);
	if (!name) {
		if ((r = rf_aa_default_name(obs, &derived)) < 0)
			return r;
		name = derived;
	}
	if (!rf_aa_name_valid(name))
		return rf_error_set(reterr, -EINVAL,
				    "profile name '%s' must be letters, digits, "
				    "'_', '.' and '-', starting with a letter or digit",
				    name);
	p = rf_aa_profile_new(name);
	if (!p || !(p->abi = strdup("abi/3.0")))
		return -ENOMEM;
	if ((r = header(p, obs, !obs->decoded)) < 0 ||
	    (r = strv_extend(&p->flags, "attach_disconnected")) < 0 ||
	    (r = strv_extend(&p->flags, "mediate_deleted")) < 0 ||
	    (r = add_capabilities(p, obs)) < 0)
		return r;
	if (obs->decoded) {
		if ((r = add_network(p, obs)) < 0)
			return r;
	} else {
		rf_log(RF_LOG_WARNING,
		       "AppArmor profile '%s': the recording saw no files or "
		       "sockets; all files and networking are allowed (--partial)",
		       name);
		if ((r = aa_add_note(p, "network: UNKNOWN to this recording, all allowed")) < 0 ||
		    (r = aa_add_text(p, RF_AA_RULE_NETWORK, false, false, NULL, "network")) < 0)
			return r;
	}
	if ((r = add_signals_ptrace(p, obs, name)) < 0)
		return r;
	if (obs->decoded) {
		r = add_files(p, obs);
	} else {
		r = aa_add_note(p, "files: UNKNOWN to this recording, all allowed; the container "
				   "default's denials apply");
		if (r >= 0)
			r = aa_add_file(p, false, false, NULL, 0, NULL, NULL);
		if (r >= 0)
			r = aa_add_container_denials(p);
	}
	if (r < 0 || (o && (r = rf_aa_profile_set_mode(p, o->mode)) < 0))
		return r;
	*ret = TAKE_PTR(p);
	return 0;
}
