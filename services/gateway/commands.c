/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * commands.c -- see commands.h.
 */
#include "commands.h"

#include "lz_partners.h"
#include "lz_json.h"
#include "lz_util.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *type;
	unsigned roles;
} commands[] = {
	{"lz.orders.v1.RegisterMember", LZ_ROLE_OPERATOR},
	{"lz.orders.v1.RegisterSite", LZ_ROLE_OPERATOR},
	{"lz.orders.v1.PlaceOrder", LZ_ROLE_SHIPPER},
	{"lz.orders.v1.AmendOrder", LZ_ROLE_SHIPPER},
	{"lz.orders.v1.CancelOrder", LZ_ROLE_SHIPPER},
	{"lz.inventory.v1.SetZone", LZ_ROLE_OPERATOR},
	{"lz.inventory.v1.SetStockSharing", LZ_ROLE_OPERATOR},
	{"lz.inventory.v1.ReceiveLot", LZ_ROLE_RECEIVER | LZ_ROLE_OPERATOR},
	{"lz.inventory.v1.CountStock", LZ_ROLE_OPERATOR},
	{"lz.inventory.v1.PickOrder", LZ_ROLE_DRIVER | LZ_ROLE_OPERATOR},
	{"lz.inventory.v1.PickTour", LZ_ROLE_DRIVER | LZ_ROLE_OPERATOR},
	{"lz.tours.v1.RegisterVehicle", LZ_ROLE_OPERATOR},
	{"lz.tours.v1.PlanWave", LZ_ROLE_OPERATOR},
	{"lz.tours.v1.AssignDriver", LZ_ROLE_OPERATOR},
	{"lz.tours.v1.CollectionRequested", LZ_ROLE_OPERATOR},
	/* An operator may report for a driver (lz-tours lets a tour's bound
	 * driver and operators report on it); only an operator may start a
	 * tour with orders not picked (override_picking, below). */
	{"lz.tours.v1.TourStarted", LZ_ROLE_DRIVER | LZ_ROLE_OPERATOR},
	{"lz.tours.v1.StopArrived", LZ_ROLE_DRIVER | LZ_ROLE_OPERATOR},
	{"lz.tours.v1.StopCompleted", LZ_ROLE_DRIVER | LZ_ROLE_OPERATOR},
	{"lz.tours.v1.StopFailed", LZ_ROLE_DRIVER | LZ_ROLE_OPERATOR},
	{"lz.tours.v1.TourCompleted", LZ_ROLE_DRIVER | LZ_ROLE_OPERATOR},
	{"lz.returns.v1.RegisterContainerType", LZ_ROLE_OPERATOR},
	{"lz.returns.v1.RegisterOutlet", LZ_ROLE_OPERATOR},
	{"lz.returns.v1.SetCollectionPoint", LZ_ROLE_OPERATOR},
	{"lz.returns.v1.DeclareFlow",
	 LZ_ROLE_RELAY | LZ_ROLE_SHIPPER | LZ_ROLE_RECEIVER | LZ_ROLE_OPERATOR},
	{"lz.returns.v1.DeclareContainers",
	 LZ_ROLE_RELAY | LZ_ROLE_SHIPPER | LZ_ROLE_RECEIVER | LZ_ROLE_OPERATOR},
	{"lz.returns.v1.RecordMovement",
	 LZ_ROLE_RECEIVER | LZ_ROLE_PROCESSOR | LZ_ROLE_OPERATOR},
	{"lz.returns.v1.ConfirmProcessing",
	 LZ_ROLE_PROCESSOR | LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.RegisterRider", LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.RegisterBike", LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.CollectionRequested", LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.PlanRuns", LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.AssignParcel", LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.PinRun", LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.StartShift", LZ_ROLE_RIDER | LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.EndShift", LZ_ROLE_RIDER | LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.StartRun", LZ_ROLE_RIDER | LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.DeliverParcel", LZ_ROLE_RIDER | LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.FailParcel", LZ_ROLE_RIDER | LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.LeaveAtRelayPoint", LZ_ROLE_RIDER | LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.CollectPickup", LZ_ROLE_RIDER | LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.FailPickup", LZ_ROLE_RIDER | LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.CompleteRun", LZ_ROLE_RIDER | LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.ConfirmAtRelayPoint", LZ_ROLE_RELAY | LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.HandOverParcel", LZ_ROLE_RELAY | LZ_ROLE_OPERATOR},
};

/* Singular fields that need a role of their own when set (the services
 * check the roles again, from the envelope's actor_roles). */
static const struct {
	const char *type, *field;
	unsigned roles;
} field_roles[] = {
	{"lz.tours.v1.TourStarted", "override_picking", LZ_ROLE_OPERATOR},
	/* an operator reporting for a rider */
	{"lz.bikes.v1.StartShift", "rider_id", LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.EndShift", "rider_id", LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.StartRun", "rider_id", LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.DeliverParcel", "rider_id", LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.FailParcel", "rider_id", LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.LeaveAtRelayPoint", "rider_id", LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.CollectPickup", "rider_id", LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.FailPickup", "rider_id", LZ_ROLE_OPERATOR},
	{"lz.bikes.v1.CompleteRun", "rider_id", LZ_ROLE_OPERATOR},
};

unsigned
gw_command_roles(const char *type)
{
	for (size_t i = 0; i < LZ_ARRAY_LEN(commands); i++)
		if (strcmp(commands[i].type, type) == 0)
			return commands[i].roles;
	return 0;
}

int
gw_check_field_roles(const ProtobufCMessage *m, unsigned have, char *where,
		     size_t wherelen, unsigned *need)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;

	where[0] = '\0';
	*need = 0;
	for (size_t i = 0; i < LZ_ARRAY_LEN(field_roles); i++) {
		const ProtobufCFieldDescriptor *f;

		if (strcmp(field_roles[i].type, d->name) != 0)
			continue;
		f = protobuf_c_message_descriptor_get_field_by_name(
			d, field_roles[i].field);
		if (f == NULL || !lz_json_field_present(f, m) ||
		    (field_roles[i].roles & have))
			continue;
		snprintf(where, wherelen, "%s.%s", d->name, f->name);
		*need = field_roles[i].roles;
		return -1;
	}
	return 0;
}

static int
check(const ProtobufCMessage *m, size_t max_string, size_t max_list,
      char *where, size_t wherelen, size_t o)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;

	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *base = (const char *)m + f->offset;
		size_t count = 1;
		int n;

		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			count = *(const size_t *)((const char *)m +
						  f->quantifier_offset);
			base = *(const char *const *)base;
			if (count > max_list) {
				snprintf(where + o, wherelen - o, "%s%s",
					 o ? "." : "", f->name);
				return -1;
			}
		} else if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			uint32_t set =
				*(const uint32_t *)((const char *)m +
						    f->quantifier_offset);
			if (set != f->id)
				continue;
		}
		for (size_t k = 0; k < count; k++) {
			size_t len = 0;
			const ProtobufCMessage *sub = NULL;

			if (f->type == PROTOBUF_C_TYPE_STRING) {
				const char *s =
					f->label == PROTOBUF_C_LABEL_REPEATED
						? ((const char *const *)base)[k]
						: *(const char *const *)base;
				len = s ? strlen(s) : 0;
			} else if (f->type == PROTOBUF_C_TYPE_BYTES) {
				len = f->label == PROTOBUF_C_LABEL_REPEATED
					      ? ((const ProtobufCBinaryData *)
							 base)[k]
							.len
					      : ((const ProtobufCBinaryData *)
							 base)
							->len;
			} else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
				sub = f->label == PROTOBUF_C_LABEL_REPEATED
					      ? ((const ProtobufCMessage *const
							  *)base)[k]
					      : *(const ProtobufCMessage *const
							  *)base;
			} else {
				break;
			}
			n = f->label == PROTOBUF_C_LABEL_REPEATED
				    ? snprintf(where + o, wherelen - o,
					       "%s%s[%zu]", o ? "." : "",
					       f->name, k)
				    : snprintf(where + o, wherelen - o, "%s%s",
					       o ? "." : "", f->name);
			if (n < 0 || (size_t)n >= wherelen - o)
				return -1;
			if (len > max_string)
				return -1;
			if (sub && check(sub, max_string, max_list, where,
					 wherelen, o + (size_t)n) < 0)
				return -1;
			where[o] = '\0';
		}
	}
	return 0;
}

int
gw_check_limits(const ProtobufCMessage *m, size_t max_string, size_t max_list,
		char *where, size_t wherelen)
{
	where[0] = '\0';
	return check(m, max_string, max_list, where, wherelen, 0);
}
