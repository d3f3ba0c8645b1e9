/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parser's first pass: count documents, values and syscall rules before any tree is built,
 * with a few kilobytes of state whatever the input size. libfyaml's tree costs about 330 bytes
 * per value (measured: a 16 MB profile took 630 MB RSS), so a document over the limits is
 * refused here, while memory is still the size of the input.
 *
 * JSON is scanned by hand: libfyaml tokenizes a whole line before it emits the line's first
 * event, and compact JSON is one line (12.8 MB of it took 827 MB before the first event).
 * YAML goes through libfyaml's event stream, and a YAML line may not be longer than
 * RF_PROFILE_MAX_YAML_LINE, which bounds the same effect (block style has short lines). */
#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "parse-internal.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(struct fy_diag *, fy_diag_destroy)
DEFINE_TRIVIAL_CLEANUP_FUNC(struct fy_parser *, fy_parser_destroy)

/* One open collection: what it is, and for mappings whether the next value is a key. */
struct frame {
	bool mapping;
	bool want_key;
	bool syscalls; /* a sequence that is the value of a "syscalls" key */
};

struct scan {
	struct frame *stack;
	size_t depth, cap;
	bool last_key_is_syscalls; /* the key just read was "syscalls" */
	size_t values, rules;	   /* values in the file, rules in the current document */
	unsigned docs, content_docs, line, second_doc_line;
	const char *over; /* the limit exceeded, reported at the next known line */
	size_t over_limit;
	unsigned over_line;
};

enum value_kind { V_SCALAR, V_EMPTY_SCALAR, V_MAPPING, V_SEQUENCE };

static void exceed(struct scan *s, const char *what, size_t limit)
{
	if (s->over)
		return;
	s->over = what;
	s->over_limit = limit;
}

/* A new document starts (JSON: a top-level value; YAML: a document start event). */
static void document_starts(struct scan *s)
{
	s->rules = 0;
	s->docs++;
}

/* A value starts at `line` (0: not known yet, the next known line is used for messages). It may
 * be a syscall rule; in a mapping keys and values alternate. A collection is pushed. */
static int value_starts(struct scan *s, unsigned line, enum value_kind kind, const char *text,
			size_t len)
{
	struct frame *top = s->depth ? &s->stack[s->depth - 1] : NULL;
	bool key = top && top->mapping && top->want_key;
	bool syscalls = s->last_key_is_syscalls;

	if (line)
		s->line = line;
	if (s->docs >= 2 && !s->second_doc_line)
		s->second_doc_line = line; /* "---" may be implicit: the first line in it */
	/* An empty document ("---" and nothing) is an empty plain scalar. */
	s->content_docs += !top && kind != V_EMPTY_SCALAR;
	s->last_key_is_syscalls = key && len == 8 && memcmp(text, "syscalls", 8) == 0;
	if (top && top->syscalls && ++s->rules > RF_PROFILE_MAX_RULES)
		exceed(s, "syscall rules in one profile", RF_PROFILE_MAX_RULES);
	if (++s->values > RF_PROFILE_MAX_VALUES)
		exceed(s, "values (keys, items, lists and objects) in one file",
		       RF_PROFILE_MAX_VALUES);
	if (s->over && !s->over_line)
		s->over_line = line;
	if (top && top->mapping)
		top->want_key = !top->want_key;
	if (kind != V_MAPPING && kind != V_SEQUENCE)
		return 0;
	if (s->depth == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct frame *n = reallocarray(s->stack, cap, sizeof(*n));
		if (!n)
			return -ENOMEM;
		s->stack = n;
		s->cap = cap;
	}
	s->stack[s->depth++] = (struct frame){ .mapping = kind == V_MAPPING,
					       .want_key = kind == V_MAPPING,
					       .syscalls = kind == V_SEQUENCE && syscalls };
	return 0;
}

static void collection_ends(struct scan *s)
{
	if (s->depth)
		s->depth--;
}

/* ---- JSON, by hand ---- */

/* Skips a string starting at t[*i] == '"'; returns false when it is not terminated. */
static bool json_string(const char *t, size_t len, size_t *i, unsigned *line)
{
	for (size_t k = *i + 1; k < len; k++) {
		if (t[k] == '\\')
			k++;
		else if (t[k] == '"') {
			*i = k;
			return true;
		} else if (t[k] == '\n')
			(*line)++; /* invalid JSON; libfyaml says so later */
	}
	return false;
}

