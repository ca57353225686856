/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * ctl_user.h -- `lz-ctl user`: the users file of the web application.
 */
#ifndef CTL_USER_H
#define CTL_USER_H

struct lz_config;

/* lz-ctl user add|passwd|remove|list NAME...: returns the exit status. */
int ctl_user(const struct lz_config *c);

#endif
