/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * codec.h -- the orders service's view of its wire types.
 *
 * The protobuf-c structs of lz.orders.v1 double as the service's domain
 * model.  Why: the wire messages are exactly the domain (an Order, a Site,
 * a Member); the store keeps them in their wire encoding, which is already
 * versioned and additive; and a copy of each into hand-written structs
 * would double the code (deep copies, frees) without adding a rule.  What
 * this header adds is short names, enum aliases and the few conversions
 * (names of statuses and reasons, packing).  Only codec.h includes
 * orders.pb-c.h; the other files of the service include codec.h.  The
 * names of enum values come from the descriptors (lz_enum_name).
 */
#ifndef ORDERS_CODEC_H
#define ORDERS_CODEC_H

#include "lz/bikes/v1/bikes.pb-c.h"
#include "lz/inventory/v1/inventory.pb-c.h"
#include "lz/tours/v1/tours.pb-c.h"
#include "lz/orders/v1/orders.pb-c.h"
#include "lz_service.h"

#include <stddef.h>
#include <stdint.h>

typedef Lz__Common__V1__TimeWindow TimeWindow;
typedef Lz__Common__V1__GeoPoint GeoPoint;
typedef Lz__Orders__V1__Member Member;
typedef Lz__Orders__V1__Site Site;
typedef Lz__Orders__V1__OpeningHours OpeningHours;
typedef Lz__Orders__V1__Order Order;
typedef Lz__Orders__V1__OrderLine OrderLine;
typedef Lz__Orders__V1__ContainerCount ContainerCount;
typedef Lz__Orders__V1__PlaceOrder PlaceOrder;
typedef Lz__Orders__V1__AmendOrder AmendOrder;
typedef Lz__Orders__V1__CancelOrder CancelOrder;
typedef Lz__Orders__V1__RegisterMember RegisterMember;
typedef Lz__Orders__V1__RegisterSite RegisterSite;
typedef Lz__Orders__V1__OrderHistoryEntry HistoryEntry;

/* Order statuses (OrderStatus). */
enum {
	ST_UNSPECIFIED = LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_UNSPECIFIED,
	ST_PLACED = LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_PLACED,
	ST_CONFIRMED = LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_CONFIRMED,
	ST_PLANNED = LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_PLANNED,
	ST_PICKED_UP = LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_PICKED_UP,
	ST_AT_HUB = LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_AT_HUB,
	ST_OUT_FOR_DELIVERY =
		LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_OUT_FOR_DELIVERY,
	ST_AT_BIKE_RELAY =
		LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_AT_BIKE_RELAY,
	ST_DELIVERED = LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_DELIVERED,
	ST_REJECTED = LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_REJECTED,
	ST_CANCELLED = LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_CANCELLED,
	ST_FAILED = LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_FAILED,
	ST_COUNT
};

/* Reject reasons (RejectReason); 0 means "accepted". */
enum {
	RJ_NONE = LZ__ORDERS__V1__REJECT_REASON__REJECT_REASON_UNSPECIFIED,
	RJ_UNKNOWN_SITE =
		LZ__ORDERS__V1__REJECT_REASON__REJECT_REASON_UNKNOWN_SITE,
	RJ_UNKNOWN_PICKUP_SITE =
		LZ__ORDERS__V1__REJECT_REASON__REJECT_REASON_UNKNOWN_PICKUP_SITE,
	RJ_WINDOW_IN_PAST =
		LZ__ORDERS__V1__REJECT_REASON__REJECT_REASON_WINDOW_IN_PAST,
	RJ_WINDOW_INVALID =
		LZ__ORDERS__V1__REJECT_REASON__REJECT_REASON_WINDOW_INVALID,
	RJ_SITE_CLOSED =
		LZ__ORDERS__V1__REJECT_REASON__REJECT_REASON_SITE_CLOSED,
	RJ_NO_LINES = LZ__ORDERS__V1__REJECT_REASON__REJECT_REASON_NO_LINES,
	RJ_BAD_QUANTITY =
		LZ__ORDERS__V1__REJECT_REASON__REJECT_REASON_BAD_QUANTITY,
	RJ_TEMPERATURE_NOT_ACCEPTED =
		LZ__ORDERS__V1__REJECT_REASON__REJECT_REASON_TEMPERATURE_NOT_ACCEPTED,
	RJ_DUPLICATE_REFERENCE =
		LZ__ORDERS__V1__REJECT_REASON__REJECT_REASON_DUPLICATE_REFERENCE,
	RJ_UNKNOWN_ORDER =
		LZ__ORDERS__V1__REJECT_REASON__REJECT_REASON_UNKNOWN_ORDER,
	RJ_TOO_LATE = LZ__ORDERS__V1__REJECT_REASON__REJECT_REASON_TOO_LATE,
	RJ_BAD_SOURCE = LZ__ORDERS__V1__REJECT_REASON__REJECT_REASON_BAD_SOURCE,
	RJ_UNKNOWN_MEMBER =
		LZ__ORDERS__V1__REJECT_REASON__REJECT_REASON_UNKNOWN_MEMBER,
	RJ_INVALID = LZ__ORDERS__V1__REJECT_REASON__REJECT_REASON_INVALID,
	RJ_BAD_TEMPERATURE_CLASS =
		LZ__ORDERS__V1__REJECT_REASON__REJECT_REASON_BAD_TEMPERATURE_CLASS,
	RJ_COUNT
};

