/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * codec.h -- the tours service's view of its wire types.
 *
 * As in the orders service, the protobuf-c structs of lz.tours.v1 (and the
 * lz.orders.v1 directory and orders the service follows) are the domain
 * model: a Task, a Vehicle, a Tour are stored in their wire encoding.  This
 * header adds short names, enum aliases and the few conversions.  Only
 * codec.h includes the *.pb-c.h headers.  The names of enum values come
 * from the descriptors (lz_enum_name).
 */
#ifndef TOURS_CODEC_H
#define TOURS_CODEC_H

#include "lz/inventory/v1/inventory.pb-c.h"
#include "lz/orders/v1/orders.pb-c.h"
#include "lz/tours/v1/tours.pb-c.h"
#include "lz_service.h"

#include <stddef.h>
#include <stdint.h>

typedef Lz__Common__V1__TimeWindow TimeWindow;
typedef Lz__Common__V1__GeoPoint GeoPoint;
typedef Lz__Orders__V1__Site Site;
typedef Lz__Orders__V1__Order Order;
typedef Lz__Orders__V1__OrderLine OrderLine;
typedef Lz__Tours__V1__Vehicle Vehicle;
typedef Lz__Tours__V1__Compartment Compartment;
typedef Lz__Tours__V1__Task Task;
typedef Lz__Tours__V1__ClassLoad ClassLoad;
typedef Lz__Tours__V1__Tour Tour;
typedef Lz__Tours__V1__Stop Stop;
typedef Lz__Tours__V1__CompartmentFill CompartmentFill;

/* Temperature classes, as indexes 0..2 of per-class arrays. */
#define TOURS_NCLASSES 3
/* Capacity dimensions of the routing problem: grams and millilitres of
 * each class. */
#define TOURS_NDIMS (2 * TOURS_NCLASSES)

#define TK_DELIVERY LZ__TOURS__V1__TASK_KIND__TASK_KIND_DELIVERY
#define TK_PICKUP LZ__TOURS__V1__TASK_KIND__TASK_KIND_PICKUP
#define TK_COLLECTION LZ__TOURS__V1__TASK_KIND__TASK_KIND_COLLECTION
#define TK_RELAY LZ__TOURS__V1__TASK_KIND__TASK_KIND_RELAY_DELIVERY

#define TS_PENDING LZ__TOURS__V1__TASK_STATUS__TASK_STATUS_PENDING
#define TS_PLANNED LZ__TOURS__V1__TASK_STATUS__TASK_STATUS_PLANNED
#define TS_UNPLANNED LZ__TOURS__V1__TASK_STATUS__TASK_STATUS_UNPLANNED
#define TS_ON_BOARD LZ__TOURS__V1__TASK_STATUS__TASK_STATUS_ON_BOARD
#define TS_DONE LZ__TOURS__V1__TASK_STATUS__TASK_STATUS_DONE
#define TS_FAILED LZ__TOURS__V1__TASK_STATUS__TASK_STATUS_FAILED
#define TS_CANCELLED LZ__TOURS__V1__TASK_STATUS__TASK_STATUS_CANCELLED

#define RS_NONE LZ__TOURS__V1__REASON__REASON_UNSPECIFIED
#define RS_UNKNOWN_SITE LZ__TOURS__V1__REASON__REASON_UNKNOWN_SITE
#define RS_NO_HUB LZ__TOURS__V1__REASON__REASON_NO_HUB
#define RS_NO_VEHICLE LZ__TOURS__V1__REASON__REASON_NO_VEHICLE
#define RS_SKILLS LZ__TOURS__V1__REASON__REASON_SKILLS
#define RS_CAPACITY LZ__TOURS__V1__REASON__REASON_CAPACITY
#define RS_TIME_WINDOW LZ__TOURS__V1__REASON__REASON_TIME_WINDOW
#define RS_NO_ROOM LZ__TOURS__V1__REASON__REASON_NO_ROOM
#define RS_UNKNOWN_VEHICLE LZ__TOURS__V1__REASON__REASON_UNKNOWN_VEHICLE
#define RS_UNKNOWN_TOUR LZ__TOURS__V1__REASON__REASON_UNKNOWN_TOUR
#define RS_BAD_STOP LZ__TOURS__V1__REASON__REASON_BAD_STOP
#define RS_BAD_STATE LZ__TOURS__V1__REASON__REASON_BAD_STATE
#define RS_INVALID LZ__TOURS__V1__REASON__REASON_INVALID
#define RS_UNKNOWN_VEHICLE_HUB LZ__TOURS__V1__REASON__REASON_UNKNOWN_VEHICLE_HUB
#define RS_NO_RELAY LZ__TOURS__V1__REASON__REASON_NO_RELAY
#define RS_DUPLICATE LZ__TOURS__V1__REASON__REASON_DUPLICATE
#define RS_MAX_DURATION LZ__TOURS__V1__REASON__REASON_MAX_DURATION
#define RS_MAX_DISTANCE LZ__TOURS__V1__REASON__REASON_MAX_DISTANCE
#define RS_NOT_PICKED LZ__TOURS__V1__REASON__REASON_NOT_PICKED
#define RS_NOT_READY LZ__TOURS__V1__REASON__REASON_NOT_READY
#define RS_NOT_YOUR_TOUR LZ__TOURS__V1__REASON__REASON_NOT_YOUR_TOUR

