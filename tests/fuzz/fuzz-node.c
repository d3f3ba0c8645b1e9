/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the two files the node commands read that someone else may have written:
 * the ownership state file of <root>/seccomp/<prefix> and a KubeletConfiguration. Both go
 * through the real readers, from a file in a private temporary directory. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/node-internal.h"
#include "ringfence/node.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/rf-fuzz-node.XXXXXX";

static int put(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	if (size)
		fwrite(data, 1, size, f);
	return fclose(f);
}

static char state[64], config[64];
static int dfd = -1;

static void cleanup(void)
{
	unlink(state);
	unlink(config);
	rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct node_state st = {};
	struct rf_kubelet_info k = {};
	struct rf_error e = {};

	if (!*state) {
		if (!mkdtemp(dir))
			abort();
		snprintf(state, sizeof(state), "%s/" RF_NODE_STATE_FILE, dir);
		snprintf(config, sizeof(config), "%s/config.yaml", dir);
		atexit(cleanup);
		if ((dfd = node_open_prefix(dir, NULL)) < 0)
			abort();
	}
	if (put(state, data, size) < 0 || put(config, data, size) < 0)
		abort();
	if (node_state_read(dfd, dir, &st, &e) >= 0) {
		/* A state that reads must survive a write and read back the same. */
		struct node_state again = {};

		if (node_state_write(dfd, &st, NULL) < 0 ||
		    node_state_read(dfd, dir, &again, NULL) < 0 || again.files.n != st.files.n ||
		    again.apparmor.n != st.apparmor.n)
			abort();
		node_state_done(&again);
	}
	node_state_done(&st);
	rf_error_clear(&e);
	/* No kubelet in a proc tree that does not exist: only the config file decides. */
	(void)rf_kubelet_probe("/nonexistent-proc", dir, config, &k);
	rf_kubelet_info_done(&k);
	return 0;
}
