/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `ringfence baseline merge|show`: learned baselines (docs/baseline.md) of replicas and nodes
 * merged into one, and what a baseline holds. lib/baseline does the work. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/escape.h"
#include "core/macro.h"
#include "ringfence/baseline.h"

#define BASELINE_HELP                                                                              \
	"Usage: ringfence baseline merge FILE... -o OUT\n"                                         \
	"       ringfence baseline show FILE [--json]\n"                                           \
	"\n"                                                                                       \
	"Baselines are written by 'ringfence watch --learn DURATION --baseline FILE'.\n"           \
	"merge   the union of several (replicas, nodes): per workload, every set joined; a set\n"  \
	"        saturated in one input, or one its source could not see, stays so (it then\n"     \
	"        produces no deviation); budgets are the largest of the inputs'. OUT ('-' is\n"    \
	"        stdout) is written atomically.\n"                                                 \
	"show    one line per workload: events learned and the items of each set, with\n"          \
	"        (saturated) or (unrecorded); --json: the document as read (sorted)\n"             \
	"\n"                                                                                       \
	"  -o, --output OUT  merge: where the merged baseline goes\n"                              \
	"\n"                                                                                       \
	"Exit status: 0 ok, 1 an input could not be read or the output written, 2 usage.\n"

static int load(const char *path, struct rf_baseline **ret)
{
	struct rf_error e = { 0 };
	int r = rf_baseline_load(path, ret, &e);

	if (r < 0)
		print_error(&e, r);
	rf_error_clear(&e);
	return r;
}

static int merge(char **files, int n, const char *out)
{
	_cleanup_(rf_baseline_freep) struct rf_baseline *all = NULL;
	struct rf_error e = { 0 };
	int r;

	for (int i = 0; i < n; i++) {
		_cleanup_(rf_baseline_freep) struct rf_baseline *b = NULL;

		if (load(files[i], &b) < 0)
			return EXIT_FOUND;
		if (!all) {
			all = TAKE_PTR(b);
		} else if ((r = rf_baseline_merge(all, b)) < 0) {
			fprintf(stderr, "ringfence: merging %s: %s\n", files[i], strerror(-r));
			return EXIT_FOUND;
		}
	}
	r = rf_baseline_write_file(all, out, &e);
	if (r < 0)
		print_error(&e, r);
	rf_error_clear(&e);
	if (r >= 0 && !global.quiet && !streq(out, "-"))
		rf_baseline_summary_write(all, stderr);
	return r < 0 ? EXIT_FOUND : finish_stdout(0);
}

static int show(const char *file)
{
	_cleanup_(rf_baseline_freep) struct rf_baseline *b = NULL;
	struct rf_esc_pool pool = { 0 };
	struct rf_error e = { 0 };
	struct rf_baseline_stats st;

	if (load(file, &b) < 0)
		return EXIT_FOUND;
	if (global.json) {
		int r = rf_baseline_write(b, stdout, global.pretty, &e);

		rf_error_clear(&e);
		return r < 0 ? EXIT_FOUND : finish_stdout(0);
	}
	rf_baseline_stats(b, &st);
	for (size_t i = 0; i < st.workloads; i++) {
		struct rf_baseline_workload_info w;

		rf_baseline_workload_info(b, i, &w);
		printf("%s: %llu events", rf_esc(&pool, w.key), (unsigned long long)w.events);
		for (int s = 0; s < RF_BL_SETS; s++)
			printf(", %zu %s%s", w.items[s],
			       rf_baseline_set_name((enum rf_baseline_set)s),
			       !w.recorded[s]	? " (unrecorded)"
			       : w.saturated[s] ? " (saturated)"
						: "");
		putchar('\n');
		rf_esc_done(&pool);
	}
	rf_baseline_summary_write(b, stdout);
	return finish_stdout(0);
}

int cmd_baseline(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *sub, *out = NULL;
	int c;

	if (argc < 2 || streq(argv[1], "-h") || streq(argv[1], "--help")) {
		fputs(BASELINE_HELP, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	sub = argv[1];
	if (!streq(sub, "merge") && !streq(sub, "show"))
		return usage_error("baseline", "unknown subcommand '%s' (merge, show)", sub);
	optind = 0;
	while ((c = getopt_long(argc - 1, argv + 1, "o:h", opts, NULL)) >= 0) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'j': global.json = true; break;
		case 'h': fputs(BASELINE_HELP, stdout); return 0;
		default: return usage_error("baseline", "invalid option");
		}
	}
	argc -= 1 + optind;
	argv += 1 + optind;
	if (streq(sub, "show")) {
		if (argc != 1 || out)
			return usage_error("baseline", "show takes one FILE (and no --output)");
		return show(argv[0]);
	}
	if (argc < 1)
		return usage_error("baseline", "merge needs FILE...");
	if (!out)
		return usage_error("baseline", "merge needs -o OUT");
	return merge(argv, argc, out);
}
