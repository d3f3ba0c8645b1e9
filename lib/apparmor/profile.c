/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The AppArmor profile model: construction, complain mode, and the apparmor.d(5) writer (one
 * rule per line, two-space indent, the order the builders chose, nothing read from the host). */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "aa-internal.h"
#include "core/escape.h"
#include "core/fileio.h"
#include "core/macro.h"
#include "core/strv.h"

int rf_aa_mode_from_string(const char *s, enum rf_aa_mode *ret)
{
	if (streq(s, "enforce"))
		*ret = RF_AA_ENFORCE;
	else if (streq(s, "complain"))
		*ret = RF_AA_COMPLAIN;
	else
		return -EINVAL;
	return 0;
}

const char *rf_aa_mode_to_string(enum rf_aa_mode m)
{
	return m == RF_AA_COMPLAIN ? "complain" : "enforce";
}

bool rf_aa_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > 200 || !isalnum((unsigned char)name[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i]))
			return false;
	return true;
}

struct rf_aa_profile *rf_aa_profile_new(const char *name)
{
	struct rf_aa_profile *p = calloc(1, sizeof(*p));

	if (p && name && !(p->name = strdup(name)))
		return rf_aa_profile_free(p);
	return p;
}

void aa_rule_done(struct rf_aa_rule *r)
{
	free(r->path);
	free(r->text);
	free(r->comment);
}

struct rf_aa_profile *rf_aa_profile_free(struct rf_aa_profile *p)
{
	if (!p)
		return NULL;
	free(p->name);
	free(p->abi);
	strv_free(p->flags);
	strv_free(p->header);
	for (size_t i = 0; i < p->n_rules; i++)
		aa_rule_done(&p->rules[i]);
	free(p->rules);
	strv_free(p->includes);
	strv_free(p->variables);
	free(p);
	return NULL;
}

struct rf_aa_rule *aa_add_rule(struct rf_aa_profile *p, enum rf_aa_rule_kind kind)
{
	struct rf_aa_rule *v = reallocarray(p->rules, p->n_rules + 1, sizeof(*v));

	if (!v)
		return NULL;
	p->rules = v;
	v = &p->rules[p->n_rules++];
	*v = (struct rf_aa_rule){ .kind = kind };
	return v;
}

static int add_textv(struct rf_aa_profile *p, enum rf_aa_rule_kind kind, bool deny, bool audit,
		     const char *comment, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));
static int add_textv(struct rf_aa_profile *p, enum rf_aa_rule_kind kind, bool deny, bool audit,
		     const char *comment, const char *fmt, va_list ap)
{
	_cleanup_free_ char *text = NULL, *c = NULL;
	struct rf_aa_rule *r;

	if (vasprintf(&text, fmt, ap) < 0 || (comment && !(c = strdup(comment))))
		return -ENOMEM;
	if (!(r = aa_add_rule(p, kind)))
		return -ENOMEM;
	r->deny = deny;
	r->audit = audit;
	r->text = TAKE_PTR(text);
	r->comment = TAKE_PTR(c);
	return 0;
}

int aa_add_text(struct rf_aa_profile *p, enum rf_aa_rule_kind kind, bool deny, bool audit,
		const char *comment, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = add_textv(p, kind, deny, audit, comment, fmt, ap);
	va_end(ap);
	return r;
}

int aa_add_note(struct rf_aa_profile *p, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = add_textv(p, RF_AA_RULE_NOTE, false, false, NULL, fmt, ap);
	va_end(ap);
	return r;
}

int aa_add_file(struct rf_aa_profile *p, bool deny, bool audit, const char *path, uint32_t perms,
		const char *xmode, const char *comment)
{
	_cleanup_free_ char *pa = NULL, *c = NULL;
	struct rf_aa_rule *r;

	if ((path && !(pa = strdup(path))) || (comment && !(c = strdup(comment))))
		return -ENOMEM;
	if (!(r = aa_add_rule(p, RF_AA_RULE_FILE)))
		return -ENOMEM;
	r->deny = deny;
	r->audit = audit;
	r->path = TAKE_PTR(pa);
	r->perms = perms;
	if (xmode)
		(void)snprintf(r->xmode, sizeof(r->xmode), "%s", xmode);
	r->comment = TAKE_PTR(c);
	return 0;
}

int rf_aa_profile_set_mode(struct rf_aa_profile *p, enum rf_aa_mode mode)
{
	if (mode != RF_AA_COMPLAIN)
		return 0;
	/* A deny rule is enforced whatever the profile's mode: complain means "only log". */
	for (size_t i = 0; i < p->n_rules; i++) {
		struct rf_aa_rule *r = &p->rules[i];

		if (!r->deny)
			continue;
		r->deny = false;
		r->audit = true;
		/* `deny ... x` names no transition; an allow rule needs one: audit it as ix. */
		if ((r->perms & RF_AA_PERM_X) && streq(r->xmode, "x"))
			(void)snprintf(r->xmode, sizeof(r->xmode), "ix");
	}
	if (!strv_contains(p->flags, "complain")) {
		int e = strv_extend(&p->flags, "complain");
		if (e < 0)
			return e;
		strv_sort(p->flags);
	}
	return 0;
}

