/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * codec.h -- the impact service's view of its wire types: short names for
 * the protobuf-c structs it reads (tours, orders, bikes, returns) and the
 * records and report it keeps and serves (lz.impact.v1).  The wire structs
 * are the domain model, as in the other services.
 */
#ifndef IMPACT_CODEC_H
#define IMPACT_CODEC_H

#include "lz/bikes/v1/bikes.pb-c.h"
#include "lz/impact/v1/impact.pb-c.h"
#include "lz/orders/v1/orders.pb-c.h"
#include "lz/returns/v1/returns.pb-c.h"
#include "lz/tours/v1/tours.pb-c.h"

typedef Lz__Common__V1__GeoPoint GeoPoint;
typedef Lz__Orders__V1__Site Site;
typedef Lz__Orders__V1__Member Member;
typedef Lz__Orders__V1__Order Order;
typedef Lz__Tours__V1__Vehicle Vehicle;
typedef Lz__Tours__V1__Tour Tour;
typedef Lz__Tours__V1__Task Task;
typedef Lz__Returns__V1__LedgerMoved LedgerMoved;
typedef Lz__Impact__V1__TourRecord TourRecord;
typedef Lz__Impact__V1__Delivery Delivery;
typedef Lz__Impact__V1__RunRecord RunRecord;
typedef Lz__Impact__V1__ParcelRecord ParcelRecord;
typedef Lz__Impact__V1__ShiftRecord ShiftRecord;
typedef Lz__Impact__V1__FlowRecord FlowRecord;
typedef Lz__Impact__V1__CounterfactualRecord CounterfactualRecord;
typedef Lz__Impact__V1__Report Report;

/* Vehicle kinds (lz.tours.v1.VehicleKind), 0..IMPACT_NKINDS - 1. */
#define IMPACT_NKINDS 6
#define VK_DIESEL_VAN LZ__TOURS__V1__VEHICLE_KIND__VEHICLE_KIND_DIESEL_VAN
#define VK_ELECTRIC_VAN LZ__TOURS__V1__VEHICLE_KIND__VEHICLE_KIND_ELECTRIC_VAN
#define VK_REFRIGERATED_VAN                                                    \
	LZ__TOURS__V1__VEHICLE_KIND__VEHICLE_KIND_REFRIGERATED_VAN
#define VK_GAS_VAN LZ__TOURS__V1__VEHICLE_KIND__VEHICLE_KIND_GAS_VAN
#define VK_CARGO_BIKE LZ__TOURS__V1__VEHICLE_KIND__VEHICLE_KIND_CARGO_BIKE

#define FUEL_DIESEL LZ__TOURS__V1__FUEL_TYPE__FUEL_TYPE_DIESEL
#define FUEL_PETROL LZ__TOURS__V1__FUEL_TYPE__FUEL_TYPE_PETROL
#define FUEL_ELECTRICITY LZ__TOURS__V1__FUEL_TYPE__FUEL_TYPE_ELECTRICITY
#define FUEL_CNG LZ__TOURS__V1__FUEL_TYPE__FUEL_TYPE_CNG
#define FUEL_NONE LZ__TOURS__V1__FUEL_TYPE__FUEL_TYPE_NONE

/* Waste-hierarchy levels (lz.returns.v1.HierarchyLevel), 0..6. */
#define IMPACT_NLEVELS 7
#define LEVEL_DISPOSAL                                                         \
	LZ__RETURNS__V1__HIERARCHY_LEVEL__HIERARCHY_LEVEL_DISPOSAL

#define IMPACT_NCLASSES 3 /* ambient, chilled, frozen */

#define CF_OWN_ROUNDS                                                          \
	LZ__IMPACT__V1__COUNTERFACTUAL_METHOD__COUNTERFACTUAL_METHOD_OWN_ROUNDS
#define CF_DIRECT_TRIPS                                                        \
	LZ__IMPACT__V1__COUNTERFACTUAL_METHOD__COUNTERFACTUAL_METHOD_DIRECT_TRIPS

#define OS_AT_BIKE_RELAY                                                       \
	LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_AT_BIKE_RELAY
#define OS_DELIVERED LZ__ORDERS__V1__ORDER_STATUS__ORDER_STATUS_DELIVERED
#define SITE_KIND_HUB LZ__ORDERS__V1__SITE_KIND__SITE_KIND_HUB
#define SITE_KIND_BIKE_RELAY LZ__ORDERS__V1__SITE_KIND__SITE_KIND_BIKE_RELAY
#define SITE_KIND_PRODUCER LZ__ORDERS__V1__SITE_KIND__SITE_KIND_PRODUCER
#define SRC_PRODUCER_PICKUP                                                    \
	LZ__ORDERS__V1__ORDER_SOURCE__ORDER_SOURCE_PRODUCER_PICKUP

#endif