#define TOUR_PLANNED LZ__TOURS__V1__TOUR_STATUS__TOUR_STATUS_PLANNED
#define TOUR_STARTED LZ__TOURS__V1__TOUR_STATUS__TOUR_STATUS_STARTED
#define TOUR_COMPLETED LZ__TOURS__V1__TOUR_STATUS__TOUR_STATUS_COMPLETED
#define SS_PLANNED LZ__TOURS__V1__STOP_STATUS__STOP_STATUS_PLANNED
#define SS_ARRIVED LZ__TOURS__V1__STOP_STATUS__STOP_STATUS_ARRIVED
#define SS_COMPLETED LZ__TOURS__V1__STOP_STATUS__STOP_STATUS_COMPLETED
#define SS_FAILED LZ__TOURS__V1__STOP_STATUS__STOP_STATUS_FAILED
#define SK_START LZ__TOURS__V1__STOP_KIND__STOP_KIND_START
#define SK_TASK LZ__TOURS__V1__STOP_KIND__STOP_KIND_TASK
#define SK_END LZ__TOURS__V1__STOP_KIND__STOP_KIND_END

/* lz.orders.v1 values the service needs. */
#define OS_PLACED LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_PLACED
#define OS_CONFIRMED LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_CONFIRMED
#define OS_PLANNED LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_PLANNED
#define OS_PICKED_UP LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_PICKED_UP
#define OS_AT_HUB LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_AT_HUB
#define OS_OUT_FOR_DELIVERY                                                    \
	LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_OUT_FOR_DELIVERY
#define OS_AT_BIKE_RELAY                                                       \
	LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_AT_BIKE_RELAY
#define OS_DELIVERED LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_DELIVERED
#define OS_REJECTED LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_REJECTED
#define OS_CANCELLED LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_CANCELLED
#define OS_FAILED LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_FAILED
#define SRC_HUB_STOCK LZ__ORDERS__V1__ORDER_SOURCE__ORDER_SOURCE_HUB_STOCK
#define SRC_PRODUCER_PICKUP                                                    \
	LZ__ORDERS__V1__ORDER_SOURCE__ORDER_SOURCE_PRODUCER_PICKUP
#define SITE_HUB LZ__ORDERS__V1__SITE_KIND__SITE_KIND_HUB
#define SITE_BIKE_RELAY LZ__ORDERS__V1__SITE_KIND__SITE_KIND_BIKE_RELAY

/* The services whose events the tours service follows (lz_service
 * sources); the partners' commands come from LZ_FROM_GATEWAY. */
#define ORDERS_SOURCE "orders"
#define INVENTORY_SOURCE "inventory"
#define RETURNS_SOURCE "returns"

/* Index 0..2 of temperature class TC (unspecified counts as ambient). */
static inline int
tours_class_index(int tc)
{
	return tc >= 1 && tc <= TOURS_NCLASSES ? tc - 1 : 0;
}

/* The short lower-case name of reason RS ("no_room", "unknown_site"), or
 * "unknown" outside the enum.  Static storage. */
static inline const char *
tours_reason_name(int rs)
{
	return lz_enum_name(&lz__tours__v1__reason__descriptor, rs);
}

/* The short lower-case name of tour status ST ("planned", "started",
 * "completed"), or "unknown".  Static storage. */
static inline const char *
tours_tour_status_name(int st)
{
	return lz_enum_name(&lz__tours__v1__tour_status__descriptor, st);
}

#endif
