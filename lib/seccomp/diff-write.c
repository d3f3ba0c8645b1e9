/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Diff reports (`profile diff`): "defaultAction: ..." and one "ARCH KIND NAME  DETAIL" line per
 * change, or the JSON document "ringfence.profile-diff/v1". */
#include <errno.h>
#include <stdio.h>

#include "core/escape.h"
#include "core/json-writer.h"
#include "ringfence/profile.h"

static int write_json(const struct rf_diff *d, const char *old_name, const char *new_name,
		      bool pretty, FILE *out)
{
	struct rf_json j;

	rf_json_init(&j, out, pretty);
	rf_json_start_object(&j);
	rf_json_string_field(&j, "schema", "ringfence.profile-diff/v1");
	rf_json_string_field(&j, "old", old_name);
	rf_json_string_field(&j, "new", new_name);
	rf_json_string_field(&j, "default_action_change", d->default_change);
	rf_json_name(&j, "changes");
	rf_json_start_array(&j);
	for (size_t i = 0; i < d->n; i++) {
		char kind[2] = { d->items[i].kind, 0 };

		rf_json_start_object(&j);
		rf_json_string_field(&j, "arch", d->items[i].arch);
		rf_json_string_field(&j, "syscall", d->items[i].name);
		rf_json_string_field(&j, "change", kind);
		rf_json_string_field(&j, "detail", d->items[i].detail);
		rf_json_end_object(&j);
	}
	rf_json_end_array(&j);
	rf_json_end_object(&j);
	rf_json_finish(&j);
	return ferror(out) || j.overflow ? -EIO : 0;
}

static int write_text(const struct rf_diff *d, FILE *out)
{
	if (d->default_change)
		fprintf(out, "defaultAction: %s\n", d->default_change);
	/* Names are data (a name libseccomp does not know is kept as written): escaped. */
	for (size_t i = 0; i < d->n; i++) {
		rf_fputs_escaped(d->items[i].arch, out);
		fprintf(out, " %c ", d->items[i].kind);
		rf_fputs_escaped(d->items[i].name, out);
		fputs("  ", out);
		rf_fputs_escaped(d->items[i].detail, out);
		fputc('\n', out);
	}
	return ferror(out) ? -EIO : 0;
}

int rf_diff_write(const struct rf_diff *d, const char *old_name, const char *new_name,
		  enum rf_report_format fmt, bool pretty, FILE *out)
{
	return fmt == RF_REPORT_JSON ? write_json(d, old_name, new_name, pretty, out)
				     : write_text(d, out);
}
