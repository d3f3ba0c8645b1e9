/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `node install` and `node agent` reports: the document "ringfence.node-install/v1" or one
 * text line per change, and the agent's log lines (JSON Lines, or text with a UTC time). */
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "core/escape.h"
#include "core/json-writer.h"
#include "core/macro.h"
#include "ringfence/node.h"

/* A dry run decides but does not act: "create", not "created". */
static const char *install_action(enum rf_node_action a, bool dry_run)
{
	static const char *const planned[] = {
		[RF_NODE_CREATED] = "create",	   [RF_NODE_UPDATED] = "update",
		[RF_NODE_UNCHANGED] = "unchanged", [RF_NODE_PRUNED] = "prune",
		[RF_NODE_LOADED] = "load",	   [RF_NODE_SKIPPED] = "skip",
	};

	if (dry_run && (unsigned)a < ELEMENTSOF(planned) && planned[a])
		return planned[a];
	return rf_node_action_to_string(a);
}

static void json_change(struct rf_json *j, const struct rf_node_change *c)
{
	rf_json_start_object(j);
	rf_json_string_field(j, "kind", c->kind == RF_NODE_SECCOMP ? "seccomp" : "apparmor");
	rf_json_string_field(j, "action", rf_node_action_to_string(c->action));
	rf_json_string_field(j, "name", c->name);
	if (c->localhost_profile)
		rf_json_string_field(j, "localhost_profile", c->localhost_profile);
	if (c->path)
		rf_json_string_field(j, "path", c->path);
	if (c->source)
		rf_json_string_field(j, "source", c->source);
	if (*c->sha256)
		rf_json_string_field(j, "sha256", c->sha256);
	rf_json_end_object(j);
}

int rf_node_install_write(const struct rf_node_result *res, bool dry_run, enum rf_node_format fmt,
			  bool pretty, FILE *out)
{
	struct rf_json j;

	if (fmt == RF_NODE_JSON) {
		rf_json_init(&j, out, pretty);
		rf_json_start_object(&j);
		rf_json_string_field(&j, "schema", "ringfence.node-install/v1");
		rf_json_bool_field(&j, "dry_run", dry_run);
		rf_json_name(&j, "changes");
		rf_json_start_array(&j);
		for (size_t i = 0; i < res->n; i++)
			json_change(&j, &res->items[i]);
		rf_json_end_array(&j);
		rf_json_end_object(&j);
		rf_json_finish(&j);
		return ferror(out) || j.overflow ? -EIO : 0;
	}
	for (size_t i = 0; i < res->n; i++) {
		const struct rf_node_change *c = &res->items[i];
		struct rf_esc_pool ep = {};

		if (c->kind == RF_NODE_SECCOMP)
			fprintf(out, "%-9s localhostProfile: %-40s sha256:%.12s\n",
				install_action(c->action, dry_run),
				rf_esc(&ep, c->localhost_profile), c->sha256);
		else
			fprintf(out, "%-9s apparmor profile: %s (%s)\n",
				install_action(c->action, dry_run), rf_esc(&ep, c->name),
				rf_esc(&ep, c->source));
		rf_esc_done(&ep);
	}
	if (dry_run)
		fprintf(out, "(dry run: nothing was written)\n");
	return ferror(out) ? -EIO : 0;
}

int rf_node_agent_log_write(const struct rf_node_change *c, const struct rf_error *err,
			    const char *note, time_t when, enum rf_node_format fmt, FILE *out)
{
	const char *msg = err && err->message ? err->message : note ?: "?";
	char stamp[32];
	struct tm tm;

	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&when, &tm));
	if (fmt == RF_NODE_JSON) {
		struct rf_json j;

		rf_json_init(&j, out, false);
		rf_json_start_object(&j);
		rf_json_string_field(&j, "time", stamp);
		rf_json_string_field(&j, "event",
				     c	   ? rf_node_action_to_string(c->action)
				     : err ? "sync_failed"
					   : "note");
		if (c) {
			rf_json_name(&j, "change");
			json_change(&j, c);
		} else {
			rf_json_string_field(&j, err ? "error" : "note", msg);
		}
		rf_json_end_object(&j);
		rf_json_finish(&j);
		return ferror(out) || j.overflow ? -EIO : 0;
	}
	if (c) {
		struct rf_esc_pool ep = {};

		fprintf(out, "%s ringfence: %s %s %s%s%s\n", stamp,
			rf_node_action_to_string(c->action),
			c->kind == RF_NODE_SECCOMP ? "seccomp" : "apparmor",
			rf_esc(&ep, c->localhost_profile ?: c->name), *c->sha256 ? " sha256:" : "",
			c->sha256);
		rf_esc_done(&ep);
	} else {
		/* A failure while reading the input changed nothing; one while writing may have
		 * changed part of the node (the next sync finishes it). */
		fprintf(out, "%s ringfence: %s", stamp, err ? "sync failed: " : "note: ");
		rf_fputs_escaped(msg, out);
		fputc('\n', out);
	}
	return ferror(out) ? -EIO : 0;
}
