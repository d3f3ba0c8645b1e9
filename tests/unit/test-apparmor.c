/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/apparmor: the TOML reader and bane's schema (every injection refused at file:line:col),
 * the globbing rules of ringfence-apparmor(1), GLOBBING, path escaping, the glob matcher's AppArmor
 * semantics, complain mode, the observation builder, and the reader's round trip. */
#include "unit.h"

#include <sys/socket.h>

#include "core/macro.h"

#include "apparmor/aa-internal.h"
#include "apparmor/toml.h"
#include "ringfence/apparmor.h"

static struct rf_aa_config *config_ok(const char *text)
{
	_cleanup_error_ struct rf_error e = { 0 };
	struct rf_aa_config *c = NULL;
	int r = rf_aa_config_parse(text, strlen(text), "t.toml", &c, &e);

	cr_assert(r == 0 && c, "parse failed: %s", e.message ?: "(no message)");
	return c;
}

/* The input must be refused with a message starting with `where` and containing `what`. */
static void config_bad(const char *text, const char *where, const char *what)
{
	_cleanup_error_ struct rf_error e = { 0 };
	struct rf_aa_config *c = NULL;
	int r = rf_aa_config_parse(text, strlen(text), "t.toml", &c, &e);

	cr_assert(r == -EINVAL && !c, "accepted: %s", text);
	cr_assert(e.message && !strncmp(e.message, where, strlen(where)),
		  "%s: message \"%s\" does not start with \"%s\"", text, e.message ?: "", where);
	expect_contains(e.message, what);
}

static char *profile_text(const struct rf_aa_profile *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert(f);
	cr_assert(rf_aa_profile_write(p, f) == 0);
	cr_assert(fclose(f) == 0);
	return buf;
}

Test(apparmor, bane_schema)
{
	_cleanup_str_ char *text = read_fixture("apparmor/bane-web.toml", NULL);
	struct rf_aa_config *c = config_ok(text);

	expect_str(c->name, "web-server");
	expect_u(strv_length(c->read_only), 13);
	expect_str(c->log_on_write[0], "/**");
	expect_str(c->writable[1], "/var/cache/web-server/**");
	expect_str(c->allow_exec[0], "/usr/sbin/nginx");
	expect_u(strv_length(c->deny_exec), 3);
	expect_str(c->cap_allow[2], "net_bind_service");
	expect_true(!c->raw && !c->packet, "Raw and Packet false");
	rf_aa_config_free(c);
	/* Every TOML form the schema needs: quoted keys, literal strings, escapes, CRLF, a BOM. */
	c = config_ok(
		"\xef\xbb\xbf# x\r\n\"Name\" = 'lit'\r\n[Network]\r\nProtocols = [\"t\\u0063p\", # "
		"c\n"
		"  'udp',\n]\nRaw = true\n[Capabilities]\nDeny = [\"CAP_SYS_ADMIN\", \"mknod\"]\n");
	expect_str(c->name, "lit");
	expect_str(c->protocols[0], "tcp");
	expect_str(c->cap_deny[0], "sys_admin");
	expect_true(c->raw, "Raw");
	rf_aa_config_free(c);
}