const char *rf_aa_perms_string(uint32_t perms, const char *xmode, char buf[16])
{
	static const struct {
		uint32_t bit;
		char c;
	} order[] = { { RF_AA_PERM_M, 'm' }, { RF_AA_PERM_R, 'r' }, { RF_AA_PERM_W, 'w' },
		      { RF_AA_PERM_A, 'a' }, { RF_AA_PERM_L, 'l' }, { RF_AA_PERM_K, 'k' } };
	size_t n = 0;

	for (size_t i = 0; i < ELEMENTSOF(order); i++)
		/* w implies a: writing both is an error for the parser ("conflicting"). */
		if ((perms & order[i].bit) &&
		    !(order[i].bit == RF_AA_PERM_A && (perms & RF_AA_PERM_W)))
			buf[n++] = order[i].c;
	if (perms & RF_AA_PERM_X) {
		const char *x = xmode && *xmode ? xmode : "x";

		for (; *x && n < 15; x++)
			buf[n++] = *x;
	}
	buf[n] = '\0';
	return buf;
}

uint32_t rf_aa_perms_from_access(uint32_t access)
{
	uint32_t p = 0;

	if (access & RF_ACC_READ)
		p |= RF_AA_PERM_R;
	if (access & (RF_ACC_WRITE | RF_ACC_CREATE | RF_ACC_DELETE | RF_ACC_CHMOD | RF_ACC_CHOWN |
		      RF_ACC_RENAME))
		p |= RF_AA_PERM_W;
	else if (access & RF_ACC_APPEND)
		p |= RF_AA_PERM_A;
	if (access & RF_ACC_LINK)
		p |= RF_AA_PERM_L;
	if (access & RF_ACC_LOCK)
		p |= RF_AA_PERM_K;
	if (access & RF_ACC_MMAP_EXEC)
		p |= RF_AA_PERM_M;
	if (access & RF_ACC_EXEC)
		p |= RF_AA_PERM_X;
	return p;
}

const char *aa_cap_name(int cap)
{
	static char names[64][32];
	char *n;

	if (cap < 0 || cap > 63)
		return NULL;
	if (names[cap][0])
		return names[cap];
	n = cap_to_name(cap);
	if (!n)
		return NULL;
	/* libcap prints a number for a capability it does not know: AppArmor has no word. */
	if (strncmp(n, "cap_", 4) != 0 || strlen(n + 4) >= sizeof(names[cap])) {
		cap_free(n);
		return NULL;
	}
	strcpy(names[cap], n + 4);
	cap_free(n);
	return names[cap];
}

/* One comment line: control bytes escaped, so a name can never end the comment. */
static void write_comment(FILE *out, const char *indent, const char *text)
{
	_cleanup_free_ char *safe = rf_escape_controls(text ?: "");

	fprintf(out, "%s#%s%s\n", indent, safe && *safe ? " " : "", safe ?: "");
}

static void write_rule(FILE *out, const struct rf_aa_rule *r, bool *blank)
{
	char perms[16];

	if (r->kind == RF_AA_RULE_NOTE) {
		if (*blank)
			fputc('\n', out);
		write_comment(out, "  ", r->text);
		return;
	}
	*blank = true;
	fputs("  ", out);
	if (r->audit)
		fputs("audit ", out);
	if (r->deny)
		fputs("deny ", out);
	if (r->owner)
		fputs("owner ", out);
	if (r->kind == RF_AA_RULE_FILE) {
		if (r->path)
			fprintf(out, "%s %s,", r->path,
				rf_aa_perms_string(r->perms, r->xmode, perms));
		else
			fputs("file,", out);
	} else {
		fprintf(out, "%s,", r->text);
	}
	if (r->comment) {
		_cleanup_free_ char *safe = rf_escape_controls(r->comment);

		fprintf(out, "  # %s", safe ?: "");
	}
	fputc('\n', out);
}

int rf_aa_profile_write(const struct rf_aa_profile *p, FILE *out)
{
	bool blank = false;

	if (!rf_aa_name_valid(p->name))
		return -EINVAL;
	STRV_FOREACH(h, p->header)
		write_comment(out, "", *h);
	if (p->header)
		fputc('\n', out);
	if (p->abi)
		fprintf(out, "abi <%s>,\n\n", p->abi);
	fprintf(out, "profile %s", p->name);
	if (p->flags) {
		fputs(" flags=(", out);
		STRV_FOREACH(f, p->flags)
			fprintf(out, "%s%s", f == p->flags ? "" : ",", *f);
		fputc(')', out);
	}
	fputs(" {\n", out);
	for (size_t i = 0; i < p->n_rules; i++)
		write_rule(out, &p->rules[i], &blank);
	fputs("}\n", out);
	return ferror(out) ? -EIO : 0;
}

static int write_cb(FILE *f, void *userdata)
{
	return rf_aa_profile_write(userdata, f);
}

int rf_aa_profile_write_file(const struct rf_aa_profile *p, const char *path,
			     struct rf_error *reterr)
{
	if (!rf_aa_name_valid(p->name))
		return rf_error_set(reterr, -EINVAL, "AppArmor profile name '%s' is not valid",
				    p->name ?: "");
	return rf_write_file_atomic(path, write_cb, (void *)p, reterr);
}

int rf_aa_write_k8s(const char *profile, const char *container, FILE *out)
{
	const char *c = container ?: "CONTAINER";

	if (!rf_aa_name_valid(profile) || (container && !rf_aa_name_valid(container)))
		return -EINVAL;
	fprintf(out,
		"# AppArmor profile %s: load it on every node first (ringfence node install with "
		"its .apparmor file).\n"
		"# Kubernetes 1.30 and later: the pod's or the container's securityContext.\n"
		"securityContext:\n"
		"  appArmorProfile:\n"
		"    type: Localhost\n"
		"    localhostProfile: %s\n"
		"---\n"
		"# Before 1.30: an annotation on the pod (template) per container.\n"
		"metadata:\n"
		"  annotations:\n"
		"    container.apparmor.security.beta.kubernetes.io/%s: localhost/%s\n",
		profile, profile, c, profile);
	return ferror(out) ? -EIO : 0;
}