/* Order sources, site kinds and temperature classes. */
enum {
	SRC_UNSPECIFIED =
		LZ__ORDERS__V1__ORDER_SOURCE__ORDER_SOURCE_UNSPECIFIED,
	SRC_HUB_STOCK = LZ__ORDERS__V1__ORDER_SOURCE__ORDER_SOURCE_HUB_STOCK,
	SRC_PRODUCER_PICKUP =
		LZ__ORDERS__V1__ORDER_SOURCE__ORDER_SOURCE_PRODUCER_PICKUP,
	SITE_PRODUCER = LZ__ORDERS__V1__SITE_KIND__SITE_KIND_PRODUCER,
	SITE_KIND_MAX = LZ__ORDERS__V1__SITE_KIND__SITE_KIND_PROCESSOR,
	MEMBER_KIND_MAX = LZ__ORDERS__V1__MEMBER_KIND__MEMBER_KIND_OPERATOR,
	TEMP_UNSPECIFIED =
		LZ__COMMON__V1__TEMPERATURE_CLASS__TEMPERATURE_CLASS_UNSPECIFIED,
	TEMP_MAX = LZ__COMMON__V1__TEMPERATURE_CLASS__TEMPERATURE_CLASS_FROZEN,
};

/* Command type names, as in the envelope's type. */
#define CMD_PLACE_ORDER "lz.orders.v1.PlaceOrder"
#define CMD_CANCEL_ORDER "lz.orders.v1.CancelOrder"
#define EV_ORDER_PLACED "lz.orders.v1.OrderPlaced"
#define EV_ORDER_AMENDED "lz.orders.v1.OrderAmended"
#define EV_STATUS_CHANGED "lz.orders.v1.OrderStatusChanged"
/* The inventory's answers to a hub-stock order (source "inventory"). */
#define EV_RESERVATION_MADE "lz.inventory.v1.ReservationMade"
#define EV_SHORTAGE "lz.inventory.v1.Shortage"
#define INVENTORY_SOURCE "inventory"
/* The tours service's task changes (source "tours"): order_status, when
 * set, is where the order goes (planned, picked up, at hub, out for
 * delivery, at bike relay, delivered, failed). */
#define EV_TASK_STATUS "lz.tours.v1.TaskStatusChanged"
#define TOURS_SOURCE "tours"
/* The bikes service's parcel changes (source "bikes"): order_status, when
 * set, is where the order goes (delivered, failed), as for tours. */
#define EV_PARCEL_STATUS "lz.bikes.v1.ParcelStatusChanged"
#define BIKES_SOURCE "bikes"

/* The short lower-case name of status ST ("placed", "out_for_delivery"),
 * or "unknown" for a value outside the enum.  Static storage. */
static inline const char *
orders_status_name(int st)
{
	return lz_enum_name(&lz__orders__v1__order_status__descriptor, st);
}
/* The status named NAME: the short name or the enum value name
 * ("ORDER_STATUS_PLACED"), any case.  Returns ST_UNSPECIFIED if unknown. */
static inline int
orders_status_parse(const char *name)
{
	return lz_enum_parse(&lz__orders__v1__order_status__descriptor, name);
}
/* The short lower-case name of reject reason RJ ("unknown_site"), or
 * "unknown".  Static storage. */
static inline const char *
orders_reason_name(int rj)
{
	return lz_enum_name(&lz__orders__v1__reject_reason__descriptor, rj);
}

#endif
