/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * codec.h -- the returns service's view of its wire types.
 *
 * As in the other services, the protobuf-c structs of lz.returns.v1 (and
 * the lz.orders.v1 directory the service follows) are the domain model: a
 * Flow, an Outlet, a ContainerType are stored in their wire encoding.  This
 * header adds short names, enum aliases and names for logs, metrics and
 * counters.  Only codec.h includes the *.pb-c.h headers.
 */
#ifndef RETURNS_CODEC_H
#define RETURNS_CODEC_H

#include "lz/bikes/v1/bikes.pb-c.h"
#include "lz/inventory/v1/inventory.pb-c.h"
#include "lz/orders/v1/orders.pb-c.h"
#include "lz/returns/v1/returns.pb-c.h"
#include "lz_service.h"
#include "lz/tours/v1/tours.pb-c.h"

typedef Lz__Orders__V1__Site Site;
typedef Lz__Orders__V1__Order Order;
typedef Lz__Orders__V1__OpeningHours OpeningHours;
typedef Lz__Returns__V1__ContainerType ContainerType;
typedef Lz__Returns__V1__Outlet Outlet;
typedef Lz__Returns__V1__Flow Flow;
typedef Lz__Returns__V1__CollectionPoint CollectionPoint;

#define FK_UNSOLD LZ__RETURNS__V1__FLOW_KIND__FLOW_KIND_UNSOLD_FOOD
#define FK_BIOWASTE LZ__RETURNS__V1__FLOW_KIND__FLOW_KIND_BIOWASTE
#define FK_PACKAGING LZ__RETURNS__V1__FLOW_KIND__FLOW_KIND_PACKAGING
#define FK_CO_PRODUCT LZ__RETURNS__V1__FLOW_KIND__FLOW_KIND_CO_PRODUCT

#define LV_NONE LZ__RETURNS__V1__HIERARCHY_LEVEL__HIERARCHY_LEVEL_UNSPECIFIED
#define LV_DONATION LZ__RETURNS__V1__HIERARCHY_LEVEL__HIERARCHY_LEVEL_DONATION
#define LV_TRANSFORMATION                                                      \
	LZ__RETURNS__V1__HIERARCHY_LEVEL__HIERARCHY_LEVEL_TRANSFORMATION
#define LV_ANIMAL_FEED                                                         \
	LZ__RETURNS__V1__HIERARCHY_LEVEL__HIERARCHY_LEVEL_ANIMAL_FEED
#define LV_COMPOSTING                                                          \
	LZ__RETURNS__V1__HIERARCHY_LEVEL__HIERARCHY_LEVEL_COMPOSTING
#define LV_RECYCLING LZ__RETURNS__V1__HIERARCHY_LEVEL__HIERARCHY_LEVEL_RECYCLING
#define LV_DISPOSAL LZ__RETURNS__V1__HIERARCHY_LEVEL__HIERARCHY_LEVEL_DISPOSAL
#define LV_COUNT 7

#define OK_FOOD_AID LZ__RETURNS__V1__OUTLET_KIND__OUTLET_KIND_FOOD_AID
#define OK_TRANSFORMATION                                                      \
	LZ__RETURNS__V1__OUTLET_KIND__OUTLET_KIND_TRANSFORMATION
#define OK_ANIMAL_FEED LZ__RETURNS__V1__OUTLET_KIND__OUTLET_KIND_ANIMAL_FEED
#define OK_COMPOSTING LZ__RETURNS__V1__OUTLET_KIND__OUTLET_KIND_COMPOSTING
#define OK_WASHING LZ__RETURNS__V1__OUTLET_KIND__OUTLET_KIND_WASHING
#define OK_RECYCLING LZ__RETURNS__V1__OUTLET_KIND__OUTLET_KIND_RECYCLING
#define OK_DISPOSAL LZ__RETURNS__V1__OUTLET_KIND__OUTLET_KIND_DISPOSAL

#define DK_NONE LZ__RETURNS__V1__DATE_KIND__DATE_KIND_UNSPECIFIED
#define DK_USE_BY LZ__RETURNS__V1__DATE_KIND__DATE_KIND_USE_BY
#define DK_BEST_BEFORE LZ__RETURNS__V1__DATE_KIND__DATE_KIND_BEST_BEFORE

#define FS_OPENED LZ__RETURNS__V1__FLOW_STATUS__FLOW_STATUS_OPENED
#define FS_ASSIGNED LZ__RETURNS__V1__FLOW_STATUS__FLOW_STATUS_ASSIGNED
#define FS_COLLECTED LZ__RETURNS__V1__FLOW_STATUS__FLOW_STATUS_COLLECTED
#define FS_CLOSED LZ__RETURNS__V1__FLOW_STATUS__FLOW_STATUS_CLOSED

#define RR_INVALID LZ__RETURNS__V1__REASON__REASON_INVALID
#define RR_UNKNOWN_CONTAINER_TYPE                                              \
	LZ__RETURNS__V1__REASON__REASON_UNKNOWN_CONTAINER_TYPE
#define RR_BAD_QUANTITY LZ__RETURNS__V1__REASON__REASON_BAD_QUANTITY
#define RR_UNKNOWN_SITE LZ__RETURNS__V1__REASON__REASON_UNKNOWN_SITE
#define RR_UNKNOWN_FLOW LZ__RETURNS__V1__REASON__REASON_UNKNOWN_FLOW
#define RR_NOT_YOUR_OUTLET LZ__RETURNS__V1__REASON__REASON_NOT_YOUR_OUTLET
#define RR_BAD_STATE LZ__RETURNS__V1__REASON__REASON_BAD_STATE
#define RR_DUPLICATE LZ__RETURNS__V1__REASON__REASON_DUPLICATE
#define RR_BAD_ACCOUNT LZ__RETURNS__V1__REASON__REASON_BAD_ACCOUNT
#define RR_INSUFFICIENT LZ__RETURNS__V1__REASON__REASON_INSUFFICIENT
#define RR_BAD_KIND LZ__RETURNS__V1__REASON__REASON_BAD_KIND
#define RR_BAD_HOURS LZ__RETURNS__V1__REASON__REASON_BAD_HOURS
#define RR_NOT_YOUR_SITE LZ__RETURNS__V1__REASON__REASON_NOT_YOUR_SITE
#define RR_UNKNOWN_MEMBER LZ__RETURNS__V1__REASON__REASON_UNKNOWN_MEMBER
#define RR_COUNT 15

/* Short lower-case names ("donation", "unsold_food", "not_your_outlet",
 * "assigned"...), "unknown" outside the enum.  Static storage. */
static inline const char *
returns_level_name(int level)
{
	return lz_enum_name(&lz__returns__v1__hierarchy_level__descriptor,
			    level);
}
static inline const char *
returns_reason_name(int reason)
{
	return lz_enum_name(&lz__returns__v1__reason__descriptor, reason);
}
static inline const char *
returns_status_name(int status)
{
	return lz_enum_name(&lz__returns__v1__flow_status__descriptor, status);
}

#endif
