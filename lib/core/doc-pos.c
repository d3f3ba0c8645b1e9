/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Positions inside a scalar (doc.h's rf_doc_loc_in): a located error can point at a token of a
 * value, in plain, quoted and block scalars alike. Kept apart from doc.c, which reads values;
 * this walks the text they came from. */
#include "doc.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Raw bytes one value byte came from in a quoted scalar: an escape is one value character. */
static size_t raw_width(enum fy_node_style style, const char *p, const char *end)
{
	if (style == FYNS_DOUBLE_QUOTED && p[0] == '\\' && p + 1 < end) {
		switch (p[1]) {
		case 'x': return 4;
		case 'u': return 6;
		case 'U': return 10;
		default: return 2;
		}
	}
	if (style == FYNS_SINGLE_QUOTED && p[0] == '\'' && p + 1 < end && p[1] == '\'')
		return 2;
	return 1;
}

void rf_doc_loc_in(struct fy_node *n, const char *text, size_t text_len, size_t offset,
		   unsigned *ret_line, unsigned *ret_col)
{
	struct fy_token *t = n && fy_node_is_scalar(n) ? fy_node_get_scalar_token(n) : NULL;
	const struct fy_mark *m = t ? fy_token_start_mark(t) : NULL;
	enum fy_node_style style = n ? fy_node_get_style(n) : FYNS_PLAIN;
	const char *value, *p, *end = text + text_len;
	unsigned line, col;
	size_t len = 0, skip = 0;

	rf_doc_loc(n, ret_line, ret_col);
	value = n ? fy_node_get_scalar(n, &len) : NULL;
	if (!m || !value || !text || m->input_pos >= text_len || offset > len)
		return;
	p = text + m->input_pos;
	line = (unsigned)m->line + 1;
	col = (unsigned)m->column + 1;
	/* Block scalars start at their indicator line; quoted ones at the quote. */
	if ((style == FYNS_LITERAL || style == FYNS_FOLDED) && (*p == '|' || *p == '>')) {
		while (p < end && *p != '\n')
			p++;
	} else if (style == FYNS_SINGLE_QUOTED || style == FYNS_DOUBLE_QUOTED) {
		p++;
		col++;
	}
	/* The non-blank characters of the value appear in the text in the same order. */
	for (size_t i = 0; i < offset; i++)
		skip += !is_space(value[i]);
	for (;;) {
		while (p < end && (is_space(*p) || (style == FYNS_DOUBLE_QUOTED && *p == '\\' &&
						    p + 1 < end && p[1] == '\n'))) {
			if (*p == '\\') {
				p++;
				col++;
			}
			if (*p == '\n') {
				line++;
				col = 1;
			} else {
				col++;
			}
			p++;
		}
		if (p >= end)
			return;
		if (skip == 0)
			break;
		{
			size_t w = raw_width(style, p, end);

			p += w;
			col += (unsigned)w;
			skip--;
		}
	}
	*ret_line = line;
	*ret_col = col;
}
