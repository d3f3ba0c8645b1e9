/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The set of outputs of a run (ringfence/alert.h): each finding is rendered once, as its JSON
 * document and its text line, and handed to every output; the finding's priority is the
 * record's syslog severity (both scales run from emergency, 0, to debug, 7). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/macro.h"
#include "ringfence/alert.h"
#include "ringfence/finding.h"

int rf_alerts_add(struct rf_alerts *a, struct rf_alert_out *o)
{
	if (a->n >= RF_ALERTS_MAX) {
		rf_alert_free(o);
		return -E2BIG;
	}
	a->v[a->n++] = o;
	return 0;
}

static char *render(const struct rf_finding *f, enum rf_finding_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return NULL;
	if (rf_finding_write(f, fmt, m) < 0) {
		fclose(m);
		free(buf);
		return NULL;
	}
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	if (len && buf[len - 1] == '\n') /* outputs add their own line ends */
		buf[len - 1] = '\0';
	return buf;
}

int rf_alerts_finding(struct rf_alerts *a, const struct rf_finding *f)
{
	_cleanup_free_ char *json = render(f, RF_FINDING_JSON), *text = render(f, RF_FINDING_TEXT);
	enum rf_alert_severity sev = (enum rf_alert_severity)rf_rule_priority(f->rule);

	if (!json || !text)
		return -ENOMEM;
	for (size_t i = 0; i < a->n; i++)
		rf_alert_emit(a->v[i], json, text, sev);
	a->records++;
	return 0;
}

void rf_alerts_close(struct rf_alerts *a)
{
	for (size_t i = 0; i < a->n; i++)
		rf_alert_close(a->v[i]);
}

void rf_alerts_done(struct rf_alerts *a)
{
	for (size_t i = 0; i < a->n; i++)
		rf_alert_free(a->v[i]);
	a->n = 0;
}
