/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Making strings that came from input printable (escape.h): control bytes become \xNN. */
#include <stdio.h>
#include <stdlib.h>

#include "escape.h"
#include "macro.h"

/* How many bytes at p make a control character: C0 and DEL, and the C1 controls U+0080..U+009F
 * in their UTF-8 form (a terminal may take U+009B as CSI); 0 for anything printable. */
static size_t control_len(const unsigned char *p)
{
	if (*p < 0x20 || *p == 0x7f)
		return 1;
	if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
		return 2;
	return 0;
}

void rf_fputs_escaped(const char *s, FILE *f)
{
	for (const unsigned char *p = (const unsigned char *)(s ?: ""); *p;) {
		size_t n = control_len(p);

		if (!n)
			fputc(*p++, f);
		for (; n > 0; n--)
			fprintf(f, "\\x%02x", *p++);
	}
}

char *rf_escape_controls(const char *s)
{
	size_t n = 0, c;
	char *out, *o;

	for (const unsigned char *p = (const unsigned char *)s; *p; p += c ? c : 1)
		n += (c = control_len(p)) ? 4 * c : 1;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	o = out;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t k = control_len(p);

		if (!k)
			*o++ = (char)*p++;
		for (; k > 0; k--)
			o += snprintf(o, 5, "\\x%02x", *p++);
	}
	*o = '\0';
	return out;
}

const char *rf_esc(struct rf_esc_pool *p, const char *s)
{
	char *e;

	if (!s)
		return "";
	if (p->n >= ELEMENTSOF(p->v) || !(e = rf_escape_controls(s)))
		return "?";
	return p->v[p->n++] = e;
}

void rf_esc_done(struct rf_esc_pool *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	p->n = 0;
}