Test(apparmor, toml_errors_are_located)
{
	config_bad("Name = \"a\"\nName = \"b\"\n", "t.toml:2:1:", "set twice");
	config_bad("[Filesystem]\n[Filesystem]\n", "t.toml:2:", "defined twice");
	config_bad("Name = 1\n", "t.toml:1:8:", "unsupported value");
	config_bad("Name = \"a\n", "t.toml:1:10:", "without its closing");
	config_bad("Name = \"\"\"a\"\"\"\n", "t.toml:1:8:", "multi-line");
	config_bad("a.b = \"x\"\n", "t.toml:1:2:", "dotted keys");
	config_bad("[[x]]\n", "t.toml:1:2:", "arrays of tables");
	config_bad("x = { a = 1 }\n", "t.toml:1:5:", "inline tables");
	config_bad("[Filesystem]\nWritablePaths = [\"/a\" \"/b\"]\n",
		   "t.toml:2:23:", "expected ','");
	config_bad("Name = \"a\" x\n", "t.toml:1:12:", "end of the line");
	config_bad("Name = \"\\q\"\n", "t.toml:1:10:", "unknown escape");
	config_bad("Name = \"\\ud800\"\n", "t.toml:1:", "scalar value");
	config_bad("Name = \"a\xff\"\n", "t.toml:1:10:", "UTF-8");
	config_bad("Nmae = \"a\"\n", "t.toml:1:1:", "unknown key 'Nmae'");
	config_bad("[Filesystem]\nReadOnly = []\n",
		   "t.toml:2:1:", "unknown key 'Filesystem.ReadOnly'");
	config_bad("[Files]\n", "t.toml:1:", "unknown table [Files]");
	config_bad("[Network]\nRaw = \"yes\"\n", "t.toml:2:7:", "true or false");
	config_bad("[Network]\nProtocols = [\"sctp\"]\n", "t.toml:2:14:", "not tcp, udp or icmp");
	config_bad("[Capabilities]\nAllow = [\"sys_admn\"]\n",
		   "t.toml:2:10:", "unknown capability");
	config_bad("[Capabilities]\nAllow = [\"chown\"]\nDeny = [\"CHOWN\"]\n",
		   "t.toml:", "both in Capabilities.Allow and Capabilities.Deny");
	config_bad("Name = [\"a\", [\"b\"]]\n", "t.toml:1:14:", "nested arrays");
	config_bad("# \x01\n", "t.toml:1:3:", "control character");
	{
		static const char nul[] = "Name = \"a\"\n\0\n";
		_cleanup_error_ struct rf_error e = { 0 };
		struct rf_aa_config *c = NULL;

		expect_i(rf_aa_config_parse(nul, sizeof(nul) - 1, "t.toml", &c, &e), -EINVAL);
		expect_str(e.message, "t.toml:2:1: a NUL byte");
	}
}

