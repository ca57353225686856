/* SPDX-License-Identifier: AGPL-3.0-or-later */
/*
 * lz_registry.h -- every protobuf message type built into the program, by
 * fully-qualified name ("lz.bus.v1.Envelope").
 *
 * The table is generated from proto/ at build time (build/gen/lz_registry.c,
 * by proto/gen-registry.sh) and is read-only, so every function here is
 * thread-safe.  Descriptors are static: they live as long as the program.
 */
#ifndef LZ_REGISTRY_H
#define LZ_REGISTRY_H

#include <stddef.h>

#include <protobuf-c/protobuf-c.h>

/* Returns the descriptor of the message type named TYPE_NAME (fully
 * qualified, without a leading dot; nested types as "pkg.Outer.Inner"),
 * or NULL if no such type is built in or TYPE_NAME is NULL. */
const ProtobufCMessageDescriptor *lz_registry_find(const char *type_name);

/* Returns the number of message types built in, nested map-entry types
 * included. */
size_t lz_registry_count(void);

/* Returns the I-th descriptor, 0 <= I < lz_registry_count(), or NULL if I
 * is out of range.  The order is fixed for a build but otherwise
 * unspecified; use it to list every type. */
const ProtobufCMessageDescriptor *lz_registry_at(size_t i);

/* Serializes MSG into a new buffer of *LEN bytes; the caller frees it.
 * Never returns NULL (out of memory aborts). */
uint8_t *lz_registry_pack(const ProtobufCMessage *msg, size_t *len);

#endif
