/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * commands.h -- what a partner may send: the command types the gateway
 * accepts, the roles each needs (and the fields that need more), and the
 * size limits of their fields.
 */
#ifndef GW_COMMANDS_H
#define GW_COMMANDS_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

/* The roles (lz_partners.h bits) any of which allows TYPE; 0 when TYPE is not
 * a command partners may send. */
unsigned gw_command_roles(const char *type);

/* Checks the fields of M that need a role of their own when set (an
 * operator's override_picking in TourStarted) against the partner's roles
 * HAVE.  Returns 0, or -1 with the field (e.g.
 * "lz.tours.v1.TourStarted.override_picking") in WHERE and the roles any
 * of which it needs in *NEED. */
int gw_check_field_roles(const ProtobufCMessage *m, unsigned have, char *where,
			 size_t wherelen, unsigned *need);

/* Checks every string and bytes field of M (recursively) against
 * MAX_STRING bytes and every repeated field against MAX_LIST elements.
 * Returns 0, or -1 with the offending field's path (e.g. "lines[3].product")
 * in WHERE. */
int gw_check_limits(const ProtobufCMessage *m, size_t max_string,
		    size_t max_list, char *where, size_t wherelen);

#endif