/* Every value that would add a rule, end one, or make the output depend on the host. */
Test(apparmor, injections_refused)
{
	static const struct {
		const char *toml, *where, *what;
	} cases[] = {
		{ "[Filesystem]\nWritablePaths = [\"/tmp/x w,\\n  capability sys_admin,\\n  "
		  "/y\"]\n",
		  "t.toml:2:", "',' outside" },
		{ "[Filesystem]\nWritablePaths = [\"/tmp/x\\ncapability,\"]\n",
		  "t.toml:2:25:", "control character" },
		{ "[Filesystem]\nAllowExec = [\"/bin/sh ux, /x\"]\n",
		  "t.toml:2:25:", "',' outside" },
		{ "[Filesystem]\nAllowExec = [\"/bin/sh\\\" ux,\"]\n", "t.toml:2:22:", "quote" },
		{ "[Filesystem]\nReadOnlyPaths = [\"/a # }\"]\n", "t.toml:2:22:", "comment" },
		{ "[Filesystem]\nReadOnlyPaths = [\"/a}\\n}\\nprofile x {\"]\n",
		  "t.toml:2:21:", "'}' without '{'" },
		{ "[Filesystem]\nReadOnlyPaths = [\"/a{b\"]\n", "t.toml:2:23:", "'{' without '}'" },
		{ "[Filesystem]\nReadOnlyPaths = [\"/a[b\"]\n", "t.toml:2:21:", "without ']'" },
		{ "[Filesystem]\nReadOnlyPaths = [\"/a[/,]b\"]\n",
		  "t.toml:2:21:", "character class" },
		{ "[Filesystem]\nReadOnlyPaths = [\"/a\\\\,b\"]\n", "t.toml:2:21:", "backslash" },
		{ "[Filesystem]\nReadOnlyPaths = [\"@{HOME}/**\"]\n", "t.toml:2:19:", "variables" },
		{ "[Filesystem]\nReadOnlyPaths = [\"/etc/../x\"]\n", "t.toml:2:23:", "'..'" },
		{ "[Filesystem]\nReadOnlyPaths = [\"etc/**\"]\n", "t.toml:2:19:", "absolute" },
		{ "[Filesystem]\nReadOnlyPaths = [\"\"]\n", "t.toml:2:19:", "empty" },
		{ "[Filesystem]\nReadOnlyPaths = [\"/a\\u0000b\"]\n", "t.toml:2:18:", "NUL" },
		{ "[Filesystem]\nReadOnlyPaths = \"/a\"\n", "t.toml:2:17:", "array" },
		{ "Name = \"x {\\n  capability,\\n}\\nprofile y\"\n", "t.toml:1:8:", "Name" },
		{ "Name = \"x flags=(unconfined)\"\n", "t.toml:1:8:", "Name" },
		{ "Name = \"-x\"\n", "t.toml:1:8:", "Name" },
		{ "Imports = [\"#include <tunables/global>\"]\n", "t.toml:1:1:", "no includes" },
		{ "InnerImports = [\"capability,\"]\n", "t.toml:1:1:", "no includes" },
		{ "[Capabilities]\nAllow = [\"chown,\\n  capability sys_admin\"]\n",
		  "t.toml:2:10:", "not a capability name" },
		{ "[Network]\nProtocols = [\"tcp,\\n  network,\"]\n",
		  "t.toml:2:14:", "not tcp, udp or icmp" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		config_bad(cases[i].toml, cases[i].where, cases[i].what);
}

Test(apparmor, spaces_and_globs_are_one_token)
{
	struct rf_aa_config *c = config_ok("Name = \"a\"\n[Filesystem]\nWritablePaths = "
					   "[\"/data/my files/**\", \"/d/{a,b}/[^.]*\"]\n");
	struct rf_aa_profile *p = NULL;
	_cleanup_str_ char *text = NULL;

	cr_assert(rf_aa_from_config(c, NULL, &p, NULL) == 0);
	text = profile_text(p);
	expect_contains(text, "  \"/data/my files/**\" w,\n");
	expect_contains(text, "  /d/{a,b}/[^.]* w,\n");
	rf_aa_profile_free(p);
	rf_aa_config_free(c);
}

Test(apparmor, from_toml_rules)
{
	struct rf_aa_config *c =
		config_ok("Name = \"n\"\n[Network]\nProtocols = [\"tcp\", \"icmp\"]\n"
			  "Packet = true\n[Capabilities]\nDeny = [\"sys_admin\"]\n");
	struct rf_aa_profile *p = NULL;
	_cleanup_str_ char *text = NULL;

	cr_assert(rf_aa_from_config(c, &(struct rf_aa_opts){ .name = "other" }, &p, NULL) == 0);
	text = profile_text(p);
	expect_contains(text, "abi <abi/3.0>,\n");
	expect_contains(text, "profile other flags=(attach_disconnected,mediate_deleted) {\n");
	expect_contains(text, "  network inet tcp,\n  network inet6 tcp,\n");
	expect_contains(text, "  network inet icmp,\n  network inet6 raw,");
	expect_contains(text, "  deny network raw,\n");
	expect_true(!strstr(text, "deny network packet"), "Packet = true: no packet denial");
	expect_contains(text, "  capability,\n  deny capability sys_admin,\n");
	expect_contains(text, "  signal (send,receive) peer=other,\n");
	expect_contains(text, "  ptrace (trace,read,tracedby,readby) peer=other,\n");
	expect_contains(text, "  deny /proc/sysrq-trigger rwlkx,\n");
	expect_contains(text, "  deny mount,\n");
	expect_true(!strstr(text, "include") && !strstr(text, "@{"), "nothing from the host:\n%s",
		    text);
	rf_aa_profile_free(p);
	rf_aa_config_free(c);
}

Test(apparmor, complain_has_no_deny)
{
	_cleanup_str_ char *toml = read_fixture("apparmor/bane-web.toml", NULL);
	struct rf_aa_config *c = config_ok(toml);
	struct rf_aa_profile *p = NULL;
	_cleanup_str_ char *text = NULL;

	cr_assert(rf_aa_from_config(c, &(struct rf_aa_opts){ .mode = RF_AA_COMPLAIN }, &p, NULL) ==
		  0);
	text = profile_text(p);
	expect_true(!strstr(text, "deny"), "complain output has a deny:\n%s", text);
	expect_contains(text, "flags=(attach_disconnected,complain,mediate_deleted)");
	expect_contains(text, "  audit /bin/sh mrwlkix,\n"); /* DenyExec, logged and allowed */
	expect_contains(text, "  audit /etc/** wl,\n");	     /* ReadOnlyPaths */
	expect_contains(text, "  audit network raw,\n");
	for (size_t i = 0; i < p->n_rules; i++)
		expect_true(!p->rules[i].deny, "rule %zu is a deny", i);
	rf_aa_profile_free(p);
	rf_aa_config_free(c);
}

/* The globbing rules of ringfence-apparmor(1), GLOBBING, one row per rule and its edges. */
Test(apparmor, glob_rules)
{
	static const struct {
		const char *path;
		bool dir;
		const char *token;
	} cases[] = {
		{ "/proc/1234/status", false, "/proc/[0-9]*/status" },
		{ "/proc/1234/task/1240/comm", false, "/proc/[0-9]*/task/[0-9]*/comm" },
		{ "/proc/77/fd/3", false, "/proc/[0-9]*/fd/[0-9]*" },
		{ "/proc/sys/kernel/ngroups_max", false, "/proc/sys/kernel/ngroups_max" },
		{ "/dev/pts/3", false, "/dev/pts/[0-9]*" },
		{ "/dev/tty1", false, "/dev/tty1" },
		{ "/tmp/tmp3exoe3bl", false, "/tmp/tmp????????" },
		{ "/tmp/tmpqhzx_wbk", false, "/tmp/tmp????????" }, /* no digit: 1 in 12 */
		{ "/tmp/tmpfile", false, "/tmp/tmpfile" },
		{ "/tmp/cm0v9rxe", false, "/tmp/????????" },
		{ "/tmp/app.Xy12Ab", false, "/tmp/app.??????" },
		{ "/tmp/job.123456", false, "/tmp/job.[0-9]*" },
		{ "/tmp/rf-t0840.Q1w2E3/out.txt", false,
		  "/tmp/rf-t0840.??????"
		  "/out.txt" },
		{ "/var/tmp/sess-AAAAAA9", false, "/var/tmp/sess-???????" },
		{ "/dev/shm/sem.Ab3dEf", false, "/dev/shm/sem.??????" },
		{ "/tmp/readable", false, "/tmp/readable" },	   /* no digit, no upper case */
		{ "/tmp/ab1", false, "/tmp/ab1" },		   /* shorter than 6 */
		{ "/home/u/Xy12Ab34", false, "/home/u/Xy12Ab34" }, /* not a temp directory */
		{ "/tmp/Ab12Cd/x1y2Z3", false,
		  "/tmp/??????"
		  "/x1y2Z3" }, /* only the first level */
		{ "/usr/lib/libpcre2-8.so.0.11.2", false, "/usr/lib/libpcre2-8.so.0*" },
		{ "/usr/lib/libc.so.6", false, "/usr/lib/libc.so.6" },
		{ "/usr/lib/libpython3.11.so.1.0", false, "/usr/lib/libpython3.11.so.1*" },
		{ "/usr/lib/libfoo.so.1.2.beta", false, "/usr/lib/libfoo.so.1.2.beta" },
		{ "/usr/lib/x.so.1.2/y", false, "/usr/lib/x.so.1.2/y" }, /* a directory name */
		{ "/etc", true, "/etc/" },
		{ "/", true, "/" },
		{ "/a//b/", false, "/a/b/" },
		{ "/srv/a b", false, "\"/srv/a b\"" },
		{ "/srv/star*{x,y}[z]?#,\\\"^", false,
		  "/srv/star\\*\\{x\\,y\\}\\[z\\]\\?\\#\\,\\\\\\\"\\^" },
		{ "/srv/nl\nx", false, "\"/srv/nl\\012x\"" },
		{ "/srv/caf\xc3\xa9", false, "/srv/caf\xc3\xa9" },
		{ "/srv/bad\xff", false, "\"/srv/bad\\377\"" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_str_ char *tok = NULL;

		cr_assert(rf_aa_glob_path(cases[i].path, cases[i].dir, &tok) == 0);
		cr_assert_str_eq(tok, cases[i].token, "%s -> %s, expected %s", cases[i].path, tok,
				 cases[i].token);
		/* Every token matches the path it came from. */
		_cleanup_str_ char *full = NULL;
		cr_assert(asprintf(&full, "%s%s", cases[i].path,
				   cases[i].dir && strcmp(cases[i].path, "/") ? "/" : "") > 0);
		if (strstr(cases[i].path, "//") == NULL)
			cr_assert_eq(rf_aa_glob_match(tok, full), 1, "%s does not match %s", tok,
				     full);
	}
}

/* apparmor.d(5) semantics of the matcher. */
Test(apparmor, matcher)
{
	static const struct {
		const char *pat, *path;
		int want;
	} cases[] = {
		{ "/a/*", "/a/b", 1 },
		{ "/a/*", "/a/b/c", 0 },
		{ "/a/*", "/a/.hidden", 1 },
		{ "/a/*", "/a/", 1 },
		{ "/a/**", "/a/b/c", 1 },
		{ "/a/**", "/a/", 1 },
		{ "/a/**", "/a", 0 },
		{ "/a/**/", "/a/b/c/", 1 },
		{ "/a/**/", "/a/b/c", 0 },
		{ "/a/?", "/a/b", 1 },
		{ "/a/?", "/a/bc", 0 },
		{ "/a/?", "/a//", 0 },
		{ "/a/[bc]d", "/a/cd", 1 },
		{ "/a/[^bc]d", "/a/cd", 0 },
		{ "/a/[^bc]d", "/a/xd", 1 },
		{ "/a/[0-9]*", "/a/42", 1 },
		{ "/a/[0-9]*", "/a/x42", 0 },
		{ "/{a,b}/c", "/b/c", 1 },
		{ "/{a,b}/c", "/d/c", 0 },
		{ "/x{,1,2}/y", "/x/y", 1 },
		{ "/x{,1,2}/y", "/x2/y", 1 },
		{ "/{a,{b,c}d}/e", "/cd/e", 1 },
		{ "/{a,{b,c}d}/e", "/c/e", 0 },
		{ "/a\\*b", "/a*b", 1 },
		{ "/a\\*b", "/axb", 0 },
		{ "\"/a b/*\"", "/a b/c", 1 },
		{ "\"/a\\012b\"", "/a\nb", 1 },
		{ "/a/{b,c", "/a/b", -EINVAL },
		{ "/proc/{[^1-9],[^1-9][^0-9],[^1-9s][^0-9y][^0-9s],[^1-9][^0-9][^0-9][^0-9/]*}/**",
		  "/proc/sys/kernel/x", 0 },
		{ "/proc/{[^1-9],[^1-9][^0-9],[^1-9s][^0-9y][^0-9s],[^1-9][^0-9][^0-9][^0-9/]*}/**",
		  "/proc/1234/x", 0 },
		{ "/proc/{[^1-9],[^1-9][^0-9],[^1-9s][^0-9y][^0-9s],[^1-9][^0-9][^0-9][^0-9/]*}/**",
		  "/proc/fs/x", 1 },
		{ "/proc/sys/kernel/{?,??,[^s][^h][^m]**}", "/proc/sys/kernel/shmmax", 0 },
		{ "/proc/sys/kernel/{?,??,[^s][^h][^m]**}", "/proc/sys/kernel/hostname", 1 },
		{ "/sys/fs/cg[^r]*/**", "/sys/fs/cgroup/x", 0 },
		{ "/sys/fs/cg[^r]*/**", "/sys/fs/cgxyz/x", 1 },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++)
		cr_assert_eq(rf_aa_glob_match(cases[i].pat, cases[i].path), cases[i].want,
			     "%s vs %s: got %d, expected %d", cases[i].pat, cases[i].path,
			     rf_aa_glob_match(cases[i].pat, cases[i].path), cases[i].want);
}

static struct rf_observation *observation(void)
{
	struct rf_observation *o = rf_obs_new();
	static const struct {
		const char *path;
		uint32_t access;
	} files[] = {
		{ "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13", RF_ACC_READ | RF_ACC_MMAP_EXEC },
		{ "/proc/4242/status", RF_ACC_READ },
		{ "/proc/4243/status", RF_ACC_READ },
		{ "/tmp/tmpa1b2c3d4", RF_ACC_READ | RF_ACC_WRITE | RF_ACC_CREATE | RF_ACC_DELETE },
		{ "/work/out.txt", RF_ACC_WRITE | RF_ACC_CREATE },
		{ "/work/log", RF_ACC_APPEND },
		{ "/work/cache", RF_ACC_CREATE | RF_ACC_DIR },
		{ "/work/lockfile", RF_ACC_READ | RF_ACC_LOCK },
		{ "pipe:[1234]", RF_ACC_READ },
		{ "/memfd:jit (deleted)", RF_ACC_READ | RF_ACC_WRITE },
		{ "/work/gone (deleted)", RF_ACC_READ },
		{ "/usr/bin/env", RF_ACC_EXEC },
	};

	cr_assert(o);
	o->decoded = true;
	o->backend = strdup("ptrace");
	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		struct rf_event ev = { .kind = RF_EV_FILE };

		ev.file = (struct rf_ev_file){ .path = files[i].path,
					       .access = files[i].access,
					       .op = RF_FILE_OPEN,
					       .flags = -1 };
		cr_assert(rf_obs_add_event(&ev, o) == 0);
	}
	cr_assert(strv_extend(&o->execs, "/usr/bin/python3.11") == 0);
	o->net = calloc(3, sizeof(*o->net));
	o->net[0] = (struct rf_obs_net){ .family = AF_INET6, .type = SOCK_STREAM };
	o->net[1] = (struct rf_obs_net){ .family = AF_UNIX, .type = SOCK_DGRAM };
	o->net[2] = (struct rf_obs_net){ .family = AF_NETLINK, .type = 0 };
	o->n_net = 3;
	return o;
}

Test(apparmor, from_observation)
{
	struct rf_observation *o = observation();
	struct rf_aa_profile *p = NULL;
	_cleanup_str_ char *text = NULL;
	_cleanup_error_ struct rf_error e = { 0 };
	static const char *const want[] = {
		"  /proc/[0-9]*/status r,\n",
		"  /tmp/tmp???????? rw,\n",
		"  /usr/bin/env mrix,\n",
		"  /usr/bin/python3.11 mrix,\n",
		"  /usr/lib/x86_64-linux-gnu/libz.so.1* mr,\n",
		"  /work/cache/ w,\n",
		"  /work/gone r,\n",
		"  /work/lockfile rk,\n",
		"  /work/log a,\n",
		"  /work/out.txt w,\n",
	};
	size_t files = 0;

	cr_assert(rf_aa_from_observation(o, &(struct rf_aa_opts){ .name = "job" }, &p, &e) == 0,
		  "%s", e.message ?: "");
	text = profile_text(p);
	for (size_t i = 0; i < ELEMENTSOF(want); i++)
		expect_contains(text, want[i]);
	for (size_t i = 0; i < p->n_rules; i++)
		files += p->rules[i].kind == RF_AA_RULE_FILE;
	expect_u(files, ELEMENTSOF(want)); /* exactly these: no pipe, no memfd */
	expect_contains(text,
			"  network inet6 stream,\n  network netlink,\n  network unix dgram,\n");
	expect_contains(text, "  capability,\n"); /* ptrace: capabilities unknown */
	expect_contains(text, "  ptrace (read,readby) peer=job,\n");
	expect_true(!strstr(text, "deny"), "an observation profile allows, it does not deny");
	/* The same run passes: every access replays as allowed against the text read back. */
	{
		struct rf_aa_profile *back = NULL;
		struct rf_aa_lint l = { 0 };

		cr_assert(rf_aa_profile_parse(text, strlen(text), "job", &back, &e) == 0, "%s",
			  e.message ?: "");
		cr_assert(rf_aa_lint(back, o, &l) == 0);
		for (size_t i = 0; i < l.n; i++)
			cr_assert(l.items[i].severity != RF_AA_LINT_ERROR, "%s",
				  l.items[i].message);
		rf_aa_lint_done(&l);
		rf_aa_profile_free(back);
	}
	rf_aa_profile_free(p);
	rf_obs_free(o);
}

Test(apparmor, undecoded_observation_refused)
{
	struct rf_observation *o = rf_obs_new();
	struct rf_aa_profile *p = NULL;
	_cleanup_error_ struct rf_error e = { 0 };
	_cleanup_str_ char *text = NULL;

	o->backend = strdup("ebpf");
	o->caps_used = UINT64_C(1) << 0 | UINT64_C(1) << 10; /* chown, net_bind_service */
	cr_assert(rf_aa_from_observation(o, NULL, &p, &e) == -EOPNOTSUPP && !p);
	expect_contains(e.message, "no file or socket events");
	cr_assert(rf_aa_from_observation(o, &(struct rf_aa_opts){ .partial = true }, &p, NULL) ==
		  0);
	text = profile_text(p);
	expect_contains(text, "PARTIAL");
	expect_contains(text, "  network,\n");
	expect_contains(text, "  file,\n");
	expect_contains(text, "  capability chown,\n  capability net_bind_service,\n");
	expect_contains(text, "  deny /proc/sysrq-trigger rwlkx,\n");
	rf_aa_profile_free(p);
	rf_obs_free(o);
}

Test(apparmor, reader_round_trip_and_lint)
{
	_cleanup_str_ char *toml = read_fixture("apparmor/bane-web.toml", NULL);
	struct rf_aa_config *c = config_ok(toml);
	struct rf_aa_profile *p = NULL, *back = NULL;
	_cleanup_str_ char *text = NULL, *again = NULL;
	_cleanup_error_ struct rf_error e = { 0 };
	struct rf_aa_lint l = { 0 };
	uint32_t missing, denied;

	cr_assert(rf_aa_from_config(c, NULL, &p, NULL) == 0);
	text = profile_text(p);
	cr_assert(rf_aa_profile_parse(text, strlen(text), "w", &back, &e) == 0, "%s",
		  e.message ?: "");
	expect_str(back->name, "web-server");
	expect_str(back->abi, "abi/3.0");
	for (size_t i = 0, k = 0; i < p->n_rules; i++) {
		if (p->rules[i].kind == RF_AA_RULE_NOTE)
			continue;
		cr_assert(k < back->n_rules);
		expect_i(back->rules[k].kind, p->rules[i].kind);
		expect_i(back->rules[k].deny, p->rules[i].deny);
		expect_u(back->rules[k].perms, p->rules[i].perms);
		k++;
	}
	/* Read-only paths, denied exec, the container default: the matcher sees what the kernel
	 * would. */
	expect_i(rf_aa_check_access(back, "/etc/passwd", false, RF_AA_PERM_W, &missing, &denied),
		 0);
	expect_u(denied, RF_AA_PERM_W);
	expect_i(rf_aa_check_access(back, "/etc/passwd", false, RF_AA_PERM_R, &missing, &denied),
		 1);
	expect_i(rf_aa_check_access(back, "/bin/sh", false, RF_AA_PERM_X, &missing, &denied), 0);
	expect_i(rf_aa_check_access(back, "/proc/sys/kernel/shmmax", false, RF_AA_PERM_W, &missing,
				    &denied),
		 0); /* ReadOnlyPaths has all of /proc */
	expect_i(rf_aa_check_access(back, "/var/cache/web-server/x", false, RF_AA_PERM_W, &missing,
				    &denied),
		 1);
	cr_assert(rf_aa_lint(back, NULL, &l) == 0);
	for (size_t i = 0; i < l.n; i++)
		cr_assert(l.items[i].severity != RF_AA_LINT_ERROR, "%s", l.items[i].message);
	rf_aa_lint_done(&l);
	rf_aa_profile_free(back);
	/* Complain mode read back: its deny rules would be lint errors, and there are none. */
	cr_assert(rf_aa_profile_set_mode(p, RF_AA_COMPLAIN) == 0);
	again = profile_text(p);
	cr_assert(rf_aa_profile_parse(again, strlen(again), "w", &back, &e) == 0);
	cr_assert(rf_aa_lint(back, NULL, &l) == 0);
	for (size_t i = 0; i < l.n; i++)
		cr_assert(strcmp(l.items[i].code, "deny-in-complain"), "%s", l.items[i].message);
	rf_aa_lint_done(&l);
	rf_aa_profile_free(back);
	rf_aa_profile_free(p);
	rf_aa_config_free(c);
}

Test(apparmor, lint_hand_written)
{
	static const char text[] = "#include <tunables/global>\n"
				   "@{APP}=/opt/app /srv/app\n"
				   "profile hand /usr/bin/hand flags=(complain) {\n"
				   "  #include <abstractions/base>\n"
				   "  deny /etc/shadow r,\n"
				   "  /usr/bin/helper Ux,\n"
				   "  @{APP}/** rw,\n"
				   "  @{HOME}/x r,\n"
				   "  /srv/up/** rwix,\n"
				   "  r /etc/hosts,  # perms first\n"
				   "  signal (send, receive) peer=hand,\n"
				   "  ^hat {\n    /x r,\n  }\n"
				   "  network inet stream,\n"
				   "}\n";
	struct rf_aa_profile *p = NULL;
	_cleanup_error_ struct rf_error e = { 0 };
	struct rf_aa_lint l = { 0 };
	uint32_t missing, denied;
	const char *codes[] = { "no-abi",	   "include-not-followed",  "deny-in-complain",
				"unconfined-exec", "variable-from-include", "write-exec" };

	cr_assert(rf_aa_profile_parse(text, sizeof(text) - 1, "hand", &p, &e) == 0, "%s",
		  e.message ?: "");
	expect_str(p->name, "hand");
	expect_u(strv_length(p->flags), 1);
	expect_str(p->flags[0], "complain");
	expect_u(strv_length(p->includes), 2);
	expect_i(rf_aa_check_access(p, "/srv/app/data", false, RF_AA_PERM_W, &missing, &denied), 1);
	expect_i(rf_aa_check_access(p, "/etc/hosts", false, RF_AA_PERM_R, &missing, &denied), 1);
	expect_i(rf_aa_check_access(p, "/x", false, RF_AA_PERM_R, &missing, &denied), 0); /* hat */
	cr_assert(rf_aa_lint(p, NULL, &l) == 0);
	for (size_t k = 0; k < ELEMENTSOF(codes); k++) {
		bool found = false;

		for (size_t i = 0; i < l.n; i++)
			found |= !strcmp(l.items[i].code, codes[k]);
		cr_assert(found, "no %s finding", codes[k]);
	}
	rf_aa_lint_done(&l);
	rf_aa_profile_free(p);
}

Test(apparmor, reader_errors)
{
	static const struct {
		const char *text, *what;
	} cases[] = {
		{ "profile a {\n  /x r\n}\n", "a:2: a rule without its ','" },
		{ "profile a {\n  /x zz,\n}\n", "a:2: 'zz' is not a set" },
		{ "profile a {\n  /x r,\n", "is not closed" },
		{ "profile a {\n}\nprofile b {\n}\n", "a:3: a second profile" },
		{ "abi <abi/3.0>,\n", "defines no profile" },
		{ "profile a {\n  \"/x r,\n}\n", "a:2: a quoted string runs past" },
		{ "}\n", "a:1: '}' without '{'" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_error_ struct rf_error e = { 0 };
		struct rf_aa_profile *p = NULL;

		cr_assert(rf_aa_profile_parse(cases[i].text, strlen(cases[i].text), "a", &p, &e) <
				  0,
			  "accepted: %s", cases[i].text);
		expect_contains(e.message, cases[i].what);
	}
}

Test(apparmor, k8s_fragment)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert(rf_aa_write_k8s("web-server", "web", f) == 0);
	cr_assert(fclose(f) == 0);
	expect_contains(
		buf, "  appArmorProfile:\n    type: Localhost\n    localhostProfile: web-server\n");
	expect_contains(
		buf, "container.apparmor.security.beta.kubernetes.io/web: localhost/web-server\n");
	free(buf);
	expect_i(rf_aa_write_k8s("bad name", NULL, stdout), -EINVAL);
}
