/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * codec.h -- the bikes service's view of its wire types.
 *
 * As in the other services, the protobuf-c structs of lz.bikes.v1 (and the
 * lz.orders.v1 directory and lz.tours.v1 tasks the service follows) are
 * the domain model: a Parcel, a Run, a Rider are stored in their wire
 * encoding.  This header adds short names, enum aliases and names (from
 * the descriptors: lz_enum_name).  Only codec.h includes the *.pb-c.h
 * headers.
 */
#ifndef BIKES_CODEC_H
#define BIKES_CODEC_H

#include "lz/bikes/v1/bikes.pb-c.h"
#include "lz/orders/v1/orders.pb-c.h"
#include "lz/tours/v1/tours.pb-c.h"
#include "lz_service.h"

typedef Lz__Common__V1__TimeWindow TimeWindow;
typedef Lz__Common__V1__GeoPoint GeoPoint;
typedef Lz__Orders__V1__Site Site;
typedef Lz__Tours__V1__Task Task;
typedef Lz__Tours__V1__Stop TourStop;
typedef Lz__Bikes__V1__Rider Rider;
typedef Lz__Bikes__V1__Bike Bike;
typedef Lz__Bikes__V1__Shift Shift;
typedef Lz__Bikes__V1__Parcel Parcel;
typedef Lz__Bikes__V1__Pickup Pickup;
typedef Lz__Bikes__V1__Run Run;
typedef Lz__Bikes__V1__RunStop RunStop;
typedef Lz__Bikes__V1__ContainerCount ContainerCount;

#define PS_EXPECTED LZ__BIKES__V1__PARCEL_STATUS__PARCEL_STATUS_EXPECTED
#define PS_AT_RELAY LZ__BIKES__V1__PARCEL_STATUS__PARCEL_STATUS_AT_RELAY
#define PS_PLANNED LZ__BIKES__V1__PARCEL_STATUS__PARCEL_STATUS_PLANNED
#define PS_ON_BIKE LZ__BIKES__V1__PARCEL_STATUS__PARCEL_STATUS_ON_BIKE
#define PS_DELIVERED LZ__BIKES__V1__PARCEL_STATUS__PARCEL_STATUS_DELIVERED
#define PS_FAILED LZ__BIKES__V1__PARCEL_STATUS__PARCEL_STATUS_FAILED
#define PS_AT_RELAY_POINT                                                      \
	LZ__BIKES__V1__PARCEL_STATUS__PARCEL_STATUS_AT_RELAY_POINT
#define PS_CANCELLED LZ__BIKES__V1__PARCEL_STATUS__PARCEL_STATUS_CANCELLED
#define PS_RECEIVED_AT_POINT                                                   \
	LZ__BIKES__V1__PARCEL_STATUS__PARCEL_STATUS_RECEIVED_AT_RELAY_POINT
#define PS_HANDED_OVER LZ__BIKES__V1__PARCEL_STATUS__PARCEL_STATUS_HANDED_OVER

#define PK_REQUESTED LZ__BIKES__V1__PICKUP_STATUS__PICKUP_STATUS_REQUESTED
#define PK_PLANNED LZ__BIKES__V1__PICKUP_STATUS__PICKUP_STATUS_PLANNED
#define PK_ON_BIKE LZ__BIKES__V1__PICKUP_STATUS__PICKUP_STATUS_ON_BIKE
#define PK_COLLECTED LZ__BIKES__V1__PICKUP_STATUS__PICKUP_STATUS_COLLECTED
#define PK_FAILED LZ__BIKES__V1__PICKUP_STATUS__PICKUP_STATUS_FAILED
#define PK_REFUSED LZ__BIKES__V1__PICKUP_STATUS__PICKUP_STATUS_REFUSED
#define PK_AT_RELAY LZ__BIKES__V1__PICKUP_STATUS__PICKUP_STATUS_AT_RELAY

#define RUN_PLANNED LZ__BIKES__V1__RUN_STATUS__RUN_STATUS_PLANNED
#define RUN_STARTED LZ__BIKES__V1__RUN_STATUS__RUN_STATUS_STARTED
#define RUN_COMPLETED LZ__BIKES__V1__RUN_STATUS__RUN_STATUS_COMPLETED
#define RUN_CANCELLED LZ__BIKES__V1__RUN_STATUS__RUN_STATUS_CANCELLED

#define STOP_START LZ__BIKES__V1__STOP_KIND__STOP_KIND_START
#define STOP_VISIT LZ__BIKES__V1__STOP_KIND__STOP_KIND_VISIT
#define STOP_END LZ__BIKES__V1__STOP_KIND__STOP_KIND_END

