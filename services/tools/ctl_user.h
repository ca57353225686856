/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * ctl_user.h -- `lz-ctl user`: the users file of the web application.
 */
#ifndef CTL_USER_H
#define CTL_USER_H

struct lz_config;

/* lz-ctl user add|passwd|remove|list NAME...: returns the exit status. */
int ctl_user(const struct lz_config *c);

/* `lz-ctl user --help`: the synopsis after "lz-ctl user", the summary and
 * the options (NULL-terminated) of the subcommand. */
extern const char ctl_user_usage[], ctl_user_summary[];
extern const char *const ctl_user_options[];

#endif