static int scan_json(struct scan *s, const char *t, size_t len)
{
	unsigned line = 1;
	int r = 0;

	for (size_t i = 0; r >= 0 && i < len && !s->over_line; i++) {
		char ch = t[i];
		size_t start = i;

		if (ch == '\n') {
			line++;
			continue;
		}
		if (ch == ' ' || ch == '\t' || ch == '\r' || ch == ',' || ch == ':')
			continue;
		if (ch == '}' || ch == ']') {
			collection_ends(s);
			continue;
		}
		if (s->depth == 0)
			document_starts(s);
		if (ch == '{' || ch == '[') {
			r = value_starts(s, line, ch == '{' ? V_MAPPING : V_SEQUENCE, NULL, 0);
			continue;
		}
		if (ch == '"') {
			if (!json_string(t, len, &i, &line))
				break;
			r = value_starts(s, line, V_SCALAR, t + start + 1, i - start - 1);
			continue;
		}
		/* A number or a literal (or junk, which the tree pass refuses). */
		while (i + 1 < len && !strchr(" \t\r\n,:]}[{\"", t[i + 1]))
			i++;
		r = value_starts(s, line, V_SCALAR, t + start, i - start + 1);
	}
	return r;
}

/* ---- YAML, through libfyaml's events ---- */

static unsigned token_line(struct fy_token *t)
{
	const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;

	return m ? (unsigned)m->line + 1 : 0;
}

static int on_event(struct scan *s, struct fy_event *e)
{
	size_t len = 0;
	const char *text;

	switch (e->type) {
	case FYET_DOCUMENT_START: document_starts(s); return 0;
	case FYET_SCALAR:
		text = fy_token_get_text(e->scalar.value, &len);
		return value_starts(s, token_line(e->scalar.value), len ? V_SCALAR : V_EMPTY_SCALAR,
				    text ?: "", text ? len : 0);
	case FYET_ALIAS: return value_starts(s, token_line(e->alias.anchor), V_SCALAR, NULL, 0);
	case FYET_MAPPING_START:
		/* A block mapping has no token of its own: its first key gives the line. */
		return value_starts(s, token_line(e->mapping_start.mapping_start), V_MAPPING, NULL,
				    0);
	case FYET_SEQUENCE_START:
		return value_starts(s, token_line(e->sequence_start.sequence_start), V_SEQUENCE,
				    NULL, 0);
	case FYET_MAPPING_END:
	case FYET_SEQUENCE_END: collection_ends(s); return 0;
	default: return 0;
	}
}

/* The 1-based number of the first line longer than `max`, 0 if there is none. */
static unsigned long_line(const char *t, size_t len, size_t max)
{
	unsigned line = 1;

	for (const char *p = t, *end = t + len; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ?: end) - p);

		if (n > max)
			return line;
		p += n + 1;
	}
	return 0;
}

static int scan_yaml(struct pctx *c, struct scan *s, const char *text, size_t len)
{
	_cleanup_(fy_diag_destroyp) struct fy_diag *diag = NULL;
	_cleanup_(fy_parser_destroyp) struct fy_parser *fyp = NULL;
	struct fy_parse_cfg cfg = { .flags = FYPCF_QUIET | FYPCF_JSON_NONE };
	struct fy_diag_cfg dcfg;
	struct fy_event *e;
	unsigned line = long_line(text, len, RF_PROFILE_MAX_YAML_LINE);
	int r = 0;

	if (line)
		return rf_error_set_at(c->d.err, -EINVAL, c->d.source ?: "<input>", line,
				       "line longer than the limit of %u bytes for YAML (long "
				       "lines are fine in JSON)",
				       RF_PROFILE_MAX_YAML_LINE);
	/* Silent: a syntax error is the tree pass's to report. */
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = NULL;
	dcfg.colorize = false;
	diag = fy_diag_create(&dcfg);
	if (!diag)
		return -ENOMEM;
	fy_diag_set_collect_errors(diag, true);
	cfg.diag = diag;
	fyp = fy_parser_create(&cfg);
	if (!fyp || fy_parser_set_string(fyp, text, len) < 0)
		return -ENOMEM;
	/* A syntax error ends the stream early: the tree pass reports it with libfyaml's
	 * diagnostic. */
	while (r >= 0 && !s->over_line && (e = fy_parser_parse(fyp))) {
		r = on_event(s, e);
		fy_parser_event_free(fyp, e);
	}
	return r;
}

int sp_check_limits(struct pctx *c, const char *text, size_t len, struct sp_stream *ret)
{
	struct scan s = { 0 };
	int r = c->json ? scan_json(&s, text, len) : scan_yaml(c, &s, text, len);

	free(s.stack);
	if (r < 0)
		return r;
	if (s.over)
		return rf_error_set_at(c->d.err, -EINVAL, c->d.source ?: "<input>",
				       s.over_line ?: s.line, "too many %s: the limit is %zu",
				       s.over, s.over_limit);
	*ret = (struct sp_stream){ .docs = s.docs,
				   .content_docs = s.content_docs,
				   .second_doc_line = s.second_doc_line };
	return 0;
}