#define BR_NONE LZ__BIKES__V1__REASON__REASON_UNSPECIFIED
#define BR_INVALID LZ__BIKES__V1__REASON__REASON_INVALID
#define BR_UNKNOWN_RIDER LZ__BIKES__V1__REASON__REASON_UNKNOWN_RIDER
#define BR_UNKNOWN_BIKE LZ__BIKES__V1__REASON__REASON_UNKNOWN_BIKE
#define BR_UNKNOWN_PARCEL LZ__BIKES__V1__REASON__REASON_UNKNOWN_PARCEL
#define BR_UNKNOWN_RUN LZ__BIKES__V1__REASON__REASON_UNKNOWN_RUN
#define BR_UNKNOWN_PICKUP LZ__BIKES__V1__REASON__REASON_UNKNOWN_PICKUP
#define BR_UNKNOWN_SITE LZ__BIKES__V1__REASON__REASON_UNKNOWN_SITE
#define BR_NOT_ON_RIDER_RUN LZ__BIKES__V1__REASON__REASON_NOT_ON_RIDER_RUN
#define BR_OUT_OF_ZONE LZ__BIKES__V1__REASON__REASON_OUT_OF_ZONE
#define BR_TOO_HEAVY LZ__BIKES__V1__REASON__REASON_TOO_HEAVY
#define BR_NO_INSULATED_BIKE LZ__BIKES__V1__REASON__REASON_NO_INSULATED_BIKE
#define BR_NO_SHIFT LZ__BIKES__V1__REASON__REASON_NO_SHIFT
#define BR_ON_SHIFT LZ__BIKES__V1__REASON__REASON_ON_SHIFT
#define BR_BAD_STATE LZ__BIKES__V1__REASON__REASON_BAD_STATE
#define BR_DUPLICATE LZ__BIKES__V1__REASON__REASON_DUPLICATE
#define BR_NO_RIDER LZ__BIKES__V1__REASON__REASON_NO_RIDER
#define BR_TIME_WINDOW LZ__BIKES__V1__REASON__REASON_TIME_WINDOW
#define BR_NO_RELAY LZ__BIKES__V1__REASON__REASON_NO_RELAY
#define BR_NO_ROOM LZ__BIKES__V1__REASON__REASON_NO_ROOM
#define BR_NOT_READY LZ__BIKES__V1__REASON__REASON_NOT_READY
#define BR_NOT_YOUR_RELAY_POINT                                                \
	LZ__BIKES__V1__REASON__REASON_NOT_YOUR_RELAY_POINT

#define FR_OTHER LZ__BIKES__V1__FAIL_REASON__FAIL_REASON_OTHER

#define TC_CHILLED LZ__COMMON__V1__TEMPERATURE_CLASS__TEMPERATURE_CLASS_CHILLED
#define TC_FROZEN LZ__COMMON__V1__TEMPERATURE_CLASS__TEMPERATURE_CLASS_FROZEN

#define TK_RELAY LZ__TOURS__V1__TASK_KIND__TASK_KIND_RELAY_DELIVERY
#define TS_PENDING LZ__TOURS__V1__TASK_STATUS__TASK_STATUS_PENDING
#define TS_UNPLANNED LZ__TOURS__V1__TASK_STATUS__TASK_STATUS_UNPLANNED
#define TS_DONE LZ__TOURS__V1__TASK_STATUS__TASK_STATUS_DONE
#define TS_FAILED LZ__TOURS__V1__TASK_STATUS__TASK_STATUS_FAILED
#define TS_CANCELLED LZ__TOURS__V1__TASK_STATUS__TASK_STATUS_CANCELLED
#define SITE_BIKE_RELAY LZ__ORDERS__V1__SITE_KIND__SITE_KIND_BIKE_RELAY
#define SITE_RELAY_POINT LZ__ORDERS__V1__SITE_KIND__SITE_KIND_RELAY_POINT
#define OS_DELIVERED LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_DELIVERED
#define OS_FAILED LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_FAILED

/* Short lower-case names ("too_heavy", "at_relay"...), "unknown" outside
 * the enum.  Static storage. */
static inline const char *
bikes_reason_name(int rs)
{
	return lz_enum_name(&lz__bikes__v1__reason__descriptor, rs);
}

static inline const char *
bikes_parcel_status_name(int ps)
{
	return lz_enum_name(&lz__bikes__v1__parcel_status__descriptor, ps);
}

#endif
