/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared inside lib/seccomp/ (not part of the public API). */
#pragma once

#include "ringfence/profile.h"

struct rf_seccomp_rule *rf_profile_add_rule(struct rf_profile *p);
void rf_seccomp_rule_done(struct rf_seccomp_rule *r);
int rf_seccomp_rule_copy(struct rf_seccomp_rule *dst, const struct rf_seccomp_rule *src);
bool rf_seccomp_rule_args_equal(const struct rf_seccomp_rule *a, const struct rf_seccomp_rule *b);
