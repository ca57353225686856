/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * codec.h -- the inventory service's view of its wire types.
 *
 * As in the orders service, the protobuf-c structs of lz.inventory.v1
 * double as the domain model (a Lot, a Zone, an OrderRecord) and the store
 * keeps them in their wire encoding.  This header adds short names, the
 * type names of what the service consumes and emits, and packing.  Only
 * codec.h includes *.pb-c.h.
 */
#ifndef INVENTORY_CODEC_H
#define INVENTORY_CODEC_H

#include "lz/inventory/v1/inventory.pb-c.h"
#include "lz/orders/v1/orders.pb-c.h"
#include "lz/tours/v1/tours.pb-c.h"
#include "lz_service.h"

#include <stddef.h>
#include <stdint.h>

typedef Lz__Inventory__V1__Zone Zone;
typedef Lz__Inventory__V1__Lot Lot;
typedef Lz__Inventory__V1__ReceiveLot ReceiveLot;
typedef Lz__Inventory__V1__Allocation Allocation;
typedef Lz__Inventory__V1__LineShortage LineShortage;
typedef Lz__Inventory__V1__OrderRecord OrderRecord;
typedef Lz__Inventory__V1__PickingList PickingList;
typedef Lz__Inventory__V1__PickingOrder PickingOrder;
typedef Lz__Inventory__V1__PickingCompartment PickingCompartment;
typedef Lz__Inventory__V1__PickLine PickLine;
typedef Lz__Orders__V1__Order Order;

/* Order statuses and sources the inventory looks at. */
enum {
	OST_PLACED = LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_PLACED,
	OST_DELIVERED = LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_DELIVERED,
	OST_REJECTED = LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_REJECTED,
	OST_CANCELLED = LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_CANCELLED,
	OST_FAILED = LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_FAILED,
	OST_AT_HUB = LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_AT_HUB,
	OSRC_HUB_STOCK = LZ__ORDERS__V1__ORDER_SOURCE__ORDER_SOURCE_HUB_STOCK,
};

#define INV_CMD_PICK "lz.inventory.v1.PickOrder"
#define INV_CMD_PICK_TOUR "lz.inventory.v1.PickTour"
#define INV_EV_ORDER_AMENDED "lz.orders.v1.OrderAmended"
#define INV_EV_STATUS_CHANGED "lz.orders.v1.OrderStatusChanged"
#define INV_EV_TASK_CHANGED "lz.tours.v1.TaskStatusChanged"

/* Picking statuses, of a list and of its orders. */
#define PST_LISTED LZ__INVENTORY__V1__PICKING_STATUS__PICKING_STATUS_LISTED
#define PST_PICKED LZ__INVENTORY__V1__PICKING_STATUS__PICKING_STATUS_PICKED
#define PST_SHORT LZ__INVENTORY__V1__PICKING_STATUS__PICKING_STATUS_SHORT
#define PST_DROPPED LZ__INVENTORY__V1__PICKING_STATUS__PICKING_STATUS_DROPPED

/* Tours' values the inventory looks at. */
enum {
	TK_DELIVERY = LZ__TOURS__V1__TASK_KIND__TASK_KIND_DELIVERY,
	TK_RELAY = LZ__TOURS__V1__TASK_KIND__TASK_KIND_RELAY_DELIVERY,
	TOUR_STARTED = LZ__TOURS__V1__TOUR_STATUS__TOUR_STATUS_STARTED,
};

/* Whether order status ST is final (delivered, rejected, cancelled,
 * failed). */
static inline int
inventory_status_final(int st)
{
	return st == OST_DELIVERED || st == OST_REJECTED ||
	       st == OST_CANCELLED || st == OST_FAILED;
}

/* The short lower-case name of refusal reason R ("unknown_zone"), or
 * "unknown".  Static storage. */
static inline const char *
inventory_reason_name(int r)
{
	return lz_enum_name(&lz__inventory__v1__refusal_reason__descriptor, r);
}

#endif
